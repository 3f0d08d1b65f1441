"""Consistency rules: loading from YAML, interval arithmetic in SQL, and each kind on real rows."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from provenance.core.errors import ConfigError
from provenance.core.intervals import Interval, deviation
from provenance.storage.warehouse import Warehouse
from provenance.validation.compile_duckdb import compile_duckdb, relation_measurements_sql
from provenance.validation.orchestrator import validate
from provenance.validation.rules import (
    RULE_KINDS,
    ClaimantGapRule,
    RelationRule,
    Rule,
    load_rules,
    parse_rules,
)
from tests.conftest import REPO, copy_bundled, figure

BUNDLED_RULE_NAMES = [
    "quote-number-reads-back",
    "weekday-matches-date",
    "relation-ratio",
    "relation-sum-exact",
    "relation-share",
    "relation-difference",
    "revision-lower-bound-falls",
    "revision-jump",
    "claimant-gap",
    "dates-in-order",
    "document-text-length",
    "subject-period-before-statement",
    "narrative-vs-structured",
]


def exact(figure_id: str, value: float, **overrides: Any) -> dict[str, Any]:
    """A bundled-article figure stating exactly ``value``."""
    return figure(figure_id, value_low=value, value_high=value, qualifier="exact", **overrides)


def project(tmp_path: Path) -> Warehouse:
    """The bundled warehouse and its rules (without GX suites, to stay fast) in tmp_path."""
    root = tmp_path / "project"
    copy_bundled(root, with_gx=False)
    return Warehouse(root)


def run_rule(
    warehouse: Warehouse, rule: Rule
) -> tuple[int, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """rows checked, failing rows and observations of one rule on the warehouse."""
    compiled = compile_duckdb(rule)
    with warehouse.connect() as connection:
        compiled.setup(connection)
        failures = connection.execute(compiled.sql).fetchall()
        observations = (
            connection.execute(compiled.observations_sql).fetchall()
            if compiled.observations_sql
            else []
        )
        checked = connection.execute(compiled.checked_sql).fetchone()
    return (checked[0] if checked else 0), failures, observations


def bundled_rule(name: str) -> Rule:
    return next(r for r in load_rules(REPO / "expectations" / "rules.yaml") if r.name == name)


# --- rules as files -----------------------------------------------------------------------


def test_bundled_rules_have_the_agreed_names() -> None:
    """Other engineers' tests refer to the bundled rule names: they must not drift."""
    assert [r.name for r in load_rules(REPO / "expectations" / "rules.yaml")] == BUNDLED_RULE_NAMES


def test_packaged_default_rules_load() -> None:
    """`provenance init` copies rules that load and cover every agreed rule."""
    names = {
        r.name for r in load_rules(REPO / "provenance" / "defaults" / "expectations" / "rules.yaml")
    }
    assert set(BUNDLED_RULE_NAMES) <= names


def test_every_kind_compiles_to_sql_that_runs(tmp_path: Path) -> None:
    """Each kind's compiler produces SQL DuckDB accepts on a real warehouse."""
    warehouse = project(tmp_path)
    examples: dict[str, dict[str, Any]] = {
        "relation": {"relation": "sum", "tolerance": 0.0},
        "revision_jump": {"factor": 3},
        "claimant_gap": {"factor": 1.5},
        "sql": {"sql": "SELECT figure_id AS record_id, 'x' AS message FROM figures WHERE false"},
    }
    for kind in RULE_KINDS:
        entry = {
            "name": f"k-{kind}",
            "kind": kind,
            "severity": "error",
            "description": "d",
            **examples.get(kind, {}),
        }
        (rule,) = parse_rules([entry], "test")
        run_rule(warehouse, rule)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"kind": "nonsense"}, "rule r: unknown kind 'nonsense'"),
        (
            {"kind": "relation", "relation": "ratio", "tolerance": 0.1, "tolerence": 1},
            "unknown parameter 'tolerence'",
        ),
        ({"kind": "relation", "tolerance": 0.1}, "kind relation needs parameter 'relation'"),
        (
            {"kind": "relation", "relation": "product", "tolerance": 0.1},
            "relation must be one of ratio, sum",
        ),
        (
            {"kind": "relation", "relation": "ratio", "tolerance": 15},
            "tolerance must be a fraction",
        ),
        ({"kind": "claimant_gap", "factor": "big"}, "factor must be a number"),
        ({"kind": "revision_falls", "metrics": ["deaths_cum"]}, "unknown value(s) deaths_cum"),
        (
            {"kind": "date_order", "severity": "fatal"},
            "severity 'fatal' must be one of error, warning",
        ),
        ({"kind": "date_order", "warn_above": -1}, "warn_above must be a whole number"),
    ],
)
def test_configuration_errors_name_file_and_rule(entry: dict[str, Any], expected: str) -> None:
    """A bad rule is one clear line naming the file and the rule, never a traceback."""
    base = {"name": "r", "severity": "error", "description": "d"}
    with pytest.raises(ConfigError) as caught:
        parse_rules({"rules": [{**base, **entry}]}, "rules.yaml")
    lines = [p.message for p in caught.value.problems]
    assert any(line.startswith("rules.yaml: rule r: ") and expected in line for line in lines), (
        lines
    )


def test_every_problem_reported_at_once() -> None:
    """Several broken rules give one line each, and a missing field is named."""
    with pytest.raises(ConfigError) as caught:
        parse_rules(
            [
                {"name": "a", "kind": "date_order", "severity": "error"},
                {"name": "a", "kind": "x"},
                "oops",
            ],
            "f.yaml",
        )
    lines = [p.message for p in caught.value.problems]
    assert "f.yaml: rule a: missing field 'description'" in lines
    assert any("unknown kind 'x'" in line for line in lines)
    assert any("rule #3: expected a mapping" in line for line in lines)


def test_malformed_yaml_is_a_config_error(tmp_path: Path) -> None:
    """Broken YAML names the file and the line, as a ConfigError."""
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - name: a\n    kind: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules.yaml: malformed YAML at line \d+"):
        load_rules(path)


def test_duplicate_rule_names_refused() -> None:
    """Two rules with one name would make --rule and the report ambiguous."""
    entry = {"name": "a", "kind": "date_order", "severity": "error", "description": "d"}
    with pytest.raises(ConfigError, match="used twice"):
        parse_rules([entry, entry], "f.yaml")


# --- interval arithmetic: provenance.core.intervals and the compiled SQL agree and are sound ----

counts = st.integers(min_value=0, max_value=10_000).map(float)
positive = st.integers(min_value=1, max_value=10_000).map(float)


@st.composite
def intervals(draw: st.DrawFn, low: st.SearchStrategy[float] = counts) -> Interval:
    lo = draw(low)
    width = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=5_000).map(float)))
    return Interval(lo, None if width is None else lo + width)


def point_in(draw: Any, interval: Interval) -> float:
    high = interval.hi if interval.high is not None else interval.lo + 100_000
    return draw(st.floats(min_value=interval.lo, max_value=high, allow_nan=False))


def measure_sql(
    kind: str, fig: Interval, refs: list[Interval], stated: Interval
) -> tuple[float, float, float]:
    """Evaluate the compiled relation SQL on a two-table in-memory database."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE figures (figure_id VARCHAR, value_low DOUBLE, value_high DOUBLE)"
    )
    connection.execute(
        "CREATE TABLE relations (relation_id VARCHAR, kind VARCHAR, figure_id VARCHAR, reference_ids VARCHAR[], "
        "quote VARCHAR, value_low DOUBLE, value_high DOUBLE)"
    )
    rows = [("f", fig.low, fig.high)] + [(f"r{i}", r.low, r.high) for i, r in enumerate(refs)]
    connection.executemany("INSERT INTO figures VALUES (?, ?, ?)", rows)
    connection.execute(
        "INSERT INTO relations VALUES ('x', ?, 'f', ?, 'q', ?, ?)",
        [kind, [f"r{i}" for i in range(len(refs))], stated.low, stated.high],
    )
    result = connection.execute(
        f"SELECT m_lo, m_hi, deviation FROM ({relation_measurements_sql(kind)})"
    ).fetchone()
    assert result is not None
    return result


def python_measure(kind: str, fig: Interval, refs: list[Interval]) -> Interval:
    total = refs[0]
    for r in refs[1:]:
        total = total + r
    if kind in ("ratio", "share"):
        return fig / total
    if kind == "difference":
        return fig - total
    return total


def close_inside(x: float, low: float, high: float) -> bool:
    eps = 1e-9 * max(1.0, abs(x))
    return low - eps <= x <= high + eps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(["ratio", "share", "sum", "difference"]))
def test_relation_interval_arithmetic_is_sound(data: st.DataObject, kind: str) -> None:
    """For operands inside their intervals, the true value lies in the measured interval (Python and SQL)."""
    fig = data.draw(intervals())
    refs = data.draw(st.lists(intervals(positive), min_size=1, max_size=3))
    x = point_in(data.draw, fig)
    ys = [point_in(data.draw, r) for r in refs]
    true = {"ratio": x / sum(ys), "share": x / sum(ys), "sum": sum(ys), "difference": x - sum(ys)}[
        kind
    ]
    expected = python_measure(kind, fig, refs)
    assert close_inside(true, expected.lo, expected.hi)
    m_lo, m_hi, _ = measure_sql(kind, fig, refs, Interval(1, 1))
    assert close_inside(true, m_lo, m_hi)
    assert math.isclose(m_lo, expected.lo, rel_tol=1e-12, abs_tol=1e-12)
    assert m_hi == expected.hi or math.isclose(m_hi, expected.hi, rel_tol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    kind=st.sampled_from(["ratio", "sum", "difference"]),
    tolerance=st.sampled_from([0.0, 0.05, 0.15, 0.5]),
)
def test_relation_passes_exactly_within_tolerance(
    data: st.DataObject, kind: str, tolerance: float
) -> None:
    """A relation off by more than its tolerance never passes; within tolerance it always passes."""
    fig = data.draw(intervals())
    refs = data.draw(st.lists(intervals(positive), min_size=1, max_size=2))
    stated = data.draw(intervals(positive))
    expected = deviation(python_measure(kind, fig, refs), stated)
    assume(abs(expected - tolerance) > 1e-9)  # a tie is decided by float rounding
    _, _, measured_deviation = measure_sql(kind, fig, refs, stated)
    assert measured_deviation == expected or math.isclose(
        measured_deviation, expected, rel_tol=1e-9
    )
    rule = RelationRule(
        name="r", severity="error", description="d", relation=kind, tolerance=tolerance
    )
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE figures (figure_id VARCHAR, value_low DOUBLE, value_high DOUBLE)"
    )
    connection.execute(
        "CREATE TABLE relations (relation_id VARCHAR, kind VARCHAR, figure_id VARCHAR, reference_ids VARCHAR[], "
        "quote VARCHAR, value_low DOUBLE, value_high DOUBLE)"
    )
    connection.executemany(
        "INSERT INTO figures VALUES (?, ?, ?)",
        [("f", fig.low, fig.high)] + [(f"r{i}", r.low, r.high) for i, r in enumerate(refs)],
    )
    connection.execute(
        "INSERT INTO relations VALUES ('x', ?, 'f', ?, 'q', ?, ?)",
        [kind, [f"r{i}" for i in range(len(refs))], stated.low, stated.high],
    )
    compiled = compile_duckdb(rule)
    compiled.setup(connection)
    failed = connection.execute(compiled.sql).fetchall()
    assert bool(failed) == (expected > tolerance)


# --- each kind on the bundled warehouse and deliberate breakage ----------------------------


def test_ratio_measurement_on_bundled(tmp_path: Path) -> None:
    """3100/352 ≥ 8.81 is 10.1 % above the stated 8, shown even though the rule passes."""
    checked, failures, observations = run_rule(project(tmp_path), bundled_rule("relation-ratio"))
    assert (checked, failures) == (1, [])
    (record_id, _, message, _, measured) = observations[0]
    assert record_id == "zakharova-airwars-eight-times-washington"
    assert message == "3100/352 ≥ 8.81, 10.1 % above the stated 8 (tolerance 15 %)"
    assert measured == pytest.approx(3100 / 352 / 8 - 1)


def test_claimant_gap_on_mosul(tmp_path: Path) -> None:
    """Local officials (> 240) vs the Pentagon (about 100) is a gap of 241/120 ≈ 2.0."""
    _, failures, _ = run_rule(project(tmp_path), bundled_rule("claimant-gap"))
    mosul = [f for f in failures if "mosul" in f[0]]
    assert len(mosul) == 1
    assert mosul[0][4] == pytest.approx(241 / 120)
    assert "factor 2.01 > 1.5" in mosul[0][2]
    rule = ClaimantGapRule(name="g", severity="warning", description="d", factor=2.5)
    _, failures, _ = run_rule(project(tmp_path / "b"), rule)
    assert all("mosul" not in f[0] for f in failures)


def test_weekdays_of_bundled_article_agree(tmp_path: Path) -> None:
    """ "ce dimanche 28 mai" and "le jeudi 25 mai" 2017 are both right."""
    checked, failures, observations = run_rule(
        project(tmp_path), bundled_rule("weekday-matches-date")
    )
    assert (checked, failures) == (2, [])
    assert {o[3] for o in observations} == {"ce dimanche 28 mai", "le jeudi 25 mai"}


def test_weekday_mismatches_in_french_and_english(tmp_path: Path) -> None:
    """A wrong weekday is reported with the date's true weekday; a yearless date takes the year nearest publication."""
    warehouse = project(tmp_path)
    fr = warehouse.add_document(
        "Le mardi 26 octobre, puis le vendredi 30 décembre.",
        language="fr",
        published_on=date(2017, 1, 5),
    ).ids["documents"][0]
    en = warehouse.add_document(
        "On Thursday, May 25 and on Friday 25 May.", language="en", published_on=date(2017, 5, 28)
    ).ids["documents"][0]
    _, failures, _ = run_rule(warehouse, bundled_rule("weekday-matches-date"))
    by_quote = {f[3]: (f[0], f[2]) for f in failures}
    assert set(by_quote) == {
        "Le mardi 26 octobre",
        "Friday 25 May",
    }  # 30 December 2016 was a Friday
    # Published 5 January 2017: 26 October is nearest as 26 October 2016, a Wednesday.
    assert by_quote["Le mardi 26 octobre"] == (
        fr,
        "«Le mardi 26 octobre» resolves to 2016-10-26, which is a mercredi, not a mardi",
    )
    assert by_quote["Friday 25 May"] == (
        en,
        "«Friday 25 May» resolves to 2017-05-25, which is a thursday, not a friday",
    )


def test_quote_number_reads_back(tmp_path: Path) -> None:
    """A figure whose interval contradicts its quote is reported; the bundled ones read back."""
    warehouse = project(tmp_path)
    assert run_rule(warehouse, bundled_rule("quote-number-reads-back"))[1] == []
    warehouse.append_rows({"figures": [exact("wrong-bounds", 100)]})
    _, failures, _ = run_rule(warehouse, bundled_rule("quote-number-reads-back"))
    assert [(f[0], f[2]) for f in failures] == [
        ("wrong-bounds", "«une centaine» reads as approximately 80–120, stored as exact 100")
    ]


def test_revision_that_falls_without_supersedes(tmp_path: Path) -> None:
    """A lower toll stated later is an error unless the new figure supersedes the old."""
    warehouse = project(tmp_path)
    warehouse.append_rows(
        {
            "figures": [
                exact("pentagon-later-50", 50, stated_on="2017-06-10"),
                exact(
                    "pentagon-correction-40",
                    40,
                    stated_on="2017-06-12",
                    supersedes="pentagon-later-50",
                ),
            ]
        }
    )
    _, failures, _ = run_rule(warehouse, bundled_rule("revision-lower-bound-falls"))
    # The 50 falls from the Pentagon's 80; once corrected, the 40 supersedes it and is compared with 80.
    assert [f[0] for f in failures] == ["pentagon-correction-40"]
    assert failures[0][4] == pytest.approx(0.5)


def test_revision_jump_reports_factor(tmp_path: Path) -> None:
    """A revision by more than the declared factor is reported with that factor."""
    warehouse = project(tmp_path)
    warehouse.append_rows({"figures": [exact("pentagon-later-400", 400, stated_on="2017-06-10")]})
    _, failures, _ = run_rule(warehouse, bundled_rule("revision-jump"))
    assert [(f[0], f[4]) for f in failures] == [("pentagon-later-400", 5.0)]
    assert "revision_history('mosul-residential-strike', 'civilians_killed')" in failures[0][2]


def test_document_disagreement_lists_both_quotes(tmp_path: Path) -> None:
    """A figure above the rest of its claimant's figures in one document is reported with both quotes."""
    warehouse = project(tmp_path)
    warehouse.append_rows(
        {
            "figures": [
                exact(
                    "pentagon-200",
                    200,
                    stated_on="2017-05-25",  # the day of the Pentagon's other figures
                    value_text=None,
                    quote="le bilan des victimes s’élève à plus de 240 personnes",
                )
            ]
        }
    )
    _, failures, _ = run_rule(warehouse, bundled_rule("narrative-vs-structured"))
    records = sorted(f[0] for f in failures)
    # Each disagreeing figure once, against the group's lowest-topped figure (one of the two 100s).
    assert (
        len(records) == 1
        and records[0].startswith("pentagon-200 vs ")
        and records[0].endswith("-pentagon-mosul-100")
    )
    assert all(" ‖ " in f[3] for f in failures)
    assert all("80–120 vs 200" in f[2] or "200 vs 80–120" in f[2] for f in failures)


def test_dates_out_of_order_and_subject_period(tmp_path: Path) -> None:
    """A statement after its document's publication, or before its subject began, is reported."""
    warehouse = project(tmp_path)
    warehouse.append_rows(
        {
            "subjects": [
                {"subject_id": "later-strike", "description": "d", "period_start": "2017-06-01"}
            ],
            "figures": [
                figure("from-the-future", stated_on="2017-06-02", subject_id="later-strike")
            ],
        }
    )
    _, dates, _ = run_rule(warehouse, bundled_rule("dates-in-order"))
    assert [(f[0], f[4]) for f in dates] == [("from-the-future", 5.0)]
    warehouse.append_rows({"figures": [figure("too-early", subject_id="later-strike")]})
    _, periods, _ = run_rule(warehouse, bundled_rule("subject-period-before-statement"))
    assert [f[0] for f in periods] == ["too-early"]


def test_sql_rule_with_optional_columns(tmp_path: Path) -> None:
    """A user SQL rule needs only record_id and message; validate fills the rest."""
    warehouse = project(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: no-pentagon\n    kind: sql\n    severity: warning\n    description: d\n"
        "    sql: SELECT figure_id AS record_id, 'pentagon' AS message FROM figures WHERE claimant_id = 'us-pentagon'\n"
        "    checked_sql: SELECT count(*) FROM figures\n",
        encoding="utf-8",
    )
    (result,) = validate(warehouse, rules_file=rules, only=["no-pentagon"]).results
    assert (result.rows_checked, result.status) == (7, "warn")
    assert [f.record_id for f in result.failures] == [
        "article-pentagon-mosul-100",
        "zakharova-pentagon-mosul-100",
    ]


@pytest.mark.parametrize(
    "ending",
    [";", "; -- only Pentagon figures", ";;\n-- reviewed 2026-11\n", " /* why */ ;", ""],
)
def test_sql_rule_may_end_with_semicolons_and_comments(tmp_path: Path, ending: str) -> None:
    """A query pasted from a SQL console keeps its semicolon and comment; ';' in a string is data
    (and the tokenizer counts bytes: the accented text before it must not shift the cut)."""
    warehouse = project(tmp_path)
    rules = tmp_path / "rules.yaml"
    sql = (
        "SELECT figure_id AS record_id, 'pentagone ≥ 100 ;--' AS message FROM figures "
        f"WHERE claimant_id = 'us-pentagon'{ending}"
    )
    document = {
        "rules": [
            {
                "name": "no-pentagon",
                "kind": "sql",
                "severity": "warning",
                "description": "d",
                "sql": sql,
                "checked_sql": f"SELECT count(*) FROM figures{ending}",
            }
        ]
    }
    rules.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    (result,) = validate(warehouse, rules_file=rules, only=["no-pentagon"]).results
    assert result.rows_checked == 7
    assert [(f.record_id, f.message) for f in result.failures] == [
        ("article-pentagon-mosul-100", "pentagone ≥ 100 ;--"),
        ("zakharova-pentagon-mosul-100", "pentagone ≥ 100 ;--"),
    ]


def test_sql_rule_errors_are_config_errors(tmp_path: Path) -> None:
    """Broken user SQL, or SQL without record_id and message, is a configuration error naming the rule."""
    warehouse = project(tmp_path)
    rules = tmp_path / "rules.yaml"
    for sql, expected in (
        ("SELECT * FROM nowhere", "nowhere"),
        ("SELECT 1 AS x", "must return columns record_id, message"),
    ):
        rules.write_text(
            f"rules:\n  - name: bad\n    kind: sql\n    severity: error\n    description: d\n    sql: {sql}\n",
            encoding="utf-8",
        )
        with pytest.raises(ConfigError, match=f"rule bad: .*{expected}"):
            validate(warehouse, rules_file=rules)
