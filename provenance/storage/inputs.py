"""Reading a batch file (CSV, JSONL or Parquet) into raw rows per table.

Nothing here judges values: every cell comes out as written (a string, or what JSON or
Parquet typed it as) so that the contract can report each bad cell with its row number.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import BatchRejected, ConfigError, Problem
from provenance.core.schema import APPEND_ORDER, REVIEW_FIELDS, TABLES

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]

# The largest CSV field read (a document's text fits; Python's default of 128 KiB would not).
CSV_FIELD_LIMIT = 64 * 1024 * 1024


@dataclass
class RawBatch:
    """Rows read from one input, grouped by table, each with its 1-based input position.

    A Parquet file of one table is held as its Arrow columns instead (``arrow``), for the batch
    path of ``append``; :meth:`with_rows` reads it as rows when the per-cell path must judge it.
    """

    source: str | None
    sha256: str | None
    rows: dict[str, list[tuple[int, Row]]] = field(default_factory=dict)
    lines_of: str | None = None  # the text file (CSV, JSONL) whose lines the positions are
    arrow: dict[str, pa.Table] = field(default_factory=dict)
    reread: Callable[[], RawBatch] | None = None  # the same input as rows

    @property
    def row_count(self) -> int:
        return sum(self.table_counts().values())

    def table_counts(self) -> dict[str, int]:
        counts = {name: len(rows) for name, rows in self.rows.items()}
        counts.update((name, table.num_rows) for name, table in self.arrow.items())
        return counts

    def columns_of(self, name: str) -> dict[str, Any] | None:
        """``name``'s columns (Arrow arrays, or lists of raw cells), None when it has no rows."""
        if name in self.arrow:
            return {c: self.arrow[name].column(c) for c in self.arrow[name].column_names}
        if name not in self.rows:
            return None
        rows = self.rows[name]
        names = dict.fromkeys(key for _, row in rows for key in row)
        return {c: [row.get(c) for _, row in rows] for c in names}

    def with_rows(self) -> RawBatch:
        """This batch as rows with their positions (what the per-cell contract reads)."""
        return self.reread() if self.arrow and self.reread is not None else self


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise ConfigError(Problem("unreadable-file", f"{path}: {e.strerror or e}")) from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_text(path: Path) -> str:
    """A text file's content, refusing (not guessing) anything that is not UTF-8."""
    data = _read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BatchRejected(_not_utf8(path, data, e)) from None


def _not_utf8(path: Path, data: bytes, e: UnicodeDecodeError) -> Problem:
    line = data[: e.start].count(b"\n") + 1
    return Problem(
        "not-utf8", f"{path.name}: byte {e.start} (line {line}) is not UTF-8: {e.reason}"
    )


def read_batch(path: Path, table: str | None = None) -> RawBatch:
    """Read ``path`` into a :class:`RawBatch`.

    The table of each row comes from ``table``, else from a ``table`` field on the row
    (JSONL review files mix figures and relations), else from the file name (``figures.csv``,
    ``figures-2017.jsonl``).
    """
    if table is not None and table not in APPEND_ORDER:
        raise ConfigError(f"cannot append to {table!r}; tables are {', '.join(APPEND_ORDER)}")
    if not path.is_file():
        raise ConfigError(f"no such file: {path}")
    suffix = path.suffix.lower()
    try:
        batch = RawBatch(source=str(path), sha256=file_sha256(path))
        if path.suffix.lower() in LINE_NUMBERED:
            batch.lines_of = path.name
    except OSError as e:
        raise ConfigError(Problem("unreadable-file", f"{path}: {e.strerror or e}")) from None
    if suffix == ".parquet":
        records = _read_parquet(path)
    else:
        text = read_text(path)
        if suffix in (".jsonl", ".ndjson", ".json"):
            records = _read_jsonl(text, path.name)
        elif suffix in (".csv", ".tsv", ".txt"):
            records = _read_csv(text, "\t" if suffix == ".tsv" else ",", path.name)
        else:
            raise ConfigError(
                f"{path.name}: unknown format {suffix!r}; use .csv, .jsonl or .parquet"
            )
    if not records:
        raise BatchRejected(Problem("empty-input", f"{path.name} has no rows"))
    default = table or _table_from_name(path)
    for position, record in records:
        for annotation in REVIEW_FIELDS:
            record.pop(annotation, None)
        name = record.pop("table", None) or default
        if name is not None and not isinstance(name, str):
            raise BatchRejected(
                Problem(
                    "unknown-enum",
                    "the table field must be a table's name",
                    row=position,
                    column="table",
                    value=name,
                )
            )
        if name is None:
            raise ConfigError(
                f"{path.name}: cannot tell which table row {position} belongs to; "
                "pass --table, add a 'table' field, or name the file after the table"
            )
        if name not in TABLES or name == "batches":
            raise BatchRejected(
                Problem(
                    "unknown-enum",
                    f"no table {name!r} to append to",
                    row=position,
                    column="table",
                    value=name,
                )
            )
        batch.rows.setdefault(name, []).append((position, record))
    return batch


def peek_parquet(path: Path, table: str | None = None) -> tuple[str | None, dict[str, int]]:
    """A Parquet file's sha256 and rows per table from its footer alone, as :func:`read_batch`
    would assign them; no sha256 when that needs the rows (a ``table`` column) or anything is
    off, so that ``read_batch`` reads and reports it."""
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None, {}
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(path)
        sha256 = file_sha256(path)
    except Exception:  # pyarrow raises several unrelated types for a bad file: read_batch says
        return None, {}
    name = table or _table_from_name(path)
    if "table" in metadata.schema.names or name not in TABLES or name == "batches":
        return None, {}
    return sha256, {name: metadata.num_rows}


def read_parquet_columns(
    path: Path, table: str | None = None, sha256: str | None = None
) -> RawBatch | None:
    """A Parquet file of one table as its Arrow columns, or None when only :func:`read_batch`
    can say what it holds (a ``table`` column, no rows, no table to name it, unreadable).
    ``sha256`` is the file's, when :func:`peek_parquet` has just hashed it."""
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    import pyarrow.parquet as pq

    name = table or _table_from_name(path)
    if name not in APPEND_ORDER:
        return None
    try:
        arrow = pq.ParquetFile(path).read()
        sha256 = sha256 or file_sha256(path)
    except Exception:  # pyarrow raises several unrelated types for a bad file: read_batch says
        return None
    if "table" in arrow.column_names or arrow.num_rows == 0:
        return None
    arrow = arrow.drop_columns([c for c in REVIEW_FIELDS if c in arrow.column_names])
    return RawBatch(
        source=str(path),
        sha256=sha256,
        arrow={name: arrow},
        reread=lambda: read_batch(path, table),
    )


LINE_NUMBERED = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json")


def at_file_lines(problems: list[Problem], batch: RawBatch) -> list[Problem]:
    """Problems of a text file's rows, named by the file and line (what an editor shows); the
    rows of CSV and JSONL files are numbered by their first line (see :func:`read_batch`)."""
    if batch.lines_of is None:
        return problems
    return [
        dataclasses.replace(p, file=batch.lines_of) if p.row is not None else p for p in problems
    ]


def _table_from_name(path: Path) -> str | None:
    stem = path.name.split(".")[0].lower()
    for name in TABLES:
        if stem == name or stem.startswith(name + "-") or stem.startswith(name + "_"):
            return name
    return None


def _read_csv(text: str, delimiter: str, name: str = "") -> list[tuple[int, Row]]:
    """Rows by the file line they start on (the header is line 1)."""
    _refuse_other_delimiter(text, delimiter, name)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, Row]] = []
    start = 2  # a row starts on the line after the previous row ended (fields may span lines)
    try:
        for row in reader:
            if None in row:  # more cells than header columns
                extra = row.pop(None)
                row["__extra__"] = extra
            out.append((start, {k: (v if v != "" else None) for k, v in row.items()}))
            start = reader.line_num + 1
    except csv.Error as e:
        raise BatchRejected(
            Problem("unreadable-file", f"{name}: line {reader.line_num} is not CSV: {e}")
        ) from None
    return out


def _refuse_other_delimiter(text: str, delimiter: str, name: str) -> None:
    """A spreadsheet's `;`-separated export read with commas gives one column per row and a
    dozen puzzling problems: say what the delimiter looks like instead."""
    header = text.split("\n", 1)[0]
    if delimiter in header:
        return
    for other in (";", "\t", "|") if delimiter == "," else (",", ";"):
        if header.count(other) >= 2:
            shown = "tab" if other == "\t" else repr(other)
            raise BatchRejected(
                Problem(
                    "unreadable-file",
                    f"{name}: the header has no {'comma' if delimiter == ',' else 'tab'} but "
                    f"{header.count(other)} {shown}: the delimiter looks like {shown}; save it "
                    f"as comma-separated CSV (or tab-separated, named .tsv)",
                )
            )


def _read_jsonl(text: str, name: str) -> list[tuple[int, Row]]:
    out: list[tuple[int, Row]] = []
    problems: list[Problem] = []
    # Lines end at \n only: U+2028, U+0085 and the like are valid inside JSON strings.
    for i, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(
                Problem("unreadable-file", f"{name}: line {i} is not JSON: {e.msg}", row=i)
            )
            continue
        except RecursionError:
            problems.append(
                Problem("unreadable-file", f"{name}: line {i} is nested too deeply", row=i)
            )
            continue
        except ValueError as e:  # e.g. an integer of more than 4 300 digits
            problems.append(
                Problem("unreadable-file", f"{name}: line {i} cannot be read: {e}", row=i)
            )
            continue
        if not isinstance(record, dict):
            problems.append(
                Problem("unreadable-file", f"{name}: line {i} is not a JSON object", row=i)
            )
            continue
        out.append((i, record))
    if problems:
        raise BatchRejected(problems)
    return out


def _read_parquet(path: Path) -> list[tuple[int, Row]]:
    import pyarrow.parquet as pq

    try:
        # ParquetFile, not read_table: the latter imports pyarrow.dataset (0.7 s) for one file.
        rows = pq.ParquetFile(path).read().to_pylist()
    except Exception as e:  # pyarrow raises several unrelated types for a bad file or value
        raise BatchRejected(Problem("unreadable-file", f"{path.name}: {e}")) from None
    return list(enumerate(rows, start=1))


def rows_batch(rows: dict[str, list[Row]], source: str | None = None) -> RawBatch:
    """A batch from rows already in memory (the API's way in; importers use it)."""
    batch = RawBatch(source=source, sha256=None)
    for name, records in rows.items():
        if name not in TABLES or name == "batches":
            raise ConfigError(f"unknown table {name!r}")
        batch.rows[name] = [(i, dict(r)) for i, r in enumerate(records, start=1)]
    return batch
