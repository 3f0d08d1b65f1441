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

from provenance.core.text import shorten

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

QUOTE_LIMIT = 240  # characters of a quote shown on a failure line
IN_MEMORY_ROWS = 10_000  # a check flagging more rows than this spills them to a file
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
        parts = [
            f"{severity.upper()} {self.rule}: {self.table + ' ' if self.table else ''}{self.record_id}: {self.message}"
        ]
        if self.quote:
            parts.append(f"« {shorten(self.quote, QUOTE_LIMIT)} »")
        return " — ".join(parts)


class MissingColumns(Exception):
    """A query's result lacks record_id or message."""


class RowsFolder:
    """The run's private folder for spilled rows, removed once nothing refers to it.

    Every :class:`SpilledFailures` holds its folder, so the files live exactly as long as a
    report (or a filtered copy of it) can still read them.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="provenance-rows-")
        self.path = Path(self._folder.name)
        self._files = 0

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


def failures_of(rule: str, batch: pa.RecordBatch) -> Iterator[Failure]:
    """The batch's rows as :class:`Failure`, converted as the query's values always were."""
    names = batch.schema.names
    columns = {
        name: batch.column(names.index(name)).to_pylist()
        for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
        if name in names
    }
    none = [None] * batch.num_rows
    for record_id, message, table, quote, measured in zip(
        columns["record_id"],
        columns["message"],
        columns.get("table_name", none),
        columns.get("quote", none),
        columns.get("measured", none),
        strict=True,
    ):
        yield Failure(
            rule,
            str(record_id),
            str(message),
            table=table,
            quote=quote,
            measured=float(measured) if measured is not None else None,
        )


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


def ordered_sql(sql: str, columns: Sequence[str]) -> str:
    """The query's report columns, in report order (see the module's docstring)."""
    kept = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in columns]
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
    body = sql.strip().rstrip(";")
    return (
        f"SELECT {', '.join(f'{c!r}'.replace(chr(39), chr(34)) for c in kept)} "
        f"FROM (\n{body}\n) AS failing ORDER BY {', '.join(k for k in keys if k)}"
    )


def fetch_failures(
    connection: duckdb.DuckDBPyConnection,
    rule: str,
    sql: str,
    folder: RowsFolder | None,
    in_memory: int | None = None,
) -> Sequence[Failure]:
    """Run a check's query; its failing rows in report order, spilled when more than
    ``in_memory`` (default :data:`IN_MEMORY_ROWS`) and a folder is given."""
    in_memory = IN_MEMORY_ROWS if in_memory is None else in_memory
    columns = result_columns(connection, sql)
    reader = connection.execute(ordered_sql(sql, columns)).to_arrow_reader(BATCH_ROWS)
    held: list[pa.RecordBatch] = []
    rows = 0
    for batch in reader:
        held.append(batch)
        rows += batch.num_rows
        if folder is not None and rows > in_memory:
            return _spill(rule, reader.schema, held, reader, folder)
    return [f for batch in held for f in failures_of(rule, batch)]


def fetch_unordered(connection: duckdb.DuckDBPyConnection, rule: str, sql: str) -> list[Failure]:
    """A query's rows in the order it gives them (a rule's measurements), all in memory."""
    result_columns(connection, sql)
    reader = connection.execute(sql).to_arrow_reader(BATCH_ROWS)
    return [f for batch in reader for f in failures_of(rule, batch)]


def _spill(
    rule: str,
    schema: pa.Schema,
    held: list[pa.RecordBatch],
    rest: Iterator[pa.RecordBatch],
    folder: RowsFolder,
) -> SpilledFailures:
    def batches() -> Iterator[pa.RecordBatch]:
        # The held batches are let go as they are written: never all rows at once.
        while held:
            yield held.pop(0)
        yield from rest

    return _write(rule, schema, batches(), folder)


def keep_rows(rows: SpilledFailures, keep: Callable[[pa.RecordBatch], pa.Array]) -> SpilledFailures:
    """The spilled rows where ``keep(batch)`` (a boolean mask) is true, in a new file beside them."""
    import pyarrow as pa
    import pyarrow.ipc

    with pa.memory_map(str(rows.path)) as source:
        schema = pyarrow.ipc.open_file(source).schema
    kept = (batch.filter(keep(batch)) for batch in rows.batches())
    return _write(rows.rule, schema, kept, rows.folder)


def _write(
    rule: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch], folder: RowsFolder
) -> SpilledFailures:
    """Write the batches to a new file of the folder, counting them and finding the worst value."""
    import pyarrow.ipc

    path = folder.new_file()
    count = 0
    worst: float | None = None
    measured = schema.names.index("measured") if "measured" in schema.names else None
    options = pyarrow.ipc.IpcWriteOptions(compression="lz4")
    with pyarrow.ipc.new_file(str(path), schema, options=options) as writer:
        for batch in batches:
            writer.write_batch(batch)
            count += batch.num_rows
            if measured is not None:
                values = batch.column(measured).to_pylist()
                # float() as Failure converts: a DECIMAL's worst is the value the rows show.
                candidate = _first_largest(float(v) for v in values if v is not None)
                if candidate is not None and (worst is None or abs(candidate) > abs(worst)):
                    worst = candidate
    return SpilledFailures(rule, path, count, worst, folder)


def report_columns(batch: pa.RecordBatch) -> dict[str, pa.Array]:
    """The batch's record_id, table_name, message, quote (strings) and measured (float64), as a
    :class:`Failure` would hold them (``str`` of the id and message, ``None`` as "None"): for
    ``--store`` and ``--baseline``, without a Python object per row when the types already fit."""
    import pyarrow as pa

    names = batch.schema.names

    def column(name: str) -> pa.Array:
        return batch.column(names.index(name)) if name in names else pa.nulls(batch.num_rows)

    def text(values: pa.Array, nulls_as_none: bool) -> pa.Array:
        if _is_text(values.type) and not (nulls_as_none and values.null_count):
            return values.cast(pa.string())
        if nulls_as_none:
            return pa.array([str(v) for v in values.to_pylist()], pa.string())
        return values.cast(pa.string())

    measured = column("measured")
    if not pa.types.is_float64(measured.type):
        measured = pa.array(
            [float(v) if v is not None else None for v in measured.to_pylist()], pa.float64()
        )
    return {
        "record_id": text(column("record_id"), nulls_as_none=True),
        "table_name": text(column("table_name"), nulls_as_none=False),
        "message": text(column("message"), nulls_as_none=True),
        "quote": text(column("quote"), nulls_as_none=False),
        "measured": measured,
    }


def _is_text(kind: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))
