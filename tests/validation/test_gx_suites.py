"""The default Great Expectations suites: derived from the schema, committed as generated."""

from __future__ import annotations

from provenance.core.schema import TABLES
from provenance.validation import gx_suites as es
from tests.conftest import REPO as REPOSITORY


def test_committed_suites_equal_the_generator() -> None:
    """expectations/gx and the packaged defaults are exactly what schema.py generates."""
    expected = {name: es.render_suite(suite) for name, suite in es.default_suites().items()}
    for folder in es.generated_suite_folders(REPOSITORY):
        found = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.json")}
        assert found == expected, f"{folder} is stale: run python -m provenance.validation.gx"


def test_default_suites_follow_the_schema() -> None:
    """Every required column, enum, minimum and key of schema.py has its expectation."""
    figures = es.suite_for(TABLES["figures"])
    kinds = {(e["type"], e["kwargs"].get("column")) for e in figures["expectations"]}
    assert ("expect_column_values_to_be_unique", "figure_id") in kinds
    assert ("expect_column_values_to_not_be_null", "claimant_id") in kinds
    assert ("expect_column_values_to_be_in_set", "qualifier") in kinds
    assert ("expect_column_values_to_be_between", "quote_start") in kinds
    assert ("expect_column_values_to_be_between", "value_low") in kinds
    assert not any("regex" in t for t, _ in kinds), "patterns belong to the SQL built-ins"
