"""The DuckDB engine for consistency rules: one compiler per rule kind.

Each compiler turns a rule declared in :mod:`provenance.validation.rules` into SQL returning the offending
rows with their measured numbers (``record_id, table_name, message, quote, measured``), run
where the data is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from provenance.core.sql import sql_literal
from provenance.validation import series_rules
from provenance.validation.builtin_checks import ANCHOR_TEXTS, anchor_texts_select
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
    TextLengthRule,
    WeekdayRule,
)
from provenance.validation.sql_text import (
    INF,
    CompiledRule,
    TempTable,
    bounds_sql,
    num_sql,
    of_offenders,
    statement_body,
    stored_bounds,
    table_name,
)
from provenance.validation.statement_pass import (
    PUBLISHED_END,
    STATEMENT_KEYS,
    period_end_sql,
    statement_groups_table,
)
from provenance.validation.text_rules import (
    compile_quote_number,
    compile_weekday,
)

if TYPE_CHECKING:
    pass


def _operand_sql(lo: str, hi: str) -> str:
    # In "3100/352 ≥ 8.81" the operand shows its lower bound; a bounded range shows both ends.
    return f"(CASE WHEN {hi} = {INF} OR {lo} = {hi} THEN {num_sql(lo)} ELSE '(' || {num_sql(lo)} || '–' || {num_sql(hi)} || ')' END)"


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
    # The operands' text in their order: sorted as a list of (position, text) after a plain
    # list(), which costs a fraction of an aggregate ordered per relation (string_agg … ORDER BY).
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
                   || array_to_string(list_transform(
                        list_sort(list({{'position': o.position, 'text': {_operand_sql(*stored_bounds("r"))}}})),
                        lambda operand: operand.text), '{ref_separator}')
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
    # The statements dated after their publication are found in the pass over statements and
    # documents that quote-number-reads-back shares; only theirs are read here, quotes and all.
    groups = statement_groups_table()
    statements = []
    for table, key in STATEMENT_KEYS:
        statements.append(
            f"""SELECT x.{key} AS record_id, '{table}' AS table_name,
                   'stated_on ' || x.stated_on || ' is after the document''s publication ('
                     || d.published_on || ')' AS message,
                   x.quote, datediff('day', {PUBLISHED_END}, x.stated_on)::DOUBLE AS measured
            FROM {table} x JOIN documents d USING (document_id)
            WHERE x.stated_on > {PUBLISHED_END} AND x.{key} IN (
              SELECT late_id FROM {groups.name} WHERE table_name = '{table}' AND late_id IS NOT NULL)"""
        )
    # A retrieval after the append is a wrong clock or date, and would let statements dated in
    # the future pass; the append clock (recorded_at) anchors the timeline. By how much: days.
    retrieved, recorded = (
        f"strftime(d.{c} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S')"
        for c in ("retrieved_at", "recorded_at")
    )
    sql = "\nUNION ALL\n".join(
        [
            f"""SELECT d.document_id AS record_id, 'documents' AS table_name,
                   'published_on ' || d.published_on || ' is after retrieved_at ' || {retrieved_day} AS message,
                   NULL AS quote, datediff('day', {retrieved_day}, d.published_on)::DOUBLE AS measured
            FROM documents d WHERE d.retrieved_at IS NOT NULL AND d.published_on > {retrieved_day}""",
            f"""SELECT d.document_id AS record_id, 'documents' AS table_name,
                   'retrieved_at ' || {retrieved} || ' UTC is after recorded_at ' || {recorded}
                     || ' UTC, when the row was appended' AS message,
                   NULL AS quote,
                   round(epoch(d.retrieved_at - d.recorded_at) / 86400, 3)::DOUBLE AS measured
            FROM documents d WHERE d.retrieved_at > d.recorded_at""",
            *statements,
        ]
    )
    checked = "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM figures) + (SELECT count(*) FROM relations)"
    return CompiledRule(sql, checked, tables=(groups,))


def _compile_text_length(rule: TextLengthRule) -> CompiledRule:
    # The lengths come from the documents' texts as the built-in checks read them (one read of
    # the texts a run); run alone, the rule reads them itself.
    texts = TempTable(ANCHOR_TEXTS, anchor_texts_select(), shared=True)
    sql = f"""SELECT document_id AS record_id, 'documents' AS table_name,
               'text has ' || characters || ' characters, fewer than {rule.min_characters}' AS message,
               NULL AS quote, characters::DOUBLE AS measured
        FROM {texts.name} WHERE characters < {rule.min_characters}"""
    checked = f"SELECT count(*) FROM {texts.name} WHERE characters IS NOT NULL"
    return CompiledRule(sql, checked, tables=(texts,))


def _compile_subject_period(rule: SubjectPeriodRule) -> CompiledRule:
    stated_end = period_end_sql("f.stated_on", "f.stated_precision")
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
    QuoteNumberRule: compile_quote_number,
    WeekdayRule: compile_weekday,
    RelationRule: _compile_relation,
    DateOrderRule: _compile_date_order,
    TextLengthRule: _compile_text_length,
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
