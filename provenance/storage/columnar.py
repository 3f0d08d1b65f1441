"""The batch path of ``append``: an incoming batch read, derived and checked as columns.

Each table's columns are cast with pyarrow (:mod:`provenance.storage.casting`); document ids,
quote offsets and content ids are derived column-wise; then DuckDB runs the record contract that
``validate`` runs on the stored tables (:mod:`provenance.storage.record_contract`), the
references against stored and incoming rows, and the anti-join that finds rows already stored.

This path only ever accepts: a batch it cannot vouch for — a cell the casts cannot read, a
broken contract, a dangling reference, a quote that is not at its offsets, a key twice in the
file, an id stored with other content — returns None, and the per-cell path
(:func:`provenance.storage.batch_checker.check_per_cell`) reads the batch again and names each
problem with its row, as it always has. Both paths give the same rows for a valid batch.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from provenance.core.arrow_values import bools, int64s, string_bounds, texts, valid_mask
from provenance.core.ids import content_id_array
from provenance.core.ids import document_id as hash_document
from provenance.core.schema import APPEND_ORDER, TABLES, Kind, Table
from provenance.storage.batch_checker import AppendResult, Progress, on_arrow, stored_matches
from provenance.storage.casting import typed_table
from provenance.storage.record_contract import breaks_contract_sql

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from provenance.storage.inputs import RawBatch

Checked = tuple[dict[str, "pa.Table"], AppendResult]

# Quotes are anchored by joining the texts where they lie. Strings read from Parquet carry no
# statistics, so DuckDB rescans a whole text for each quote in it: cheap for a few quotes per
# text (no copy: 0.3 s for 100 000 figures in 64 000 texts, against 1.2 s through a copy), but a
# dataset release quoted thousands of times took minutes; past this many quotes in one text the
# texts are copied into a temporary table first, which has those statistics.
_QUOTES_PER_TEXT = 100
_TEXTS = "incoming_anchor_texts"
# Anchoring joins each quote to its document's text and fails a quote whose document is neither
# stored nor incoming: the document reference needs no second look.
_ANCHORED = ("figures", "relations")
_ANCHORED_BY = frozenset((name, "document_id") for name in _ANCHORED)


def check_columnar(
    connection: duckdb.DuckDBPyConnection, raw: RawBatch, report: Progress
) -> Checked | None:
    """The rows to write and the result, or None when the per-cell path must judge the batch."""
    total = raw.row_count
    tables: dict[str, pa.Table] = {}
    for name in APPEND_ORDER:
        columns = raw.columns_of(name)
        if columns is None:
            continue
        typed = typed_table(TABLES[name], columns)
        if typed is None:
            return None
        tables[name] = typed
    report("checking contract", 0, total)
    if "documents" in tables:
        documents = _with_document_ids(tables["documents"])
        if documents is None:
            return None
        tables["documents"] = documents
    for name in _ANCHORED:
        if name in tables:
            tables[name] = _replace(tables[name], "quote", _nfc(tables[name].column("quote")))
            identified = _anchored_and_identified(connection, tables, name)
            if identified is None:
                return None
            tables[name] = identified
    report("checking contract", total // 2, total)
    # The contract of each table and every reference, counted in one statement: zero or not.
    counts = [breaks_contract_sql(TABLES[name], f"incoming_{name}") for name in tables]
    counts += _dangling_sql(tables, proven=_ANCHORED_BY)
    broken = on_arrow(
        connection,
        "SELECT " + " + ".join(f"({count})" for count in counts),
        {f"incoming_{name}": arrow for name, arrow in tables.items()},
        lambda result: result.fetchone(),
    )
    if broken != (0,):
        return None
    report("checking contract", total, total)
    return _new_rows(connection, tables)


def _with_document_ids(documents: pa.Table) -> pa.Table | None:
    """Texts in NFC, ids their sha256; None when a given id is not its text's."""
    import pyarrow.compute as pc

    text = _nfc(documents.column("text"))
    derived = texts([None if t is None else hash_document(t) for t in text.to_pylist()])
    given = documents.column("document_id")
    if pc.any(pc.and_(pc.is_valid(derived), pc.not_equal(given, derived))).as_py():
        return None
    documents = _replace(documents, "text", text)
    return _replace(documents, "document_id", pc.coalesce(given, derived))


def _anchored_and_identified(
    connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], name: str
) -> pa.Table | None:
    """``name``'s rows anchored (:func:`_anchored`) and with their content ids; None when a
    quote is not where it should be.

    Offsets are identity columns, so ids follow anchoring when it searches for some. When every
    offset is given (the usual batch) anchoring changes nothing, and the ids are hashed in a
    second thread meanwhile: DuckDB releases the GIL while it joins the texts, so the two
    use both cores instead of one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    arrow = tables[name]
    if not _every_offset_given(arrow):
        anchored = _anchored(connection, tables, name)
        return None if anchored is None else _with_content_ids(TABLES[name], anchored)
    with ThreadPoolExecutor(max_workers=1) as pool:
        identified = pool.submit(_with_content_ids, TABLES[name], arrow)
        anchored = _anchored(connection, tables, name)
        return None if anchored is None else identified.result()


def _anchored(
    connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], name: str
) -> pa.Table | None:
    """Quotes (in NFC) with the offsets where their document's text holds them (searched for
    when not given, which needs a single occurrence); None when any quote is not there."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = tables[name]
    anchoring = pa.table(
        {
            "row": int64s(np.arange(arrow.num_rows)),
            **{c: arrow.column(c) for c in ("document_id", "quote", "quote_start", "quote_end")},
        }
    )
    incoming = {"incoming_quotes": anchoring}
    texts_sql = "SELECT document_id, text FROM documents"
    if "documents" in tables:
        incoming["incoming_document_texts"] = tables["documents"].select(["document_id", "text"])
        texts_sql = f"""SELECT document_id, any_value(text) AS text FROM (
                        {texts_sql} UNION ALL SELECT document_id, text FROM incoming_document_texts)
                    GROUP BY document_id"""
    heavily_quoted = pc.max(pc.value_counts(arrow.column("document_id")).field("counts")).as_py()
    try:
        if (heavily_quoted or 0) > _QUOTES_PER_TEXT:
            on_arrow(
                connection,
                f"""CREATE OR REPLACE TEMP TABLE {_TEXTS} AS SELECT * FROM ({texts_sql})
                    WHERE document_id IN (SELECT document_id FROM incoming_quotes)""",
                incoming,
                lambda result: None,
            )
            texts_sql = f"SELECT * FROM {_TEXTS}"
        if _every_offset_given(arrow):
            # Every offset given (the usual batch): whether all quotes are there is one number.
            held = on_arrow(
                connection,
                f"SELECT count(*), count(*) FILTER (WHERE ok) FROM ({_located_sql(texts_sql)})",
                incoming,
                lambda result: result.fetchone(),
            )
            located = None
        else:
            located = on_arrow(
                connection,
                f"SELECT s, e, ok FROM ({_located_sql(texts_sql)}) ORDER BY row",
                incoming,
                lambda result: result.to_arrow_table(),
            )
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {_TEXTS}")
    # A document stored twice (a damaged warehouse) joins a quote twice: left to the rows.
    if located is None:
        return arrow if held == (arrow.num_rows, arrow.num_rows) else None
    if located.num_rows != arrow.num_rows or pc.all(located.column("ok")).as_py() is False:
        return None
    arrow = _replace(arrow, "quote_start", located.column("s").cast(pa.int64()))
    return _replace(arrow, "quote_end", located.column("e").cast(pa.int64()))


def _every_offset_given(arrow: pa.Table) -> bool:
    """Whether every quote comes with its offsets (the usual batch): nothing to search for."""
    return all(arrow.column(c).null_count == 0 for c in ("quote_start", "quote_end"))


def _located_sql(texts_sql: str) -> str:
    """Per incoming quote: its offsets (searched for when not given) and whether the text holds
    it there. The costly string functions run only where needed (CASE evaluates a branch only
    for its rows): the search only for quotes without offsets, and the text's length only for
    an empty quote — otherwise a quote of e - s characters equal to the text's substring from
    s proves that the text reaches e."""
    return f"""
        WITH located AS (
            SELECT q.row, q.quote, t.text, t.document_id IS NOT NULL AS known,
                   q.quote_start IS NULL AS searched,
                   CASE WHEN q.quote_start IS NULL THEN strpos(t.text, q.quote) - 1
                        ELSE q.quote_start END AS s, q.quote_end
            FROM incoming_quotes q LEFT JOIN ({texts_sql}) t USING (document_id)),
        bounded AS (SELECT *, coalesce(quote_end, s + length(quote)) AS e FROM located)
        SELECT row, s, e,
               coalesce(CASE WHEN known AND s >= 0 AND e - s = length(quote)
                             THEN (CASE WHEN searched THEN strpos(substring(text, s + 2), quote) = 0
                                        ELSE true END)
                                  AND (CASE WHEN e = s THEN e <= length(text) ELSE true END)
                                  AND substring(text, s + 1, e - s) = quote
                             ELSE false END, false) AS ok
        FROM bounded"""


def _with_content_ids(table: Table, arrow: pa.Table) -> pa.Table:
    """Rows without a key get the content id of their identity columns."""
    import pyarrow.compute as pc

    keys = arrow.column(table.key).combine_chunks()
    missing = pc.is_null(keys)
    if not pc.any(missing).as_py():
        return arrow
    if keys.null_count == len(keys):  # no key given (the usual batch): no copy to filter
        return _replace(arrow, table.key, content_id_array(table, arrow))
    ids = content_id_array(table, arrow.filter(missing))
    return _replace(arrow, table.key, pc.replace_with_mask(keys, missing, ids))


def _dangling_sql(
    tables: dict[str, pa.Table], proven: Collection[tuple[str, str]] = ()
) -> list[str]:
    """Per referenced table, a query counting the references to no row stored or in this batch;
    the ``proven`` (table, column) pairs are left out (each of their values was joined to its
    row already). The columns naming one table (a claimant and a speaker) share one join."""
    referring: dict[str, list[str]] = {}
    for name in tables:
        for column in TABLES[name].input_columns:
            if (
                (name, column.name) in proven
                or not column.references
                or tables[name].column(column.name).null_count == len(tables[name])
            ):
                continue
            value = (
                f'unnest("{column.name}")'
                if column.kind is Kind.STRING_LIST
                else f'"{column.name}"'
            )
            referring.setdefault(column.references, []).append(
                f"SELECT {value} AS v FROM incoming_{name}"
            )
    counts = []
    for references, values in referring.items():
        target, key = references.split(".")
        incoming = f' ANTI JOIN incoming_{target} i ON i."{key}" = r.v' if target in tables else ""
        # Anti-joins, not NOT EXISTS: DuckDB plans these without a delim join (a third cheaper).
        counts.append(
            f"""SELECT count(*)
                FROM (SELECT v FROM ({" UNION ALL ".join(values)}) WHERE v IS NOT NULL) r
                ANTI JOIN {target} s ON s."{key}" = r.v{incoming}"""
        )
    return counts


def _new_rows(connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> Checked | None:
    """Rows not stored yet; None when a stored id holds other content (an id-conflict)."""
    import numpy as np

    result = AppendResult(batch_id=None)
    new: dict[str, pa.Table] = {}
    for name, arrow in tables.items():
        key = TABLES[name].key
        matches = stored_matches(connection, TABLES[name], arrow, name)
        if any(changed for _, changed in matches):
            return None
        keys = arrow.column(key).to_pylist()
        present = {k for k, _ in matches}
        if present:
            arrow = arrow.filter(bools(np.array([k not in present for k in keys], dtype=bool)))
        result.keys[name] = keys
        result.already_present[name] = len(present)
        result.written[name] = arrow.num_rows
        result.ids[name] = keys if not present else arrow.column(key).to_pylist()
        if arrow.num_rows:
            new[name] = arrow
    return new, result


def _nfc(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Texts in NFC, as the per-cell path and :func:`provenance.core.ids.document_id` normalise
    them (Python's unicodedata; Arrow's utf8_normalize rewrites every text, four times slower).
    Only texts holding a character from U+0300 on reach Python (:func:`_beyond_u0300`)."""
    import unicodedata

    import pyarrow as pa
    import pyarrow.compute as pc

    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    array = array.cast(pa.string())
    maybe_changed = _beyond_u0300(array)
    if maybe_changed is None:
        return array
    normalize = unicodedata.normalize
    given = array.filter(maybe_changed).to_pylist()
    normalized = [normalize("NFC", text) for text in given]
    if normalized == given:
        return array
    return pc.replace_with_mask(array, maybe_changed, texts(normalized))


# Every character below U+0300 is in NFC and composes with none before it (the first
# combining mark is U+0300), so a text without one from U+0300 on is in NFC already. In UTF-8
# those characters, and only they, have a byte from 0xCC on (their lead byte).
_FIRST_LEAD_BYTE_FROM_U0300 = 0xCC


def _beyond_u0300(array: pa.Array) -> pa.Array | None:
    """Per text, whether it holds a character from U+0300 on (null texts: false); None when no
    text does. One vectorised pass over the bytes, not a Python string per text."""
    import numpy as np

    data = array.buffers()[2]
    if data is None or not len(array):
        return None
    bounds = string_bounds(array)
    high = (
        np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[-1]] >= _FIRST_LEAD_BYTE_FROM_U0300
    )
    if not high.any():
        return None
    seen = np.concatenate(([0], np.cumsum(high, dtype=np.int64)))
    starts = bounds - bounds[0]
    holds = (seen[starts[1:]] - seen[starts[:-1]]) > 0
    if array.null_count:
        holds &= valid_mask(array)
    return bools(holds)


def _replace(arrow: pa.Table, name: str, values: Any) -> pa.Table:
    index = arrow.schema.get_field_index(name)
    return arrow.set_column(index, arrow.schema.field(index), values)
