"""The warehouse: append-only, content-addressed Parquet batches, read through DuckDB views.

Layout under ``<root>/warehouse``::

    batches/<batch_id>/<table>.parquet   one immutable file per table the batch touched
    batches/<batch_id>/manifest.json     the batch's row of the ``batches`` table (hashes)
    views.sql                            views and macros (see provenance.storage.views)

A batch is built in ``.staging/<batch_id>/`` (files fsynced) and made visible by one rename
of that folder into ``batches/``: a crash leaves the whole batch or nothing; a failed write
(a full disk) removes the half-built folder and says so (exit 2). Each manifest names the
log's head(s) by hash (:mod:`provenance.storage.manifests`); the views read only the files
that manifests list (:mod:`provenance.storage.views`).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import shutil
import socket
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.arrow_values import joined_texts, scalar, text_scalar
from provenance.core.errors import (
    ConfigError,
    IntegrityError,
    Problem,
    WarehouseNotFound,
    WriteFailed,
)
from provenance.core.schema import APPEND_ORDER, BATCHES, STORED_TABLES, TABLES, Table
from provenance.core.text import first_line
from provenance.storage import inputs
from provenance.storage.batch_checker import (
    AppendResult,
    Progress,
    appended_before,
    check_per_cell,
    no_progress,
)
from provenance.storage.catalog import is_lake, parse_catalog
from provenance.storage.columnar import check_columnar
from provenance.storage.inputs import RawBatch, file_sha256, read_batch, rows_batch
from provenance.storage.manifests import MANIFEST, BatchLog, manifest_bytes, read_log
from provenance.storage.views import (
    BATCH_ID_PATTERN,
    open_views,
    run_files,
    runs_views_sql,
    views_sql,
)

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from provenance.storage.integrity import Verification
    from provenance.storage.lake import BatchRow, LakeStore

WAREHOUSE_DIR = "warehouse"
EXPECTATIONS_DIR = "expectations"
GENESIS_SUFFIX = "schema"
# Rows per row group of a batch's Parquet files. DuckDB reads a row group on one thread, and
# pyarrow's default puts up to 1 048 576 rows in one: a batch of a million figures was scanned
# by a single core in every check. DuckDB's own tables use groups of 122 880 rows; documents get
# smaller ones, a text being a kilobyte or far more (anchoring and the weekday search read them).
ROW_GROUP_ROWS = 122_880
DOCUMENT_ROW_GROUP_ROWS = 8_192

__all__ = ["AppendResult", "Progress", "Warehouse"]


class Warehouse:
    """A folder holding ``warehouse/`` (the data) and ``expectations/`` (the rules)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.data_dir = self.root / WAREHOUSE_DIR
        self.batches_dir = self.data_dir / "batches"
        self.staging_dir = self.data_dir / ".staging"
        self.expectations_dir = self.root / EXPECTATIONS_DIR
        # Lake seam: a folder holding lake.json keeps its rows in DuckLake (storage.lake).
        self.lake: LakeStore | None = None
        if is_lake(self.root):
            from provenance.storage.lake import LakeStore  # a lake's modules, only for a lake

            self.lake = LakeStore(self.root)
        if self.lake is None and not self.batches_dir.is_dir():
            raise WarehouseNotFound(
                f"no warehouse at {self.root} (expected {self.batches_dir}); run `provenance init`"
            )

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path | str | None = None) -> Warehouse:
        """The warehouse at ``root``, or in the nearest parent of the working directory."""
        if root is not None:
            return cls(Path(root))
        here = Path.cwd().resolve()
        for candidate in (here, *here.parents):
            if (candidate / WAREHOUSE_DIR / "batches").is_dir() or is_lake(candidate):
                return cls(candidate)
        raise WarehouseNotFound(
            f"no warehouse/ in {here} or its parents; pass --root or run `provenance init DIR`"
        )

    @classmethod
    def init(
        cls, root: Path | str, catalog: str | None = None, data_path: str | Path | None = None
    ) -> Warehouse:
        """An empty warehouse and default expectations in ``root`` (or a lake: storage.lake)."""
        root = Path(root)
        if catalog is not None or data_path is not None:  # lake seam
            from provenance.storage.lake import LakeStore

            LakeStore.create(root.resolve(), parse_catalog(catalog, data_path), _who())
            _write_default_expectations(root / EXPECTATIONS_DIR)
            return cls(root)
        data = root / WAREHOUSE_DIR
        if (data / "batches").is_dir() and any((data / "batches").iterdir()):
            raise ConfigError(f"{data} already holds a warehouse")
        (data / "batches").mkdir(parents=True, exist_ok=True)
        # Stored validation runs are CI artefacts, not evidence: kept out of git by default.
        (data / ".gitignore").write_text(".lock\n.staging/\n_runs/\n", encoding="utf-8")
        (data / "views.sql").write_text(views_sql(WAREHOUSE_DIR), encoding="utf-8")
        warehouse = cls(root)
        with warehouse.lock():
            warehouse._commit_batch(
                {t.name: _empty_table(t) for t in STORED_TABLES},
                suffix=GENESIS_SUFFIX,
                input_file=None,
                input_sha256=None,
            )
        _write_default_expectations(warehouse.expectations_dir)
        return warehouse

    # -- reading ---------------------------------------------------------------------------

    def log(self) -> BatchLog:
        """The batch log: readable manifests, and what is wrong with the others."""
        return read_log(self.batches_dir)

    def head(self) -> list[str]:
        """The sha256 of the newest manifest(s): pin it in CI with ``validate --expect-head``."""
        return [] if self.lake is not None else self.log().heads()  # lake: snapshots order it

    def views_ddl(self, files: Collection[str] | None = None, *, runs: bool = True) -> str:
        """The views over the files that manifests list (absolute paths).

        ``files`` narrows them further (``validate`` passes the files whose hash verified); a
        listed file that is missing is left out here and reported by ``validate``.
        """
        if self.lake is not None:  # lake seam: the current snapshot's files
            return self.lake.file_views_sql()
        ddl, _ = self._views(files, runs=runs)
        return ddl

    def _views(self, files: Collection[str] | None, *, runs: bool) -> tuple[str, list[Path]]:
        log = self.log()
        by_table: dict[str, list[str]] = {}
        readable: list[Path] = []
        for relative in sorted(log.listed_files()):
            path = self.data_dir / relative
            if (files is None and path.is_file()) or (files is not None and relative in files):
                table = relative.rsplit("/", 1)[-1].removesuffix(".parquet")
                by_table.setdefault(table, []).append(path.as_posix())
                readable.append(path)
        manifests = [self.batches_dir / m.folder / MANIFEST for m in log.manifests]
        readable += manifests
        ddl = views_sql(self.data_dir.as_posix(), by_table, [m.as_posix() for m in manifests])
        stored_runs = run_files(self.data_dir) if runs else {}
        if stored_runs:
            ddl += "\n" + runs_views_sql(files=stored_runs)
            readable += [Path(f) for paths in stored_runs.values() for f in paths]
        return ddl, readable

    def connect(self, files: Collection[str] | None = None) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the warehouse's views and macros.

        For the library's own checks and appends; queries from users go through :meth:`query`.
        """
        import duckdb

        if self.lake is not None:  # lake seam: the lake attached read-only, and its views
            return self.lake.connect()
        return open_views(duckdb.connect(), self.views_ddl(files))

    def query(
        self, sql: str, parameters: list[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run read-only SQL on the views; nothing under the root can change (see readonly)."""
        import duckdb

        from provenance.storage.readonly import read_only_connection, run_read_only

        if self.lake is not None:  # lake seam: read statements only, on the read-only attach
            with self.lake.connect() as connection:
                return run_read_only(connection, sql, parameters)
        ddl, readable = self._views(None, runs=True)
        try:
            with read_only_connection(ddl, readable) as connection:
                return run_read_only(connection, sql, parameters)
        except duckdb.Error as e:
            raise IntegrityError(
                Problem(
                    "unreadable-file",
                    f"the warehouse's Parquet cannot be read: {first_line(e)}; "
                    "run `provenance validate`",
                )
            ) from None

    def refuse_inside(self, path: Path) -> None:
        """Refuse (exit 2) an output path under warehouse/ or expectations/."""
        target = path.resolve()
        for protected in (self.data_dir, self.expectations_dir):
            if target == protected or protected in target.parents:
                raise ConfigError(
                    Problem(
                        "not-allowed",
                        f"{path} is inside {protected.name}/: write results elsewhere",
                    )
                )

    def manifests(self) -> list[dict[str, Any]]:
        """The readable manifests, oldest first."""
        if self.lake is not None:  # lake seam: the batches table is the log
            return self.lake.batch_log()
        return [m.data for m in self.log().manifests]

    def verify_files(self, expect_heads: list[str] | None = None) -> list[Problem]:
        """Every batch file against its manifest, the hash chain, and the pinned head."""
        return self.verification(expect_heads).problems

    def verification(self, expect_heads: list[str] | None = None) -> Verification:
        """What ``file-integrity`` reports, and the files the other checks may read."""
        from provenance.storage.integrity import verify

        if self.lake is not None:  # lake seam: the catalog's file list and sizes
            return self.lake.verification(expect_heads)
        return verify(self.data_dir, expect_heads)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self, timeout: float = 600) -> Iterator[None]:
        """Serialise writers across processes."""
        if self.lake is not None:  # lake seam: no lock; each commit is a DuckLake transaction
            yield
            return
        from filelock import FileLock, Timeout

        try:
            lock = FileLock(str(self.data_dir / ".lock"), timeout=timeout)
            lock.acquire()
        except Timeout:
            raise ConfigError(
                f"another append holds {self.data_dir / '.lock'}; try again"
            ) from None
        except OSError as e:
            raise WriteFailed(f"cannot take the lock {self.data_dir / '.lock'}", e) from None
        try:
            yield
        finally:
            lock.release()

    def add_document(
        self,
        text: str,
        *,
        language: str,
        published_on: date | str,
        url: str | None = None,
        outlet: str | None = None,
        title: str | None = None,
        retrieved_at: datetime | str | None = None,
        published_precision: str | None = None,
        source: str | None = None,
    ) -> AppendResult:
        """Archive ``text`` (NFC); its id is the sha256 of that text. Adding it again is a no-op."""
        row = {
            "url": url,
            "title": title,
            "outlet": outlet,
            "language": language,
            "published_on": published_on,
            "published_precision": published_precision,
            "retrieved_at": retrieved_at or datetime.now(UTC),
            "text": text,
        }
        return self.append_batch(rows_batch({"documents": [row]}, source=source))

    def append(
        self, path: Path | str, table: str | None = None, progress: Progress | None = None
    ) -> AppendResult:
        """Check every row of a CSV, JSONL or Parquet file, then write them as one batch."""
        sha256, counts = inputs.peek_parquet(Path(path), table)
        if known := appended_before(self.manifests(), sha256, counts):
            return known
        raw = inputs.read_parquet_columns(Path(path), table, sha256) or read_batch(
            Path(path), table
        )
        return self.append_batch(raw, progress)

    def append_rows(
        self,
        rows: dict[str, list[dict[str, Any]]],
        source: str | None = None,
        progress: Progress | None = None,
    ) -> AppendResult:
        """Append rows held in memory, ``{"figures": [...], ...}``; same checks as a file."""
        return self.append_batch(rows_batch(rows, source), progress)

    def append_batch(self, raw: RawBatch, progress: Progress | None = None) -> AppendResult:
        report = progress or no_progress
        total = raw.row_count
        if known := appended_before(self.manifests(), raw.sha256, raw.table_counts()):
            return known
        with self.lock():
            with self.connect() as connection:
                # Columns first; a batch the columnar path cannot vouch for is read cell by cell.
                checked = check_columnar(connection, raw, report)
                tables, result = checked or check_per_cell(connection, raw.with_rows(), report)
            if not tables:
                return result
            if self.lake is not None:  # lake seam: one transaction, re-checked as it commits
                suffix = _content_hash(tables)[:8]
                return self.lake.commit_append(tables, result, raw, suffix=suffix, who=_who())
            report("writing", 0, total)
            result.batch_id = self._commit_batch(
                tables,
                suffix=_content_hash(tables)[:8],
                input_file=raw.source,
                input_sha256=raw.sha256,
            )
            result.head = self.head()
            report("writing", total, total)
            return result

    def write_batch(
        self, tables: dict[str, pa.Table], *, label: str, source: str | None = None
    ) -> str:
        """Write Arrow tables as one batch *without* the row contract; returns the batch id.

        For rows valid by construction (generators, migrations) where checking millions of rows
        one by one would cost more than writing them. Nothing here checks content: run
        ``validate`` afterwards. Columns are cast to the schema; batch_id and recorded_at are added.
        """
        if self.lake is not None:  # lake seam
            return self.lake.write_unchecked(tables, label, source, _who())
        with self.lock():
            return self._commit_batch(tables, suffix=label, input_file=source, input_sha256=None)

    def write_copied_batch(self, batch: BatchRow, tables: dict[str, pa.Table]) -> None:
        """Another warehouse's batch, with its id, time and author (``provenance copy``)."""
        if self.lake is not None:  # lake seam
            self.lake.commit(tables, batch, dedupe=True)
            return
        with self.lock():
            self._commit_batch(
                tables,
                suffix="",
                input_file=batch.input_file,
                input_sha256=batch.input_sha256,
                given=batch,
            )

    def _commit_batch(
        self,
        tables: dict[str, pa.Table],
        *,
        suffix: str,
        input_file: str | None,
        input_sha256: str | None,
        given: BatchRow | None = None,
    ) -> str:
        """Write one batch; on a failed write (full disk…) nothing stays and WriteFailed is raised."""
        now = datetime.now(UTC) if given is None else given.recorded_at
        batch_id = f"{now:%Y%m%dT%H%M%S%fZ}-{suffix}" if given is None else given.batch_id
        if not re.fullmatch(BATCH_ID_PATTERN, batch_id):
            raise ConfigError(f"batch label {suffix[:80]!r}: use letters, digits, '-', '_', '.'")
        self._clean_staging()
        staging = self.staging_dir / batch_id
        try:
            who = _who() if given is None else given.recorded_by
            self._build_batch(staging, tables, now, batch_id, suffix, input_file, input_sha256, who)
            # The commit point: one rename makes the whole batch visible.
            os.rename(staging, self.batches_dir / batch_id)
            _fsync(self.batches_dir)
        except OSError as e:
            shutil.rmtree(staging, ignore_errors=True)
            if (self.batches_dir / batch_id).is_dir():
                return batch_id  # only the final directory fsync failed: the batch is in
            raise WriteFailed(f"writing batch {batch_id} failed, nothing was appended", e) from None
        return batch_id

    def _build_batch(
        self,
        staging: Path,
        tables: dict[str, pa.Table],
        now: datetime,
        batch_id: str,
        suffix: str,
        input_file: str | None,
        input_sha256: str | None,
        recorded_by: str,
    ) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        heads = sorted(self.log().head_manifests(), key=lambda m: m.batch_id)
        staging.mkdir(parents=True)
        files, file_rows, file_sha = [], [], []
        for name in APPEND_ORDER:
            if name not in tables:
                continue
            table = tables[name]
            schema = TABLES[name].arrow_schema()
            table = table.append_column(
                pa.field("batch_id", pa.string(), nullable=False),
                pa.repeat(text_scalar(batch_id), table.num_rows),
            ).append_column(
                pa.field("recorded_at", schema.field("recorded_at").type, nullable=False),
                pa.repeat(scalar(now, schema.field("recorded_at").type), table.num_rows),
            )
            path = staging / f"{name}.parquet"
            pq.write_table(
                table.select(schema.names).cast(schema),
                path,
                compression="zstd",
                row_group_size=DOCUMENT_ROW_GROUP_ROWS if name == "documents" else ROW_GROUP_ROWS,
            )
            _fsync(path)
            files.append(f"batches/{batch_id}/{name}.parquet")
            file_rows.append(table.num_rows)
            file_sha.append(file_sha256(path))
        manifest = {
            "batch_id": batch_id,
            "recorded_at": now.isoformat(),
            "recorded_by": recorded_by,
            "input_file": input_file,
            "input_sha256": input_sha256,
            "tables": [f.split("/")[-1].removesuffix(".parquet") for f in files],
            "row_count": sum(file_rows) if suffix != GENESIS_SUFFIX else 0,
            "files": files,
            "file_rows": file_rows,
            "file_sha256": file_sha,
            "parents": [m.batch_id for m in heads],
            "parent_sha256": [m.sha256 for m in heads],
        }
        assert list(manifest) == BATCHES.column_names
        manifest_path = staging / MANIFEST
        with manifest_path.open("wb") as f:
            f.write(manifest_bytes(manifest))
        _fsync(manifest_path)
        _fsync(staging)

    def _clean_staging(self) -> None:
        """Remove what a killed append left half-built (invisible to readers, but clutter)."""
        if self.staging_dir.is_dir():
            shutil.rmtree(self.staging_dir, ignore_errors=True)


def _content_hash(tables: dict[str, pa.Table]) -> str:
    digest = hashlib.sha256()
    for name in sorted(tables):
        digest.update(name.encode())
        digest.update(joined_texts(tables[name].column(TABLES[name].key)))
    return digest.hexdigest()


def _empty_table(table: Table) -> pa.Table:
    return table.input_arrow_schema().empty_table()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _who() -> str:
    user = os.environ.get("PROVENANCE_USER")
    if user:
        return user
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"{name}@{socket.gethostname()}"


def _write_default_expectations(folder: Path) -> None:
    """Copy the packaged default suites and rules, never overwriting a user's files."""
    from importlib import resources

    source = resources.files("provenance").joinpath("defaults", "expectations")
    if not source.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        return
    _copy_tree(source, folder)


def _copy_tree(source: Any, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        destination = target / entry.name
        if entry.is_dir():
            _copy_tree(entry, destination)
        elif not destination.exists():
            destination.write_bytes(entry.read_bytes())
