"""The default Great Expectations suites: dataset-level checks, committed as generated."""

from __future__ import annotations

from provenance.core.enums import Severity
from provenance.core.schema import TABLES
from provenance.validation import gx_suites as es
from tests.conftest import REPO as REPOSITORY


def test_committed_suites_equal_the_generator() -> None:
    """expectations/gx and the packaged defaults are exactly what gx_suites.py generates."""
    expected = {name: es.render_suite(suite) for name, suite in es.default_suites().items()}
    for folder in es.generated_suite_folders(REPOSITORY):
        found = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.json")}
        assert found == expected, f"{folder} is stale: run python -m provenance.validation.gx"


def _contract_checks() -> set[tuple[str, str, str]]:
    """(table, expectation type, column) of what the record contract already checks."""
    checks = set()
    for table in TABLES.values():
        checks.add((table.name, "expect_column_values_to_be_unique", table.key))
        for column in table.columns:
            if column.required:
                checks.add((table.name, "expect_column_values_to_not_be_null", column.name))
            if column.enum:
                checks.add((table.name, "expect_column_values_to_be_in_set", column.name))
                checks.add((table.name, "expect_column_distinct_values_to_be_in_set", column.name))
    return checks


def test_default_suites_repeat_no_contract_check() -> None:
    """No default expectation is one the contract runs (not-null, enum, key, minimum), and
    every column they name exists in its table."""
    contract = _contract_checks()
    found = []
    for name, suite in es.default_suites().items():
        table = TABLES[name.removesuffix(".json")]
        for expectation in suite["expectations"]:
            kwargs = expectation["kwargs"]
            columns = [kwargs[a] for a in es.COLUMN_ARGUMENTS if a in kwargs]
            assert set(columns) <= set(table.column_names), (name, columns)
            for column in columns:
                found.append((table.name, expectation["type"], column))
                if expectation["type"] == "expect_column_values_to_be_between":
                    # Minimums are the contract's; an upper bound is new.
                    assert "min_value" not in kwargs and "max_value" in kwargs
            assert "regex" not in expectation["type"], "patterns belong to the SQL built-ins"
    assert found and not contract & set(found)


def test_default_suites_cover_volume_and_distributions() -> None:
    """Volume fails a run; distributions and plausibility only warn, and every expectation
    says why it is there. (The timeline's anchor is dates-in-order's: test_document_rules.)"""
    by_kind = {
        (e.table, e.type, e.kwargs.get("column", e.kwargs.get("column_A"))): e
        for e in es.DEFAULT_EXPECTATIONS
    }
    assert by_kind["batches", "expect_table_row_count_to_be_between", None].severity == "error"
    assert [e.severity for e in es.DEFAULT_EXPECTATIONS].count(Severity.ERROR) == 1
    mostly = [e for e in es.DEFAULT_EXPECTATIONS if "mostly" in e.kwargs]
    assert mostly and all(e.severity == Severity.WARNING for e in mostly)
    for suite in es.default_suites().values():
        for expectation in suite["expectations"]:
            assert expectation["meta"]["why"] and expectation["meta"]["severity"] in (
                "error",
                "warning",
            )
