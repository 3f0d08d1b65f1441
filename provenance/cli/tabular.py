"""Printing query results as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from provenance.core.text import plural


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    plain = _plain(value)
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, (list, dict)) else str(plain)


def render(columns: list[str], rows: list[tuple[Any, ...]], output: str, stream: TextIO) -> None:
    if output == "json":
        records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]
        stream.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    elif output == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in row] for row in rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        Console(file=stream, width=max(120, Console(file=stream).width), soft_wrap=False).print(
            table
        )
        stream.write(f"({plural(len(rows), 'row')})\n")
