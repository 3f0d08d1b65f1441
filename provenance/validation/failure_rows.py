"""A check's failing rows: ordered by DuckDB, held in memory when few, spilled to a file when many.

A run may flag hundreds of thousands of rows (170 000 warnings at ten million figures; a bad
warehouse, millions). DuckDB sorts them under its memory cap, spilling as it needs; up to
:data:`IN_MEMORY_ROWS` come back as :class:`Failure` objects, beyond that the ordered rows go a
batch at a time into one Arrow IPC file in the run's :class:`RowsFolder`, and
:class:`SpilledFailures` reads them back a batch at a time, as often as a writer asks (the text
summary, the written report, ``--store``, the HTML page). Only the count and the worst measured
value, which the summary and the exit code need, are kept.

Why a file and not a DuckDB temporary table: the run's connection (and its temporary tables)
ends inside :func:`~provenance.validation.orchestrator.validate`, while the report is written,
filtered by ``--baseline`` and stored by the caller afterwards; a file needs nothing kept open.
Arrow IPC rather than Parquet: the rows are written once and read back whole, in order, by
each writer; IPC batches are Arrow's own memory layout (LZ4 frames, memory-mapped), read back
several times faster than Parquet pages are decoded. ``--store`` still writes Parquet.

Report order is ``(table or '', record_id, message)`` compared by code point, as Python sorts
strings. DuckDB compares VARCHAR by their UTF-8 bytes, which is code-point order, and no default
collation is set; NULLs sort as Python sees them (``None`` is written "None" by ``str``). Rows equal
on those three are ordered by quote, then measured, NULLs first (Python's stable sort kept the
query's arbitrary order there).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from provenance.core.errors import WriteFailed
from provenance.core.text import shorten
from provenance.validation.sql_text import statement_body

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

QUOTE_LIMIT = 240  # characters of a quote shown on a failure line
# Failing rows a run holds in memory as Failure objects, its checks together; a check whose
# rows would pass what is left spills them to a file. Holding a row is cheap, and the run's
# first spill imports pyarrow and numpy, which costs more than holding tens of thousands of
# rows. (Ten thousand per check spilled a million figures' 18 000 claimant-gap warnings.)
IN_MEMORY_ROWS = 50_000
BATCH_ROWS = 10_000  # rows brought into Python at a time
REQUIRED_COLUMNS = ("record_id", "message")
OPTIONAL_COLUMNS = ("table_name", "quote", "measured")


@dataclass(slots=True)
class Failure:
    """One offending record of one rule (slots: a run may hold hundreds of thousands)."""

    rule: str
    record_id: str
    message: str
    table: str | None = None
    quote: str | None = None
    measured: float | None = None  # the deviation or factor that made it fail
    details: dict[str, Any] = field(default_factory=dict)

    def line(self, severity: str) -> str:
        return failure_line(
            severity.upper(), self.rule, self.record_id, self.message, self.table, self.quote
        )


def failure_line(
    severity: str, rule: str, record_id: str, message: str, table: str | None, quote: str | None
) -> str:
    """A failing row as the text and JUnit reports show it (``severity`` in capitals): from a
    :class:`Failure` or straight from a spilled batch's columns
    (:func:`provenance.validation.report_rows.failure_lines`)."""
    line = f"{severity} {rule}: {table + ' ' if table else ''}{record_id}: {message}"
    if quote:
        if len(quote) > QUOTE_LIMIT:
            quote = shorten(quote, QUOTE_LIMIT)
        return f"{line} — « {quote} »"
    return line


class MissingColumns(Exception):
    """A query's result lacks record_id or message."""


class RowsFolder:
    """The run's private folder for spilled rows, made by the first spill (most runs have
    none) and removed once nothing refers to it.

    Every :class:`SpilledFailures` holds its folder, so the files live exactly as long as a
    report (or a filtered copy of it) can still read them.
    """

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._files = 0
        self.held = 0  # rows the run's checks hold in memory (see IN_MEMORY_ROWS)

    @property
    def path(self) -> Path:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="provenance-rows-")
        return Path(self._folder.name)

    def new_file(self) -> Path:
        self._files += 1
        return self.path / f"rows-{self._files:05d}.arrow"


class SpilledFailures(Sequence[Failure]):
    """A check's failing rows in an Arrow IPC file, in report order, read a batch at a time."""

    def __init__(
        self, rule: str, path: Path, count: int, worst: float | None, folder: RowsFolder
    ) -> None:
        self.rule = rule
        self.path = path
        self.size = count
        self.worst = worst  # the first largest |measured| in report order, NaN left out
        self.folder = folder

    def __len__(self) -> int:
        return self.size

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Columns record_id and message, and those of table_name, quote, measured the query gave."""
        import pyarrow as pa
        import pyarrow.ipc

        with pa.memory_map(str(self.path)) as source:
            rows = pyarrow.ipc.open_file(source)
            for at in range(rows.num_record_batches):
                yield rows.get_batch(at)

    def __iter__(self) -> Iterator[Failure]:
        for batch in self.batches():
            yield from failures_of(self.rule, batch)

    @overload
    def __getitem__(self, index: int) -> Failure: ...
    @overload
    def __getitem__(self, index: slice) -> list[Failure]: ...
    def __getitem__(self, index: int | slice) -> Failure | list[Failure]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.size)
            return list(islice(self, start, stop, step)) if step > 0 else list(self)[index]
        at = index + self.size if index < 0 else index
        if not 0 <= at < self.size:
            raise IndexError(index)
        return next(islice(self, at, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(other) == self.size and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SpilledFailures({self.rule!r}, {self.size} rows in {self.path.name})"


def worst_measured(rows: Sequence[Failure]) -> float | None:
    """The first largest |measured| among ``rows`` (NaN and None left out), as ``max`` finds it."""
    if isinstance(rows, SpilledFailures):
        return rows.worst
    return _first_largest(f.measured for f in rows)


def _first_largest(values: Any) -> float | None:
    worst: float | None = None
    for value in values:
        if (
            value is not None
            and not math.isnan(value)
            and (worst is None or abs(value) > abs(worst))
        ):
            worst = value
    return worst


ROW_COLUMNS = ("record_id", "table_name", "message", "quote", "measured")  # a spilled file's


def _row_schema() -> pa.Schema:
    import pyarrow as pa

    text = pa.string()
    return pa.schema(list(zip(ROW_COLUMNS, (text, text, text, text, pa.float64()), strict=True)))


def failures_of(rule: str, batch: pa.RecordBatch) -> Iterator[Failure]:
    """A spilled batch's rows as :class:`Failure` (its values were converted when spilled)."""
    columns = [batch.column(name).to_pylist() for name in ROW_COLUMNS]
    for record_id, table, message, quote, measured in zip(*columns, strict=True):
        yield Failure(rule, record_id, message, table=table, quote=quote, measured=measured)


def _converter(columns: Sequence[str]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A query row as (record_id, table, message, quote, measured), converted as Failure always
    took them: ``str`` of the id and message, ``float`` of the measured value (a DECIMAL's
    nearest float, which a SQL cast to DOUBLE could miss by a bit)."""
    at = {name: columns.index(name) for name in columns}
    rid, msg = at["record_id"], at["message"]
    table, quote, measured = (at.get(name) for name in ("table_name", "quote", "measured"))

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        value = row[measured] if measured is not None else None
        return (
            str(row[rid]),
            row[table] if table is not None else None,
            str(row[msg]),
            row[quote] if quote is not None else None,
            float(value) if value is not None else None,
        )

    return convert


def _failure(rule: str, row: tuple[Any, ...]) -> Failure:
    record_id, table, message, quote, measured = row
    return Failure(rule, record_id, message, table=table, quote=quote, measured=measured)


def result_columns(connection: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The query's columns (bound, not run); a query without record_id or message is refused."""
    columns = list(connection.sql(sql).columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise MissingColumns(
            f"the query must return columns {', '.join(REQUIRED_COLUMNS)} (missing {', '.join(missing)}); "
            f"it may add {', '.join(OPTIONAL_COLUMNS)}"
        )
    return columns


def _kept(columns: Sequence[str]) -> list[str]:
    """The report's columns the query gives, in the order :func:`ordered_sql` selects them."""
    return [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in columns]


def ordered_sql(sql: str, columns: Sequence[str]) -> str:
    """The query's report columns, in report order (see the module's docstring)."""
    kept = _kept(columns)
    as_text = {
        c: f'CAST("{c}" AS VARCHAR)' for c in ("table_name", "record_id", "message", "quote")
    }
    keys = [
        f"coalesce({as_text['table_name']}, '')" if "table_name" in columns else None,
        f"coalesce({as_text['record_id']}, 'None')",
        f"coalesce({as_text['message']}, 'None')",
        f"{as_text['quote']} NULLS FIRST" if "quote" in columns else None,
        '"measured" NULLS FIRST' if "measured" in columns else None,
    ]
    body = statement_body(sql)
    selected = ", ".join(f'"{c}"' for c in kept)
    return (
        f"SELECT {selected} FROM (\n{body}\n) AS failing ORDER BY {', '.join(k for k in keys if k)}"
    )


# The check's ordered rows while they are fetched: their count is known before any comes back.
FAILING = "provenance_failing_rows"


def fetch_failures(
    connection: duckdb.DuckDBPyConnection,
    rule: str,
    sql: str,
    folder: RowsFolder | None,
    in_memory: int | None = None,
) -> Sequence[Failure]:
    """Run a check's query; its failing rows in report order, spilled when a folder is given
    and they are more than ``in_memory``, by default what the run may still hold
    (:data:`IN_MEMORY_ROWS` less the rows its checks hold already, counted on the folder).

    With a folder, DuckDB first keeps the ordered rows in a temporary table (its insertion
    order is the query's order) and says how many there are: a few come back as Python tuples,
    and pyarrow is not even imported (a small warehouse's ``validate`` never loads it); many go
    from DuckDB to the spill file as Arrow batches, no row converted in Python on the way
    (:func:`_spill`).
    """
    columns = result_columns(connection, sql)
    kept = _kept(columns)
    convert = _converter(kept)
    ordered = ordered_sql(sql, columns)
    if folder is None:
        cursor = connection.execute(ordered)
        held: list[Failure] = []
        while rows := cursor.fetchmany(BATCH_ROWS):
            held += [_failure(rule, convert(row)) for row in rows]
        return held
    created = connection.execute(f"CREATE OR REPLACE TEMP TABLE {FAILING} AS {ordered}").fetchone()
    count = 0 if created is None else int(created[0])
    room = IN_MEMORY_ROWS - folder.held if in_memory is None else in_memory
    try:
        if count > room:
            return _spill(connection, rule, kept, folder)
        folder.held += count
        rows = connection.execute(f"SELECT * FROM {FAILING}").fetchall()
        return [_failure(rule, convert(row)) for row in rows]
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {FAILING}")


def fetch_unordered(connection: duckdb.DuckDBPyConnection, rule: str, sql: str) -> list[Failure]:
    """A query's rows in the order it gives them (a rule's measurements), all in memory."""
    convert = _converter(result_columns(connection, sql))
    cursor = connection.execute(sql)
    found = []
    while rows := cursor.fetchmany(BATCH_ROWS):
        found += [_failure(rule, convert(row)) for row in rows]
    return found


# DuckDB types whose values SQL converts exactly as :func:`_converter` does in Python: integers
# up to 64 bits read as text as str() writes them, and become the nearest double as float()
# makes it; VARCHAR is taken as is. A DECIMAL goes to a double through its exact text (read
# with correct rounding, as float(Decimal) rounds; a direct cast can miss by a bit).
_INTEGERS = frozenset(
    ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
)


def _sql_conversions(types: dict[str, str]) -> list[str] | None:
    """The spill file's columns as SQL over :data:`FAILING`, or None when a column's type has no
    conversion known to match Python's (its rows are then converted in Python)."""

    def text(name: str, none_as: str | None) -> str | None:
        kind = types.get(name)
        if kind is None:
            return f'NULL::VARCHAR AS "{name}"'
        if kind != "VARCHAR" and not (none_as and kind in _INTEGERS):
            return None
        value = f'CAST("{name}" AS VARCHAR)'
        return (
            f"coalesce({value}, '{none_as}') AS \"{name}\"" if none_as else f'{value} AS "{name}"'
        )

    measured = types.get("measured")
    if measured is None:
        number: str | None = 'NULL::DOUBLE AS "measured"'
    elif measured == "DOUBLE" or measured == "FLOAT" or measured in _INTEGERS:
        number = 'CAST("measured" AS DOUBLE) AS "measured"'
    elif measured.startswith("DECIMAL"):
        number = 'CAST(CAST("measured" AS VARCHAR) AS DOUBLE) AS "measured"'
    else:
        number = None
    none_as = {"record_id": "None", "message": "None"}
    selected = [text(name, none_as.get(name)) for name in ROW_COLUMNS[:-1]] + [number]
    return None if None in selected else [s for s in selected if s is not None]


def _spill(
    connection: duckdb.DuckDBPyConnection, rule: str, kept: Sequence[str], folder: RowsFolder
) -> SpilledFailures:
    """:data:`FAILING`'s rows, in order, into a new file of the folder."""
    import pyarrow as pa

    schema = _row_schema()
    types = dict(zip(kept, map(str, connection.sql(f"SELECT * FROM {FAILING}").types), strict=True))
    selected = _sql_conversions(types)
    if selected is not None:
        reader = connection.execute(f"SELECT {', '.join(selected)} FROM {FAILING}")
        arrow = reader.to_arrow_reader(BATCH_ROWS)
        batches: Iterator[pa.RecordBatch] = (
            pa.RecordBatch.from_arrays(
                [
                    c if c.type == f.type else c.cast(f.type)
                    for c, f in zip(b.columns, schema, strict=True)
                ],
                schema=schema,
            )
            for b in arrow
        )
        return _write(rule, schema, batches, folder)
    from provenance.core.arrow_values import floats, texts

    convert = _converter(kept)
    cursor = connection.execute(f"SELECT * FROM {FAILING}")

    def converted() -> Iterator[pa.RecordBatch]:
        while rows := cursor.fetchmany(BATCH_ROWS):
            record_id, table, message, quote, measured = zip(*map(convert, rows), strict=True)
            arrays = [
                texts(record_id),
                texts(table),
                texts(message),
                texts(quote),
                floats(measured),
            ]
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)

    return _write(rule, schema, converted(), folder)


def keep_rows(rows: SpilledFailures, keep: Callable[[pa.RecordBatch], pa.Array]) -> SpilledFailures:
    """The spilled rows where ``keep(batch)`` (a boolean mask) is true, in a new file beside them."""
    kept = (batch.filter(keep(batch)) for batch in rows.batches())
    return _write(rows.rule, _row_schema(), kept, rows.folder)


def _write(
    rule: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch], folder: RowsFolder
) -> SpilledFailures:
    """Write the batches to a new file of the folder, counting them and finding the worst value."""
    import pyarrow.ipc

    path = folder.new_file()
    count = 0
    worst: float | None = None
    options = pyarrow.ipc.IpcWriteOptions(compression="lz4")
    try:
        with pyarrow.ipc.new_file(str(path), schema, options=options) as writer:
            for batch in batches:
                writer.write_batch(batch)
                count += batch.num_rows
                candidate = _batch_worst(batch.column("measured"))
                if candidate is not None and (worst is None or abs(candidate) > abs(worst)):
                    worst = candidate
    except OSError as e:  # a full temporary folder: the environment's, not a bug
        raise WriteFailed(f"cannot write the failing rows of {rule} to {path}", e) from None
    return SpilledFailures(rule, path, count, worst, folder)


def _batch_worst(measured: pa.Array) -> float | None:
    """:func:`_first_largest` of a float64 column, on its buffers (no Python float per row)."""
    import numpy as np

    from provenance.core.arrow_values import valid_mask

    data = measured.buffers()[1]
    if data is None or not len(measured):
        return None
    values = np.frombuffer(data, dtype=np.float64)[
        measured.offset : measured.offset + len(measured)
    ]
    usable = valid_mask(measured) & ~np.isnan(values)
    if not usable.any():
        return None
    magnitude = np.where(usable, np.abs(values), -1.0)
    return float(values[int(np.argmax(magnitude))])  # argmax: the first of equal magnitudes


def report_columns(batch: pa.RecordBatch) -> dict[str, pa.Array]:
    """A spilled batch's columns by name: record_id, table_name, message, quote (strings) and
    measured (float64), as the rows' :class:`Failure` would hold them."""
    return {name: batch.column(name) for name in ROW_COLUMNS}
