"""The checks of an incoming batch that need the warehouse: ids, references, quotes, conflicts.

The record contract (:mod:`provenance.storage.contracts`) has already read and checked every
cell; here the rows meet each other and the stored tables, through a DuckDB connection.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from provenance.core.errors import BatchRejected, Problem
from provenance.core.ids import content_id
from provenance.core.ids import document_id as hash_document
from provenance.core.schema import APPEND_ORDER, TABLES
from provenance.core.text import plural
from provenance.storage import contracts
from provenance.storage.inputs import RawBatch, at_file_lines

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from provenance.core.schema import Table

# Called as progress(stage, done, total) during long work (appends, imports, validate).
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The :data:`Progress` of work nobody watches."""


_Fetched = TypeVar("_Fetched")


@dataclass
class AppendResult:
    batch_id: str | None
    written: dict[str, int] = field(default_factory=dict)
    already_present: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)  # the keys of the rows written
    keys: dict[str, list[str]] = field(default_factory=dict)  # every key of the batch, in order
    head: list[str] = field(default_factory=list)  # the log's head after this append

    @property
    def rows_written(self) -> int:
        return sum(self.written.values())

    def summary(self) -> str:
        if self.batch_id is None:
            present = sum(self.already_present.values())
            every = "the row is" if present == 1 else f"all {present} rows are"
            return f"nothing to append: {every} already in the warehouse"
        # "1 document", "2 entities": a table's name is the plural of its rows
        parts = [
            plural(n, "entity" if t == "entities" else t[:-1], t)
            for t, n in self.written.items()
            if n
        ]
        line = f"appended batch {self.batch_id}: " + ", ".join(parts)
        skipped = sum(self.already_present.values())
        if skipped:
            line += f" ({plural(skipped, 'row')} already present, skipped)"
        if self.head:
            line += f"; head {', '.join(self.head)}"
        return line


def appended_before(
    manifests: list[dict[str, Any]], sha256: str | None, counts: dict[str, int]
) -> AppendResult | None:
    """The no-op answer when this very file was appended before, else None (check it in full).

    A manifest records the sha256 of the file ``append`` read. The warehouse only grows, so the
    same bytes read into the same tables add nothing: every row was written then or was already
    present. Recognising that before coercion makes a re-append cost a read, not an append.
    ``counts`` are the file's rows per table; the tables must be the manifest's exactly, each
    holding at least the rows it wrote, so the same file read into other tables (``--table``)
    is still checked row by row.
    """
    if sha256 is None:
        return None
    counts = {name: n for name, n in counts.items() if n}
    for data in manifests:
        if data.get("input_sha256") != sha256 or set(data["tables"]) != counts.keys():
            continue
        written = dict(zip(data["tables"], data["file_rows"] or [], strict=False))
        if all(written.get(name, 0) <= n for name, n in counts.items()):
            return AppendResult(batch_id=None, already_present=counts)
    return None


def check_per_cell(
    connection: duckdb.DuckDBPyConnection, raw: RawBatch, report: Progress
) -> tuple[dict[str, pa.Table], AppendResult]:
    """Read and check every cell of ``raw``: the rows to write, or BatchRejected naming each
    problem with its row (the per-cell contract, then :class:`BatchChecker`)."""
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
        report("checking contract", sum(len(c) for c in columns.values()), raw.row_count)
    checker = BatchChecker(connection, columns, report, already_bad=problems)
    problems += checker.derive_and_check()
    if problems:
        raise BatchRejected(at_file_lines(sorted(problems, key=_problem_order), raw))
    return checker.new_rows()


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.table or "", p.row or 0, p.column or "")


class BatchChecker:
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
            schema = table.input_arrow_schema()
            arrow = pa.Table.from_pydict(
                {f.name: cols.values[f.name] for f in schema}, schema=schema
            )
            existing = stored_matches(self.connection, table, arrow, name)
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
            result.keys[name] = list(cols.values[table.key])
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


# DuckDB scans an Arrow table one record batch per thread: a batch read as one chunk would be
# checked on one core. Slices of this many rows (zero-copy) let each query use them all.
SCAN_BATCH_ROWS = 16_384


def in_batches(arrow: pa.Table) -> pa.Table:
    """``arrow`` as record batches of at most :data:`SCAN_BATCH_ROWS` rows, without a copy."""
    import pyarrow as pa

    if arrow.num_rows <= SCAN_BATCH_ROWS:
        return arrow
    return pa.Table.from_batches(arrow.to_batches(max_chunksize=SCAN_BATCH_ROWS), arrow.schema)


def on_arrow(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    tables: Mapping[str, pa.Table],
    fetch: Callable[[duckdb.DuckDBPyConnection], _Fetched],
) -> _Fetched:
    """``fetch`` of ``sql`` run with each name of ``tables`` standing for that Arrow table.

    Each table reaches DuckDB as an Arrow stream (a PyCapsule): DuckDB scans a pyarrow Table
    registered as itself through pyarrow.dataset, whose import brings pandas (0.4 s, a fifth of
    a 100 000-figure append). A stream is read once, so each mention of a name gets its own.
    """
    registered: list[str] = []

    def one_scan(mention: re.Match[str]) -> str:
        view = f"{mention.group(0)}__scan{len(registered)}"
        connection.register(view, in_batches(tables[mention.group(0)]).__arrow_c_stream__())
        registered.append(view)
        return view

    names = "|".join(re.escape(name) for name in sorted(tables, key=len, reverse=True))
    try:
        return fetch(connection.execute(re.sub(rf"\b(?:{names})\b", one_scan, sql)))
    finally:
        for view in registered:
            connection.unregister(view)


def stored_matches(
    connection: duckdb.DuckDBPyConnection, table: Table, arrow: pa.Table, stored: str
) -> list[tuple[Any, list[str]]]:
    """(key, columns that differ) for each row of ``arrow`` whose key ``stored`` holds: no
    column is the same row again, some columns an id conflict (volatile columns not compared)."""
    compared = [
        c.name for c in table.input_columns if c.name != table.key and c.name not in table.volatile
    ]
    changed = ", ".join(
        f'CASE WHEN i."{c}" IS DISTINCT FROM s."{c}" THEN \'{c}\' END' for c in compared
    )
    return on_arrow(
        connection,
        f'SELECT i."{table.key}", list_filter([{changed}], lambda x: x IS NOT NULL) '
        f'FROM incoming i JOIN {stored} s ON i."{table.key}" = s."{table.key}"',
        {"incoming": arrow},
        lambda result: result.fetchall(),
    )


def _same_content(cols: contracts.Columns, a: int, b: int) -> bool:
    return all(col[a] == col[b] for col in cols.values.values())


def _keep_rows(cols: contracts.Columns, keep: list[int]) -> None:
    cols.positions = [cols.positions[i] for i in keep]
    for name, col in cols.values.items():
        cols.values[name] = [col[i] for i in keep]
