"""statement_profile.py: every check's statements are timed and named after the check."""

from __future__ import annotations

from pathlib import Path

from statement_profile import SETUP, profile_validate, render

from provenance.storage.warehouse import Warehouse
from provenance.validation.orchestrator import validate
from tests.conftest import copy_bundled


def test_each_check_gets_its_own_statements(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "bundled", with_gx=False)
    profile = profile_validate(root)
    checks = {r.name for r in validate(Warehouse(root)).results} - {"file-integrity"}
    timed = {s.check for s in profile.statements}
    assert checks <= timed
    # What runs before the first check (the small warehouse read into memory) is set apart.
    assert timed - checks <= {SETUP, "(after the checks)"}
    assert sum(s.wall for s in profile.statements) <= profile.wall
    assert "contract-figures" in render(profile, top=3)


def test_operators_are_summed_by_kind_and_table(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "bundled", with_gx=False)
    profile = profile_validate(root, operators=True)
    assert profile.operators is not None
    # The small warehouse is read into memory before the checks: one Parquet scan per table.
    for table in ("documents", "figures", "relations", "subjects", "entities"):
        assert profile.operators[f"READ_PARQUET {table}"][1] >= 1
    # The checks' own work shows as DuckDB's operators, each counted as often as it ran.
    assert profile.operators["HASH_JOIN"][1] > 10
    assert all(seconds >= 0 for seconds, _ in profile.operators.values())
    assert "READ_PARQUET figures" in render(profile, top=0)
    # Without --operators, DuckDB's profiling stays off and the report has no such table.
    assert profile_validate(root).operators is None
