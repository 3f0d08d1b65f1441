"""A warehouse in DuckLake: the same tables and views, many writers, one transaction per append.

:class:`LakeStore` is what :class:`provenance.storage.warehouse.Warehouse` delegates to when its
folder holds ``lake.json`` (see :mod:`provenance.storage.catalog`). The row checks (contracts,
references, quotes, content-hash ids) stay in the warehouse's append path; this module only
reads the lake and commits checked rows.

Concurrency. Appenders take no lock. Each commit is one DuckLake transaction that (1) drops the
rows another appender committed since this one's checks (same id, same content: kept once; same
id, other content: ``id-conflict``), (2) inserts the rest and the batch's row of ``batches``,
and (3) bumps the single row of ``append_head``. Two transactions that both update that row
conflict in DuckLake, so when appenders commit at the same moment one wins and the others retry
from (1) against the winner's rows: the same file appended four times at once is stored once.
The Parquet files are written during (2) and are reused by DuckLake when it retries a commit;
a writer killed before COMMIT leaves only unreferenced files, never rows.
"""

from __future__ import annotations

import random
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import (
    BatchRejected,
    ConfigError,
    Problem,
    WriteFailed,
)
from provenance.core.schema import APPEND_ORDER, BATCHES, STORED_TABLES, TABLES, Table
from provenance.core.sql import sql_literal
from provenance.storage.batch_checker import stored_matches
from provenance.storage.catalog import (
    ALIAS,
    LAKE_SQL,
    LakeConfig,
    attach,
    load_sql,
)
from provenance.storage.views import MACROS, open_views

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from provenance.storage.inputs import RawBatch
    from provenance.storage.integrity import Verification
    from provenance.storage.warehouse import AppendResult

HEAD = "append_head"
SNAPSHOTS_VIEW = (
    "-- DuckLake's own log: one snapshot per append, author = who, commit_message = batch_id.\n"
    f"CREATE OR REPLACE VIEW lake_snapshots AS SELECT * FROM {ALIAS}.snapshots();"
)
MAX_ATTEMPTS = 200
GENESIS_SUFFIX = "schema"


@dataclass
class BatchRow:
    """A batch's row of ``batches``, minus what the commit computes (tables, counts)."""

    batch_id: str
    recorded_at: datetime
    recorded_by: str
    input_file: str | None
    input_sha256: str | None

    @classmethod
    def new(
        cls, suffix: str, recorded_by: str, input_file: str | None, input_sha256: str | None
    ) -> BatchRow:
        now = datetime.now(UTC)
        return cls(f"{now:%Y%m%dT%H%M%S%fZ}-{suffix}", now, recorded_by, input_file, input_sha256)


class LakeStore:
    """The DuckLake behind a lake warehouse's folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = LakeConfig.read(root)
        # Loading the extensions costs most of a second per DuckDB database: each process keeps
        # one database reading the lake (attached read-only, with the views) and one writing it,
        # and hands out cursors (each its own transaction, hence its own snapshot).
        self._reader: duckdb.DuckDBPyConnection | None = None
        self._writer: duckdb.DuckDBPyConnection | None = None

    # -- creating -----------------------------------------------------------------------------

    @classmethod
    def create(cls, root: Path, config: LakeConfig, recorded_by: str) -> LakeStore:
        """Create the lake's tables (or join a lake that has them) and write ``lake.json``."""
        import duckdb

        if (root / "warehouse" / "batches").is_dir():
            raise ConfigError(f"{root} already holds a folder warehouse")
        if config.kind == "duckdb":
            Path(config.catalog.split(":", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        if "://" not in config.data_path:
            Path(config.data_path).mkdir(parents=True, exist_ok=True)
        with closing(duckdb.connect()) as connection:
            attach(connection, config)
            present = {
                r[0]
                for r in connection.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [ALIAS]
                ).fetchall()
            }
            wanted = {t.name for t in STORED_TABLES} | {BATCHES.name, HEAD}
            if present and present != wanted:
                raise ConfigError(
                    f"the catalog {config.catalog} holds other tables ({', '.join(sorted(present))}): "
                    "not a provenance lake"
                )
            if not present:
                _create_tables(connection, recorded_by)
        root.mkdir(parents=True, exist_ok=True)
        config.write(root)
        store = cls(root)
        store.write_cli_script()
        return store

    def write_cli_script(self) -> None:
        """``lake.sql``: the DuckDB CLI's way in (``duckdb -init lake.sql``)."""
        text = (
            "-- Generated by `provenance init --catalog`: the DuckDB CLI's way into this lake.\n"
            "-- duckdb -init lake.sql   (duckdb-cli of the same release as the extensions)\n"
            f"{load_sql(self.config.kind)}\n{self.config.attach_sql(read_only=True)}\n\n{views_sql()}\n"
        )
        path = self.root / LAKE_SQL
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")

    # -- reading ------------------------------------------------------------------------------

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection with the warehouse's views over the current snapshot's Parquet files.

        Checks and queries read those files with ``read_parquet``, as on a folder: measured at
        a million figures, rules over DuckLake's own scan (``lake.figures``) took twice as
        long. The lake stays attached read-only (``lake_snapshots``; the DuckDB CLI's
        ``lake.sql`` reads through it). Every append writes Parquet (no inlined rows) and
        nothing is ever deleted, so the files are all of the data.
        """
        return open_views(self._reading_database().cursor(), self.file_views_sql(snapshots=True))

    def _reading_database(self) -> duckdb.DuckDBPyConnection:
        """One database per process with the lake attached read-only (closing a connection
        from :meth:`connect` leaves it open for the next)."""
        if self._reader is None:
            # A DuckDB-file catalog can be attached once per process: there, one database
            # reads and writes (the file is single-machine anyway).
            single = self.config.kind == "duckdb"
            self._reader = (
                self._writing_database() if single else _database(self.config, read_only=True)
            )
        return self._reader

    def _writing_database(self) -> duckdb.DuckDBPyConnection:
        if self._writer is None:
            self._writer = _database(self.config, read_only=False)
        return self._writer

    def batch_log(self) -> list[dict[str, Any]]:
        """The rows of ``batches``, oldest first (the folder backend's manifests)."""
        with self.connect() as connection:
            cursor = connection.execute("SELECT * FROM batches ORDER BY batch_id")
            names = [d[0] for d in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def data_files(self) -> list[tuple[str, str, int]]:
        """(table, path, size in bytes) of every data file the current snapshot reads."""
        with closing(self._reading_database().cursor()) as connection:
            out: list[tuple[str, str, int]] = []
            connection.execute("BEGIN TRANSACTION")  # every table at one snapshot
            for table in (*STORED_TABLES, BATCHES):
                rows = connection.execute(
                    "SELECT data_file, data_file_size_bytes FROM ducklake_list_files(?, ?)",
                    [ALIAS, table.name],
                ).fetchall()
                out += [(table.name, path, size) for path, size in sorted(rows)]
            connection.execute("COMMIT")
            return out

    def verify_files(self) -> list[Problem]:
        """Every data file the catalog lists exists with the size the catalog recorded."""
        problems = []
        for table, path, size in self.data_files():
            if "://" in path:
                continue  # object storage: DuckLake reads it, we cannot stat it
            file = Path(path)
            if not file.is_file():
                problems.append(Problem("missing-file", f"{path} is missing", record_id=table))
            elif (actual := file.stat().st_size) != size:
                problems.append(
                    Problem(
                        "file-hash-mismatch",
                        f"{path} was changed after its append: {actual} bytes, the catalog says {size}",
                        record_id=table,
                    )
                )
        return problems

    def verification(self, expect_heads: list[str] | None = None) -> Verification:
        """``file-integrity`` on a lake: the catalog's files, present with their sizes (a lake
        has no manifests, hence no hash chain and no head to pin; every check reads the lake)."""
        from provenance.storage.integrity import Verification
        from provenance.storage.manifests import BatchLog

        if expect_heads:
            raise ConfigError("a lake has no hash chain to pin: --expect-head is for folders")
        problems = self.verify_files()
        return Verification(BatchLog(), problems, set(), files_checked=len(self.data_files()))

    def file_views_sql(self, *, snapshots: bool = False) -> str:
        """Views over the current snapshot's Parquet files, for a database that cannot attach
        the lake itself (Great Expectations opens its own connections to a DuckDB file)."""
        by_table: dict[str, list[str]] = {}
        for name, path, _ in self.data_files():
            by_table.setdefault(name, []).append(path)
        parts = []
        for table in (*STORED_TABLES, BATCHES):
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            files = by_table.get(table.name)
            if files:
                listed = ", ".join(sql_literal(p) for p in files)
                source = f"read_parquet([{listed}], union_by_name = true)"
            else:
                source = (
                    "(SELECT "
                    + ", ".join(f'CAST(NULL AS {c.sql_type}) AS "{c.name}"' for c in table.columns)
                    + " WHERE false)"
                )
            parts.append(f"CREATE OR REPLACE VIEW {table.name} AS SELECT {columns} FROM {source};")
        if snapshots:  # needs the lake attached
            parts.append(SNAPSHOTS_VIEW)
        return "\n".join(parts) + "\n\n" + MACROS

    # -- writing ------------------------------------------------------------------------------

    def commit_append(
        self,
        tables: dict[str, pa.Table],
        result: AppendResult,
        raw: RawBatch,
        *,
        suffix: str,
        who: str,
    ) -> AppendResult:
        """Commit an append's checked rows; ``result`` then counts what this commit wrote
        (rows another appender committed meanwhile count as already present)."""
        batch = BatchRow.new(suffix, who, raw.source, raw.sha256)
        written = self.commit(tables, batch)
        for name, table in tables.items():
            kept = written[name].num_rows if name in written else 0
            result.already_present[name] = (
                result.already_present.get(name, 0) + table.num_rows - kept
            )
            result.written[name] = kept
            result.ids[name] = written[name].column(TABLES[name].key).to_pylist() if kept else []
        result.batch_id = batch.batch_id if written else None
        return result

    def write_unchecked(
        self, tables: dict[str, pa.Table], label: str, source: str | None, who: str
    ) -> str:
        """``Warehouse.write_batch`` on a lake: one transaction, no checks; the batch id."""
        batch = BatchRow.new(label, who, source, None)
        self.commit(tables, batch, dedupe=False)
        return batch.batch_id

    def commit(
        self, tables: dict[str, pa.Table], batch: BatchRow, *, dedupe: bool = True
    ) -> dict[str, pa.Table]:
        """Write ``tables`` as one DuckLake transaction; returns the rows actually written.

        With ``dedupe``, rows already in the lake when the transaction commits are left out
        (and an id stored with other content is refused): an empty result wrote nothing.
        """
        import duckdb

        with closing(self._writing_database().cursor()) as connection:
            for attempt in range(MAX_ATTEMPTS):
                connection.execute("BEGIN TRANSACTION")
                try:
                    kept = _write(connection, tables, batch, dedupe=dedupe)
                    connection.execute("COMMIT" if kept else "ROLLBACK")
                    return kept
                except duckdb.TransactionException:
                    _rollback(connection)
                    # Another append committed first: try again against its rows, after a
                    # random pause so that the losers do not collide again in step.
                    time.sleep(random.uniform(0, min(0.05 * (attempt + 1), 1.0)))
                except duckdb.IOException as e:  # the data path refused a write (disk full)
                    _rollback(connection)
                    raise WriteFailed(
                        f"writing batch {batch.batch_id} failed, nothing was appended", e
                    ) from None
                except BaseException:
                    _rollback(connection)
                    raise
        raise ConfigError(
            f"gave up committing batch {batch.batch_id} after {MAX_ATTEMPTS} conflicting attempts"
        )


def _write(
    connection: duckdb.DuckDBPyConnection,
    tables: dict[str, pa.Table],
    batch: BatchRow,
    *,
    dedupe: bool,
) -> dict[str, pa.Table]:
    import pyarrow as pa

    kept: dict[str, pa.Table] = {}
    for name in APPEND_ORDER:
        if name not in tables:
            continue
        arrow = tables[name]
        if dedupe:
            arrow = _drop_present(connection, TABLES[name], arrow)
        if arrow.num_rows or batch.batch_id.endswith(GENESIS_SUFFIX):
            kept[name] = arrow
    if not kept:
        return kept
    for name, arrow in kept.items():
        schema = TABLES[name].arrow_schema()
        rows = arrow.num_rows
        stamped = arrow.append_column(
            pa.field("batch_id", pa.string()), pa.array([batch.batch_id] * rows, pa.string())
        ).append_column(
            pa.field("recorded_at", schema.field("recorded_at").type),
            pa.array([batch.recorded_at] * rows, schema.field("recorded_at").type),
        )
        connection.register("incoming", stamped.select(schema.names).cast(schema))
        connection.execute(f"INSERT INTO {ALIAS}.{name} BY NAME SELECT * FROM incoming")
        connection.unregister("incoming")
    names = list(kept)
    genesis = batch.batch_id.endswith(GENESIS_SUFFIX)
    given = {
        "batch_id": batch.batch_id,
        "recorded_at": batch.recorded_at,
        "recorded_by": batch.recorded_by,
        "input_file": batch.input_file,
        "input_sha256": batch.input_sha256,
        "tables": names,
        "row_count": 0 if genesis else sum(t.num_rows for t in kept.values()),
    }
    # The folder's per-file lists (files, hashes, parents) have no lake counterpart: the
    # catalog lists the data files, and the snapshots order the batches.
    values = [
        "?" if c.name in given else ("[]" if c.sql_type.endswith("[]") else "NULL")
        for c in BATCHES.columns
    ]
    connection.execute(
        f"INSERT INTO {ALIAS}.batches VALUES ({', '.join(values)})",
        [given[c.name] for c in BATCHES.columns if c.name in given],
    )
    # The write that makes simultaneous appends conflict (see the module's docstring).
    connection.execute(f"UPDATE {ALIAS}.{HEAD} SET appends = appends + 1")
    connection.execute(
        f"CALL {ALIAS}.set_commit_message(?, ?)", [batch.recorded_by, batch.batch_id]
    )
    return kept


def _drop_present(connection: duckdb.DuckDBPyConnection, table: Table, arrow: pa.Table) -> pa.Table:
    """``arrow`` without rows the lake already holds; an id held with other content is refused."""
    import pyarrow as pa

    present = stored_matches(connection, table, arrow, f"{ALIAS}.{table.name}")
    conflicts = [
        Problem(
            "id-conflict",
            "already in the warehouse with different " + ", ".join(columns),
            table.name,
            None,
            table.key,
            key,
        )
        for key, columns in present
        if columns
    ]
    if conflicts:
        raise BatchRejected(conflicts)
    if not present:
        return arrow
    keys = {key for key, _ in present}
    mask = pa.array([k not in keys for k in arrow.column(table.key).to_pylist()])
    return arrow.filter(mask)


def _database(config: LakeConfig, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    import duckdb

    database = duckdb.connect()
    try:
        attach(database, config, read_only=read_only)
    except BaseException:
        database.close()
        raise
    return database


def _rollback(connection: duckdb.DuckDBPyConnection) -> None:
    import duckdb

    with suppress(duckdb.Error):  # a failed COMMIT has already ended the transaction
        connection.execute("ROLLBACK")


def _create_tables(connection: duckdb.DuckDBPyConnection, recorded_by: str) -> None:
    # Every append writes Parquet under the data path (the folder backend's promise), except
    # the one-row head, which stays in the catalog where updating it is cheap.
    connection.execute(f"CALL {ALIAS}.set_option('data_inlining_row_limit', 0)")
    connection.execute("BEGIN TRANSACTION")
    for table in (*STORED_TABLES, BATCHES):
        columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in table.columns)
        connection.execute(f"CREATE TABLE {ALIAS}.{table.name} ({columns})")
    connection.execute(f"CREATE TABLE {ALIAS}.{HEAD} (appends BIGINT)")
    connection.execute("COMMIT")
    connection.execute(
        f"CALL {ALIAS}.set_option('data_inlining_row_limit', 10, table_name => '{HEAD}')"
    )
    genesis = BatchRow.new(GENESIS_SUFFIX, recorded_by, None, None)
    empty = {t.name: t.input_arrow_schema().empty_table() for t in STORED_TABLES}
    connection.execute("BEGIN TRANSACTION")
    connection.execute(f"INSERT INTO {ALIAS}.{HEAD} VALUES (0)")
    _write(connection, empty, genesis, dedupe=False)
    connection.execute("COMMIT")


def views_sql() -> str:
    """The warehouse's views over the attached lake, and its macros."""
    parts = []
    for table in (*STORED_TABLES, BATCHES):
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        parts.append(
            f"CREATE OR REPLACE VIEW {table.name} AS SELECT {columns} FROM {ALIAS}.{table.name};"
        )
    parts.append(SNAPSHOTS_VIEW)
    return "\n".join(parts) + "\n\n" + MACROS
