"""bench.py's measuring of one child process."""

from __future__ import annotations

import sys

from bench import run_child

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


def test_exit_code_and_last_lines_of_stderr_are_the_commands() -> None:
    result = run_child(
        [sys.executable, "-c", "import sys; print('a\\nb\\nc\\nd', file=sys.stderr); sys.exit(3)"]
    )
    assert result["exit_code"] == 3 and result["stderr_tail"] == ["b", "c", "d"]
    assert result["seconds"] > 0 and result["cpu_seconds"] > 0
