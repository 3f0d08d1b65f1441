"""Built-in checks every warehouse must pass, derived from the schema and compiled to SQL.

- record contracts: required columns, enums, patterns, minimums, qualifier ↔ interval, unique keys
  (compiled in :mod:`provenance.storage.record_contract`, which also checks incoming batches;
  here the row conditions of a table with references are decided in its row pass, and the
  documents' as their texts are read for anchoring, below);
- referential integrity: every reference column points at an existing row;
- quote anchoring: every quote equals its document's text at its offsets.

Each check is a SQL query returning ``record_id, table_name, message, quote, measured`` for
offending rows, run where the data is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance.core.schema import STORED_TABLES, TABLES, Column, Kind, Table
from provenance.core.sql import sql_literal
from provenance.storage.record_contract import (
    Reason,
    any_reason_sql,
    contract_reasons,
    contract_sql,
    duplicate_keys_sql,
    reasons_message_sql,
)

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class SqlCheck:
    name: str
    description: str
    sql: str  # offending rows: record_id, table_name, message, quote, measured
    checked_sql: str  # one row, one column: how many rows the check looked at
    prepare_sql: str | None = None  # run first, on the same connection
    creates: str | None = None  # the temporary table prepare_sql makes, shared by several checks

    def prepare(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Run ``prepare_sql`` unless a check before this one made its table already.

        ``CREATE ... IF NOT EXISTS`` binds its whole query before it finds the table there:
        10–25 ms for a pass, four times a run, most of the built-ins' time on a small warehouse.
        """
        if self.prepare_sql is None:
            return
        if self.creates is not None:
            made = connection.execute(
                "SELECT count(*) FROM duckdb_tables() "
                f"WHERE temporary AND table_name = {sql_literal(self.creates)}"
            ).fetchone()
            if made and made[0]:
                return
        connection.execute(self.prepare_sql)


# Quote anchoring reads each document's text at every quote's offsets. Strings read from
# Parquet carry no statistics, so DuckDB rescans the whole text for each quote to learn whether
# it is ASCII: a 2.5 MB dataset release quoted 13 567 times took 54 s. A temporary table has
# those statistics (0.02 s); it holds what the join's hash table held anyway.
ANCHOR_TEXTS = "anchor_texts"


def contract_check(table: Table) -> SqlCheck:
    """``contract-<table>``; a table with a row pass has its row conditions decided there
    (figures read once for both), and only its duplicate keys found here."""
    name = f"contract-{table.name}"
    description = (
        f"every {table.name} row has its required columns, allowed values and a key of its own"
    )
    checked = f"SELECT count(*) FROM {table.name}"
    if table.name == "documents":
        # Decided as the documents are read for anchoring (see :func:`_anchor_texts_sql`).
        rows = f"""SELECT document_id AS record_id, 'documents' AS table_name,
                contract_message AS message, NULL AS quote, NULL::DOUBLE AS measured
            FROM {ANCHOR_TEXTS} WHERE contract_message IS NOT NULL
            UNION ALL
            {duplicate_keys_sql(table)}"""
        return SqlCheck(
            name, description, rows, checked, prepare_sql=_anchor_texts_sql(), creates=ANCHOR_TEXTS
        )
    if not _has_pass(table):
        return SqlCheck(name, description, contract_sql(table), checked)
    rows = f"""SELECT record_id, table_name, message, quote, NULL::DOUBLE AS measured
        FROM {PASS_TABLE.format(table=table.name)} WHERE check_name = '{name}'
        UNION ALL
        {duplicate_keys_sql(table)}"""
    return SqlCheck(
        name, description, rows, checked, prepare_sql=_prepare(table), creates=_pass_table(table)
    )


# Every row-level built-in of one table (its contract's row conditions, references, and quote
# anchoring for the tables that quote) is computed by one pass over it into a temporary table,
# created by whichever of its checks runs first; each check then reads its own rows back by
# name. A separate query per reference column re-read figures five times, anchoring a sixth
# and the contract a seventh (issue 11).
PASS_TABLE = "builtin_rows_{table}"


def _anchor_texts_sql() -> str:
    return f"CREATE TEMP TABLE IF NOT EXISTS {ANCHOR_TEXTS} AS {anchor_texts_select()}"


def anchor_texts_select() -> str:
    """The documents' texts, read once per run for every anchoring check (and for the rules
    that read a text's length, ``characters``), and each document's contract decided as they
    are read (the texts being the bulk of what it reads: a read of its own took about a tenth
    of a second at a million figures).

    ``copy`` numbers the rows of a document_id stored more than once (a contract failure), so
    that a quote joined to several copies still yields its reference failures once, and its
    anchor failures once per copy, as separate queries did. Numbering only the duplicated ids
    keeps the usual case a plain copy; ``well_formed`` is each document's id matched against
    its pattern, once per document (see :func:`_pattern_breaks`), which its own contract reads
    too. Rows without an id are kept for their contract and join nothing.

    ``language`` and ``published_on`` are kept for ``weekday-matches-date``, which searches
    the texts here rather than decoding them from Parquet again (in slices of the row ids:
    DuckDB scans a temporary table of fewer than 122 880 rows on one thread). Not every
    column: the later checks that read the documents' other, small columns read them from
    their Parquet files, in parallel.
    """
    # Null ids join nothing; leaving them out of the list keeps NOT IN from turning unknown.
    duplicated = (
        "SELECT document_id FROM documents WHERE document_id IS NOT NULL "
        "GROUP BY document_id HAVING count(*) > 1"
    )
    documents = TABLES["documents"]
    reasons = contract_reasons(documents, pattern_breaks={"document_id": "NOT well_formed"})
    contract_message = (
        f"CASE WHEN {any_reason_sql(reasons)} THEN {reasons_message_sql(reasons)} END"
    )
    well_formed = f"regexp_full_match(document_id, {sql_literal(_DOCUMENT_ID_PATTERN)})"
    return f"""
            SELECT document_id, text, characters, copy, well_formed, language, published_on,
                   {contract_message} AS contract_message
            FROM (
                SELECT *, length(text) AS characters, 1 AS copy, {well_formed} AS well_formed
                FROM documents WHERE document_id IS NULL OR document_id NOT IN ({duplicated})
                UNION ALL
                SELECT *, length(text) AS characters,
                       row_number() OVER (PARTITION BY document_id) AS copy,
                       {well_formed} AS well_formed
                FROM documents WHERE document_id IN ({duplicated})
            )
    """


def anchored_text_sql(text: str, characters: str, start: str, end: str) -> str:
    """SQL for ``substring(text, start + 1, end - start)``, the characters at a quote's
    offsets, walking the text from its nearer end.

    DuckDB finds a character offset in a text that is not ASCII by walking it from the start,
    or, for a negative start (counted from the end), from the end: a quote in the second half
    of its text is read from the end, which shortens the walking (the walking was most of
    the anchoring check, itself about half of the figures' row pass). ``characters``
    is the text's length, counted once per text. The two forms give the same characters for a
    start inside the text and a length ≥ 0; any other offsets keep the plain form.
    """
    return (
        f"(CASE WHEN {end} >= {start} AND {start} < {characters} AND {start} > {characters} // 2 "
        f"THEN substring({text}, {start} - {characters}, {end} - {start}) "
        f"ELSE substring({text}, {start} + 1, {end} - {start}) END)"
    )


# A statement's document_id has the documents' own pattern: where it names a stored document,
# it is that document's id, whose shape the join brings along (tested once per document, not
# once per figure); only an id that names none is matched in the pass. (A 64-digit match per
# figure was about a quarter of contract-figures at 1M.)
_DOCUMENT_ID_PATTERN = TABLES["documents"].column("document_id").pattern or ""


def _pattern_breaks(table: Table) -> dict[str, str]:
    """Column → condition for the pass's contract: its value breaks the column's pattern."""
    if not _is_anchored(table):
        return {}
    # The pass joins the texts on document_id: that column's documents are the ones it knows.
    column = table.column("document_id")
    if column.references != "documents.document_id" or column.pattern != _DOCUMENT_ID_PATTERN:
        return {}
    pattern = sql_literal(_DOCUMENT_ID_PATTERN)
    return {
        column.name: (
            "CASE WHEN d.document_id IS NOT NULL THEN NOT d.well_formed "
            f'ELSE NOT regexp_full_match(x."{column.name}", {pattern}) END'
        )
    }


def _has_pass(table: Table) -> bool:
    return _is_anchored(table) or any(c.references for c in table.columns)


def _missing(table: Table, column: Column, value: str) -> str:
    """``value``, read from ``column`` of ``table``, names no row of the referenced table.

    A reference to figures (``supersedes``, a relation's figures), or an optional one, states
    few values next to ten million figure ids: the set of those that name nothing is found
    first, the distinct values stated anti-joined to the target's keys, so the hash tables hold
    the referring side, and the pass then probes that small set. A required reference to a
    smaller table (a figure's subject, its claimant) is stated on every row and its distinct
    values are nearly as many as the target's keys: the pass probes the target's keys directly,
    without a DISTINCT over every row (about 0.6× the time for figures' subjects at a million
    figures, measured alternately). (A correlated ``NOT EXISTS`` in the select list became a
    delim join copying every column: 30 s a reference at 1M figures.) Null keys name nothing,
    as the check always had it; they are left out of ``NOT IN``, which they would turn unknown.
    """
    target, key = (column.references or "").split(".")
    if column.required and column.kind is not Kind.STRING_LIST and target != "figures":
        return (
            f"({value} IS NOT NULL AND {value} NOT IN "
            f'(SELECT "{key}" FROM {target} WHERE "{key}" IS NOT NULL))'
        )
    stated = (
        f'SELECT DISTINCT unnest("{column.name}") AS v FROM {table.name}'
        if column.kind is Kind.STRING_LIST
        else f'SELECT DISTINCT "{column.name}" AS v FROM {table.name}'
    )
    dangling = (
        f"SELECT v FROM ({stated}) s WHERE v IS NOT NULL "
        f'AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t."{key}" = s.v)'
    )
    return f"{value} IN ({dangling})"


# The anchor's message, from the pass's columns: the quote's document, offsets and text.
ANCHOR_MESSAGE = """CASE WHEN NOT doc_found THEN 'document ' || doc || ' is missing'
    WHEN quote_end > length(text) THEN 'quote offsets ' || quote_start || '..' || quote_end
         || ' run past the end of the document (' || length(text) || ' characters)'
    ELSE 'text at ' || quote_start || '..' || quote_end || ' is «'
         || substring(text, quote_start + 1, quote_end - quote_start) || '»'
END"""


def _is_anchored(table: Table) -> bool:
    return {"quote", "quote_start", "quote_end", "document_id"} <= set(table.column_names)


def _contract_parts(table: Table) -> tuple[list[str], list[str]]:
    """The contract's reasons in the pass: (columns computed on the table as it is read, the
    reasons to join with ``; `` in order, each NULL or text).

    Runs of reasons are decided as each row is read, before the joins: past a join every
    column the contract reads was carried through it, and the same conditions took about
    twice as long (measured at 1M figures). A reason that needs the join (a document id's
    pattern, see :func:`_pattern_breaks`) is decided after it, in its place in the order.
    """
    breaks = _pattern_breaks(table)
    parts: list[str] = []
    ordered: list[str] = []
    run: list[Reason] = []

    def close_run() -> None:
        if run:
            alias = f"contract_part_{len(parts)}"
            parts.append(
                f"CASE WHEN {any_reason_sql(run)} THEN {reasons_message_sql(run)} END AS {alias}"
            )
            ordered.append(f"x.{alias}")
            run.clear()

    deferred = {f"({condition})" for condition in breaks.values()}
    for reason in contract_reasons(table, pattern_breaks=breaks, prefix="x."):
        if reason.condition in deferred:
            close_run()
            ordered.append(reason.sql)
        else:
            run.append(reason)
    close_run()
    return parts, ordered


def _row_pass_sql(table: Table) -> str:
    """One pass over ``table``: (check_name, record_id, table_name, message, quote) per failure.

    The innermost query reads the table once, decides every condition and keeps only rows that
    break one; messages are built for those rows alone, one row per failure. The contract's
    reasons are decided on the table as it is read, the columns they read being there alone
    (see :func:`_contract_parts`): its message is built there too, for the rows that break it.
    """
    anchored = _is_anchored(table)
    quote = "x.quote" if "quote" in table.column_names else "NULL"
    scalar = [c for c in table.columns if c.references and c.kind is not Kind.STRING_LIST]
    listed = [c for c in table.columns if c.references and c.kind is Kind.STRING_LIST]
    # A quote joined to a duplicated document's later copies repeats no reference failure.
    first_copy = "coalesce(d.copy, 1) = 1 AND " if anchored else ""
    read, failures = [], []  # columns the pass keeps; (check, condition, message)
    for i, column in enumerate(scalar):
        target, _ = (column.references or "").split(".")
        value = f'x."{column.name}"'
        # Documents are joined for anchoring anyway: an id absent from their texts is absent.
        missing = (
            f"{value} IS NOT NULL AND d.document_id IS NULL"
            if anchored and column.references == "documents.document_id"
            else _missing(table, column, value)
        )
        read.append(f"{value} AS ref_{i}")
        failures.append(
            (
                f"references-{table.name}",
                f"{first_copy}{missing}",
                f"'{column.name} ' || ref_{i} || ' is not in {target}'",
            )
        )
    if anchored:
        read += [
            "x.document_id AS doc",
            "d.document_id IS NOT NULL AS doc_found",
            "x.quote_start",
            "x.quote_end",
            "d.text",
        ]
        at_offsets = anchored_text_sql("d.text", "d.characters", "x.quote_start", "x.quote_end")
        mismatch = f"d.document_id IS NULL OR {at_offsets} IS DISTINCT FROM x.quote"
        failures.append((f"quote-anchored-{table.name}", mismatch, ANCHOR_MESSAGE))
    parts, contract = _contract_parts(table)
    read.append(
        f"CASE WHEN {first_copy}coalesce({', '.join(contract)}) IS NOT NULL "
        f"THEN concat_ws('; ', {', '.join(contract)}) END AS contract_message"
    )
    flags = [f"({cond}) AS fails_{i}" for i, (_, cond, _) in enumerate(failures)]
    structs = [
        f"{{'check_name': '{name}', 'fails': fails_{i}, "
        f"'message': CASE WHEN fails_{i} THEN {message} END}}"
        for i, (name, _, message) in enumerate(failures)
    ] + [
        f"{{'check_name': 'contract-{table.name}', 'fails': contract_message IS NOT NULL, "
        "'message': contract_message}"
    ]
    any_fails = " OR ".join(
        [f"fails_{i}" for i in range(len(failures))] + ["contract_message IS NOT NULL"]
    )
    join = f"LEFT JOIN {ANCHOR_TEXTS} d USING (document_id)" if anchored else ""
    branches = [
        f"""SELECT f.check_name, record_id, table_name, f.message, quote
        FROM (
            SELECT record_id, table_name, quote,
                   unnest(list_filter([{", ".join(structs)}], lambda f: f.fails)) AS f
            FROM (
                SELECT x."{table.key}" AS record_id, '{table.name}' AS table_name,
                       {quote} AS quote, {", ".join(read + flags)}
                FROM (SELECT {", ".join(["*", *parts])} FROM {table.name} x) x {join}
            )
            WHERE {any_fails}
        )"""
    ]
    for column in listed:
        target, _ = (column.references or "").split(".")
        branches.append(
            f"""SELECT 'references-{table.name}', x."{table.key}", '{table.name}',
                   '{column.name} ' || x.item || ' is not in {target}', {quote}
            FROM (SELECT *, unnest("{column.name}") AS item FROM {table.name}) x
            WHERE {_missing(table, column, "x.item")}"""
        )
    rows = "\nUNION ALL\n".join(branches)
    return f"CREATE TEMP TABLE IF NOT EXISTS {PASS_TABLE.format(table=table.name)} AS {rows}"


def _pass_table(table: Table) -> str:
    return PASS_TABLE.format(table=table.name)


def _prepare(table: Table) -> str:
    """The statements building ``table``'s row pass (and the texts it anchors quotes in)."""
    prepare = _row_pass_sql(table)
    if _is_anchored(table):
        prepare = f"{_anchor_texts_sql()};\n{prepare}"
    return prepare


def _pass_check(table: Table, name: str, description: str) -> SqlCheck:
    prepare = _prepare(table)
    return SqlCheck(
        name,
        description,
        f"""SELECT record_id, table_name, message, quote, NULL::DOUBLE AS measured
            FROM {PASS_TABLE.format(table=table.name)} WHERE check_name = '{name}'""",
        f"SELECT count(*) FROM {table.name}",
        prepare_sql=prepare,
        creates=_pass_table(table),
    )


def reference_checks() -> list[SqlCheck]:
    return [
        _pass_check(
            table,
            f"references-{table.name}",
            f"every reference from {table.name} points at an existing row",
        )
        for table in STORED_TABLES
        if any(c.references for c in table.columns)
    ]


def quote_anchor_checks() -> list[SqlCheck]:
    return [
        _pass_check(
            TABLES[name],
            f"quote-anchored-{name}",
            f"every {name[:-1]} quote equals its document's text at its offsets",
        )
        for name in ("figures", "relations")
    ]


def builtin_checks() -> list[SqlCheck]:
    return [contract_check(t) for t in STORED_TABLES] + reference_checks() + quote_anchor_checks()
