"""The documents' own rules: a retrieval after the append (dates-in-order), a text too short to
read a quote in (document-text-length). Both were GX expectations until issue 11 moved them to
SQL, read as the built-in checks read the texts; their verdicts stay the same."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from provenance.core.errors import ConfigError
from provenance.core.schema import TABLES
from provenance.storage.warehouse import Warehouse
from provenance.validation.gx_suites import DEFAULT_EXPECTATIONS
from provenance.validation.orchestrator import validate
from provenance.validation.report import RuleResult
from provenance.validation.rules import TextLengthRule, parse_rules
from tests.conftest import copy_bundled, forge_batch

# A dispatch of the Syrian civil defence, as short as a text worth archiving gets.
DISPATCH = "Le bilan s'élève à 12 morts selon la défense civile, qui poursuit ses recherches."


def _project(tmp_path: Path) -> Warehouse:
    return Warehouse(copy_bundled(tmp_path / "project", with_gx=False))


def _result(warehouse: Warehouse, name: str, alone: bool = False) -> RuleResult:
    report = validate(warehouse, only=[name] if alone else None)
    return next(r for r in report.results if r.name == name)


def test_a_retrieval_after_the_append_fails_dates_in_order(tmp_path: Path) -> None:
    """The append clock anchors the timeline: a document retrieved in 2099 but recorded in
    2026 is a wrong clock or date, an error, by how many days."""
    warehouse = _project(tmp_path)
    schema = TABLES["documents"].arrow_schema()
    document = {c.name: [None] for c in TABLES["documents"].columns}
    document.update(
        document_id=["f" * 64],
        text=[DISPATCH],
        language=["fr"],
        published_on=[date(2025, 12, 30)],
        published_precision=["day"],
        retrieved_at=[datetime(2099, 1, 1, tzinfo=UTC)],
        recorded_at=[datetime(2026, 1, 1, 12, tzinfo=UTC)],
        batch_id=["20990101T000000000001Z-forged"],
    )
    forge_batch(
        warehouse,
        "documents",
        pa.table({f.name: pa.array(document[f.name], f.type) for f in schema}),
        label="forged-document",
    )
    dates = _result(warehouse, "dates-in-order")
    assert (dates.status, dates.severity) == ("fail", "error")
    (failure,) = dates.failures
    assert failure.record_id == "f" * 64
    assert failure.message == (
        "retrieved_at 2099-01-01 00:00:00 UTC is after recorded_at 2026-01-01 12:00:00 UTC, "
        "when the row was appended"
    )
    late = datetime(2099, 1, 1) - datetime(2026, 1, 1, 12)
    assert failure.measured == pytest.approx(late.total_seconds() / 86400, abs=1e-3)
    # The bundled documents, retrieved before they were recorded, are in order.
    assert _result(_project(tmp_path / "bundled"), "dates-in-order").failures == []


def test_a_short_text_warns_whether_the_rule_runs_with_the_built_ins_or_alone(
    tmp_path: Path,
) -> None:
    """The rule reads the lengths the built-in checks computed as they read the texts; run
    alone it reads the texts itself, and finds the same."""
    warehouse = _project(tmp_path)
    rows = [
        {"text": "Breaking: strike on Mosul", "language": "en", "published_on": "2017-05-28"},
        {"text": DISPATCH, "language": "fr", "published_on": "2025-12-30"},
    ]
    short_id, _ = warehouse.append_rows({"documents": rows}).ids["documents"]
    with_built_ins = _result(warehouse, "document-text-length")
    alone = _result(warehouse, "document-text-length", alone=True)
    for result in (with_built_ins, alone):
        assert (result.status, result.severity) == ("warn", "warning")
        assert [(f.record_id, f.message, f.measured) for f in result.failures] == [
            (short_id, "text has 25 characters, fewer than 50", 25.0)
        ]
        assert result.rows_checked == 3  # the founding article and the two appended
    # The founding article itself (some 2 300 characters) passes.
    assert _result(_project(tmp_path / "bundled"), "document-text-length").status == "pass"


def test_min_characters_is_a_whole_number_of_characters() -> None:
    rule = {"name": "t", "kind": "text_length", "severity": "warning", "description": "d"}
    (parsed,) = parse_rules({"rules": [rule]}, "rules.yaml")
    assert isinstance(parsed, TextLengthRule) and parsed.min_characters == 50
    for bad in (0, 2.5, "50", True):
        with pytest.raises(ConfigError, match="whole number of characters"):
            parse_rules({"rules": [{**rule, "min_characters": bad}]}, "rules.yaml")


def test_gx_no_longer_scans_the_texts_by_default() -> None:
    """The default suites hold nothing for the documents: their row checks are the rules'."""
    assert [e for e in DEFAULT_EXPECTATIONS if e.table == "documents"] == []
