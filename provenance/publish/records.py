"""Rows as dictionaries, and the few lookups every card and export shares.

Every query is parameterised and runs in DuckDB; only the rows asked for reach Python.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from provenance.core.qualifiers import format_bound

if TYPE_CHECKING:
    import duckdb

Row = dict[str, Any]
PARAGRAPH_BREAK = "\n"


def rows(connection: duckdb.DuckDBPyConnection, sql: str, *parameters: Any) -> list[Row]:
    cursor = connection.execute(sql, list(parameters))
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def one(connection: duckdb.DuckDBPyConnection, sql: str, *parameters: Any) -> Row | None:
    found = rows(connection, sql, *parameters)
    return found[0] if found else None


def plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO text, decimals as floats, lists and dicts walked."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def interval_text(low: float | None, high: float | None) -> str:
    """[3100, ∞) or [80, 120]: how a stored interval reads (null bounds are open)."""
    if low is not None and high is not None and low == high:
        return format_bound(low)
    left = "(−∞" if low is None else "[" + format_bound(low)
    right = "∞)" if high is None else format_bound(high) + "]"
    return f"{left}, {right}"


def paragraph(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The paragraph (between line breaks) holding text[start:end], and the span's offsets in it."""
    first = text.rfind(PARAGRAPH_BREAK, 0, start) + 1
    last = text.find(PARAGRAPH_BREAK, end)
    last = len(text) if last == -1 else last
    return text[first:last], start - first, end - first


def around(text: str, start: int, end: int, limit: int) -> tuple[str, str, str]:
    """text[start:end] with at most ``limit`` characters of context each side, cut at a space."""
    before, after = text[:start], text[end:]
    if len(before) > limit:
        cut = before[len(before) - limit :]
        before = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    if len(after) > limit:
        cut = after[:limit]
        after = (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"
    return before, text[start:end], after


def entity_names(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        r["entity_id"]: r["name"] for r in rows(connection, "select entity_id, name from entities")
    }


def batch(connection: duckdb.DuckDBPyConnection, batch_id: str) -> Row | None:
    return one(
        connection,
        "select batch_id, recorded_at, recorded_by, input_file, tables, row_count "
        "from batches where batch_id = ?",
        batch_id,
    )
