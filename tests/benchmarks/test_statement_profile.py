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
