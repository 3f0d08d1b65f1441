"""`validate --baseline RUN`: a pull request answers only for the failures it adds."""

from __future__ import annotations

import shutil

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.core.errors import ConfigError
from provenance.validation import failure_rows
from provenance.validation.baseline import new_since, stored_failures
from provenance.validation.failure_rows import SpilledFailures
from provenance.validation.orchestrator import validate
from tests.conftest import DESK


@pytest.fixture
def based(bundled: Warehouse) -> tuple[Warehouse, str]:
    """The bundled warehouse with a stored run (its 2 claimant-gap warnings) as the base."""
    shutil.rmtree(bundled.expectations_dir / "gx")
    report = validate(bundled, store=True)
    assert report.run_id is not None
    return bundled, report.run_id


def _append_market(warehouse: Warehouse) -> None:
    from provenance.storage.inputs import read_text

    warehouse.add_document(
        read_text(DESK / "market-live.en.txt"), language="en", published_on="2024-03-17"
    )
    for table in ("entities", "subjects", "figures"):
        warehouse.append(DESK / f"{table}.csv")


def test_only_new_failures_remain(based: tuple[Warehouse, str]) -> None:
    """After appending the market page, the old claimant-gap rows drop out, the new ones stay."""
    warehouse, run_id = based
    _append_market(warehouse)
    report, left_out = new_since(validate(warehouse), stored_failures(warehouse, run_id))
    assert left_out == 2
    failing = {(r.name, f.record_id) for r in report.results for f in r.failures}
    assert {
        ("revision-lower-bound-falls", "market-ministry-0317"),
        ("revision-jump", "market-ministry-0310"),
    } <= failing
    assert all("market-" in record for _, record in failing)  # nothing of the base is left
    assert int(report.exit_code()) == 1


def test_nothing_new_passes_even_with_old_warnings(based: tuple[Warehouse, str]) -> None:
    """The same data against its own base: no failure left, exit 0 from the CLI."""
    warehouse, run_id = based
    report, left_out = new_since(validate(warehouse), stored_failures(warehouse, run_id))
    assert left_out == 2 and report.counts()["warned"] == 0
    assert main(["--root", str(warehouse.root), "validate", "--baseline", run_id]) == 0


def test_unknown_run_is_a_usage_error(based: tuple[Warehouse, str], empty: Warehouse) -> None:
    """A run id that was never stored, or no stored run at all: exit 2, naming the latest runs."""
    warehouse, run_id = based
    with pytest.raises(ConfigError, match=run_id):
        stored_failures(warehouse, "20200101T000000000000Z-run")
    with pytest.raises(ConfigError, match="--store"):
        stored_failures(empty, run_id)
    assert main(["--root", str(warehouse.root), "validate", "--baseline", "nope"]) == 2


def test_spilled_rows_are_filtered_as_held_ones(
    based: tuple[Warehouse, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failing rows spilled to files leave the same new rows, read back batch by batch."""
    warehouse, run_id = based
    _append_market(warehouse)
    known = stored_failures(warehouse, run_id)
    held, held_out = new_since(validate(warehouse), known)
    monkeypatch.setattr(failure_rows, "IN_MEMORY_ROWS", 0)
    spilled, spilled_out = new_since(validate(warehouse), known)
    assert any(isinstance(r.failures, SpilledFailures) for r in spilled.results)
    assert spilled_out == held_out == 2
    assert [(r.name, r.status, list(r.failures)) for r in spilled.results] == [
        (r.name, r.status, list(r.failures)) for r in held.results
    ]
