"""The record contract, cell by cell: pandera over pandas, and the reader of every raw cell.

Two steps, both collecting every problem before anything is refused:

1. :func:`coerce` reads each raw cell as its column's type (strictly: ISO dates, plain numbers)
   and reports cells that cannot be read;
2. :func:`check_records` runs the pandera schema derived from :mod:`provenance.core.schema`
   (required columns, enums, patterns, minimums, qualifier ↔ interval consistency).

``append`` takes this path for a batch its columnar path (:mod:`provenance.storage.columnar`,
which runs the same contract compiled to SQL) cannot vouch for, to name each problem with its
row; :func:`pandera_schema` is the contract for users' pandas frames. Checks that need other
rows or the warehouse (references, quotes, id conflicts) are in
:mod:`provenance.storage.batch_checker`.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from provenance.core.errors import Problem
from provenance.core.intervals import interval_matches
from provenance.core.schema import QUALIFIERS, Column, Kind, Table
from provenance.core.text import first_line

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

_QUALIFIER_SET = frozenset(QUALIFIERS)

# The longest id or key (entity_id, figure_id, a reference…): ids are read by people and
# printed in every report line; a longer one is refused as too-long.
MAX_KEY_LENGTH = 200
# Integers are stored as 64-bit (offsets, row counts).
_INT64 = (-(2**63), 2**63 - 1)

# A date may be given to the day, the month or the year; precision records which.
_PRECISION_BY_LENGTH = {10: "day", 7: "month", 4: "year"}
PRECISION_COLUMN = {"stated_on": "stated_precision", "published_on": "published_precision"}


@dataclass
class Columns:
    """Coerced values of one table's batch, column-wise, with the input row numbers."""

    table: Table
    positions: list[int]
    values: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.positions)

    def row(self, i: int) -> dict[str, Any]:
        return {name: col[i] for name, col in self.values.items()}


def coerce(table: Table, rows: list[tuple[int, dict[str, Any]]]) -> tuple[Columns, list[Problem]]:
    """Read raw rows as typed columns; unreadable cells become ``None`` and a problem."""
    problems: list[Problem] = []
    known = {c.name for c in table.columns}
    unknown = sorted({k for _, r in rows for k in r if k not in known})
    for name in unknown:
        first = next(pos for pos, r in rows if name in r)
        label = "more cells than columns" if name == "__extra__" else "the table has no such column"
        problems.append(Problem("unknown-column", label, table.name, first, name))
    out = Columns(table, [pos for pos, _ in rows])
    for column in table.input_columns:
        parsed: list[Any] = []
        precisions: list[str | None] = []
        is_key = column.name == table.key or column.references is not None
        for pos, raw in rows:
            value = raw.get(column.name)
            try:
                typed, precision = read_cell(column, value)
            except (ValueError, OverflowError) as e:
                code = "bad-date" if column.kind in (Kind.DATE, Kind.TIMESTAMP) else "bad-type"
                problems.append(Problem(code, _reason(e), table.name, pos, column.name, value))
                typed, precision = None, None
            if is_key and _too_long(typed):
                problems.append(
                    Problem(
                        "too-long",
                        f"longer than {MAX_KEY_LENGTH} characters",
                        table.name,
                        pos,
                        column.name,
                        value,
                    )
                )
                typed = None
            parsed.append(typed)
            precisions.append(precision)
        out.values[column.name] = parsed
        precision_column = PRECISION_COLUMN.get(column.name)
        if precision_column:
            out.values["_" + precision_column] = precisions
    for name, implied_name in (
        ("stated_precision", "_stated_precision"),
        ("published_precision", "_published_precision"),
    ):
        if name in out.values and implied_name in out.values:
            implied = out.values.pop(implied_name)
            out.values[name] = [
                given or implied for given, implied in zip(out.values[name], implied, strict=True)
            ]
    return out, problems


def _reason(error: Exception) -> str:
    if isinstance(error, OverflowError):
        return "out of range"
    return first_line(error)


def _too_long(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) > MAX_KEY_LENGTH
    return isinstance(value, list) and any(len(v) > MAX_KEY_LENGTH for v in value)


def _text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text (a lone surrogate)") from None
    return value


def read_cell(column: Column, value: Any) -> tuple[Any, str | None]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    # Blank is empty: a required name, text or description of spaces is missing.
    blank = isinstance(value, str) and value.strip() == ""
    if blank and (column.kind is not Kind.STRING or column.required):
        return None, None
    kind = column.kind
    if kind is Kind.STRING:
        if isinstance(value, (dict, list, tuple, bytes, bytearray)):
            raise ValueError(f"expected text, got a {type(value).__name__}")
        return _text(value if isinstance(value, str) else str(value)), None
    if kind is Kind.INTEGER:
        return _read_integer(value), None
    if kind is Kind.NUMBER:
        return _read_number(value), None
    if kind is Kind.DATE:
        return _read_date(value)
    if kind is Kind.TIMESTAMP:
        return _read_timestamp(value), None
    if kind is Kind.STRING_LIST:
        return _read_list(value), None
    raise AssertionError(kind)


def _read_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer, got a boolean")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        text = str(value).strip()
        if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > 40:
            raise ValueError("expected an integer")
        value = int(text)
    if not _INT64[0] <= value <= _INT64[1]:
        raise ValueError("out of range: integers are stored in 64 bits")
    return value


def _read_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, (int, float)):
        number = float(value)  # OverflowError for an int beyond a double: reported as bad-type
    elif isinstance(value, (dict, list, tuple, bytes, bytearray)):
        raise ValueError(f"expected a number, got a {type(value).__name__}")
    else:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(
                "expected a plain number such as 3100 or 2.5 (no separators)"
            ) from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError("expected a finite number; leave the cell empty for an open bound")
    return number


def _read_date(value: Any) -> tuple[date, str]:
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("expected a date as YYYY-MM-DD (or YYYY-MM, YYYY)")
    text = str(value).strip()
    precision = _PRECISION_BY_LENGTH.get(len(text))
    try:
        if precision == "day":
            return date.fromisoformat(text), precision
        if precision == "month":
            return date.fromisoformat(text + "-01"), precision
        if precision == "year" and text.isdigit():
            return date(int(text), 1, 1), precision
    except ValueError:
        pass
    raise ValueError("expected a date as YYYY-MM-DD (or YYYY-MM, YYYY)")


def _read_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif not isinstance(value, str):
        raise ValueError("expected a timestamp as YYYY-MM-DDTHH:MM:SS[+HH:MM]")
    else:
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("expected a timestamp as YYYY-MM-DDTHH:MM:SS[+HH:MM]") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _read_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [_list_item(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("expected a list, or values separated by |")
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            raise ValueError("expected a JSON list or values separated by |") from None
        if isinstance(parsed, list):
            return [_list_item(v) for v in parsed]
    return [_text(part.strip()) for part in text.split("|") if part.strip()]


def _list_item(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("expected a list of texts")
    return _text(str(value))


# ---------------------------------------------------------------------------------------------
# The pandera contract


_CHECK_CODES = {
    "not_nullable": "missing-value",
    "not_blank": "missing-value",
    "isin": "unknown-enum",
    "str_matches": "bad-pattern",
    "greater_than_or_equal_to": "out-of-range",
    "qualifier_interval": "bad-interval",
}


def pandera_schema(table: Table, *, before_derivation: bool = False) -> pa.DataFrameSchema:
    """The pandera contract for ``table``, derived from its declaration.

    ``before_derivation`` relaxes the columns the store fills in (ids, offsets, precision),
    which is how an incoming batch is checked before those are derived.
    """
    import pandera.pandas as pa

    columns: dict[str, pa.Column] = {}
    for c in table.input_columns:
        checks = []
        if c.enum:
            checks.append(pa.Check.isin(list(c.enum)))
        if c.pattern:
            # The whole value, as regexp_full_match in SQL: Python's `$` also matches before a
            # final newline, which let "slug\n" through here and not there.
            checks.append(pa.Check.str_matches(c.pattern + r"\Z"))
        if c.required and c.kind is Kind.STRING:
            checks.append(pa.Check(_not_blank, element_wise=True, name="not_blank"))
        if c.minimum is not None:
            checks.append(pa.Check.ge(c.minimum))
        nullable = not c.required or (before_derivation and c.derivable)
        columns[c.name] = pa.Column(
            _PANDERA_DTYPES.get(c.kind), checks=checks, nullable=nullable, required=False
        )
    frame_checks = []
    if "qualifier" in table.column_names:
        frame_checks.append(pa.Check(_interval_ok, name="qualifier_interval"))
    return pa.DataFrameSchema(columns, checks=frame_checks, name=table.name, coerce=False)


def _not_blank(value: Any) -> bool:
    """Not only spaces — RE2's [\\s\\p{Z}]*, what the SQL contract calls blank (reading a
    file already turns blank required cells into missing ones; a user's frame may hold them)."""
    if not isinstance(value, str):
        return True
    return not all(ch in "\t\n\f\r " or unicodedata.category(ch) in _SPACES for ch in value)


_SPACES = ("Zs", "Zl", "Zp")

_PANDERA_DTYPES: dict[Kind, Any] = {Kind.NUMBER: "float64", Kind.INTEGER: "Int64"}


def _interval_ok(frame: pd.DataFrame) -> pd.Series:
    import pandas as pd

    def ok(q: Any, low: Any, high: Any) -> bool:
        if not isinstance(q, str) or q not in _QUALIFIER_SET:
            return True  # reported by the enum check
        return interval_matches(q, _num(low), _num(high)) is None

    return pd.Series(
        [
            ok(q, lo, hi)
            for q, lo, hi in zip(
                frame["qualifier"], frame["value_low"], frame["value_high"], strict=True
            )
        ],
        index=frame.index,
    )


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _frame(columns: Columns) -> pd.DataFrame:
    import pandas as pd

    data: dict[str, Any] = {}
    for c in columns.table.input_columns:
        values = columns.values[c.name]
        if c.kind is Kind.NUMBER:
            data[c.name] = pd.Series(values, dtype="float64")
        elif c.kind is Kind.INTEGER:
            data[c.name] = pd.Series(values, dtype="Int64")
        else:
            data[c.name] = pd.Series(values, dtype="object")
    return pd.DataFrame(data)


def check_records(columns: Columns, *, before_derivation: bool) -> list[Problem]:
    """Run the pandera contract over coerced columns; one problem per failing cell."""
    import pandera.errors as pe

    if len(columns) == 0:
        return []
    frame = _frame(columns)
    schema = pandera_schema(columns.table, before_derivation=before_derivation)
    try:
        schema.validate(frame, lazy=True)
    except pe.SchemaErrors as err:
        return _problems_from_failures(columns, err.failure_cases)
    return []


def _problems_from_failures(columns: Columns, failures: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    table = columns.table
    for failure in failures.to_dict("records"):
        index = failure.get("index")
        if index is None or (isinstance(index, float) and math.isnan(index)):
            continue  # a schema-level failure already reported per row
        i = int(index)
        check = str(failure.get("check") or "")
        check_name = check.split("(")[0]
        column = failure.get("column")
        column = column if isinstance(column, str) and column in table.column_names else None
        code = _CHECK_CODES.get(check_name, "bad-type")
        row = columns.row(i)
        if code == "bad-interval":
            reason = (
                interval_matches(row["qualifier"], row["value_low"], row["value_high"]) or check
            )
            problems.append(Problem(code, reason, table.name, columns.positions[i], "value_low"))
            continue
        message = _failure_message(table, code, column, check)
        value = None if code == "missing-value" else failure.get("failure_case")
        problems.append(Problem(code, message, table.name, columns.positions[i], column, value))
    return _dedupe(problems)


def _failure_message(table: Table, code: str, column: str | None, check: str) -> str:
    if code == "missing-value":
        return "required, but empty"
    declared = table.column(column) if column else None
    if code == "unknown-enum" and declared and declared.enum:
        return "not one of: " + ", ".join(declared.enum)
    if code == "bad-pattern" and declared and declared.pattern:
        return f"does not match {declared.pattern}"
    if code == "out-of-range" and declared and declared.minimum is not None:
        return f"must be ≥ {declared.minimum:g}"
    return check


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.code, p.table, p.row, p.column)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
