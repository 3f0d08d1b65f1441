"""Revision and claimant rules as properties: series that never fall, one inserted fall, input
order, ties; and byte-identical JSON reports from `provenance validate` whatever the order."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cli.app import main
from provenance.core.schema import TABLES
from provenance.storage.warehouse import Warehouse
from provenance.validation.compile_duckdb import compile_duckdb
from provenance.validation.rules import (
    ClaimantGapRule,
    DocumentDisagreementRule,
    RevisionFallsRule,
    RevisionJumpRule,
    Rule,
)
from provenance.validation.series_rules import days_sql, several_figure_days_table
from provenance.validation.sql_text import CompiledRule, live_figures_tables

START = date(2024, 1, 1)
FALLS = RevisionFallsRule(name="falls", severity="error", description="falls")
JUMPS = RevisionJumpRule(name="jumps", severity="warning", description="jumps", factor=2)
GAPS = ClaimantGapRule(name="gaps", severity="warning", description="gaps", factor=2)
SAME_DOCUMENT = DocumentDisagreementRule(name="doc", severity="warning", description="doc")


def figure(claimant: str, day: int, value: float, **extra: Any) -> dict[str, Any]:
    """A figure of one claimant's toll for one subject, stated on START + day."""
    figure_id = extra.pop("figure_id", f"{claimant}-{day}-{value:g}")
    return {
        "figure_id": figure_id,
        "document_id": "d" * 64,
        "subject_id": "city",
        "metric": "killed",
        "claimant_id": claimant,
        "stated_on": START + timedelta(days=day),
        "stated_precision": "day",
        "value_low": value,
        "value_high": value,
        "qualifier": "exact",
        "quote": f"{claimant} said {value:g} on day {day}",
        "quote_start": 0,
        "quote_end": 1,
        **extra,
    }


def load(
    connection: duckdb.DuckDBPyConnection,
    figures: list[dict[str, Any]],
    relations: Sequence[dict[str, Any]] = (),
) -> None:
    """Views ``figures`` and ``relations`` (by default none) on ``connection``."""
    for name, rows in (("figures", figures), ("relations", list(relations))):
        schema = TABLES[name].arrow_schema()
        table = pa.Table.from_pylist(
            [{f.name: row.get(f.name) for f in schema} for row in rows], schema=schema
        )
        connection.register(f"{name}_rows", table)
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_rows")


def check(rule: Rule, figures: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rule's failing rows over these figures, in a DuckDB holding only them."""
    connection = duckdb.connect()
    load(connection, figures)
    compiled = compile_duckdb(rule)
    compiled.setup(connection)
    return connection.execute(compiled.sql).fetchall()


rises = st.lists(st.integers(min_value=0, max_value=50), min_size=2, max_size=25)


@settings(max_examples=25, deadline=None)
@given(rises)
def test_a_series_that_never_falls_gets_no_fall_flag(steps: list[int]) -> None:
    values = [sum(steps[: i + 1]) for i in range(len(steps))]
    assert check(FALLS, [figure("ministry", day, v) for day, v in enumerate(values)]) == []


@settings(max_examples=25, deadline=None)
@given(rises, st.data())
def test_one_inserted_fall_gives_exactly_one_flag_naming_both(steps: list[int], data: Any) -> None:
    values = [sum(steps[: i + 1]) + i + 1 for i in range(len(steps))]  # strictly rising, ≥ 1
    at = data.draw(st.integers(min_value=1, max_value=len(values) - 1))
    values[at] = data.draw(st.integers(min_value=0, max_value=values[at - 1] - 1))
    figures = [figure("ministry", day, v) for day, v in enumerate(values)]
    flags = check(FALLS, figures)
    assert len(flags) == 1
    record_id, _, message, quote, _ = flags[0]
    earlier, later = figures[at - 1], figures[at]
    assert record_id == later["figure_id"]
    assert earlier["figure_id"] in message and later["figure_id"] in message
    assert quote == f"{earlier['quote']} ‖ {later['quote']}"
    # The fall is reported once, as a fall: never as a jump.
    assert record_id not in {row[0] for row in check(JUMPS, figures)}


mixed = st.lists(
    st.tuples(
        st.sampled_from(["ministry", "monitor", "flash-report"]),
        st.integers(min_value=0, max_value=6),
        st.sampled_from([0, 5, 10, 10, 40, 100, 100, 400]),
    ),
    min_size=1,
    max_size=30,
    unique=True,
)


@settings(max_examples=12, deadline=None)
@given(mixed, st.randoms(use_true_random=False))
def test_shuffling_the_input_changes_nothing(rows: list[tuple[str, int, int]], rnd: Any) -> None:
    """Ties (same day, same value, several claimants) are broken by content, not by order."""
    figures = [figure(c, d, v) for c, d, v in rows]
    shuffled = figures[:]
    rnd.shuffle(shuffled)
    for rule in (FALLS, JUMPS, GAPS, SAME_DOCUMENT):
        assert sorted(check(rule, figures)) == sorted(check(rule, shuffled))


day_figures = st.lists(
    st.tuples(
        st.sampled_from(["ministry", "monitor"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
        st.sampled_from([1, 5, 5, 9]),
        st.sampled_from([1, 5, 9, None]),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=20, deadline=None)
@given(day_figures)
def test_each_day_is_its_lowest_topped_and_its_highest_figure(
    rows: list[tuple[str, int | None, int, int | None]],
) -> None:
    """A day's two figures (days of one figure and days of several take different paths, a
    missing date counts as a day too) are those the ordered choice names."""
    figures = [
        figure(c, 0, lo, figure_id=f"f{i}", stated_on=None if d is None else START + timedelta(d))
        | {"value_high": None if hi is None else lo + hi}
        for i, (c, d, lo, hi) in enumerate(rows)
    ]
    connection = duckdb.connect()
    load(connection, figures)
    CompiledRule(
        "SELECT 1", "SELECT 1", tables=(*live_figures_tables(), several_figure_days_table())
    ).setup(connection)
    expected = connection.execute(
        "SELECT claimant_id, stated_on, min({'hi': hi, 'id': figure_id, 'lo': lo}), "
        "max({'lo': lo, 'id': figure_id, 'hi': hi}) FROM (SELECT claimant_id, stated_on, figure_id, "
        "coalesce(value_low, 0) AS lo, coalesce(value_high, 'inf') AS hi FROM figures) "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    got = connection.execute(
        "SELECT DISTINCT claimant_id, d.stated_on, {'hi': low_hi, 'id': low_id, 'lo': low_lo}, "
        "{'lo': high_lo, 'id': high_id, 'hi': high_hi} "
        f"FROM ({days_sql()}) d JOIN rule_live_figures USING (series_id) JOIN figures USING (figure_id) "
        "ORDER BY ALL"
    ).fetchall()
    assert got == expected


step_figures = st.lists(
    st.tuples(
        st.sampled_from(["ministry", "monitor"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
        st.sampled_from([0, 1, 5, 5, 9]),
        st.sampled_from([0, 3, None]),  # range width; None: an open upper bound
    ),
    min_size=1,
    max_size=20,
)


def expected_steps(figures: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Each series' steps by definition: its days in date order (a missing date last), each
    by its highest figure (lower bound, then id, then upper bound), beside the day before."""
    inf = float("inf")

    def key(g: dict[str, Any]) -> tuple[Any, ...]:
        hi = inf if g["value_high"] is None else g["value_high"]
        return (g["value_low"], g["figure_id"], hi)

    steps = []
    for claimant in sorted({f["claimant_id"] for f in figures}):
        days: dict[Any, list[dict[str, Any]]] = {}
        for f in figures:
            if f["claimant_id"] == claimant:
                days.setdefault(f["stated_on"], []).append(f)
        order = sorted(days, key=lambda d: (d is None, d or START))
        highs = [key(max(days[d], key=key)) for d in order]
        for at in range(1, len(order)):
            steps.append((claimant, order[at], highs[at], order[at - 1], highs[at - 1]))
    return steps


@settings(max_examples=25, deadline=None)
@given(step_figures)
def test_falls_and_rises_are_the_steps_between_each_days_highest_figures(
    rows: list[tuple[str, int | None, int, int | None]],
) -> None:
    """Falls and jumps (factor 1: every rise from a positive toll) flag exactly the steps the
    definition gives, naming both days' figures and counting every step — whatever the ties,
    days of several figures and missing dates (the steps are ordered without their figures,
    which are found again for the flagged ones)."""
    figures = [
        figure(c, 0, lo, figure_id=f"f{i}", stated_on=None if d is None else START + timedelta(d))
        | {"value_high": None if w is None else lo + w}
        for i, (c, d, lo, w) in enumerate(rows)
    ]
    steps = expected_steps(figures)
    every_rise = RevisionJumpRule(name="rises", severity="warning", description="r", factor=1)
    for rule, flagged in (
        (FALLS, lambda lo, previous_lo: lo < previous_lo),
        (every_rise, lambda lo, previous_lo: previous_lo > 0 and lo > previous_lo),
    ):
        connection = duckdb.connect()
        load(connection, figures)
        compiled = compile_duckdb(rule)
        compiled.setup(connection)
        assert connection.execute(compiled.checked_sql).fetchone() == (len(steps),)
        got = sorted((r[0], r[2]) for r in connection.execute(compiled.sql).fetchall())
        want = [
            (high[1], (previous[1], before, high[1], on))
            for _, on, high, before, previous in steps
            if flagged(high[0], previous[0])
        ]
        assert [record_id for record_id, _ in got] == sorted(w[0] for w in want)
        for record_id, message in got:
            (previous_id, before, high_id, on) = dict(want)[record_id]
            if on is not None:  # a missing date leaves no message to read
                assert f"({previous_id}, {before})" in message and f"({high_id}, {on})" in message


restarted_steps = st.lists(
    st.tuples(
        st.sampled_from(["ministry", "monitor"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
        st.sampled_from([0, 1, 5, 5, 9]),
        st.booleans(),  # the id stored again, for the other claimant
    ),
    min_size=2,
    max_size=10,
)


@settings(max_examples=25, deadline=None)
@given(restarted_steps, st.lists(st.integers(min_value=0, max_value=9), max_size=8))
def test_a_restart_explains_the_falls_of_the_days_it_marks(
    rows: list[tuple[str, int | None, int, bool]], restarted: list[int]
) -> None:
    """A restart recorded on a figure marks that figure's day in every series of its keys (each
    stored row of the id: duplicated ids mark each their own series): a fall onto a marked day
    is listed as explained by the first restart, every other fall fails — the restarts are
    joined to the falling steps only."""
    figures = []
    for i, (claimant, day, value, again) in enumerate(rows):
        on = None if day is None else START + timedelta(day)
        figures.append(figure(claimant, 0, value, figure_id=f"f{i}", stated_on=on))
        if again:
            other = "monitor" if claimant == "ministry" else "ministry"
            figures.append(figure(other, 0, value + 1, figure_id=f"f{i}", stated_on=on))
    relations = [
        {"relation_id": f"r{n:02}", "kind": "restart", "figure_id": f"f{at}"}
        for n, at in enumerate(restarted)
    ]
    marks: dict[tuple[Any, Any], str] = {}
    for relation in relations:
        for f in figures:
            if f["figure_id"] == relation["figure_id"] and f["stated_on"] is not None:
                day = (f["claimant_id"], f["stated_on"])
                marks[day] = min(marks.get(day, relation["relation_id"]), relation["relation_id"])
    falls = [s for s in expected_steps(figures) if s[2][0] < s[4][0]]
    connection = duckdb.connect()
    load(connection, figures, relations)
    compiled = compile_duckdb(FALLS)
    compiled.setup(connection)
    # (A figure id stored twice is listed once per stored row: compared as sets.)
    failed = {r[0] for r in connection.execute(compiled.sql).fetchall()}
    assert failed == {s[2][1] for s in falls if (s[0], s[1]) not in marks}
    assert compiled.observations_sql is not None
    explained = {
        (r[0], r[2].split(":")[0])
        for r in connection.execute(compiled.observations_sql).fetchall()
        if r[2].startswith("explained by restart")
    }
    assert explained == {
        (s[2][1], f"explained by restart {marks[(s[0], s[1])]}")
        for s in falls
        if (s[0], s[1]) in marks
    }


corrections = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # the figure corrected: an earlier one, if any
        st.sampled_from([1, 5, 9]),
        st.booleans(),  # stored twice (a warehouse merged from two branches)
        st.sampled_from(["same quote", "other quote"]),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=25, deadline=None)
@given(corrections)
def test_falls_explained_by_correction_are_each_lowering_correction_row(
    rows: list[tuple[int, int, bool, str]],
) -> None:
    """Every stored row of a correction that lowers a figure it supersedes is listed once per
    stored row of that figure, with both rows' quotes — duplicated ids included (the
    corrections are found on narrow columns, their rows read back by id)."""
    figures = []
    for i, (target, value, twice, quote) in enumerate(rows):
        row = figure("ministry", i, value, figure_id=f"f{i}")
        if target < i:
            row["supersedes"] = f"f{target}"
        figures.append(row)
        if twice:
            figures.append(row | {"quote": f"{quote} of f{i}", "supersedes": row.get("supersedes")})
    connection = duckdb.connect()
    load(connection, figures)
    expected = sorted(
        (b["figure_id"], f"{a['quote']} ‖ {b['quote']}")
        for b in figures
        if b.get("supersedes")
        for a in figures
        if a["figure_id"] == b["supersedes"] and b["value_low"] < a["value_low"]
    )
    compiled = compile_duckdb(FALLS)
    compiled.setup(connection)
    assert compiled.observations_sql is not None
    explained = connection.execute(compiled.observations_sql).fetchall()
    got = sorted((r[0], r[3]) for r in explained if r[2].startswith("explained by correction"))
    assert got == expected


def test_a_day_counts_by_its_highest_statement() -> None:
    """A bulletin's 120 beside a narrative's "at least 90" on the same day is not a fall from
    the day before's 100; the next day's 110 falls from that day's 120, once."""
    figures = [
        figure("ministry", 0, 100),
        figure("ministry", 1, 120),
        figure("ministry", 1, 90, value_high=None, qualifier="at_least"),
        figure("ministry", 2, 110),
    ]
    flags = check(FALLS, figures)
    assert [(row[0], row[4]) for row in flags] == [("ministry-2-110", pytest.approx(10 / 120))]
    assert "ministry-1-120" in flags[0][2]


def test_claimant_gap_aligns_figures_in_time() -> None:
    figures = [
        figure("ministry", 0, 40),
        figure("monitor", 900, 600),  # two and a half years later: not compared by default
        figure("ministry", 900, 610),
        figure("flash-report", 901, 50),
        figure("verified-count", 901, 400),
    ]
    found = sorted(row[0] for row in check(GAPS, figures))
    assert found == ["verified-count-901-400 vs flash-report-901-50"]
    week = ClaimantGapRule(name="w", severity="warning", description="w", factor=2, window_days=7)
    # A week's window: the flash report also meets the ministry's and monitor's figures of the
    # day before, as of its date; the 40 of two years before still meets nobody.
    assert sorted(row[0] for row in check(week, figures)) == [
        "ministry-900-610 vs flash-report-901-50",
        "monitor-900-600 vs flash-report-901-50",
        "verified-count-901-400 vs flash-report-901-50",
    ]


gap_figures = st.lists(
    st.tuples(
        st.sampled_from(["ministry", "monitor", "flash-report", "ngo"]),
        st.integers(min_value=0, max_value=20),
        st.sampled_from([2, 5, 10, 10, 40, 100]),
        st.sampled_from([None, 0, 0, 5]),  # range width; None: an open upper bound
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda row: row[:3],
)


def expected_gaps(figures: list[dict[str, Any]], factor: float, window: int) -> set[str]:
    """The claimant gap by its definition, figure by figure: every other claimant's latest day
    as of the figure's date, no older than the window, by its lowest-topped and highest
    figures (the ordered choice of the day table)."""
    inf = float("inf")

    def bounds(f: dict[str, Any]) -> tuple[float, float]:
        hi = f["value_high"]
        return f["value_low"], inf if hi is None else hi

    flagged = set()
    for f in figures:
        lo, hi = bounds(f)
        for other in {g["claimant_id"] for g in figures} - {f["claimant_id"]}:
            days = [g["stated_on"] for g in figures if g["claimant_id"] == other]
            latest = max((d for d in days if d <= f["stated_on"]), default=None)
            if latest is None or (f["stated_on"] - latest).days > window:
                continue
            day = [g for g in figures if g["claimant_id"] == other and g["stated_on"] == latest]
            low = min(day, key=lambda g: (bounds(g)[1], g["figure_id"], bounds(g)[0]))
            high = max(day, key=lambda g: (bounds(g)[0], g["figure_id"], bounds(g)[1]))
            if lo > bounds(low)[1] and lo / bounds(low)[1] > factor:
                flagged.add(f"{f['figure_id']} vs {low['figure_id']}")
            if bounds(high)[0] > hi and bounds(high)[0] / hi > factor:
                flagged.add(f"{high['figure_id']} vs {f['figure_id']}")
    return flagged


@settings(max_examples=25, deadline=None)
@given(gap_figures, st.sampled_from([0, 1, 3, 7]))
def test_claimant_gap_meets_each_figure_with_each_claimants_latest_day(
    rows: list[tuple[str, int, int, int | None]], window: int
) -> None:
    """The date buckets find exactly the pairs the definition names, whatever the window."""
    figures = [
        figure(c, d, v) | {"value_high": None if w is None else v + w} for c, d, v, w in rows
    ]
    rule = ClaimantGapRule(
        name="g", severity="warning", description="g", factor=1.5, window_days=window
    )
    assert {row[0] for row in check(rule, figures)} == expected_gaps(figures, 1.5, window)


topic_figures = st.lists(
    st.tuples(
        st.sampled_from(["city", "town", None]),
        st.sampled_from(["killed", "killed", "injured"]),
        st.sampled_from(["ministry", "monitor", "ngo", None]),
        st.integers(min_value=0, max_value=6),
        st.sampled_from([2, 5, 40, 100]),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=25, deadline=None)
@given(topic_figures)
def test_claimant_gap_pairs_only_the_series_of_one_topic(
    rows: list[tuple[str | None, str, str | None, int, int]],
) -> None:
    """Pairs are met within a topic (subject and metric) of the rule's metrics only, between
    claimants both named: a topic of several keys of which one lacks a claimant, or of another
    metric, has none (the topics of several series are found from the keys, a superset)."""
    figures = [
        figure(c, d, v, figure_id=f"f{i}", subject_id=s, metric=m) | {"claimant_id": c}
        for i, (s, m, c, d, v) in enumerate(rows)
    ]
    rule = ClaimantGapRule(
        name="g",
        severity="warning",
        description="g",
        factor=1.5,
        metrics=("killed",),
        window_days=7,
    )
    expected: set[str] = set()
    for subject in {"city", "town"}:
        topic = [
            f
            for f in figures
            if f["subject_id"] == subject and f["metric"] == "killed" and f["claimant_id"]
        ]
        expected |= expected_gaps(topic, 1.5, rule.window_days)
    assert {row[0] for row in check(rule, figures)} == expected


def test_document_disagreement_compares_the_same_date_only() -> None:
    monthly = [figure("monitor", day, v) for day, v in ((0, 30), (31, 120), (59, 45))]
    assert check(SAME_DOCUMENT, monthly) == []
    same_day = [*monthly, figure("monitor", 31, 10, figure_id="narrative-10")]
    assert [row[0] for row in check(SAME_DOCUMENT, same_day)] == ["monitor-31-120 vs narrative-10"]


@pytest.mark.parametrize("seed", [1, 2])
def test_validate_json_is_byte_identical_whatever_the_append_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    """Two warehouses holding the same figures appended in different orders and batches give
    the same JSON report, timings and paths aside."""
    article = "Ministry 100, monitor 400, flash report 40, verified count 400, all on one day."
    reports = []
    for name, order in (("a", 0), ("b", seed)):
        warehouse = Warehouse.init(tmp_path / name)
        document = warehouse.add_document(article, language="en", published_on="2024-01-02")
        doc_id = document.ids["documents"][0]
        entities = [
            {"entity_id": e, "name": e, "kind": "monitor"}
            for e in ("ministry", "monitor", "flash-report", "verified-count")
        ]
        warehouse.append_rows(
            {"entities": entities, "subjects": [{"subject_id": "city", "description": "city"}]}
        )
        rows = [
            {
                **figure(c, 0, v, figure_id=None),
                "document_id": doc_id,
                "quote": q,
                "quote_start": None,
                "quote_end": None,
            }
            for c, v, q in (
                ("ministry", 100, "Ministry 100"),
                ("monitor", 400, "monitor 400"),
                ("flash-report", 40, "flash report 40"),
                ("verified-count", 400, "verified count 400"),
            )
        ]
        random.Random(order).shuffle(rows)
        for half in (rows[:2], rows[2:]):
            warehouse.append_rows({"figures": half})
        capsys.readouterr()
        main(
            [
                "--root",
                str(warehouse.root),
                "validate",
                "--format",
                "json",
                "--rule",
                "claimant-gap",
            ]
        )
        report = json.loads(capsys.readouterr().out)
        report["warehouse"] = None
        for rule in report["rules"]:
            rule["seconds"] = 0
        reports.append(json.dumps(report, ensure_ascii=False, indent=2))
    assert reports[0] == reports[1]
    # The default factor 1.5: each 400 vs the 100 and the 40, and the 100 vs the 40.
    assert reports[0].count('"record_id"') == 5
