"""`provenance import airwars`: toll cells, anchored quotes, skipped cells, idempotence."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.importers import airwars
from provenance.importers.airwars import import_airwars
from provenance.validation.orchestrator import validate
from tests.conftest import REPO, SHARED

MINI = REPO / "tests" / "fixtures" / "airwars-mini.csv"
DEV = SHARED / "data" / "airwars" / "incidents-dev.csv"
KILLED = "Civilians reported killed"
INJURED = "Civilians reported injured"


def figures(warehouse: Warehouse, where: str = "true") -> list[dict[str, Any]]:
    columns, rows = warehouse.query(
        "SELECT f.*, d.text FROM figures f JOIN documents d USING (document_id) "
        f"WHERE {where} ORDER BY subject_id, metric, quote_start"
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def count(warehouse: Warehouse, table: str) -> int:
    return int(warehouse.query(f"SELECT count(*) FROM {table}")[1][0][0])


# --- the mini fixture ------------------------------------------------------------------------


def test_mini_fixture_imports_structured_tolls(empty: Warehouse) -> None:
    """Rows give documents and subjects, stated tolls anchored figures, other cells report lines."""
    report = import_airwars(empty, MINI, extract_narratives=False)
    assert (report.rows, report.rows_imported, report.documents, report.subjects) == (5, 5, 5, 5)
    assert (report.structured_figures, report.narrative_figures, report.anchored_quotes) == (
        4,
        0,
        4,
    )
    assert (count(empty, "documents"), count(empty, "subjects"), count(empty, "figures")) == (
        5,
        5,
        4,
    )
    assert count(empty, "entities") == 1
    stored = figures(empty)
    for figure in stored:
        assert figure["text"][figure["quote_start"] : figure["quote_end"]] == figure["quote"]
        assert figure["claimant_id"] == "airwars"
    values = {
        (f["subject_id"], f["metric"]): (
            f["qualifier"],
            f["value_low"],
            f["value_high"],
            f["quote"],
        )
        for f in stored
    }
    assert values == {
        ("airwars-mini0001", "civilians_killed"): ("range", 3, 7, "Civilians reported killed3 – 7"),
        ("airwars-mini0001", "civilians_injured"): (
            "range",
            12,
            24,
            "Civilians reported injured12–24",
        ),
        ("airwars-mini0003", "civilians_killed"): ("exact", 2, 2, "Civilians reported killed2"),
        ("airwars-mini0005", "civilians_killed"): (
            "at_least",
            10,
            None,
            "Civilians reported killed10+",
        ),
    }
    skipped = {(c.row, c.incident_id, c.column, c.value, c.reason) for c in report.skipped}
    assert skipped == {
        (2, "mini0002", KILLED, "Unknown", airwars.REASON_UNKNOWN),
        (2, "mini0002", INJURED, "NA", airwars.REASON_NA),
        (3, "mini0003", INJURED, "1", airwars.REASON_NOT_IN_TEXT),
        (4, "mini0004", KILLED, "", airwars.REASON_EMPTY),
        (4, "mini0004", INJURED, "many", airwars.REASON_UNREADABLE),
        (5, "mini0005", INJURED, "NA", airwars.REASON_NA),
    }
    assert len(report.skipped_lines()) == 6 and "mini0004" in report.skipped_lines()[4]


def test_mini_fixture_documents_and_subjects(empty: Warehouse) -> None:
    """Documents carry url, outlet, language, the incident date; subjects the incident's period."""
    import_airwars(empty, MINI, extract_narratives=False)
    _, rows = empty.query(
        "SELECT d.url, d.outlet, d.language, d.published_on, d.title, "
        "s.period_start, s.period_end, s.place "
        "FROM documents d JOIN figures f USING (document_id) JOIN subjects s USING (subject_id) "
        "WHERE s.subject_id = 'airwars-mini0001' LIMIT 1"
    )
    url, outlet, language, published, title, start, end, place = rows[0]
    assert url == "https://example.org/civilian-casualties/mini0001-march-3-2021/"
    assert (outlet, language, str(published), str(start), str(end)) == (
        "Airwars",
        "en",
        "2021-03-03",
        "2021-03-03",
        "2021-03-03",
    )
    assert title.startswith("MINI0001") and place.startswith("31.5")


def test_reimport_adds_nothing(empty: Warehouse) -> None:
    """Importing the same file twice appends one batch, then nothing, and says so."""
    first = import_airwars(empty, MINI)
    assert first.append is not None and first.append.batch_id is not None
    before = len(empty.manifests())
    again = import_airwars(empty, MINI)
    assert again.append is not None and again.append.batch_id is None
    assert len(empty.manifests()) == before
    assert "nothing to append" in again.summary()


def test_reimport_after_the_extractor_changed_adds_nothing(
    empty: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A narrative figure stored with an older extractor's note is kept, not a conflict."""
    import_airwars(empty, MINI)
    monkeypatch.setattr(
        airwars, "NARRATIVE_NOTE", "extracted from the narrative: {pattern}, now {confidence:.3f}"
    )
    again = import_airwars(empty, MINI)
    assert again.append is not None and again.append.batch_id is None


def test_mini_narratives_become_figures(empty: Warehouse) -> None:
    """Narrative civilians_killed candidates are stored anchored, noted, outside the summary."""
    report = import_airwars(empty, MINI)
    narrative = figures(empty, "note LIKE 'extracted from the narrative:%'")
    assert report.narrative_figures == len(narrative) >= 1
    for figure in narrative:
        text = str(figure["text"])
        assert text[figure["quote_start"] : figure["quote_end"]] == figure["quote"]
        assert "Summary" not in str(figure["quote"]) and "Civilians reported" not in str(
            figure["quote"]
        )
        assert figure["claimant_id"] == "airwars" and "confidence" in str(figure["note"])
    # "ten civilians were killed" against the structured 3 – 7: the disagreement the rule reports.
    killed = [
        f
        for f in narrative
        if f["subject_id"] == "airwars-mini0001" and f["metric"] == "civilians_killed"
    ]
    assert any(f["value_low"] == 10 for f in killed)


def test_mini_disagreement_is_listed(empty: Warehouse) -> None:
    """The narrative's "ten" against the structured 3 – 7 is a narrative-vs-structured warning."""
    import_airwars(empty, MINI)
    result = validate(empty, only=["narrative-vs-structured"])  # no GX suites: seconds faster
    (rule,) = [r for r in result.results if r.name == "narrative-vs-structured"]
    assert rule.severity == "warning"
    assert [f for f in rule.failures if "airwars-mini0001 civilians_killed" in f.message]


def test_cli_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command prints its summary, skipped cells on stderr, and exits 0, also twice."""
    Warehouse.init(tmp_path)
    assert main(["--root", str(tmp_path), "import", "airwars", str(MINI)]) == 0
    out, err = capsys.readouterr()
    assert "appended batch" in out and "6 cells skipped" in out
    assert err.count("\n") == 6 and "toll not stated in the archived text" in err
    assert main(["--root", str(tmp_path), "import", "airwars", str(MINI), "--no-narratives"]) == 0
    assert "nothing to append" in capsys.readouterr().out


def test_not_an_export_is_a_usage_error(tmp_path: Path) -> None:
    """A CSV without the export's columns is refused before anything is written."""
    Warehouse.init(tmp_path / "w")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["--root", str(tmp_path / "w"), "import", "airwars", str(other)]) == 2


# --- the dev export ---------------------------------------------------------------------------


@pytest.mark.skipif(not DEV.is_file(), reason=f"{DEV} is not available")
def test_dev_export_end_to_end(empty: Warehouse) -> None:
    """The 305-row dev export imports with every toll anchored, and validates without errors of its own."""
    report = import_airwars(empty, DEV)
    assert (report.rows, report.rows_imported, report.documents) == (305, 305, 305)
    # 305 killed cells - 33 Unknown, 305 injured cells - 71 NA: every stated toll is in its text.
    assert report.structured_figures == 305 - 33 + 305 - 71 == 506
    assert report.skipped_reasons() == Counter({airwars.REASON_NA: 71, airwars.REASON_UNKNOWN: 33})
    # The extractor is still evolving: bound the narrative figures rather than pin them.
    assert 100 <= report.narrative_figures <= 600
    assert report.anchored_quotes == report.figures == count(empty, "figures")
    result = validate(empty)
    assert result.exit_code() == 0, result.render_text()
    # Airwars' own texts misname a few weekdays ("Friday, May 12th 2024" was a Sunday): reported.
    weekdays = next(r for r in result.results if r.name == "weekday-matches-date")
    assert weekdays.status == "warn" and all(f.table == "documents" for f in weekdays.failures)
    disagreements = next(r for r in result.results if r.name == "narrative-vs-structured")
    assert disagreements.severity == "warning" and disagreements.failures
