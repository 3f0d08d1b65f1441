"""bench.py's measuring of one child process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bench import gx_import_from, run_child, without_gx_suites

from provenance.storage.warehouse import Warehouse
from provenance.validation.orchestrator import validate
from tests.conftest import copy_bundled

MB = 1024 * 1024


def test_a_childs_peak_is_its_own_not_the_benchs() -> None:
    """Linux counts the spawning process's peak in a spawned child's: the launcher keeps a
    large bench from inflating a small command's peak."""
    ballast = bytearray(200 * MB)
    ballast[::4096] = b"1" * len(ballast[::4096])  # touched, so resident
    small = run_child([sys.executable, "-c", "pass"])
    large = run_child(
        [
            sys.executable,
            "-c",
            "b = bytearray(120 * 1024 * 1024); b[::4096] = b'1' * len(b[::4096])",
        ]
    )
    assert len(ballast) == 200 * MB
    assert small["peak_mb"] < 100 and small["exit_code"] == 0
    assert 120 <= large["peak_mb"] < 200


def test_the_peak_of_processes_side_by_side_is_their_sum() -> None:
    """A command whose child holds memory while it holds its own (validate and its GX worker):
    the peak counts both, where the kernel would report the larger alone."""
    holds = "b = bytearray({mb} * 1024 * 1024); b[::4096] = b'1' * len(b[::4096]); {then}"
    child = holds.format(mb=100, then="import time; time.sleep(1)")
    parent = holds.format(
        mb=100, then=f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    )
    result = run_child([sys.executable, "-c", parent])
    assert result["exit_code"] == 0 and 200 <= result["peak_mb"] < 300


def test_exit_code_and_last_lines_of_stderr_are_the_commands() -> None:
    result = run_child(
        [sys.executable, "-c", "import sys; print('a\\nb\\nc\\nd', file=sys.stderr); sys.exit(3)"]
    )
    assert result["exit_code"] == 3 and result["stderr_tail"] == ["b", "c", "d"]
    assert result["seconds"] > 0 and result["cpu_seconds"] > 0


def test_the_checks_alone_read_the_same_warehouse_without_gx(tmp_path: Path) -> None:
    """The no-GX root validates the very files of the warehouse (linked, not copied) with its
    rules, and runs no GX suite."""
    root = copy_bundled(tmp_path / "bundled")
    alone = without_gx_suites(root, tmp_path / "alone")
    assert (alone / "warehouse").resolve() == (root / "warehouse").resolve()
    assert not list((alone / "expectations" / "gx").glob("*.json"))
    assert (alone / "expectations" / "rules.yaml").read_bytes() == (
        root / "expectations" / "rules.yaml"
    ).read_bytes()
    report = validate(Warehouse(alone))
    names = [r.name for r in report.results]
    assert "claimant-gap" in names and not any(n.startswith("gx-") for n in names)
    # Made again over an earlier one (the bench's rounds reuse the folder).
    assert without_gx_suites(root, tmp_path / "alone") == alone


def test_the_import_is_the_median_import_less_the_median_start() -> None:
    """Rounds of ``python -c pass`` and of the import, taken in turn: medians, then the
    difference (each median on its own: a slow round of one does not pair with the other's)."""
    measured = gx_import_from({"pass": [0.02, 0.05, 0.03], "import": [3.4, 2.7, 3.0]})
    assert measured["rounds"] == 3
    assert measured["median_seconds"] == {"pass": 0.03, "import": 3.0}
    assert measured["import_seconds"] == pytest.approx(2.97)
