"""DuckDB compilers for rules over series of statements: revisions, claimants, documents.

A *series* is one claimant's figures for one subject and metric, in the order stated. The rules
here compare statements with each other, so every flag names both figures (ids, values,
dates) and carries both quotes in the order the message names the figures, joined by ``‖``.

Same input, same report: every choice among equals is broken by a total order ending in the
figure id (never ``arg_min`` over ties), and no order depends on when rows were appended.
"""

from __future__ import annotations

from provenance.validation.rules import (
    ClaimantGapRule,
    DocumentDisagreementRule,
    RevisionFallsRule,
    RevisionJumpRule,
)
from provenance.validation.sql_text import (
    INF,
    LIVE_FIGURES,
    CompiledRule,
    TempTable,
    bounds_sql,
    in_list,
    live_figures_table,
    num_sql,
    stored_bounds,
    table_name,
)

RESTART = "restart"  # relation kind: "this claimant's count restarted here"
QUOTE_SEPARATOR = " ‖ "


def _figures_sql(metrics: tuple[str, ...] | None) -> str:
    """Live figures of these metrics with their interval as [lo, hi] (open bounds: 0 and ∞),
    from the run's shared table; quotes are joined to the flagged rows only, at the end
    (carrying them through windows costs seconds)."""
    return f"SELECT * FROM {LIVE_FIGURES} WHERE {in_list('metric', metrics)}"


def _quoted(flagged: str, *ids: str) -> str:
    """``flagged`` rows with the quote of each figure id column: ``<column>_quote``. The
    figures are read once, for the quotes of flagged ids only."""
    named = " UNION ".join(f"SELECT {c} FROM flagged" for c in ids)
    joins = " ".join(
        f"JOIN (SELECT figure_id AS {c}, quote AS {c}_quote FROM quotes) USING ({c})" for c in ids
    )
    return (
        f"WITH flagged AS ({flagged}), "
        f"quotes AS (SELECT figure_id, quote FROM figures WHERE figure_id IN ({named})) "
        f"SELECT * FROM flagged {joins}"
    )


SERIES_DAYS = "rule_series_days"


def series_days_table() -> TempTable:
    """Each day a claimant spoke on a subject and metric, by two of its figures: ``low``, the
    lowest-topped (ties: the smaller id), and ``high``, the highest lower bound (ties: the
    larger id), each a struct (its sort key first, then id, then the other bound).

    Shared: the revision rules walk the ``high`` of each day, the claimant gap compares a figure
    with other claimants' days. Most days hold one figure, which is both; the ordered choice
    (structs compared field by field) is made only for the days that hold several.
    """
    keys = "subject_id, metric, claimant_id, stated_on"
    return TempTable(
        SERIES_DAYS,
        f"""
        WITH days AS (
          SELECT {keys}, count(*) AS figures, any_value(figure_id) AS id,
                 any_value(lo) AS lo, any_value(hi) AS hi
          FROM {LIVE_FIGURES} GROUP BY {keys}
        )
        SELECT {keys}, {{'hi': hi, 'id': id, 'lo': lo}} AS low, {{'lo': lo, 'id': id, 'hi': hi}} AS high
        FROM days WHERE figures = 1
        UNION ALL
        SELECT {keys}, min({{'hi': hi, 'id': figure_id, 'lo': lo}}),
               max({{'lo': lo, 'id': figure_id, 'hi': hi}})
        FROM {LIVE_FIGURES} f SEMI JOIN (SELECT {keys} FROM days WHERE figures > 1) d
          ON {_same_keys(keys, "f", "d")}
        GROUP BY {keys}
        """,
        shared=True,
    )


def _same_keys(keys: str, left: str, right: str) -> str:
    """A join on ``keys`` that, like GROUP BY, takes NULL for a value (a key a record contract
    would refuse must not make its figures vanish from the counts)."""
    return " AND ".join(
        f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in (k.strip() for k in keys.split(","))
    )


def revision_steps_table(metrics: tuple[str, ...] | None) -> TempTable:
    """The revision steps of these metrics, shared by the revision rules that read the same
    metrics (falls and jumps walk the same series)."""
    name = table_name("rule_revision_steps", *(metrics if metrics is not None else ("*",)))
    return TempTable(name, revision_steps_sql(metrics), shared=True)


def _series_tables(*own: TempTable) -> tuple[TempTable, ...]:
    return (live_figures_table(), series_days_table(), *own)


def revision_steps_sql(metrics: tuple[str, ...] | None) -> str:
    """Each day of a series, as its highest statement, beside the previous day it spoke.

    A day's figures (a bulletin's toll and a narrative's "more than 50") are not revisions of
    each other, and a weaker bound stated beside a firmer figure is not a fall: a day counts by
    its highest lower bound (ties: the larger figure id), so the result depends neither on the
    order rows were appended nor on how many figures a day holds.
    """
    keys = "subject_id, metric, claimant_id"
    return f"""
        WITH days AS (
          SELECT {keys}, stated_on, high.id AS figure_id, high.lo AS lo, high.hi AS hi
          FROM {SERIES_DAYS} WHERE {in_list("metric", metrics)}
        ),
        steps AS (
          SELECT *, lag(stated_on) OVER w AS previous_stated_on, lag(figure_id) OVER w AS previous_id,
                 lag(lo) OVER w AS previous_lo, lag(hi) OVER w AS previous_hi
          FROM days WINDOW w AS (PARTITION BY {keys} ORDER BY stated_on)
        ),
        restarts AS (
          SELECT g.subject_id, g.metric, g.claimant_id, g.stated_on,
                 min(r.relation_id) AS restart_id
          FROM relations r JOIN figures g ON g.figure_id = r.figure_id
          WHERE r.kind = '{RESTART}'
          GROUP BY g.subject_id, g.metric, g.claimant_id, g.stated_on
        )
        SELECT s.*, r.restart_id
        FROM steps s LEFT JOIN restarts r USING ({keys}, stated_on)
        WHERE s.previous_id IS NOT NULL
    """


def _series_label(alias: str = "") -> str:
    """SQL text naming a series: "mosul civilians_killed by us-pentagon"."""
    at = f"{alias}." if alias else ""
    return f"{at}subject_id || ' ' || {at}metric || ' by ' || {at}claimant_id"


def _step_text(verb: str) -> str:
    """ "… 120 (fig-a, 2020-05-02) falls to 110 (fig-b, 2020-05-03)" with bounds as stored."""
    return (
        f"{_series_label()} || ': ' || {bounds_sql('previous_lo', 'previous_hi')} || ' (' || previous_id"
        f" || ', ' || previous_stated_on || ') {verb} ' || {bounds_sql('lo', 'hi')} || ' (' || figure_id"
        f" || ', ' || stated_on || ')'"
    )


def _both_quotes(earlier: str, later: str) -> str:
    return f"{earlier} || '{QUOTE_SEPARATOR}' || {later}"


def compile_revision_falls(rule: RevisionFallsRule, cumulative: tuple[str, ...]) -> CompiledRule:
    metrics = rule.metrics if rule.metrics is not None else cumulative
    steps_table = revision_steps_table(metrics)
    steps = f"SELECT * FROM {steps_table.name}"
    fall = "lo < previous_lo"
    sql = f"""
        SELECT figure_id AS record_id, 'figures' AS table_name,
               {_step_text("falls to")} || ' with no correction (supersedes) or restart' AS message,
               {_both_quotes("previous_id_quote", "figure_id_quote")} AS quote,
               (previous_lo - lo) / previous_lo AS measured
        FROM ({_quoted(f"SELECT * FROM ({steps}) WHERE {fall} AND restart_id IS NULL", "figure_id", "previous_id")})
    """
    # Explained falls are listed, not failed: a recorded restart, or a correction that lowers
    # the figure it supersedes (the corrected figure is withdrawn from the series).
    explained = f"""
        SELECT figure_id AS record_id, 'figures' AS table_name,
               'explained by restart ' || restart_id || ': ' || {_step_text("falls to")} AS message,
               {_both_quotes("previous_id_quote", "figure_id_quote")} AS quote, NULL::DOUBLE AS measured
        FROM ({_quoted(f"SELECT * FROM ({steps}) WHERE {fall} AND restart_id IS NOT NULL", "figure_id", "previous_id")})
        UNION ALL
        SELECT b.figure_id, 'figures',
               'explained by correction: ' || {_series_label("b")} || ': ' || {bounds_sql(*stored_bounds("a"))}
                 || ' (' || a.figure_id || ', ' || a.stated_on || ') is corrected to '
                 || {bounds_sql(*stored_bounds("b"))}
                 || ' (' || b.figure_id || ', ' || b.stated_on || ', supersedes)',
               {_both_quotes("a.quote", "b.quote")}, NULL::DOUBLE
        FROM figures b JOIN figures a ON a.figure_id = b.supersedes
        WHERE b.supersedes IS NOT NULL AND {in_list("b.metric", metrics)} AND {stored_bounds("b")[0]} < {stored_bounds("a")[0]}
        ORDER BY record_id, message
    """
    checked = f"SELECT count(*) FROM {steps_table.name}"
    return CompiledRule(
        sql, checked, observations_sql=explained, tables=_series_tables(steps_table)
    )


def compile_revision_jump(rule: RevisionJumpRule, cumulative: tuple[str, ...]) -> CompiledRule:
    metrics = rule.metrics if rule.metrics is not None else cumulative
    steps_table = revision_steps_table(metrics)
    factor = "lo / previous_lo"
    jumps = f"SELECT * FROM {steps_table.name} WHERE previous_lo > 0 AND lo > previous_lo AND {factor} > {rule.factor!r}"
    sql = f"""
        SELECT figure_id AS record_id, 'figures' AS table_name,
               {_step_text("rises to")} || ', factor ' || {num_sql(factor)} || ' > {rule.factor:g}; see '
                 || 'revision_history(''' || subject_id || ''', ''' || metric || ''')' AS message,
               {_both_quotes("previous_id_quote", "figure_id_quote")} AS quote, {factor} AS measured
        FROM ({_quoted(jumps, "figure_id", "previous_id")})
    """
    return CompiledRule(
        sql,
        f"SELECT count(*) FROM {steps_table.name}",
        tables=_series_tables(steps_table),
    )


def compile_claimant_gap(rule: ClaimantGapRule, cumulative: tuple[str, ...]) -> CompiledRule:
    """Each figure meets every other claimant's latest day of figures as of its own date, no
    older than ``window_days``: a pair is compared once, from its later statement."""
    keys = "subject_id, metric"
    aligned = f"""
        WITH f AS ({_figures_sql(rule.metrics)}),
        claimants AS (SELECT DISTINCT {keys}, claimant_id FROM f),
        -- Only subjects and metrics with two claimants or more have pairs: the joins and the
        -- sort of the ASOF join below see those alone.
        shared AS (SELECT {keys} FROM claimants GROUP BY {keys} HAVING count(*) > 1),
        days AS (
          SELECT {keys}, claimant_id, stated_on, low.id AS low_id, low.hi AS low_hi,
                 low.lo AS low_lo, high.id AS high_id, high.lo AS high_lo, high.hi AS high_hi
          FROM {SERIES_DAYS} SEMI JOIN shared USING ({keys})
          WHERE {in_list("metric", rule.metrics)}
        ),
        wanted AS (
          SELECT f.*, c.claimant_id AS other_claimant
          FROM (SELECT * FROM f SEMI JOIN shared USING ({keys})) f
          JOIN claimants c USING ({keys}) WHERE c.claimant_id <> f.claimant_id
        )
        SELECT w.*, d.stated_on AS other_stated_on, d.low_id, d.low_lo, d.low_hi,
               d.high_id, d.high_lo, d.high_hi
        FROM wanted w ASOF JOIN days d
          ON d.subject_id = w.subject_id AND d.metric = w.metric
         AND d.claimant_id = w.other_claimant AND d.stated_on <= w.stated_on
        WHERE datediff('day', d.stated_on, w.stated_on) <= {rule.window_days}
    """
    # Each pair as (higher figure, lower figure), whichever side found it.
    pairs = """
        SELECT subject_id, metric, figure_id AS a_id, claimant_id AS a_claimant,
               stated_on AS a_on, lo AS a_lo, hi AS a_hi, low_id AS b_id,
               other_claimant AS b_claimant, other_stated_on AS b_on, low_lo AS b_lo,
               low_hi AS b_hi
        FROM aligned WHERE lo > low_hi
        UNION
        SELECT subject_id, metric, high_id, other_claimant, other_stated_on, high_lo, high_hi,
               figure_id, claimant_id, stated_on, lo, hi
        FROM aligned WHERE high_lo > hi
    """
    factor = f"(CASE WHEN b_hi = 0 THEN {INF} ELSE a_lo / b_hi END)"
    aligned_table = TempTable(table_name("rule_aligned", rule.name), aligned)
    sql = f"""
        WITH aligned AS (SELECT * FROM {aligned_table.name})
        SELECT a_id || ' vs ' || b_id AS record_id, 'figures' AS table_name,
               subject_id || ' ' || metric || ': ' || a_claimant || ' ' || {bounds_sql("a_lo", "a_hi")}
                 || ' (' || a_id || ', ' || a_on || ') vs ' || b_claimant || ' '
                 || {bounds_sql("b_lo", "b_hi")} || ' (' || b_id || ', ' || b_on || '): factor '
                 || {num_sql(factor)} || ' > {rule.factor:g}' AS message,
               {_both_quotes("a_id_quote", "b_id_quote")} AS quote,
               {factor} AS measured
        FROM ({_quoted(f"SELECT * FROM ({pairs}) WHERE {factor} > {rule.factor!r}", "a_id", "b_id")})
    """
    checked = f"SELECT count(*) FROM {aligned_table.name}"
    return CompiledRule(sql, checked, tables=_series_tables(aligned_table))


def compile_document_disagreement(
    rule: DocumentDisagreementRule, cumulative: tuple[str, ...]
) -> CompiledRule:
    # Figures of one document, subject, metric, claimant and statement date overlap unless one
    # lies wholly above another; each figure is compared with its group's lowest-topped figure
    # (ties: the smaller id), which finds every figure that disagrees in one pass.
    keys = "document_id, subject_id, metric, claimant_id, stated_on, stated_precision"
    low = "(hi, figure_id)"
    figures = _figures_sql(rule.metrics)
    # Groups of one (most) are counted, not ordered: the ordered choice is made in the rest.
    groups = f"""
        SELECT {keys}, min(hi) AS low_hi, arg_min(figure_id, {low}) AS low_id,
               arg_min(lo, {low}) AS low_lo, count(*) AS members
        FROM ({figures}) f
        SEMI JOIN (SELECT {keys} FROM ({figures}) GROUP BY {keys} HAVING count(*) > 1) g
          ON {_same_keys(keys, "f", "g")}
        GROUP BY {keys}
    """
    groups_table = TempTable(table_name("rule_groups", rule.name), groups)
    disjoint = f"""
        SELECT f.*, g.low_id, g.low_lo, g.low_hi
        FROM ({figures}) f JOIN {groups_table.name} g USING ({keys}) WHERE f.lo > g.low_hi
    """
    factor = f"(CASE WHEN low_hi = 0 THEN {INF} ELSE lo / low_hi END)"
    sql = f"""
        SELECT figure_id || ' vs ' || low_id AS record_id, 'figures' AS table_name,
               'document ' || left(document_id, 12) || '… ' || subject_id || ' ' || metric || ' by '
                 || claimant_id || ' on ' || stated_on || ': ' || {bounds_sql("lo", "hi")}
                 || ' vs ' || {bounds_sql("low_lo", "low_hi")}
                 || ' do not overlap (factor ' || {num_sql(factor)} || ')' AS message,
               {_both_quotes("figure_id_quote", "low_id_quote")} AS quote, {factor} AS measured
        FROM ({_quoted(disjoint, "figure_id", "low_id")})
    """
    return CompiledRule(
        sql,
        f"SELECT coalesce(sum(members), 0) FROM {groups_table.name}",
        tables=(live_figures_table(), groups_table),
    )
