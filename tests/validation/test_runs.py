"""Stored runs: every rule's metrics and every failing row, read back as they were reported."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from provenance.storage.views import FAILURES, RULE_RESULTS
from provenance.storage.warehouse import Warehouse
from provenance.validation import failure_rows
from provenance.validation.failure_rows import SpilledFailures
from provenance.validation.orchestrator import validate
from provenance.validation.report import Failure, Report, RuleResult
from provenance.validation.runs import runs_dir, store_run


def test_store_run_keeps_every_row_of_every_rule(empty: Warehouse) -> None:
    gap = RuleResult(
        "claimant-gap",
        "sql",
        "warning",
        "gaps",
        10,
        [
            Failure("claimant-gap", f"s{i}", f"factor {i}", "figures", None, float(i))
            for i in range(3)
        ],
        warn_above=1,
    )
    clean = RuleResult("contract-figures", "builtin", "error", "contract", 10, [])
    anchored = RuleResult(
        "quote-anchored-figures",
        "builtin",
        "error",
        "quotes",
        10,
        [Failure("quote-anchored-figures", "f9", "text at 0..3 is «abc»", "figures", "xyz")],
    )
    report = Report([gap, clean, anchored], rules_file="rules.yaml")
    run_id = store_run(empty, report)
    folder = runs_dir(empty) / run_id
    results = pq.read_table(folder / f"{RULE_RESULTS}.parquet").to_pylist()
    assert [(r["rule"], r["status"], r["failure_count"], r["worst"]) for r in results] == [
        ("claimant-gap", "warn", 3, 2.0),
        ("contract-figures", "pass", 0, None),
        ("quote-anchored-figures", "fail", 1, None),
    ]
    assert {r["run_id"] for r in results} == {run_id}
    rows = pq.read_table(folder / f"{FAILURES}.parquet").to_pylist()
    assert [
        (r["rule"], r["status"], r["record_id"], r["message"], r["quote"], r["measured"])
        for r in rows
    ] == [
        ("claimant-gap", "warn", "s0", "factor 0", None, 0.0),
        ("claimant-gap", "warn", "s1", "factor 1", None, 1.0),
        ("claimant-gap", "warn", "s2", "factor 2", None, 2.0),
        ("quote-anchored-figures", "fail", "f9", "text at 0..3 is «abc»", "xyz", None),
    ]
    assert {r["severity"] for r in rows} == {"warning", "error"}


def test_spilled_rows_are_stored_as_held_ones(
    bundled: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose failing rows were spilled to files stores the same rows, in the same order."""
    shutil.rmtree(bundled.expectations_dir / "gx")
    held = validate(bundled, store=True).run_id
    monkeypatch.setattr(failure_rows, "IN_MEMORY_ROWS", 0)
    spilled = validate(bundled, store=True)
    assert any(isinstance(r.failures, SpilledFailures) for r in spilled.results)

    def stored(run_id: str | None) -> list[dict[str, object]]:
        rows = pq.read_table(runs_dir(bundled) / str(run_id) / f"{FAILURES}.parquet").to_pylist()
        return [{k: v for k, v in r.items() if k not in ("run_id", "started_at")} for r in rows]

    assert stored(spilled.run_id) == stored(held) != []
