"""The warehouse: append-only, content-addressed Parquet batches, read through DuckDB views.

Layout under ``<root>/warehouse``::

    batches/<batch_id>/<table>.parquet   one immutable file per table the batch touched
    batches/<batch_id>/manifest.json     the batch's row of the ``batches`` table (hashes)
    views.sql                            views and macros (see provenance.storage.views)

A batch is built in ``.staging/<batch_id>/`` (files fsynced) and made visible by one rename
of that folder into ``batches/``: a crash leaves the whole batch or nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
import socket
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import (
    BatchRejected,
    ConfigError,
    IntegrityError,
    Problem,
    WarehouseNotFound,
)
from provenance.core.ids import content_id
from provenance.core.ids import document_id as hash_document
from provenance.core.schema import APPEND_ORDER, BATCHES, STORED_TABLES, TABLES, Table
from provenance.core.text import plural
from provenance.storage import contracts
from provenance.storage.inputs import RawBatch, at_file_lines, file_sha256, read_batch, rows_batch
from provenance.storage.views import has_runs, runs_views_sql, views_sql

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

WAREHOUSE_DIR = "warehouse"
EXPECTATIONS_DIR = "expectations"
GENESIS_SUFFIX = "schema"

# Called as progress(stage, done, total) during long appends.
Progress = Callable[[str, int, int], None]


@dataclass
class AppendResult:
    batch_id: str | None
    written: dict[str, int] = field(default_factory=dict)
    already_present: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def rows_written(self) -> int:
        return sum(self.written.values())

    def summary(self) -> str:
        if self.batch_id is None:
            present = sum(self.already_present.values())
            every = "the row is" if present == 1 else f"all {present} rows are"
            return f"nothing to append: {every} already in the warehouse"
        parts = [
            plural(n, "entity" if t == "entities" else t[:-1], t)
            for t, n in self.written.items()
            if n
        ]
        line = f"appended batch {self.batch_id}: " + ", ".join(parts)
        skipped = sum(self.already_present.values())
        if skipped:
            line += f" ({plural(skipped, 'row')} already present, skipped)"
        return line


class Warehouse:
    """A folder holding ``warehouse/`` (the data) and ``expectations/`` (the rules)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.data_dir = self.root / WAREHOUSE_DIR
        self.batches_dir = self.data_dir / "batches"
        self.staging_dir = self.data_dir / ".staging"
        self.expectations_dir = self.root / EXPECTATIONS_DIR
        if not self.batches_dir.is_dir():
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
            if (candidate / WAREHOUSE_DIR / "batches").is_dir():
                return cls(candidate)
        raise WarehouseNotFound(
            f"no warehouse/ in {here} or its parents; pass --root or run `provenance init DIR`"
        )

    @classmethod
    def init(cls, root: Path | str) -> Warehouse:
        """Create an empty warehouse and default expectations in ``root`` (kept if present)."""
        root = Path(root)
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

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the warehouse's views and macros."""
        import duckdb

        connection = duckdb.connect()
        ddl = views_sql(self.data_dir.as_posix())
        if has_runs(self.data_dir):
            ddl += "\n" + runs_views_sql(self.data_dir.as_posix())
        try:
            connection.execute(ddl)
        except duckdb.Error as e:
            connection.close()
            raise IntegrityError(
                Problem(
                    "unreadable-file",
                    f"the warehouse's Parquet cannot be read: {str(e).splitlines()[0]}",
                )
            ) from None
        return connection

    def query(
        self, sql: str, parameters: list[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        import duckdb

        with self.connect() as connection:
            try:
                cursor = connection.execute(sql, parameters or [])
                columns = [d[0] for d in cursor.description or []]
                return columns, cursor.fetchall()
            except duckdb.Error as e:
                raise ConfigError(Problem("bad-query", str(e).splitlines()[0])) from None

    def manifests(self) -> list[dict[str, Any]]:
        out = []
        for folder in sorted(self.batches_dir.iterdir()):
            path = folder / "manifest.json"
            if path.is_file():
                out.append(json.loads(path.read_text(encoding="utf-8")))
        return out

    def verify_files(self) -> list[Problem]:
        """Every batch file against the sha256 its manifest recorded."""
        problems: list[Problem] = []
        for folder in sorted(p for p in self.batches_dir.iterdir() if p.is_dir()):
            manifest_path = folder / "manifest.json"
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
                listed = dict(zip(manifest["files"], manifest["file_sha256"], strict=True))
            except (OSError, ValueError, KeyError, TypeError) as e:
                problems.append(
                    Problem(
                        "bad-manifest",
                        f"{_rel(manifest_path, self.data_dir)}: {e}",
                        record_id=folder.name,
                    )
                )
                continue
            for relative, expected in listed.items():
                path = self.data_dir / relative
                if not path.is_file():
                    problems.append(
                        Problem("missing-file", f"{relative} is missing", record_id=folder.name)
                    )
                elif (actual := file_sha256(path)) != expected:
                    problems.append(
                        Problem(
                            "file-hash-mismatch",
                            f"{relative} was changed after its append: sha256 {actual[:12]}…, manifest says {expected[:12]}…",
                            record_id=folder.name,
                        )
                    )
            for path in sorted(folder.iterdir()):
                relative = _rel(path, self.data_dir)
                if path.name != "manifest.json" and relative not in listed:
                    problems.append(
                        Problem(
                            "unlisted-file",
                            f"{relative} is not in its batch manifest",
                            record_id=folder.name,
                        )
                    )
        return problems

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self, timeout: float = 600) -> Iterator[None]:
        """Serialise writers across processes."""
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(self.data_dir / ".lock"), timeout=timeout):
                yield
        except Timeout:
            raise ConfigError(
                f"another append holds {self.data_dir / '.lock'}; try again"
            ) from None

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
        try:
            return self.append_batch(read_batch(Path(path), table), progress)
        except BatchRejected as e:  # name a text file's refused rows by their lines in it
            e.problems = at_file_lines(e.problems, Path(path))
            raise

    def append_rows(
        self,
        rows: dict[str, list[dict[str, Any]]],
        source: str | None = None,
        progress: Progress | None = None,
    ) -> AppendResult:
        """Append rows held in memory, ``{"figures": [...], ...}``; same checks as a file."""
        return self.append_batch(rows_batch(rows, source), progress)

    def append_batch(self, raw: RawBatch, progress: Progress | None = None) -> AppendResult:
        report = progress or (lambda stage, done, total: None)
        total = raw.row_count
        problems: list[Problem] = []
        columns: dict[str, contracts.Columns] = {}
        for name in APPEND_ORDER:
            if name not in raw.rows:
                continue
            typed, cell_problems = contracts.coerce(TABLES[name], raw.rows[name])
            bad_cells = {(p.row, p.column) for p in cell_problems}
            problems += cell_problems
            problems += [
                p
                for p in contracts.check_records(typed, before_derivation=True)
                if (p.row, p.column) not in bad_cells
            ]
            columns[name] = typed
            report("checking contract", sum(len(c) for c in columns.values()), total)
        with self.lock():
            with self.connect() as connection:
                checker = _BatchChecker(connection, columns, report, already_bad=problems)
                problems += checker.derive_and_check()
                if problems:
                    raise BatchRejected(sorted(problems, key=_problem_order))
                tables, result = checker.new_rows()
            if not tables:
                return result
            self._clean_staging()
            report("writing", 0, total)
            result.batch_id = self._commit_batch(
                tables,
                suffix=_content_hash(tables)[:8],
                input_file=raw.source,
                input_sha256=raw.sha256,
            )
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
        with self.lock():
            return self._commit_batch(tables, suffix=label, input_file=source, input_sha256=None)

    def _commit_batch(
        self,
        tables: dict[str, pa.Table],
        *,
        suffix: str,
        input_file: str | None,
        input_sha256: str | None,
    ) -> str:
        import pyarrow as pa
        import pyarrow.parquet as pq

        now = datetime.now(UTC)
        batch_id = f"{now:%Y%m%dT%H%M%S%fZ}-{suffix}"
        staging = self.staging_dir / batch_id
        staging.mkdir(parents=True)
        files, file_rows, file_sha = [], [], []
        for name in APPEND_ORDER:
            if name not in tables:
                continue
            table = tables[name]
            schema = TABLES[name].arrow_schema()
            table = table.append_column(
                pa.field("batch_id", pa.string(), nullable=False),
                pa.array([batch_id] * table.num_rows, pa.string()),
            ).append_column(
                pa.field("recorded_at", schema.field("recorded_at").type, nullable=False),
                pa.array([now] * table.num_rows, schema.field("recorded_at").type),
            )
            path = staging / f"{name}.parquet"
            pq.write_table(table.select(schema.names).cast(schema), path, compression="zstd")
            _fsync(path)
            files.append(f"batches/{batch_id}/{name}.parquet")
            file_rows.append(table.num_rows)
            file_sha.append(file_sha256(path))
        manifest = {
            "batch_id": batch_id,
            "recorded_at": now.isoformat(),
            "recorded_by": _who(),
            "input_file": input_file,
            "input_sha256": input_sha256,
            "tables": [f.split("/")[-1].removesuffix(".parquet") for f in files],
            "row_count": sum(file_rows) if suffix != GENESIS_SUFFIX else 0,
            "files": files,
            "file_rows": file_rows,
            "file_sha256": file_sha,
        }
        assert list(manifest) == BATCHES.column_names
        manifest_path = staging / "manifest.json"
        manifest_path.write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _fsync(manifest_path)
        _fsync(staging)
        # The commit point: one rename makes the whole batch visible.
        os.rename(staging, self.batches_dir / batch_id)
        _fsync(self.batches_dir)
        return batch_id

    def _clean_staging(self) -> None:
        """Remove what a killed append left half-built (invisible to readers, but clutter)."""
        if self.staging_dir.is_dir():
            shutil.rmtree(self.staging_dir)


class _BatchChecker:
    """The checks that need the warehouse: ids, references, quotes, conflicts."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        columns: dict[str, contracts.Columns],
        report: Progress,
        already_bad: list[Problem],
    ) -> None:
        self.connection = connection
        self.columns = columns
        self.report = report
        self.problems: list[Problem] = []
        # Rows already refused by the contract: ids derived from their partial content would
        # only add spurious duplicate-id lines.
        self._bad_rows: dict[str, set[int]] = {}
        for name, cols in columns.items():
            index = {position: i for i, position in enumerate(cols.positions)}
            self._bad_rows[name] = {
                index[p.row] for p in already_bad if p.table == name and p.row in index
            }

    def derive_and_check(self) -> list[Problem]:
        if "documents" in self.columns:
            self._derive_document_ids(self.columns["documents"])
        texts = self._document_texts()
        for name in ("figures", "relations"):
            if name in self.columns:
                self._anchor_quotes(self.columns[name], texts)
                self._derive_content_ids(self.columns[name])
        for cols in self.columns.values():
            self._check_duplicate_keys(cols)
        self._check_references()
        return self.problems

    def _fail(self, problem: Problem, index: int | None = None) -> None:
        self.problems.append(problem)
        if problem.table and index is not None:
            self._bad_rows.setdefault(problem.table, set()).add(index)

    def _derive_document_ids(self, cols: contracts.Columns) -> None:
        texts, ids = cols.values["text"], cols.values["document_id"]
        for i, text in enumerate(texts):
            if text is None:
                continue
            texts[i] = text = unicodedata.normalize("NFC", text)
            digest = hash_document(text)
            if ids[i] is None:
                ids[i] = digest
            elif ids[i] != digest:
                self._fail(
                    Problem(
                        "document-id-mismatch",
                        f"the NFC text hashes to {digest}",
                        "documents",
                        cols.positions[i],
                        "document_id",
                        ids[i],
                    ),
                    i,
                )

    def _document_texts(self) -> dict[str, str]:
        wanted: set[str] = set()
        for name in ("figures", "relations"):
            if name in self.columns:
                wanted.update(d for d in self.columns[name].values["document_id"] if d)
        texts: dict[str, str] = {}
        if "documents" in self.columns:
            cols = self.columns["documents"]
            texts.update(
                (d, t)
                for d, t in zip(cols.values["document_id"], cols.values["text"], strict=True)
                if d and t is not None
            )
        missing = sorted(wanted - texts.keys())
        if missing:
            rows = self.connection.execute(
                "SELECT document_id, text FROM documents WHERE document_id IN (SELECT unnest($ids))",
                {"ids": missing},
            ).fetchall()
            texts.update(rows)
        return texts

    def _anchor_quotes(self, cols: contracts.Columns, texts: dict[str, str]) -> None:
        name = cols.table.name
        quotes, starts, ends = (
            cols.values["quote"],
            cols.values["quote_start"],
            cols.values["quote_end"],
        )
        for i, document_id in enumerate(cols.values["document_id"]):
            if i and i % 20000 == 0:
                self.report("anchoring quotes", i, len(cols))
            quote = quotes[i]
            if quote is None or document_id is None:
                continue
            quotes[i] = quote = unicodedata.normalize("NFC", quote)
            text = texts.get(document_id)
            if text is None:
                continue  # reported as unknown-document
            start, end = starts[i], ends[i]
            position = cols.positions[i]
            if start is None:
                first = text.find(quote)
                if first < 0:
                    self._fail(
                        Problem(
                            "quote-not-found",
                            "the quote is not in the document text",
                            name,
                            position,
                            "quote",
                            quote,
                        ),
                        i,
                    )
                    continue
                if text.find(quote, first + 1) >= 0:
                    self._fail(
                        Problem(
                            "ambiguous-quote",
                            f"the quote occurs more than once (first at {first}); give quote_start",
                            name,
                            position,
                            "quote",
                            quote,
                        ),
                        i,
                    )
                    continue
                start = first
            if end is None:
                end = start + len(quote)
            starts[i], ends[i] = start, end
            found = text[start:end]
            if found != quote:
                where = f"text[{start}:{end}]"
                if end > len(text):
                    message = f"{where} runs past the end of the document ({len(text)} characters)"
                else:
                    message = f"{where} is {found!r}, not the quote"
                self._fail(Problem("quote-mismatch", message, name, position, "quote", quote), i)

    def _derive_content_ids(self, cols: contracts.Columns) -> None:
        table = cols.table
        ids = cols.values[table.key]
        identity = {c: cols.values[c] for c in table.identity}
        bad = self._bad_rows.get(table.name, set())
        for i in range(len(cols)):
            if ids[i] is None and i not in bad:
                ids[i] = content_id(table, {c: column[i] for c, column in identity.items()})

    def _check_duplicate_keys(self, cols: contracts.Columns) -> None:
        table = cols.table
        seen: dict[Any, int] = {}
        keep: list[int] = []
        keys = cols.values[table.key]
        bad = self._bad_rows.get(table.name, set())
        for i, key in enumerate(keys):
            if key is None or i in bad:
                keep.append(i)
                continue
            if key in seen:
                first = seen[key]
                if _same_content(cols, first, i):
                    continue  # the same row twice in one file: keep one
                self._fail(
                    Problem(
                        "duplicate-id",
                        f"also row {cols.positions[first]}, with different content",
                        table.name,
                        cols.positions[i],
                        table.key,
                        key,
                    ),
                    i,
                )
                continue
            seen[key] = i
            keep.append(i)
        if len(keep) != len(cols):
            _keep_rows(cols, keep)

    def _check_references(self) -> None:
        for name, cols in self.columns.items():
            for column in cols.table.input_columns:
                if not column.references:
                    continue
                target_name, target_key = column.references.split(".")
                values = cols.values[column.name]
                referenced: set[str] = set()
                for v in values:
                    if isinstance(v, list):
                        referenced.update(v)
                    elif v is not None:
                        referenced.add(v)
                if not referenced:
                    continue
                known = (
                    set(self.columns[target_name].values[target_key])
                    if target_name in self.columns
                    else set()
                )
                missing = sorted(referenced - known)
                if missing:
                    found = self.connection.execute(
                        f"SELECT {target_key} FROM {target_name} WHERE {target_key} IN (SELECT unnest($ids))",
                        {"ids": missing},
                    ).fetchall()
                    known.update(r[0] for r in found)
                code = {
                    "documents": "unknown-document",
                    "subjects": "unknown-subject",
                    "entities": "unknown-entity",
                }.get(target_name, "unknown-figure")
                for i, v in enumerate(values):
                    for ref in v if isinstance(v, list) else [v]:
                        if ref is not None and ref not in known:
                            self._fail(
                                Problem(
                                    code,
                                    f"no {target_name[:-1]} {ref!r} in the warehouse or this batch",
                                    name,
                                    cols.positions[i],
                                    column.name,
                                    ref,
                                ),
                                i,
                            )

    def new_rows(self) -> tuple[dict[str, pa.Table], AppendResult]:
        """Drop rows already stored; an id stored with other content is a conflict."""
        import pyarrow as pa

        result = AppendResult(batch_id=None)
        tables: dict[str, pa.Table] = {}
        conflicts: list[Problem] = []
        for name, cols in self.columns.items():
            table = cols.table
            schema = pa.schema(
                [f for f in table.arrow_schema() if f.name not in ("batch_id", "recorded_at")]
            )
            arrow = pa.Table.from_pydict(
                {f.name: cols.values[f.name] for f in schema}, schema=schema
            )
            self.connection.register("incoming", arrow)
            compared = [
                c.name
                for c in table.input_columns
                if c.name != table.key and c.name not in table.volatile
            ]
            changed_columns = ", ".join(
                f'CASE WHEN i."{c}" IS DISTINCT FROM s."{c}" THEN \'{c}\' END' for c in compared
            )
            existing = self.connection.execute(
                f'SELECT i."{table.key}", list_filter([{changed_columns}], x -> x IS NOT NULL) '
                f'FROM incoming i JOIN {name} s ON i."{table.key}" = s."{table.key}"'
            ).fetchall()
            self.connection.unregister("incoming")
            present = set()
            positions = dict(zip(cols.values[table.key], cols.positions, strict=True))
            for key, changed in existing:
                present.add(key)
                if changed:
                    conflicts.append(
                        Problem(
                            "id-conflict",
                            "already in the warehouse with different " + ", ".join(changed),
                            name,
                            positions.get(key),
                            table.key,
                            key,
                        )
                    )
            result.already_present[name] = len(present)
            if present:
                mask = pa.array([k not in present for k in cols.values[table.key]])
                arrow = arrow.filter(mask)
            result.written[name] = arrow.num_rows
            result.ids[name] = arrow.column(table.key).to_pylist()
            if arrow.num_rows:
                tables[name] = arrow
        if conflicts:
            raise BatchRejected(conflicts)
        return tables, result


def _same_content(cols: contracts.Columns, a: int, b: int) -> bool:
    return all(col[a] == col[b] for col in cols.values.values())


def _keep_rows(cols: contracts.Columns, keep: list[int]) -> None:
    cols.positions = [cols.positions[i] for i in keep]
    for name, col in cols.values.items():
        cols.values[name] = [col[i] for i in keep]


def _content_hash(tables: dict[str, pa.Table]) -> str:
    digest = hashlib.sha256()
    for name in sorted(tables):
        digest.update(name.encode())
        for key in tables[name].column(TABLES[name].key).to_pylist():
            digest.update(str(key).encode())
    return digest.hexdigest()


def _empty_table(table: Table) -> pa.Table:
    import pyarrow as pa

    schema = pa.schema(
        [f for f in table.arrow_schema() if f.name not in ("batch_id", "recorded_at")]
    )
    return schema.empty_table()


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.table or "", p.row or 0, p.column or "")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rel(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()


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
