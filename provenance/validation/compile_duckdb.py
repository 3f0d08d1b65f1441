"""The DuckDB engine for consistency rules: one compiler per rule kind.

Each compiler turns a rule declared in :mod:`provenance.validation.rules` into SQL returning the offending
rows with their measured numbers (``record_id, table_name, message, quote, measured``), run
where the data is.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.calendar import MONTHS, WEEKDAYS, resolve_date_sql
from provenance.core.schema import TABLES
from provenance.core.sql import sql_literal
from provenance.validation import series_rules
from provenance.validation.rules import (
    OBSERVATION_LIMIT,
    RULE_KINDS,
    ClaimantGapRule,
    DateOrderRule,
    DocumentDisagreementRule,
    QuoteNumberRule,
    RelationRule,
    RevisionFallsRule,
    RevisionJumpRule,
    Rule,
    SqlRule,
    SubjectPeriodRule,
    WeekdayRule,
)
from provenance.validation.sql_text import (
    INF,
    CompiledRule,
    TempTable,
    bounds_sql,
    num_sql,
    of_offenders,
    offender_keys,
    statement_body,
    stored_bounds,
    table_name,
)

if TYPE_CHECKING:
    import duckdb

# The tables of statements (each with a quote in a document), by their key column.
_STATEMENT_KEYS = tuple((name, TABLES[name].key) for name in ("figures", "relations"))


def _operand_sql(lo: str, hi: str) -> str:
    # In "3100/352 ≥ 8.81" the operand shows its lower bound; a bounded range shows both ends.
    return f"(CASE WHEN {hi} = {INF} OR {lo} = {hi} THEN {num_sql(lo)} ELSE '(' || {num_sql(lo)} || '–' || {num_sql(hi)} || ')' END)"


def _period_end_sql(day: str, precision: str) -> str:
    """The last day a date of the given precision may stand for (2017-05 → 2017-05-31)."""
    return (
        f"(CASE {precision} WHEN 'month' THEN last_day({day}) "
        f"WHEN 'year' THEN make_date(year({day}), 12, 31) ELSE {day} END)"
    )


# --- quote_number -------------------------------------------------------------------------


def _compile_quote_number(rule: QuoteNumberRule) -> CompiledRule:
    readings = table_name("rule_readings", rule.name)
    sources = []
    for table in rule.tables:
        key = TABLES[table].key
        # Shares are fractions ("un quart", "25 %"), not counts: the count reader does not apply.
        kinds = " AND x.kind IN ('ratio', 'sum', 'difference')" if table == "relations" else ""
        sources.append(
            f"SELECT x.{key} AS record_id, '{table}' AS table_name, x.value_text, x.quote, x.qualifier, "
            f"x.value_low, x.value_high, d.language FROM {table} x JOIN documents d USING (document_id) "
            f"WHERE x.value_text IS NOT NULL{kinds}"
        )
    stated = " UNION ALL ".join(sources)
    # One pass counts each wording's statements; the count of readable ones is the rule's
    # checked count, so the statements themselves are read once more only, to be judged.
    pairs_sql = (
        f"SELECT value_text, language, count(*) FROM ({stated}) GROUP BY value_text, language"
    )

    def prepare(connection: duckdb.DuckDBPyConnection) -> None:
        _store_readings(connection, readings, connection.execute(pairs_sql).fetchall())

    read_as = f"r.qualifier || ' ' || {bounds_sql('r.low', 'coalesce(r.high, ' + INF + ')')}"
    stored = f"s.qualifier || ' ' || {bounds_sql(*stored_bounds('s'))}"
    sql = f"""
        SELECT s.record_id, s.table_name,
               CASE WHEN NOT contains(s.quote, s.value_text)
                      THEN 'value_text «' || s.value_text || '» is not in the quote'
                    WHEN r.qualifier IS NULL THEN '«' || s.value_text || '» does not read as a number'
                    ELSE '«' || s.value_text || '» reads as ' || {read_as} || ', stored as ' || {stored}
               END AS message,
               s.quote, NULL::DOUBLE AS measured
        FROM ({stated}) s JOIN {readings} r USING (value_text, language)
        WHERE r.supported AND (
              NOT contains(s.quote, s.value_text) OR r.qualifier IS NULL
              OR r.qualifier <> s.qualifier
              OR abs(coalesce(r.low, 0) - coalesce(s.value_low, 0)) > 1e-6
              OR (r.high IS NULL) <> (s.value_high IS NULL)
              OR abs(r.high - s.value_high) > 1e-6)
    """
    checked = f"SELECT coalesce(sum(statements), 0) FROM {readings} WHERE supported"
    return CompiledRule(sql, checked, prepare=prepare, tables=(TempTable(readings, None),))


def _store_readings(
    connection: duckdb.DuckDBPyConnection, table: str, pairs: list[tuple[str, str, int]]
) -> None:
    """Create temp table ``table``: each distinct (value_text, language) read as a quantity,
    with how many statements use it.

    Only distinct wordings are parsed in Python: a million figures share a few thousand. The
    readings reach DuckDB as a JSON-lines file it reads itself, so the check needs neither
    pyarrow nor pandas (their import costs more than the whole check on a small warehouse).
    Bounds travel as ``repr`` text, which DuckDB parses back to the same double, infinity
    included.
    """
    with tempfile.TemporaryDirectory(prefix="provenance-readings-") as folder:
        path = Path(folder) / "readings.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for row in _read_quantities(pairs):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
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


def _weekday_pattern(language: str) -> tuple[str, list[str]]:
    """An RE2 pattern for "weekday + date" in ``language`` and its named parts."""
    days = "|".join(WEEKDAYS[language])
    months = "|".join(sorted(MONTHS[language], key=len, reverse=True))
    if language == "fr":
        pattern = (
            rf"(?i)\b((?:ce|le){_SPACE})?({days}){_SPACE}(1er|\d{{1,2}}){_SPACE}({months})"
            rf"(?:{_SPACE}(\d{{4}}))?\b"
        )
        return pattern, ["article", "weekday", "day", "month", "year"]
    ordinal = r"(?:st|nd|rd|th)?"
    pattern = (
        rf"(?i)\b({days}),?{_SPACE}(?:({months}){_SPACE}(\d{{1,2}}){ordinal}|(\d{{1,2}}){ordinal}{_SPACE}(?:of{_SPACE})?({months}))"
        rf"(?:,?{_SPACE}(\d{{4}}))?\b"
    )
    return pattern, ["weekday", "month", "day", "day_b", "month_b", "year"]


def _weekday_haystacks_sql(languages: tuple[str, ...], scope: str) -> str:
    """The texts to search, with their language: whole documents, or only the quotes of
    figures and relations."""
    langs = ", ".join(sql_literal(language) for language in languages)
    if scope == "documents":
        return (
            "SELECT document_id AS record_id, 'documents' AS table_name, published_on, "
            f"language, text AS haystack FROM documents WHERE language IN ({langs})"
        )
    return " UNION ALL ".join(
        f"SELECT x.{key} AS record_id, '{table}' AS table_name, d.published_on, d.language, "
        f"x.quote AS haystack FROM {table} x JOIN documents d USING (document_id) "
        f"WHERE d.language IN ({langs})"
        for table, key in _STATEMENT_KEYS
    )


def _weekday_found_sql(languages: tuple[str, ...], scope: str) -> str:
    """Every candidate mention, each text searched with its language's pattern in one read of
    the texts (a query per language read every text once per language)."""
    extract = " ".join(
        f"WHEN {sql_literal(language)} THEN regexp_extract_all(haystack, "
        f"{sql_literal(_weekday_pattern(language)[0])})"
        for language in dict.fromkeys(languages)
    )
    return f"""
        SELECT record_id, table_name, published_on, language,
               unnest(CASE language {extract} END) AS mention
        FROM ({_weekday_haystacks_sql(languages, scope)})
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


def _compile_weekday(rule: WeekdayRule) -> CompiledRule:
    # Materialised: every language's branch reads the mentions found, not the texts again.
    found = f"WITH found AS MATERIALIZED ({_weekday_found_sql(rule.languages, rule.scope)})"
    mentions = f"{found} " + " UNION ALL ".join(
        _weekday_mentions_sql(language, "found") for language in rule.languages
    )
    # The texts are searched once: failures, observations and the count read the mentions.
    mentions_table = TempTable(table_name("rule_mentions", rule.name), mentions)
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
        sql, f"SELECT count(*) FROM ({base})", observations, tables=(mentions_table,)
    )


# --- relation -----------------------------------------------------------------------------


RELATION_FIGURES = "rule_relation_figures"


def relation_figures_table() -> TempTable:
    """The bounds of the figures relations name (stated or operand), shared by the relation
    rules of a run: a few thousand rows read once instead of every figure per rule."""
    return TempTable(
        RELATION_FIGURES,
        """
        SELECT figure_id, value_low, value_high FROM figures
        WHERE figure_id IN (SELECT figure_id FROM relations
                            UNION ALL SELECT unnest(reference_ids) FROM relations)
        """,
        shared=True,
    )


def relation_measurements_sql(relation: str, figures: str = "figures") -> str:
    """Per relation of ``relation`` kind: measured and stated intervals (∞ = 'inf') and the
    deviation, by the arithmetic of :mod:`provenance.core.intervals` (open lower bound = 0).

    ``figures`` holds at least the figures relations name (``figure_id``, ``value_low``,
    ``value_high``)."""
    f_lo, f_hi = stored_bounds("f")
    x_lo, x_hi = stored_bounds("x")
    if relation in ("ratio", "share"):
        # Interval.__truediv__: [f.lo / r.hi, f.hi / r.lo], 0 and ∞ where a bound is open or 0.
        m_lo = f"CASE WHEN r_hi = {INF} OR r_hi = 0 THEN 0 ELSE {f_lo} / r_hi END"
        m_hi = f"CASE WHEN r_lo = 0 THEN {INF} ELSE {f_hi} / r_lo END"
        shown = f"{_operand_sql(f_lo, f_hi)} || '/' || refs_text"
    elif relation == "sum":
        m_lo, m_hi = "r_lo", "r_hi"
        shown = "refs_text"
    else:  # difference: Interval.__sub__
        m_lo, m_hi = f"{f_lo} - r_hi", f"{f_hi} - r_lo"
        shown = f"{_operand_sql(f_lo, f_hi)} || ' − ' || refs_text"
    if relation == "sum":
        # The total stated with the relation, or else the figure the parts add up to.
        s_lo = f"CASE WHEN x.value_low IS NULL AND x.value_high IS NULL THEN {f_lo} ELSE {x_lo} END"
        s_hi = f"CASE WHEN x.value_low IS NULL AND x.value_high IS NULL THEN {f_hi} ELSE {x_hi} END"
        stated_filter = "TRUE"
    else:
        s_lo, s_hi = x_lo, x_hi
        stated_filter = "(x.value_low IS NOT NULL OR x.value_high IS NOT NULL)"
    ref_separator = " + "
    return f"""
        WITH operands AS (
          SELECT relation_id, unnest(reference_ids) AS reference_id,
                 generate_subscripts(reference_ids, 1) AS position, len(reference_ids) AS wanted
          FROM relations WHERE kind = {sql_literal(relation)}
        ), refs AS (
          SELECT o.relation_id,
                 sum(coalesce(r.value_low, 0)) AS r_lo,
                 CASE WHEN bool_or(r.value_high IS NULL) THEN {INF} ELSE sum(r.value_high) END AS r_hi,
                 CASE WHEN count(*) > 1 AND {sql_literal(relation)} <> 'sum' THEN '(' ELSE '' END
                   || string_agg({_operand_sql(*stored_bounds("r"))},
                                 '{ref_separator}' ORDER BY o.position)
                   || CASE WHEN count(*) > 1 AND {sql_literal(relation)} <> 'sum' THEN ')' ELSE '' END AS refs_text,
                 count(*) AS found, any_value(o.wanted) AS wanted
          FROM operands o JOIN {figures} r ON r.figure_id = o.reference_id
          GROUP BY o.relation_id
        ), measured AS (
          SELECT x.relation_id, x.quote, {shown} AS shown,
                 {m_lo} AS m_lo, {m_hi} AS m_hi, {s_lo} AS s_lo, {s_hi} AS s_hi
          FROM relations x JOIN refs USING (relation_id) JOIN {figures} f ON f.figure_id = x.figure_id
          WHERE x.kind = {sql_literal(relation)} AND refs.found = refs.wanted AND {stated_filter}
        )
        SELECT *,
               CASE WHEN m_lo > s_hi THEN CASE WHEN s_hi = 0 THEN {INF} ELSE (m_lo - s_hi) / s_hi END
                    WHEN m_hi < s_lo THEN CASE WHEN s_lo = 0 THEN {INF} ELSE (s_lo - m_hi) / s_lo END
                    ELSE 0 END AS deviation
        FROM measured
    """


def _compile_relation(rule: RelationRule) -> CompiledRule:
    # Measured once: the failures and the observations read the same measurements.
    measurements = TempTable(
        table_name("rule_measurements", rule.name),
        relation_measurements_sql(rule.relation, RELATION_FIGURES),
    )
    tolerance = f"{rule.tolerance * 100:g} %"
    sign = "=" if rule.relation == "sum" else ""
    measured_text = (
        f"(CASE WHEN m_lo = m_hi THEN '{sign or '='} ' || {num_sql('m_lo')} "
        f"WHEN m_hi = {INF} THEN '≥ ' || {num_sql('m_lo')} "
        f"WHEN m_lo = -{INF} THEN '≤ ' || {num_sql('m_hi')} "
        f"ELSE 'in ' || {num_sql('m_lo')} || '–' || {num_sql('m_hi')} END)"
    )
    verdict = (
        f"(CASE WHEN deviation = 0 THEN 'within the stated ' || {bounds_sql('s_lo', 's_hi')} "
        f"WHEN deviation = {INF} THEN 'infinitely far from the stated ' || {bounds_sql('s_lo', 's_hi')} "
        f"ELSE printf('%.1f', deviation * 100) || ' % ' || CASE WHEN m_lo > s_hi THEN 'above' ELSE 'below' END "
        f"|| ' the stated ' || {bounds_sql('s_lo', 's_hi')} END)"
    )
    message = f"shown || ' ' || {measured_text} || ', ' || {verdict} || ' (tolerance {tolerance})'"
    select = (
        f"SELECT relation_id AS record_id, 'relations' AS table_name, {message} AS message, "
        f"quote, deviation AS measured FROM {measurements.name}"
    )
    return CompiledRule(
        sql=f"{select} WHERE deviation > {rule.tolerance!r}",
        checked_sql=f"SELECT count(*) FROM relations WHERE kind = {sql_literal(rule.relation)}",
        observations_sql=f"{select} WHERE deviation <= {rule.tolerance!r} "
        f"ORDER BY deviation DESC, relation_id LIMIT {OBSERVATION_LIMIT}",
        tables=(relation_figures_table(), measurements),
    )


# --- dates --------------------------------------------------------------------------------


def _compile_date_order(rule: DateOrderRule) -> CompiledRule:
    retrieved_day = "CAST(d.retrieved_at AT TIME ZONE 'UTC' AS DATE)"
    published_end = _period_end_sql("d.published_on", "d.published_precision")
    bodies = {
        table: f"FROM {table} x JOIN documents d USING (document_id) WHERE x.stated_on > {published_end}"
        for table, _ in _STATEMENT_KEYS
    }
    keys = offender_keys(rule.name, [(t, f"x.{k}", bodies[t]) for t, k in _STATEMENT_KEYS])
    statements = []
    for table, key in _STATEMENT_KEYS:
        statements.append(
            f"""SELECT x.{key} AS record_id, '{table}' AS table_name,
                   'stated_on ' || x.stated_on || ' is after the document''s publication ('
                     || d.published_on || ')' AS message,
                   x.quote, datediff('day', {published_end}, x.stated_on)::DOUBLE AS measured
            {bodies[table]} AND {of_offenders(keys, table, f"x.{key}")}"""
        )
    sql = "\nUNION ALL\n".join(
        [
            f"""SELECT d.document_id AS record_id, 'documents' AS table_name,
                   'published_on ' || d.published_on || ' is after retrieved_at ' || {retrieved_day} AS message,
                   NULL AS quote, datediff('day', {retrieved_day}, d.published_on)::DOUBLE AS measured
            FROM documents d WHERE d.retrieved_at IS NOT NULL AND d.published_on > {retrieved_day}""",
            *statements,
        ]
    )
    checked = "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM figures) + (SELECT count(*) FROM relations)"
    return CompiledRule(sql, checked, tables=(keys,))


def _compile_subject_period(rule: SubjectPeriodRule) -> CompiledRule:
    stated_end = _period_end_sql("f.stated_on", "f.stated_precision")
    offends = f"s.period_start > {stated_end}"
    body = f"FROM figures f JOIN subjects s USING (subject_id) WHERE {offends}"
    looked_at = "FROM figures f JOIN subjects s USING (subject_id) WHERE s.period_start IS NOT NULL"
    # Offenders' keys and checked count from one join (a second one cost as much): those that
    # pass are one group without a table name, which the offenders' filter never reads. (The
    # quotes' query keeps the plain condition: with the count's filter in it, DuckDB planned
    # it so that it read every quote even with no offender.)
    keys = TempTable(
        table_name("rule_offenders", rule.name),
        f"SELECT CASE WHEN {offends} THEN 'figures' END AS table_name, CASE WHEN {offends} "
        f"THEN f.figure_id END AS record_id, count(*) AS statements {looked_at} GROUP BY ALL",
    )
    sql = f"""
        SELECT f.figure_id AS record_id, 'figures' AS table_name,
               'subject ' || s.subject_id || ' starts ' || s.period_start || ', after this statement of '
                 || f.stated_on AS message,
               f.quote, datediff('day', {stated_end}, s.period_start)::DOUBLE AS measured
        {body} AND {of_offenders(keys, "figures", "f.figure_id")}
    """
    checked = f"SELECT coalesce(sum(statements), 0) FROM {keys.name}"
    return CompiledRule(sql, checked, tables=(keys,))


# --- user SQL -----------------------------------------------------------------------------


def _compile_sql(rule: SqlRule) -> CompiledRule:
    sql = statement_body(rule.sql)
    checked = statement_body(rule.checked_sql) if rule.checked_sql else "SELECT 0"
    return CompiledRule(sql, checked)


_DUCKDB_COMPILERS: dict[type[Rule], Callable[[Any], CompiledRule]] = {
    QuoteNumberRule: _compile_quote_number,
    WeekdayRule: _compile_weekday,
    RelationRule: _compile_relation,
    DateOrderRule: _compile_date_order,
    SubjectPeriodRule: _compile_subject_period,
    SqlRule: _compile_sql,
}
# Rules over series of statements (revisions, claimants, documents) need the vocabulary's
# cumulative metrics for their defaults.
_SERIES_COMPILERS: dict[type[Rule], Callable[[Any, tuple[str, ...]], CompiledRule]] = {
    RevisionFallsRule: series_rules.compile_revision_falls,
    RevisionJumpRule: series_rules.compile_revision_jump,
    ClaimantGapRule: series_rules.compile_claimant_gap,
    DocumentDisagreementRule: series_rules.compile_document_disagreement,
}
assert set(_DUCKDB_COMPILERS) | set(_SERIES_COMPILERS) == set(RULE_KINDS.values())


def compile_duckdb(rule: Rule, cumulative: tuple[str, ...] | None = None) -> CompiledRule:
    """The DuckDB queries that check ``rule`` against the warehouse views.

    ``cumulative`` names the running tolls (default: the package's vocabulary); revision rules
    without ``metrics`` check those.
    """
    if type(rule) in _SERIES_COMPILERS:
        if cumulative is None:
            from provenance.core.metrics import cumulative_names
            from provenance.core.schema import VOCABULARY

            cumulative = cumulative_names(VOCABULARY)
        return _SERIES_COMPILERS[type(rule)](rule, cumulative)
    return _DUCKDB_COMPILERS[type(rule)](rule)
