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
    live_figures_tables,
    num_sql,
    numbered_figures,
    shared_topics,
    stored_bounds,
    table_name,
)

RESTART = "restart"  # relation kind: "this claimant's count restarted here"
QUOTE_SEPARATOR = " ‖ "


def _described(
    flagged: str, quoted: tuple[str, ...], named: tuple[tuple[str, str], ...] = ()
) -> str:
    """``flagged`` rows with the quote of each figure id column in ``quoted``
    (``<column>_quote``) and the names of each series id column of ``named`` — pairs (series
    column, a figure id column of a figure of that series) — as ``<column>_subject``,
    ``<column>_metric``, ``<column>_claimant``.

    The figures are read once, for the flagged ids only: every stored row of each id gives its
    quote (as a join on ``figures`` would), and a series' names are those of its flagged
    figures (numbered alike, :func:`numbered_figures`), so no other figure is numbered.
    """
    ids = sorted({*quoted, *(c for _, c in named)})
    wanted = " UNION ".join(f"SELECT {c} FROM flagged" for c in ids)
    return (
        f"WITH flagged AS ({flagged}), {_description(wanted, numbered=bool(named))} "
        f"SELECT * FROM flagged {_description_joins('flagged', quoted, named)}"
    )


DESCRIBED = "described"


def _description(ids: str, *columns: str, numbered: bool = True) -> str:
    """A CTE ``described``: the stored rows of the figure ids ``ids`` selects, with their
    quote, keys and ``columns`` (and ``series_id`` when ``numbered``, see
    :func:`numbered_figures`) — one read of the figures for every flagged row."""
    more = "".join(f", {c}" for c in columns)
    rows = (
        numbered_figures(f"f.figure_id IN ({ids})")
        if numbered
        else f"SELECT * FROM figures WHERE figure_id IN ({ids})"
    )
    series = ", series_id" if numbered else ""
    return (
        f"{DESCRIBED} AS MATERIALIZED (SELECT figure_id, quote{series}, subject_id, metric, "
        f"claimant_id{more} FROM ({rows}))"
    )


def _description_joins(
    flagged: str, quoted: tuple[str, ...], named: tuple[tuple[str, str], ...]
) -> str:
    """The joins of :func:`_described` on ``flagged``'s rows, read from ``described``."""
    names = " ".join(
        f"JOIN (SELECT DISTINCT series_id AS {c}, subject_id AS {c}_subject, metric AS {c}_metric, "
        f"claimant_id AS {c}_claimant FROM {DESCRIBED} WHERE series_id IN (SELECT {c} FROM {flagged})) "
        f"USING ({c})"
        for c, _ in named
    )
    quotes = " ".join(
        f"JOIN (SELECT figure_id AS {c}, quote AS {c}_quote FROM {DESCRIBED}) USING ({c})"
        for c in quoted
    )
    return f"{names} {quotes}"


SEVERAL_FIGURE_DAYS = "rule_several_figure_days"


def several_figure_days_table() -> TempTable:
    """The days (``series_id``, ``stated_on``) on which a series spoke several figures, with
    their ``figures``, ``topic_id``, ``metric`` and the ordered choice of their two (see
    :func:`days_sql`). Few: most days hold one figure, which is the day, so the live figures
    are grouped to count only (on integers and dates), and the structs are compared on the
    few days found. (A table of every day, one row per figure on most, cost more to build
    than the rules that read it.)
    """
    return TempTable(
        SEVERAL_FIGURE_DAYS,
        f"""
        SELECT series_id, stated_on, any_value(topic_id) AS topic_id,
               any_value(metric) AS metric, count(*) AS figures,
               min({{'hi': hi, 'id': figure_id, 'lo': lo}}) AS low,
               max({{'lo': lo, 'id': figure_id, 'hi': hi}}) AS high
        FROM {LIVE_FIGURES} f
        SEMI JOIN (
          SELECT series_id, stated_on FROM {LIVE_FIGURES}
          GROUP BY series_id, stated_on HAVING count(*) > 1
        ) d ON f.series_id = d.series_id AND f.stated_on IS NOT DISTINCT FROM d.stated_on
        GROUP BY series_id, stated_on
        """,
        shared=True,
    )


def days_sql(where: str = "TRUE") -> str:
    """Each day a series spoke (``series_id``, ``stated_on``; a missing date is a day too) that
    ``where`` keeps (alias ``d``), with its ``figures``, ``topic_id`` and ``metric``, and two
    of its figures: ``low``, the lowest-topped (ties: the smaller id), and ``high``, the
    highest lower bound (ties: the larger id), as ``<which>_id``, ``<which>_lo``,
    ``<which>_hi``. A day of one figure is that figure, both; the days of several are read
    from :func:`several_figure_days_table`.
    """
    alone = ", ".join(
        f"d.{column} AS {which}_{field}"
        for which in ("low", "high")
        for field, column in (("id", "figure_id"), ("lo", "lo"), ("hi", "hi"))
    )
    chosen = ", ".join(
        f"d.{which}.{field} AS {which}_{field}"
        for which in ("low", "high")
        for field in ("id", "lo", "hi")
    )
    return f"""
        SELECT d.series_id, d.stated_on, d.topic_id, d.metric, 1::BIGINT AS figures, {alone}
        FROM {LIVE_FIGURES} d ANTI JOIN {SEVERAL_FIGURE_DAYS} s
          ON s.series_id = d.series_id AND s.stated_on IS NOT DISTINCT FROM d.stated_on
        WHERE {where}
        UNION ALL
        SELECT d.series_id, d.stated_on, d.topic_id, d.metric, d.figures, {chosen}
        FROM {SEVERAL_FIGURE_DAYS} d
        WHERE {where}
    """


def revision_steps_table(metrics: tuple[str, ...] | None) -> TempTable:
    """The revision steps of these metrics, shared by the revision rules that read the same
    metrics (falls and jumps walk the same series)."""
    name = table_name("rule_revision_steps", *(metrics if metrics is not None else ("*",)))
    return TempTable(name, revision_steps_sql(metrics), shared=True)


def _series_tables(*own: TempTable) -> tuple[TempTable, ...]:
    return (*live_figures_tables(), several_figure_days_table(), *own)


def revision_steps_sql(metrics: tuple[str, ...] | None) -> str:
    """Each day of a series, as its highest statement, beside the previous day it spoke.

    A day's figures (a bulletin's toll and a narrative's "more than 50") are not revisions of
    each other, and a weaker bound stated beside a firmer figure is not a fall: a day counts by
    its highest lower bound (ties: the larger figure id), so the result depends neither on the
    order rows were appended nor on how many figures a day holds.

    The steps hold numbers and dates only; the restarts that explain a fall are joined to the
    few falling steps (:func:`restarted_days_table`), not to every step.
    """
    return f"""
        WITH days AS (
          SELECT series_id, stated_on, high_lo AS lo, high_id IS NOT NULL AS named
          FROM ({days_sql(in_list("d.metric", metrics))})
        ),
        -- One struct lagged, not three columns: the window moves one payload.
        lagged AS (
          SELECT series_id, stated_on, lo,
                 lag({{'stated_on': stated_on, 'lo': lo, 'named': named}}) OVER (
                   PARTITION BY series_id ORDER BY stated_on
                 ) AS previous
          FROM days
        ),
        steps AS (
          SELECT series_id, stated_on, lo, previous.stated_on AS previous_stated_on,
                 previous.lo AS previous_lo, previous.named AS previous_named
          FROM lagged
        )
        SELECT * EXCLUDE (previous_named) FROM steps WHERE previous_named
    """


RESTARTED_DAYS = "rule_restarted_days"


def restarted_days_table() -> TempTable:
    """The days (``series_id``, ``stated_on``) a restart marks, with the first ``restart_id``.

    A restart is recorded on a figure, perhaps a withdrawn one: it marks the day of every series
    with that figure's subject, metric and claimant (a missing key marks none). Few, and none in
    most warehouses: the figures are read only for the restarts' figure ids.
    """
    return TempTable(
        RESTARTED_DAYS,
        f"""
        WITH restarts AS (SELECT figure_id, relation_id FROM relations WHERE kind = '{RESTART}')
        SELECT g.series_id, g.stated_on, min(r.relation_id) AS restart_id
        FROM restarts r
        JOIN ({numbered_figures("f.figure_id IN (SELECT figure_id FROM restarts)")}) g
          ON g.figure_id = r.figure_id
        WHERE g.topic_id IS NOT NULL
        GROUP BY g.series_id, g.stated_on
        """,
        shared=True,
    )


def _step_figures(steps: str) -> str:
    """``steps`` (rows of a revision steps table) with both days' figures: ``figure_id`` and
    ``hi`` of the day's highest statement, ``previous_id`` and ``previous_hi`` of the previous
    day's. The steps table holds numbers and dates only, so that ordering every series moves
    no strings; the figures are found again for the steps a rule flags, from their days."""
    days = days_sql("d.series_id IN (SELECT series_id FROM steps)")
    return f"""
        WITH steps AS ({steps}), days AS MATERIALIZED ({days})
        SELECT s.*, c.high_id AS figure_id, c.high_hi AS hi,
               p.high_id AS previous_id, p.high_hi AS previous_hi
        FROM steps s
        JOIN days c ON c.series_id = s.series_id AND c.stated_on IS NOT DISTINCT FROM s.stated_on
        JOIN days p ON p.series_id = s.series_id AND p.stated_on = s.previous_stated_on
    """


def _series_label(subject: str, metric: str, claimant: str) -> str:
    """SQL text naming a series: "mosul civilians_killed by us-pentagon"."""
    return f"{subject} || ' ' || {metric} || ' by ' || {claimant}"


def _step_text(verb: str) -> str:
    """ "… 120 (fig-a, 2020-05-02) falls to 110 (fig-b, 2020-05-03)" with bounds as stored,
    for a step named by :func:`_described` (series column ``series_id``)."""
    return (
        f"{_series_label('series_id_subject', 'series_id_metric', 'series_id_claimant')} || ': ' || "
        f"{bounds_sql('previous_lo', 'previous_hi')} || ' (' || previous_id"
        f" || ', ' || previous_stated_on || ') {verb} ' || {bounds_sql('lo', 'hi')} || ' (' || figure_id"
        f" || ', ' || stated_on || ')'"
    )


def _both_quotes(earlier: str, later: str) -> str:
    return f"{earlier} || '{QUOTE_SEPARATOR}' || {later}"


def _flagged_steps(steps: str) -> str:
    """Flagged revision steps with their figures, their series' names and both figures'
    quotes."""
    return _described(
        _step_figures(steps), ("figure_id", "previous_id"), (("series_id", "figure_id"),)
    )


def compile_revision_falls(rule: RevisionFallsRule, cumulative: tuple[str, ...]) -> CompiledRule:
    metrics = rule.metrics if rule.metrics is not None else cumulative
    steps_table = revision_steps_table(metrics)
    restarted_days = restarted_days_table()
    # The falling steps, each with the restart that marks its day (if any).
    falls = f"""
        SELECT s.*, r.restart_id
        FROM (SELECT * FROM {steps_table.name} WHERE lo < previous_lo) s
        LEFT JOIN {RESTARTED_DAYS} r ON r.series_id = s.series_id AND r.stated_on = s.stated_on
    """
    sql = f"""
        SELECT figure_id AS record_id, 'figures' AS table_name,
               {_step_text("falls to")} || ' with no correction (supersedes) or restart' AS message,
               {_both_quotes("previous_id_quote", "figure_id_quote")} AS quote,
               (previous_lo - lo) / previous_lo AS measured
        FROM ({_flagged_steps(f"SELECT * FROM ({falls}) WHERE restart_id IS NULL")})
    """
    # Explained falls are listed, not failed: a recorded restart, or a correction that lowers
    # the figure it supersedes (the corrected figure is withdrawn from the series). The
    # corrections are found on narrow columns; the figures are read once more, whole, for the
    # rows of both kinds' figures (a correction: its stored rows, and those of the figure it
    # supersedes).
    restarted = _step_figures(f"SELECT * FROM ({falls}) WHERE restart_id IS NOT NULL")
    correcting = f"supersedes IS NOT NULL AND {in_list('metric', metrics)}"
    wanted = (
        "SELECT figure_id FROM restarted UNION SELECT previous_id FROM restarted "
        f"UNION SELECT figure_id FROM figures WHERE {correcting} "
        f"UNION SELECT supersedes FROM figures WHERE {correcting}"
    )
    joins = _description_joins(
        "restarted", ("figure_id", "previous_id"), (("series_id", "figure_id"),)
    )
    explained = f"""
        WITH restarted AS ({restarted}),
        {_description(wanted, "stated_on", "value_low", "value_high", "supersedes")}
        SELECT figure_id AS record_id, 'figures' AS table_name,
               'explained by restart ' || restart_id || ': ' || {_step_text("falls to")} AS message,
               {_both_quotes("previous_id_quote", "figure_id_quote")} AS quote, NULL::DOUBLE AS measured
        FROM restarted {joins}
        UNION ALL
        SELECT b.figure_id, 'figures',
               'explained by correction: ' || {_series_label("b.subject_id", "b.metric", "b.claimant_id")}
                 || ': ' || {bounds_sql(*stored_bounds("a"))}
                 || ' (' || a.figure_id || ', ' || a.stated_on || ') is corrected to '
                 || {bounds_sql(*stored_bounds("b"))}
                 || ' (' || b.figure_id || ', ' || b.stated_on || ', supersedes)',
               {_both_quotes("a.quote", "b.quote")}, NULL::DOUBLE
        FROM (SELECT * FROM {DESCRIBED} WHERE {correcting}) b
        JOIN {DESCRIBED} a ON a.figure_id = b.supersedes
        WHERE {stored_bounds("b")[0]} < {stored_bounds("a")[0]}
        ORDER BY record_id, message
    """
    checked = f"SELECT count(*) FROM {steps_table.name}"
    return CompiledRule(
        sql, checked, observations_sql=explained, tables=_series_tables(steps_table, restarted_days)
    )


def compile_revision_jump(rule: RevisionJumpRule, cumulative: tuple[str, ...]) -> CompiledRule:
    metrics = rule.metrics if rule.metrics is not None else cumulative
    steps_table = revision_steps_table(metrics)
    factor = "lo / previous_lo"
    jumps = f"SELECT * FROM {steps_table.name} WHERE previous_lo > 0 AND lo > previous_lo AND {factor} > {rule.factor!r}"
    sql = f"""
        SELECT figure_id AS record_id, 'figures' AS table_name,
               {_step_text("rises to")} || ', factor ' || {num_sql(factor)} || ' > {rule.factor:g}; see '
                 || 'revision_history(''' || series_id_subject || ''', ''' || series_id_metric
                 || ''')' AS message,
               {_both_quotes("previous_id_quote", "figure_id_quote")} AS quote, {factor} AS measured
        FROM ({_flagged_steps(jumps)})
    """
    return CompiledRule(
        sql,
        f"SELECT count(*) FROM {steps_table.name}",
        tables=_series_tables(steps_table),
    )


def compile_claimant_gap(rule: ClaimantGapRule, cumulative: tuple[str, ...]) -> CompiledRule:
    """Each figure meets every other claimant's latest day of figures as of its own date, no
    older than ``window_days``: a pair is compared once, from its later statement.

    A day is its claimant's latest as of a date from the day it spoke until the next (at most
    ``window_days`` on): the days a figure meets are those whose stretch holds its date. They
    are found by an equality join on the topic and a stretch of ``window_days + 1`` days
    (``bucket``; a day's reach spans at most two), then the exact dates: each figure looks at
    the few days of its topic near its date, never at every claimant of the topic, so the cost
    grows with the pairs found, not with the square of a topic's claimants.
    """
    reach = rule.window_days
    width = reach + 1
    day_number = "(stated_on - DATE '1970-01-01')"
    metrics = in_list("metric", rule.metrics)
    kept = f"d.topic_id IS NOT NULL AND d.stated_on IS NOT NULL AND {in_list('d.metric', rule.metrics)}"
    aligned = f"""
        -- Only topics with two series or more (two claimants) have pairs: those the keys
        -- show, found with the exactness proof rather than by grouping every figure.
        WITH shared AS ({shared_topics()}),
        -- A day is its series' latest until the next one: ordered on numbers and dates only,
        -- its figures are found again for the days met.
        spoken AS MATERIALIZED (
          SELECT series_id, topic_id, stated_on,
                 lead(stated_on) OVER (PARTITION BY series_id ORDER BY stated_on) AS next_on,
                 {day_number} // {width} AS first_bucket, ({day_number} + {reach}) // {width} AS last_bucket
          FROM ({days_sql(f"{kept} AND d.topic_id IN (FROM shared)")})
        ),
        reach AS (
          SELECT series_id, topic_id, stated_on, next_on, first_bucket AS bucket FROM spoken
          UNION ALL
          SELECT series_id, topic_id, stated_on, next_on, last_bucket FROM spoken
          WHERE last_bucket <> first_bucket
        ),
        f AS (
          SELECT figure_id, series_id, topic_id, stated_on, lo, hi, {day_number} // {width} AS bucket
          FROM {LIVE_FIGURES} SEMI JOIN shared USING (topic_id)
          WHERE {metrics} AND stated_on IS NOT NULL
        ),
        met AS (
          SELECT f.figure_id, f.series_id, f.topic_id, f.stated_on, f.lo, f.hi,
                 d.series_id AS other_series, d.stated_on AS other_stated_on
          FROM f JOIN reach d ON d.topic_id = f.topic_id AND d.bucket = f.bucket
          WHERE d.series_id <> f.series_id
            AND d.stated_on BETWEEN f.stated_on - {reach} AND f.stated_on
            AND (d.next_on IS NULL OR d.next_on > f.stated_on)
        )
        SELECT m.*, d.low_id, d.low_lo, d.low_hi, d.high_id, d.high_lo, d.high_hi
        FROM met m
        JOIN ({days_sql("d.series_id IN (SELECT other_series FROM met)")}) d
          ON d.series_id = m.other_series AND d.stated_on = m.other_stated_on
    """
    # Each pair as (higher figure, lower figure), whichever side found it.
    pairs = """
        SELECT figure_id AS a_id, series_id AS a_series, stated_on AS a_on, lo AS a_lo,
               hi AS a_hi, low_id AS b_id, other_series AS b_series,
               other_stated_on AS b_on, low_lo AS b_lo, low_hi AS b_hi
        FROM aligned WHERE lo > low_hi
        UNION
        SELECT high_id, other_series, other_stated_on, high_lo, high_hi,
               figure_id, series_id, stated_on, lo, hi
        FROM aligned WHERE high_lo > hi
    """
    factor = f"(CASE WHEN b_hi = 0 THEN {INF} ELSE a_lo / b_hi END)"
    aligned_table = TempTable(table_name("rule_aligned", rule.name), aligned)
    flagged = f"SELECT * FROM ({pairs}) WHERE {factor} > {rule.factor!r}"
    sql = f"""
        WITH aligned AS (SELECT * FROM {aligned_table.name})
        SELECT a_id || ' vs ' || b_id AS record_id, 'figures' AS table_name,
               a_series_subject || ' ' || a_series_metric || ': ' || a_series_claimant || ' '
                 || {bounds_sql("a_lo", "a_hi")} || ' (' || a_id || ', ' || a_on || ') vs '
                 || b_series_claimant || ' ' || {bounds_sql("b_lo", "b_hi")} || ' (' || b_id
                 || ', ' || b_on || '): factor ' || {num_sql(factor)} || ' > {rule.factor:g}' AS message,
               {_both_quotes("a_id_quote", "b_id_quote")} AS quote,
               {factor} AS measured
        FROM ({_described(flagged, ("a_id", "b_id"), (("a_series", "a_id"), ("b_series", "b_id")))})
    """
    checked = f"SELECT count(*) FROM {aligned_table.name}"
    return CompiledRule(sql, checked, tables=_series_tables(aligned_table))


def compile_document_disagreement(
    rule: DocumentDisagreementRule, cumulative: tuple[str, ...]
) -> CompiledRule:
    # Figures of one document, subject, metric, claimant and statement date overlap unless one
    # lies wholly above another; each figure is compared with its group's lowest-topped figure
    # (ties: the smaller id), which finds every figure that disagrees in one pass.
    keys = "document_id, series_id, stated_on, stated_precision"
    low = "(hi, figure_id)"
    # A group of two figures or more lies in a day of its series holding two or more: only
    # those days' figures are read back, with their documents (most days hold one). Read by
    # id, a figure sharing its id with one of them comes too, alone in its group.
    candidates = f"""
        SELECT figure_id FROM {LIVE_FIGURES} f SEMI JOIN {SEVERAL_FIGURE_DAYS} d
          ON f.series_id = d.series_id AND f.stated_on IS NOT DISTINCT FROM d.stated_on
    """
    superseded = "SELECT supersedes FROM figures WHERE supersedes IS NOT NULL"
    metrics = in_list("f.metric", rule.metrics)
    numbered = f"""
        {numbered_figures(f"f.figure_id IN ({candidates}) AND f.figure_id NOT IN ({superseded}) AND {metrics}")}
        UNION ALL
        {numbered_figures(f"f.figure_id IS NULL AND {metrics}")}
    """
    members = TempTable(
        table_name("rule_members", rule.name),
        f"""
        SELECT figure_id, document_id, subject_id, metric, claimant_id, stated_on,
               stated_precision, coalesce(value_low, 0) AS lo, coalesce(value_high, {INF}) AS hi,
               series_id, topic_id
        FROM ({numbered})
        """,
    )
    groups = f"""
        SELECT {keys}, any_value(topic_id) AS topic_id, min(hi) AS low_hi,
               arg_min(figure_id, {low}) AS low_id, arg_min(lo, {low}) AS low_lo,
               count(*) AS members
        FROM {members.name} GROUP BY {keys} HAVING count(*) > 1
    """
    groups_table = TempTable(table_name("rule_groups", rule.name), groups)
    # Disjoint figures are those of groups whose keys are all present (a missing subject,
    # metric or claimant leaves the topic unnumbered).
    disjoint = f"""
        SELECT f.*, g.low_id, g.low_lo, g.low_hi
        FROM {members.name} f JOIN {groups_table.name} g
          ON f.document_id = g.document_id AND f.series_id = g.series_id
         AND f.stated_on = g.stated_on AND f.stated_precision = g.stated_precision
        WHERE g.topic_id IS NOT NULL AND f.lo > g.low_hi
    """
    factor = f"(CASE WHEN low_hi = 0 THEN {INF} ELSE lo / low_hi END)"
    sql = f"""
        SELECT figure_id || ' vs ' || low_id AS record_id, 'figures' AS table_name,
               'document ' || left(document_id, 12) || '… ' || subject_id || ' ' || metric || ' by '
                 || claimant_id || ' on ' || stated_on || ': ' || {bounds_sql("lo", "hi")}
                 || ' vs ' || {bounds_sql("low_lo", "low_hi")}
                 || ' do not overlap (factor ' || {num_sql(factor)} || ')' AS message,
               {_both_quotes("figure_id_quote", "low_id_quote")} AS quote, {factor} AS measured
        FROM ({_described(disjoint, ("figure_id", "low_id"))})
    """
    return CompiledRule(
        sql,
        f"SELECT coalesce(sum(members), 0) FROM {groups_table.name}",
        tables=_series_tables(members, groups_table),
    )
