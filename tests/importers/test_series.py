"""`import series`: a release archived as the document, each figure quoting its row; later
releases add only what changed; the revision rules on the result (fixtures and real JHU data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from provenance.core.errors import ConfigError
from provenance.importers.series import SeriesOptions, import_series, slug
from provenance.storage.documents import NewDocument, add_document
from provenance.storage.warehouse import Warehouse
from provenance.validation.orchestrator import validate
from provenance.validation.report import RuleResult
from tests.conftest import REPO, SHARED, tree_digest

FIXTURES = REPO / "tests" / "fixtures" / "series"
RELEASE_1 = FIXTURES / "ministry-release-1.csv"
RELEASE_2 = FIXTURES / "ministry-release-2.csv"
ESTIMATES = FIXTURES / "estimates.csv"
JHU = SHARED / "data" / "revisions" / "jhu-covid-deaths-dev.csv"
SERIES = "eastern-governorate"
MINISTRY = "ministry-of-public-health"

RULES = """
rules:
  - {name: falls, kind: revision_falls, severity: error, description: cumulative tolls do not fall}
  - {name: jumps, kind: revision_jump, factor: 2, severity: warning, description: rises above 2x}
  - {name: gaps, kind: claimant_gap, factor: 2, severity: warning, description: same-day gaps}
"""


def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "series-rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def rows_of(warehouse: Warehouse, sql: str) -> list[tuple[object, ...]]:
    return warehouse.query(sql)[1]


def results(warehouse: Warehouse, rules: Path) -> dict[str, RuleResult]:
    report = validate(warehouse, rules_file=rules, only=["falls", "jumps", "gaps"])
    return {r.name: r for r in report.results}


def test_each_figure_quotes_its_row_as_written(empty: Warehouse) -> None:
    report = import_series(empty, [RELEASE_1], SeriesOptions())
    assert (report.rows, report.new, report.corrected) == (9, 8, 0)
    assert report.skipped == [f"{RELEASE_1} line 10: no count in column 'value' ('unknown')"]
    lines = RELEASE_1.read_text(encoding="utf-8").splitlines()
    quotes = rows_of(
        empty,
        "SELECT f.quote, substring(d.text, f.quote_start + 1, f.quote_end - f.quote_start), "
        "f.value_text, f.stated_on::VARCHAR FROM figures f JOIN documents d USING (document_id) "
        "ORDER BY f.stated_on",
    )
    assert [q[0] for q in quotes] == lines[1:9]
    assert all(q[0] == q[1] for q in quotes)
    assert quotes[2][2:] == ("402", "2024-02-03")
    published = rows_of(empty, "SELECT published_on::VARCHAR, title FROM documents")
    assert published == [("2024-03-03", "ministry-release-1.csv")]  # the latest date stated


def test_reimporting_the_same_release_changes_nothing(empty: Warehouse) -> None:
    import_series(empty, [RELEASE_1], SeriesOptions())
    before = tree_digest(empty.data_dir)
    again = import_series(empty, [RELEASE_1], SeriesOptions())
    assert (again.new, again.corrected, again.unchanged, again.batch_id) == (0, 0, 8, None)
    assert tree_digest(empty.data_dir) == before


def test_a_later_release_adds_new_dates_and_supersedes_changed_values(empty: Warehouse) -> None:
    import_series(empty, [RELEASE_1], SeriesOptions())
    report = import_series(empty, [RELEASE_2], SeriesOptions())
    assert (report.new, report.corrected, report.unchanged, report.documents) == (1, 1, 7, 1)
    rows = rows_of(
        empty,
        "SELECT c.stated_on::VARCHAR, c.value_low, o.value_low, c.note FROM figures c "
        "JOIN figures o ON o.figure_id = c.supersedes",
    )
    assert rows == [("2024-02-03", 396.0, 402.0, "corrected: 6 deaths counted twice")]
    current = rows_of(
        empty, "SELECT value_low FROM current_figures WHERE metric = 'killed' ORDER BY stated_on"
    )
    assert [v[0] for v in current] == [310, 355, 396, 398, 441, 12, 40, 95, 130]


def test_restart_and_correction_are_listed_as_explained(tmp_path: Path, empty: Warehouse) -> None:
    rules = rules_file(tmp_path)
    import_series(empty, [RELEASE_1], SeriesOptions())
    falls = results(empty, rules)["falls"]
    # 402 → 398 and 441 → 12: both flagged, each naming both figures and quoting both rows.
    assert sorted(f.message.split(": ", 1)[1].split(" (")[0] for f in falls.failures) == [
        "402",
        "441",
    ]
    assert all(f.quote and f.quote.count("Ministry of Public Health") == 2 for f in falls.failures)
    restart_day = next(f for f in falls.failures if "2024-03-01" in f.message)

    # Release 2 corrects 402 to 396; the ministry's statement records the restart.
    import_series(empty, [RELEASE_2], SeriesOptions())
    statement = FIXTURES / "restart-statement.txt"
    added = add_document(
        empty,
        [
            NewDocument(
                str(statement), statement.read_text(encoding="utf-8"), _english("2024-03-01")
            )
        ],
    )
    empty.append_rows(
        {
            "relations": [
                {
                    "kind": "restart",
                    "figure_id": restart_day.record_id,
                    "reference_ids": [restart_day.message.split("(")[1].split(",")[0]],
                    "document_id": added.ids[0][1],
                    "claimant_id": MINISTRY,
                    "stated_on": "2024-03-01",
                    "value_low": 0,
                    "value_high": 0,
                    "qualifier": "exact",
                    "quote": "the ministry starts a new count of those killed",
                }
            ]
        }
    )
    falls = results(empty, rules)["falls"]
    assert falls.failures == [] and falls.status == "pass"
    explained = sorted(o.message.split(":")[0] for o in falls.observations)
    assert explained[0] == "explained by correction"
    assert explained[1].startswith("explained by restart r-")
    assert all(o.quote and " ‖ " in o.quote for o in falls.observations)


def test_jumps_are_rises_only_and_gaps_compare_the_same_day(
    tmp_path: Path, empty: Warehouse
) -> None:
    import_series(empty, [RELEASE_1, ESTIMATES], SeriesOptions())
    found = results(empty, rules_file(tmp_path))
    jumps = found["jumps"].failures
    # 12 → 40 → 95 after the restart, and the monitor's 1 210 → 5 100; never 441 → 12.
    assert sorted(round(j.measured or 0, 2) for j in jumps) == [2.38, 3.33, 4.21]
    assert not {j.record_id for j in jumps} & {f.record_id for f in found["falls"].failures}
    gaps = sorted(g.message.split(": ", 1)[1] for g in found["gaps"].failures)
    # The monitor's 1 210 against the ministry's 402 on 3 February, and the flash report's 50
    # against the 398 and the 400 of 4 February; never the UN's 40 of November or the
    # monitor's 5 100 of June against anyone.
    assert [g.split(" (")[0] for g in gaps] == [
        "ministry-of-public-health 398",
        "regional-monitor 1210",
        "verified-incident-count 400",
    ]
    assert all("factor" in g and "civil-defence-flash-report 50" in g for g in gaps[::2])
    assert all(g.quote and g.quote.count(" ‖ ") == 1 for g in found["gaps"].failures)


def test_a_metric_outside_the_vocabulary_is_a_usage_error(tmp_path: Path, empty: Warehouse) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("date,value,claimant,subject,metric\n2024-01-01,3,A,B,deaths_cum\n")
    with pytest.raises(ConfigError, match="--metric-map deaths_cum=NAME"):
        import_series(empty, [path], SeriesOptions())
    report = import_series(empty, [path], SeriesOptions(metric_map={"deaths_cum": "deaths"}))
    assert report.new == 1


def test_a_metric_map_given_a_file_name_says_what_it_expects(
    tmp_path: Path, empty: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tried on the JHU series: its help said FILE_NAME=METRIC, read as the file's name. The
    map takes the metric as the files name it; the one line says so, with an example."""
    from provenance.cli import main

    path = tmp_path / "cases.csv"
    path.write_text("date,value,claimant,subject,metric\n2024-01-01,3,A,B,deaths_cum\n")
    before = tree_digest(empty.data_dir)
    argv = ["--root", str(empty.root), "import", "series", str(path), "--metric-map", "cases.csv"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "config-error: --metric-map 'cases.csv': expected NAME=METRIC, the metric as the files "
        "name it and the vocabulary's (deaths_cum=deaths)"
    )
    assert tree_digest(empty.data_dir) == before


def test_json_lines_releases_quote_each_line(tmp_path: Path, empty: Warehouse) -> None:
    release = tmp_path / "tolls.jsonl"
    release.write_text(
        '{"date": "2024-05-01", "value": 17, "claimant": "Civil Defence", "subject": "Port", "metric": "killed"}\n'
        "not json\n"
        '{"date": "2024-05-02", "value": 21, "claimant": "Civil Defence", "subject": "Port", "metric": "killed"}\n',
        encoding="utf-8",
    )
    report = import_series(empty, [release], SeriesOptions())
    assert (report.new, report.skipped) == (2, [f"{release} line 2: not a JSON object"])
    quotes = rows_of(empty, "SELECT quote, value_text FROM figures ORDER BY stated_on")
    lines = release.read_text(encoding="utf-8").splitlines()
    assert quotes == [(lines[0], "17"), (lines[2], "21")]


def test_slug() -> None:
    assert slug("Australia/New South Wales") == "australia-new-south-wales"
    assert slug("Curaçao") == "curacao"


@pytest.mark.skipif(not JHU.is_file(), reason="../shared/data/revisions is not here")
def test_real_jhu_series_falls_and_jumps(tmp_path: Path) -> None:
    """The dev release as its README says: the file archived, each row a figure. 51 real
    decreases are falls, the 8 rises above 2x are jumps, and no fall is a jump."""
    warehouse = Warehouse.init(tmp_path / "jhu")
    release = tmp_path / JHU.name
    shutil.copy(JHU, release)
    options = SeriesOptions(metric="deaths", subject_prefix="covid19-")
    report = import_series(warehouse, [release], options)
    assert (report.new, report.skipped) == (13567, [])
    found = results(warehouse, rules_file(tmp_path))
    falls, jumps = found["falls"].failures, found["jumps"].failures
    assert (len(falls), len(jumps)) == (51, 8)
    assert not {f.record_id for f in falls} & {j.record_id for j in jumps}
    assert all(f.quote and f.quote.count("JHU CSSE") == 2 for f in falls + jumps)
    before = tree_digest(warehouse.data_dir)
    assert import_series(warehouse, [release], options).batch_id is None
    assert tree_digest(warehouse.data_dir) == before


def _english(published: str) -> dict[str, str]:
    return {"language": "en", "published_on": published}
