"""Report renderings: golden text, JSON, JUnit XML and Markdown of the bundled warehouse.

Regenerate the golden files after an intended change with
``PROVENANCE_REGENERATE_GOLDENS=1 pytest tests/test_report.py`` and review the diff.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.text import plural
from provenance.storage.warehouse import Warehouse
from provenance.validation import failure_rows
from provenance.validation.failure_rows import RowsFolder, SpilledFailures, fetch_failures
from provenance.validation.orchestrator import validate
from provenance.validation.report import (
    SUMMARY_ROWS_PER_CHECK,
    Failure,
    Report,
    RuleResult,
    format_measure,
)
from tests.conftest import copy_bundled

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REGENERATE = os.environ.get("PROVENANCE_REGENERATE_GOLDENS") == "1"


@pytest.fixture(scope="module")
def bundled_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of the bundled warehouse with its rules (GX suites aside: another layer)."""
    root = tmp_path_factory.mktemp("golden") / "project"
    copy_bundled(root, with_gx=False)
    return validate(Warehouse(root))


def normalise(format: str, text: str) -> str:
    """Take out what differs between runs and machines: timings and absolute paths."""
    if format == "json":
        data = json.loads(text)
        data["warehouse"] = "<warehouse>"
        for rule in data["rules"]:
            rule["seconds"] = 0.0
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if format == "junit":
        return re.sub(r'time="[0-9.]+"', 'time="0.000"', text)
    return text


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGENERATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not REGENERATE:
            pytest.fail(f"wrote missing golden file {path}; review it and run again")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed; regenerate with PROVENANCE_REGENERATE_GOLDENS=1"
    )


@pytest.mark.parametrize(
    ("format", "golden"),
    [
        ("text", "bundled.txt"),
        ("json", "bundled.json"),
        ("junit", "bundled.junit.xml"),
        ("markdown", "bundled.md"),
    ],
)
def test_golden_reports(bundled_report: Report, format: str, golden: str) -> None:
    """Each report format of the bundled warehouse stays exactly as reviewed."""
    check_golden(golden, normalise(format, bundled_report.render(format)))


def test_text_report_shows_ratio_and_mosul_gap(bundled_report: Report) -> None:
    """The seed's measurements appear even though the run passes: 8.81 / 10.1 % and Mosul's factor."""
    text = bundled_report.render_text()
    assert (
        "measured relation-ratio: zakharova-airwars-eight-times-washington: "
        "3100/352 ≥ 8.81, 10.1 % above the stated 8 (tolerance 15 %)"
    ) in text
    assert (
        "WARNING claimant-gap: figures article-local-mosul-240 vs article-pentagon-mosul-100"
        in text
    )
    assert "factor 2.01 > 1.5" in text
    assert text.splitlines()[0].split() == [
        "rule",
        "severity",
        "rows",
        "checked",
        "failures",
        "worst",
        "deviation",
        "status",
    ]
    assert bundled_report.exit_code() == 0


def test_junit_is_one_testcase_per_rule(bundled_report: Report) -> None:
    """CI systems see each rule as a testcase; warnings pass with their rows in system-out."""
    root = ET.fromstring(bundled_report.render_junit())
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [r.name for r in bundled_report.results]
    gap = next(c for c in cases if c.get("name") == "claimant-gap")
    assert gap.find("failure") is None
    assert "factor 2.01" in (gap.findtext("system-out") or "")
    assert root.get("failures") == "0"


def small_report(
    status_severity: str = "error", failures: int = 1, fail_above: int | None = None
) -> Report:
    rows = [
        Failure("r", f"id-{i}", "broken | badly", table="figures", quote="q", measured=float(i))
        for i in range(failures)
    ]
    return Report(
        [RuleResult("r", "sql", status_severity, "d", 10, rows, fail_above=fail_above)],
        warehouse="/w",
    )


def test_failing_rule_renders_failure_everywhere() -> None:
    """An error-level failure exits 1 and appears in text, JUnit <failure> and Markdown."""
    report = small_report()
    assert report.exit_code() == 1
    assert "ERROR r: figures id-0: broken | badly — « q »" in report.render_text()
    failure = ET.fromstring(report.render_junit()).find("./testsuite/testcase/failure")
    assert failure is not None and "id-0" in (failure.text or "")
    assert "broken \\| badly" in report.render_markdown()  # a pipe must not break the table
    assert json.loads(report.render_json())["counts"]["error_rows"] == 1


def test_thresholds_tolerate_failures() -> None:
    """fail_above tolerates that many failing rows; the rows are still listed."""
    report = small_report(failures=2, fail_above=2)
    assert report.exit_code() == 0
    assert "(tolerated: 2 ≤ threshold)" in report.render_text()


def test_markdown_caps_long_failure_lists() -> None:
    """A PR comment stays small: rows beyond the cap are counted, not listed."""
    markdown = small_report(failures=100).render_markdown()
    assert "… and 70 more" in markdown


def test_summary_beside_a_written_report_caps_rows_per_check() -> None:
    """The stdout summary beside a report file lists a check's first rows and counts the rest;
    the text report itself keeps every row."""
    report = small_report(failures=SUMMARY_ROWS_PER_CHECK + 5)
    summary = report.render_summary().splitlines()
    assert sum(line.startswith("ERROR r: ") for line in summary) == SUMMARY_ROWS_PER_CHECK
    assert "… r: 5 more rows in the written report" in summary
    assert summary[-1] == report.verdict()
    assert sum(line.startswith("ERROR r: ") for line in report.render_text().splitlines()) == (
        SUMMARY_ROWS_PER_CHECK + 5
    )
    assert small_report(failures=3).render_summary() == small_report(failures=3).render_text()


def test_validate_with_output_prints_a_capped_summary(tmp_path: Path) -> None:
    """`validate --format json --output F`: every row in F, a readable summary on stdout."""
    from typer.testing import CliRunner

    from provenance.cli.app import app

    root = copy_bundled(tmp_path)
    figures = ",".join(f"stray-{i}" for i in range(SUMMARY_ROWS_PER_CHECK + 3))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: strays\n    kind: sql\n    severity: error\n"
        "    description: one row per stray\n"
        f"    sql: SELECT unnest(string_split('{figures}', ',')) AS record_id, 'stray' AS message\n"
        "    checked_sql: SELECT 1\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        [
            *("validate", "--root", str(root), "--rules", str(rules), "--rule", "strays"),
            *("--format", "json", "--output", str(out)),
        ],
    )
    assert result.exit_code == 1, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["counts"]["error_rows"] == SUMMARY_ROWS_PER_CHECK + 3
    assert result.stdout.count("ERROR strays: ") == SUMMARY_ROWS_PER_CHECK
    assert "… strays: 3 more rows in the written report" in result.stdout


def test_infinite_factor_is_valid_json() -> None:
    """A gap against a zero upper bound is infinite; JSON must still parse."""
    report = Report(
        [
            RuleResult(
                "g",
                "claimant_gap",
                "warning",
                "d",
                1,
                [Failure("g", "a", "m", measured=float("inf"))],
            )
        ]
    )
    assert json.loads(report.render_json())["rules"][0]["worst"] == "inf"
    assert format_measure(float("inf")) == "∞"


def test_passing_expectations_fold_into_one_row_per_suite() -> None:
    """The text summary folds passing GX expectations per suite but lists a failing one."""
    from provenance.validation.report import Failure, Report, RuleResult

    def expectation(name: str, failures: list[Failure]) -> RuleResult:
        return RuleResult(name, "expectation", "error", "", 5, failures)

    report = Report(
        [
            expectation("gx-figures-expect_column_values_to_not_be_null-quote", []),
            expectation("gx-figures-expect_column_values_to_be_unique-figure_id", []),
            expectation(
                "gx-figures-expect_column_values_to_be_in_set-metric", [Failure("m", "f-1", "bad")]
            ),
        ]
    )
    text = report.render_text()
    assert "gx-figures (2 expectations)" in text
    assert "gx-figures-expect_column_values_to_be_in_set-metric" in text
    assert "expect_column_values_to_not_be_null-quote" not in text


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
failures = st.builds(
    Failure,
    rule=st.just("r"),
    record_id=texts,
    message=texts,
    table=st.none() | texts,
    quote=st.none() | texts,
    measured=st.none() | st.floats(allow_nan=False) | st.just(math.inf),
)
results = st.builds(
    RuleResult,
    name=texts,
    kind=st.sampled_from(("builtin", "sql", "expectation")),
    severity=st.sampled_from(("error", "warning")),
    description=texts,
    rows_checked=st.integers(0, 10**9),
    failures=st.lists(failures, max_size=3),
    seconds=st.floats(0, 100),
    warn_above=st.none() | st.integers(0, 3),
    fail_above=st.none() | st.integers(0, 3),
    observations=st.lists(failures, max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(results, max_size=4), st.none() | texts)
def test_streamed_json_is_the_json_document(rules: list[RuleResult], warehouse: str | None) -> None:
    """Written a failure at a time, the JSON is byte for byte json.dumps of the whole report."""
    report = Report(rules, warehouse=warehouse, rules_file="rules.yaml")
    whole = json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    streamed = io.StringIO()
    report.write("json", streamed)
    assert streamed.getvalue() == whole == report.render_json()


def test_bundled_json_streams_the_same_bytes(bundled_report: Report) -> None:
    whole = json.dumps(bundled_report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert bundled_report.render_json() == whole
    for format in ("text", "junit", "markdown"):
        out = io.StringIO()
        bundled_report.write(format, out)
        assert out.getvalue() == bundled_report.render(format)


def junit_by_element_tree(report: Report) -> str:
    """The JUnit XML as ElementTree builds and indents it: what the streamed writer must equal."""
    c = report.counts()
    total = f"{sum(r.seconds for r in report.results):.3f}"
    suites = ET.Element(
        "testsuites",
        name="provenance validate",
        tests=str(c["rules"]),
        failures=str(c["failed"]),
        time=total,
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="provenance",
        tests=str(c["rules"]),
        failures=str(c["failed"]),
        errors="0",
        skipped="0",
        time=total,
    )
    for r in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"provenance.{r.kind}",
            name=r.name,
            time=f"{r.seconds:.3f}",
        )
        lines = [f.line(r.severity) for f in r.failures]
        if r.status == "fail":
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{plural(r.failure_count, 'failing row')}: {r.description}",
                type=r.severity,
            )
            failure.text = "\n".join(lines)
        out = [f"measured: {o.record_id}: {o.message}" for o in r.observations]
        if r.status != "fail":
            out += lines
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(results, max_size=4))
def test_streamed_junit_is_what_element_tree_writes(rules: list[RuleResult]) -> None:
    report = Report(rules, warehouse="w", rules_file="rules.yaml")
    assert report.render_junit() == junit_by_element_tree(report)


MANY_ROWS_SQL = """
select case when i % 7 = 0 then null else 'figures' end as table_name,
       'f-' || lpad(cast((i * 7919) % 25000 as varchar), 6, '0') as record_id,
       'value ' || (i % 97) || case when i % 3 = 0 then ' é < & > "' else '' end as message,
       case when i % 5 = 0 then null else repeat('« au moins ' || i || ' morts » ', 1 + i % 40) end as quote,
       case when i % 11 = 0 then null when i % 13 = 0 then 'inf'::double
            else (i % 1000) / 7.0 end as measured
from range(12000) t(i)
"""


def many_rows_report(folder: RowsFolder | None) -> Report:
    """A failing, a warning and a tolerated check of 12 000 rows each, held or spilled."""
    with duckdb.connect() as connection:
        rows = fetch_failures(connection, "many", MANY_ROWS_SQL, folder, in_memory=1000)
    kinds = (("error", None), ("warning", None), ("error", 10**6))
    return Report(
        [
            RuleResult(
                f"many-{severity}-{n}",
                "sql",
                severity,
                "a check flagging many rows",
                rows_checked=10**6,
                failures=rows,
                fail_above=fail_above,
                observations=[Failure("many", "m-1", "measured 3", measured=-3.5)],
            )
            for n, (severity, fail_above) in enumerate(kinds)
        ],
        warehouse="w",
    )


def test_spilled_rows_render_every_format_as_rows_held_in_memory() -> None:
    """12 000 rows a check, read back from their file as each format is written, give the same
    bytes as the same rows held in memory; the summary beside a written report too."""
    held, spilled = many_rows_report(None), many_rows_report(RowsFolder())
    assert isinstance(spilled.results[0].failures, SpilledFailures)
    assert isinstance(held.results[0].failures, list)
    for format in ("text", "json", "junit", "markdown"):
        streamed = io.StringIO()
        spilled.write(format, streamed)
        assert streamed.getvalue() == held.render(format), format
    assert spilled.render_summary() == held.render_summary()
    assert [r.status for r in spilled.results] == ["fail", "warn", "pass"]
    assert spilled.results[0].worst == math.inf and spilled.counts()["error_rows"] == 12_000


def test_golden_reports_with_every_row_spilled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every failing row spilled to a file, the bundled reports are still the golden ones."""
    monkeypatch.setattr(failure_rows, "IN_MEMORY_ROWS", 0)
    copy_bundled(tmp_path / "project", with_gx=False)
    report = validate(Warehouse(tmp_path / "project"))
    assert any(isinstance(r.failures, SpilledFailures) for r in report.results)
    for format, golden in (
        ("text", "bundled.txt"),
        ("json", "bundled.json"),
        ("junit", "bundled.junit.xml"),
        ("markdown", "bundled.md"),
    ):
        expected = (GOLDEN / golden).read_text(encoding="utf-8")
        assert normalise(format, report.render(format)) == expected, format
