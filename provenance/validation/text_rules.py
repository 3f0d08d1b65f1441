"""The rules that read text: the number written in a quote, and weekdays written next to dates.

Compiled to DuckDB SQL like every rule (:mod:`provenance.validation.compile_duckdb` dispatches
here); what they read of the text — wordings parsed in Python once each, weekday-and-date
mentions found by RE2 patterns — is theirs alone.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.calendar import MONTHS, WEEKDAYS, resolve_date_sql
from provenance.core.errors import WriteFailed
from provenance.core.schema import TABLES
from provenance.core.sql import sql_literal
from provenance.validation.builtin_checks import ANCHOR_TEXTS, anchor_texts_select
from provenance.validation.rules import OBSERVATION_LIMIT, QuoteNumberRule, WeekdayRule
from provenance.validation.sql_text import (
    INF,
    CompiledRule,
    Handoff,
    TempTable,
    bounds_sql,
    stored_bounds,
    table_name,
)
from provenance.validation.statement_pass import STATEMENT_KEYS, statement_groups_table, worded_sql

if TYPE_CHECKING:
    import duckdb

# --- quote_number -------------------------------------------------------------------------


def _stated_sql(rule: QuoteNumberRule) -> str:
    """Every statement the rule judges, with its document's language."""
    return " UNION ALL ".join(
        f"SELECT x.{TABLES[table].key} AS record_id, '{table}' AS table_name, x.value_text, "
        "x.quote, x.qualifier, x.value_low, x.value_high, d.language "
        f"FROM {table} x JOIN documents d USING (document_id) WHERE {worded_sql(table)}"
        for table in rule.tables
    )


def _misread_sql(s: str) -> str:
    """Whether statement ``s`` (with ``contained``: its wording is in its quote) disagrees with
    its reading ``r``; NULL counts as agreeing, as in a WHERE clause."""
    return (
        f"(NOT {s}.contained OR r.qualifier IS NULL OR r.qualifier <> {s}.qualifier "
        f"OR abs(coalesce(r.low, 0) - coalesce({s}.value_low, 0)) > 1e-6 "
        f"OR (r.high IS NULL) <> ({s}.value_high IS NULL) OR abs(r.high - {s}.value_high) > 1e-6)"
    )


def compile_quote_number(rule: QuoteNumberRule) -> CompiledRule:
    readings = table_name("rule_readings", rule.name)
    groups = statement_groups_table()
    tables = ", ".join(f"'{table}'" for table in rule.tables)
    # The statements grouped by everything the verdict depends on (one pass, shared with
    # dates-in-order): the wordings to parse, the checked count and the wordings that fail come
    # from the groups; the statements are read again, quotes and all, only for failing wordings.
    judged = f"w.value_text IS NOT NULL AND w.table_name IN ({tables})"

    def prepare(connection: duckdb.DuckDBPyConnection) -> Handoff:
        pairs = connection.execute(
            f"SELECT value_text, language, sum(statements)::BIGINT FROM {groups.name} w "
            f"WHERE {judged} GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        # Reading the wordings is Python alone (a few tenths of a second at a million
        # figures): handed off, a run does it while the next check's queries run.
        return Handoff(
            lambda: _read_quantities(pairs),
            lambda connection, rows: _store_readings(connection, readings, rows),
        )

    failing_wordings = (
        f"SELECT w.value_text FROM {groups.name} w JOIN {readings} r USING (value_text, language) "
        f"WHERE {judged} AND r.supported AND {_misread_sql('w')}"
    )
    read_as = f"r.qualifier || ' ' || {bounds_sql('r.low', 'coalesce(r.high, ' + INF + ')')}"
    stored = f"s.qualifier || ' ' || {bounds_sql(*stored_bounds('s'))}"
    sql = f"""
        SELECT s.record_id, s.table_name,
               CASE WHEN NOT s.contained
                      THEN 'value_text «' || s.value_text || '» is not in the quote'
                    WHEN r.qualifier IS NULL THEN '«' || s.value_text || '» does not read as a number'
                    ELSE '«' || s.value_text || '» reads as ' || {read_as} || ', stored as ' || {stored}
               END AS message,
               s.quote, NULL::DOUBLE AS measured
        FROM (SELECT *, contains(quote, value_text) AS contained FROM ({_stated_sql(rule)})
              WHERE value_text IN ({failing_wordings})) s
        JOIN {readings} r USING (value_text, language)
        WHERE r.supported AND {_misread_sql("s")}
    """
    checked = f"SELECT coalesce(sum(statements), 0) FROM {readings} WHERE supported"
    return CompiledRule(sql, checked, prepare=prepare, tables=(groups, TempTable(readings, None)))


def _store_readings(
    connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]
) -> None:
    """Create temp table ``table`` from the readings of :func:`_read_quantities`: each
    distinct (value_text, language) read as a quantity, with how many statements use it.

    Only distinct wordings are parsed in Python: a million figures share a few thousand. The
    readings reach DuckDB as a JSON-lines file it reads itself, so the check needs neither
    pyarrow nor pandas (their import costs more than the whole check on a small warehouse).
    Bounds travel as ``repr`` text, which DuckDB parses back to the same double, infinity
    included.
    """
    with tempfile.TemporaryDirectory(prefix="provenance-readings-") as folder:
        path = Path(folder) / "readings.jsonl"
        try:
            with path.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as e:  # a full temporary folder: the environment's, not a bug
            raise WriteFailed(
                f"cannot write the readings of the figures' wordings to {path}", e
            ) from None
        columns = (
            "{value_text: 'VARCHAR', language: 'VARCHAR', statements: 'BIGINT', "
            "supported: 'BOOLEAN', qualifier: 'VARCHAR', low: 'VARCHAR', high: 'VARCHAR'}"
        )
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            "SELECT value_text, language, statements, supported, qualifier, "
            "CAST(low AS DOUBLE) AS low, CAST(high AS DOUBLE) AS high "
            f"FROM read_json({sql_literal(path.as_posix())}, format = 'newline_delimited', "
            f"columns = {columns})"
        )


def _read_quantities(pairs: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """Each (value_text, language, statements) with its reading, bounds as ``repr`` text."""
    from provenance.text.numbers import LANGUAGES as READABLE
    from provenance.text.numbers import Quantity, read_quantity

    rows = []
    for value_text, language, statements in pairs:
        quantity = read_quantity(value_text, language) if language in READABLE else None
        if quantity is None and value_text.strip().isdigit():
            # The column holds the number alone: "1903" is a count here, not the year the
            # reader takes a bare four-digit number in running text for.
            number = float(value_text.strip())
            quantity = Quantity(number, number, "exact", value_text, 0, len(value_text))
        low = quantity.low if quantity else None
        high = quantity.high if quantity else None
        rows.append(
            {
                "value_text": value_text,
                "language": language,
                "statements": statements,
                "supported": language in READABLE,
                "qualifier": quantity.qualifier if quantity else None,
                "low": None if low is None else repr(float(low)),
                "high": None if high is None else repr(float(high)),
            }
        )
    return rows


# --- weekday ------------------------------------------------------------------------------

_SPACE = r"[\s\x{00a0}\x{202f}]+"


def _weekday_pattern(language: str, *, capturing: bool = True) -> tuple[str, list[str]]:
    """An RE2 pattern for "weekday + date" in ``language`` and its named parts.

    ``capturing=False`` gives the same pattern with every group non-capturing, for finding the
    mentions in whole texts: it matches the same spans (RE2's overall match does not depend on
    its groups), and asked for no group RE2 finds them with its DFA alone, where asked for the
    groups (DuckDB's ``regexp_extract_all`` asks for every one) it runs a slower engine over
    each text. The parts are then read from each short mention with the capturing pattern.
    """
    open_ = "(" if capturing else "(?:"
    days = "|".join(WEEKDAYS[language])
    months = "|".join(sorted(MONTHS[language], key=len, reverse=True))
    if language == "fr":
        pattern = (
            rf"(?i)\b{open_}(?:ce|le){_SPACE})?{open_}{days}){_SPACE}{open_}1er|\d{{1,2}}){_SPACE}{open_}{months})"
            rf"(?:{_SPACE}{open_}\d{{4}}))?\b"
        )
        return pattern, ["article", "weekday", "day", "month", "year"]
    ordinal = r"(?:st|nd|rd|th)?"
    pattern = (
        rf"(?i)\b{open_}{days}),?{_SPACE}(?:{open_}{months}){_SPACE}{open_}\d{{1,2}}){ordinal}|{open_}\d{{1,2}}){ordinal}{_SPACE}(?:of{_SPACE})?{open_}{months}))"
        rf"(?:,?{_SPACE}{open_}\d{{4}}))?\b"
    )
    return pattern, ["weekday", "month", "day", "day_b", "month_b", "year"]


def _weekday_haystacks_sql(languages: tuple[str, ...], scope: str, parts: int) -> str:
    """The texts to search, with their language: whole documents, or only the quotes of
    figures and relations.

    The documents' texts are read from the copy the anchoring checks hold in memory
    (:data:`ANCHOR_TEXTS`, every row of ``documents``, duplicates included), not decoded
    from Parquet again. DuckDB scans a temporary table of fewer than 122 880 rows on one
    thread, and the search is mostly RE2's time: the copy is read in ``parts`` slices of
    its row ids, a ``UNION ALL`` whose branches run on as many threads.
    """
    langs = ", ".join(sql_literal(language) for language in languages)
    if scope == "documents":
        return " UNION ALL ".join(
            "SELECT document_id AS record_id, 'documents' AS table_name, published_on, "
            f"language, text AS haystack FROM {ANCHOR_TEXTS} WHERE language IN ({langs})"
            + (f" AND rowid % {parts} = {part}" if parts > 1 else "")
            for part in range(parts)
        )
    return " UNION ALL ".join(
        f"SELECT x.{key} AS record_id, '{table}' AS table_name, d.published_on, d.language, "
        f"x.quote AS haystack FROM {table} x JOIN documents d USING (document_id) "
        f"WHERE d.language IN ({langs})"
        for table, key in STATEMENT_KEYS
    )


def _weekday_found_sql(languages: tuple[str, ...], scope: str, parts: int) -> str:
    """Every candidate mention, each text searched with its language's pattern in one read of
    the texts (a query per language read every text once per language)."""
    extract = " ".join(
        f"WHEN {sql_literal(language)} THEN regexp_extract_all(haystack, "
        f"{sql_literal(_weekday_pattern(language, capturing=False)[0])})"
        for language in dict.fromkeys(languages)
    )
    return f"""
        SELECT record_id, table_name, published_on, language,
               unnest(CASE language {extract} END) AS mention
        FROM ({_weekday_haystacks_sql(languages, scope, parts)})
    """


def _weekday_mentions_sql(language: str, found: str) -> str:
    """One row per weekday-and-date mention of ``found`` (the mentions
    :func:`_weekday_found_sql` found) in ``language``, resolved.

    A date written without its year takes the year that puts it nearest the publication date
    (:func:`provenance.core.calendar.resolve_date`, whose SQL twin resolves it here)
    ("le jeudi 25 mai" in an article of 28 May 2017 is 2017-05-25; "Tuesday, October 24th" in a
    report dated 23 October 2023 is 2023-10-24).
    """
    pattern, names = _weekday_pattern(language)
    parts = ", ".join(sql_literal(n) for n in names)
    day = (
        "coalesce(nullif(p.day, ''), nullif(p.day_b, ''))"
        if language == "en"
        else "nullif(p.day, '')"
    )
    month = (
        "lower(coalesce(nullif(p.month, ''), nullif(p.month_b, '')))"
        if language == "en"
        else "lower(p.month)"
    )
    month_cases = " ".join(f"WHEN {sql_literal(m)} THEN {n}" for m, n in MONTHS[language].items())
    names_list = "[" + ", ".join(sql_literal(d) for d in WEEKDAYS[language]) + "]"
    return f"""
        SELECT record_id, table_name, mention, written_weekday, true_weekday, resolved
        FROM (
          SELECT record_id, table_name, mention, lower(p.weekday) AS written_weekday,
                 CASE WHEN resolved IS NULL THEN NULL ELSE {names_list}[isodow(resolved)] END AS true_weekday,
                 resolved
          FROM (
            SELECT record_id, table_name, mention, p,
                   {resolve_date_sql("day_number", "month_number", "TRY_CAST(nullif(p.year, '') AS INTEGER)", "published_on")} AS resolved
            FROM (
              SELECT record_id, table_name, published_on, mention, p,
                     CASE {month} {month_cases} END AS month_number,
                     TRY_CAST(replace(lower({day}), 'er', '') AS INTEGER) AS day_number
              FROM (
                SELECT record_id, table_name, published_on, mention,
                       regexp_extract(mention, {sql_literal(pattern)}, [{parts}]) AS p
                FROM {found} WHERE language = {sql_literal(language)}
              )
            )
          )
        )
    """


def compile_weekday(rule: WeekdayRule) -> CompiledRule:
    # The texts are searched once: failures, observations and the count read the mentions.
    mentions_table = TempTable(table_name("rule_mentions", rule.name), None)
    texts = (
        (TempTable(ANCHOR_TEXTS, anchor_texts_select(), shared=True),)
        if rule.scope == "documents"
        else ()
    )

    def find_mentions(connection: duckdb.DuckDBPyConnection) -> None:
        threads = connection.execute("SELECT current_setting('threads')").fetchone()
        parts = int(threads[0]) if threads else 1
        # Materialised: every language's branch reads the mentions found, not the texts again.
        found = (
            f"WITH found AS MATERIALIZED ({_weekday_found_sql(rule.languages, rule.scope, parts)})"
        )
        mentions = f"{found} " + " UNION ALL ".join(
            _weekday_mentions_sql(language, "found") for language in rule.languages
        )
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {mentions_table.name} AS {mentions}")

    base = f"SELECT * FROM {mentions_table.name}"
    sql = f"""
        SELECT record_id, table_name,
               CASE WHEN resolved IS NULL THEN '«' || mention || '» is not a date'
                    ELSE '«' || mention || '» resolves to ' || strftime(resolved, '%Y-%m-%d')
                         || ', which is a ' || true_weekday || ', not a ' || written_weekday END AS message,
               mention AS quote, NULL::DOUBLE AS measured
        FROM ({base}) WHERE resolved IS NULL OR true_weekday <> written_weekday
    """
    observations = f"""
        SELECT record_id, table_name,
               '«' || mention || '» is ' || strftime(resolved, '%Y-%m-%d') || ', a ' || true_weekday AS message,
               mention AS quote, NULL::DOUBLE AS measured
        FROM ({base}) WHERE true_weekday = written_weekday
        ORDER BY record_id, mention LIMIT {OBSERVATION_LIMIT}
    """
    return CompiledRule(
        sql,
        f"SELECT count(*) FROM ({base})",
        observations,
        prepare=find_mentions,
        tables=(*texts, mentions_table),
    )
