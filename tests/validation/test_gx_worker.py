"""The GX suites in a worker process: the same results, errors and progress as in process."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from provenance.core.errors import (
    BatchRejected,
    ConfigError,
    Problem,
    ProvenanceError,
    WarehouseNotFound,
    WriteFailed,
)
from provenance.storage.warehouse import Warehouse
from provenance.validation import gx, orchestrator, running
from provenance.validation.gx_worker import GXWorkerFailed, SuitesInWorker
from provenance.validation.report import RuleResult
from tests.conftest import copy_bundled


def _bundled_copy(root: Path) -> Warehouse:
    return Warehouse(copy_bundled(root))


def _figures_suite(folder: Path, expectations: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "figures.json").write_text(
        json.dumps({"name": "figures", "expectations": expectations}), encoding="utf-8"
    )
    return folder


def _comparable(results: list[RuleResult]) -> list[dict[str, Any]]:
    """Everything a result says but the seconds it took."""
    return [
        {**dataclasses.asdict(r), "failures": [dataclasses.asdict(f) for f in r.failures]}
        | {"seconds": None}
        for r in results
    ]


def test_the_worker_gives_what_the_suites_give_in_process(tmp_path: Path) -> None:
    """Failures by key, severities, rows checked and the progress heard: all as in process."""
    warehouse = _bundled_copy(tmp_path)
    suites = _figures_suite(
        tmp_path / "suites",
        [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "metric", "value_set": ["civilians_killed"]},
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "value_low", "max_value": 100},
                "meta": {"severity": "warning"},
            },
        ],
    )
    heard_here: list[tuple[str, int, int]] = []
    here = gx.run_suites(warehouse, suites, progress=lambda *s: heard_here.append(s))
    heard_there: list[tuple[str, int, int]] = []
    there = SuitesInWorker(warehouse, suites).results(lambda *s: heard_there.append(s))

    assert [r.status for r in there] == ["fail", "warn"]
    assert _comparable(there) == _comparable(here)
    assert heard_there == heard_here == [(gx.GX_STAGE, 0, 1), (gx.GX_STAGE, 1, 1)]


def test_validate_with_a_worker_reports_what_it_reports_without(tmp_path: Path) -> None:
    """The whole report, GX results in their place, is the same either way."""
    warehouse = _bundled_copy(tmp_path)
    alone = orchestrator.validate(warehouse)
    overlapped = orchestrator.validate(warehouse, gx_in_worker=True)
    assert any(r.name.startswith("gx-") for r in overlapped.results)
    assert _comparable(overlapped.results) == _comparable(alone.results)


def test_a_bad_suite_is_the_config_error_it_is_in_process(tmp_path: Path) -> None:
    warehouse = _bundled_copy(tmp_path)
    suites = _figures_suite(
        tmp_path / "suites",
        [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "x"},
                "meta": {"severity": "fatal"},
            }
        ],
    )
    with pytest.raises(ConfigError) as in_process:
        gx.run_suites(warehouse, suites)
    with pytest.raises(ConfigError) as in_worker:
        SuitesInWorker(warehouse, suites).results()
    assert in_worker.value.problems == in_process.value.problems
    assert "fatal" in str(in_worker.value)


def test_a_folder_the_worker_cannot_write_is_the_os_error_it_is_in_process(tmp_path: Path) -> None:
    """Data Docs under a regular file: the same OSError either way (the CLI's exit 2)."""
    warehouse = _bundled_copy(tmp_path / "w")
    suites = warehouse.expectations_dir / gx.SUITES_SUBDIR
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OSError) as in_process:
        gx.run_suites(warehouse, suites, blocker / "docs")
    with pytest.raises(OSError) as in_worker:
        SuitesInWorker(warehouse, suites, blocker / "docs").results()
    assert type(in_worker.value) is type(in_process.value)
    assert in_worker.value.filename == in_process.value.filename


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_is_the_parents_to_handle(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group: the worker ignores it (the
    parent stops it), rather than dying mid-import with a traceback on the user's screen."""
    warehouse = _bundled_copy(tmp_path)
    suites = _figures_suite(
        tmp_path / "suites",
        [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "metric"}}],
    )
    worker = SuitesInWorker(warehouse, suites)

    def interrupt(stage: str, done: int, total: int) -> None:
        if done == 0:  # sent before the worker imports GX, which takes seconds
            os.kill(worker.pid, signal.SIGINT)

    assert [r.status for r in worker.results(interrupt)] == ["pass"]


def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path: Path) -> None:
    warehouse = _bundled_copy(tmp_path)
    dies = [sys.executable, "-c", "import sys; sys.exit(3)"]
    worker = SuitesInWorker(warehouse, tmp_path, command=dies)
    with pytest.raises(GXWorkerFailed, match=r"ended \(3\) without results"):
        worker.results()
    assert not worker.running


def test_a_bug_in_the_worker_is_one_line_with_its_traceback_as_a_note(tmp_path: Path) -> None:
    warehouse = _bundled_copy(tmp_path)
    story = 'Traceback (most recent call last):\n  File "gx.py", line 1\nValueError: boom\n'
    crashes = (
        "import pickle, sys; sys.stdin.buffer.read(); "
        f"pickle.dump(('crash', {story!r}), sys.stdout.buffer)"
    )
    worker = SuitesInWorker(warehouse, tmp_path, command=[sys.executable, "-c", crashes])
    with pytest.raises(GXWorkerFailed) as failed:
        worker.results()
    assert str(failed.value) == "in the GX worker: ValueError: boom"
    assert story in failed.value.__notes__[0]
    assert not worker.running


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_worker_killed_by_a_signal_is_the_machine_not_a_bug(tmp_path: Path) -> None:
    """Killed (the kernel's out-of-memory killer sends SIGKILL): a one-line ConfigError."""
    warehouse = _bundled_copy(tmp_path)
    kill = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    worker = SuitesInWorker(warehouse, tmp_path, command=[sys.executable, "-c", kill])
    with pytest.raises(ConfigError, match="killed by signal 9"):
        worker.results()


def test_close_stops_a_worker_still_running(tmp_path: Path) -> None:
    warehouse = _bundled_copy(tmp_path)
    worker = SuitesInWorker(
        warehouse, tmp_path, command=[sys.executable, "-c", "import time; time.sleep(60)"]
    )
    started = time.perf_counter()
    worker.close()
    assert not worker.running and time.perf_counter() - started < 10


def test_validate_stops_its_worker_when_the_checks_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks that raise (out of memory, interrupted) leave no worker behind."""
    warehouse = _bundled_copy(tmp_path)
    started: list[SuitesInWorker] = []
    opened = SuitesInWorker.__init__

    def remember(self: SuitesInWorker, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        started.append(self)

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(SuitesInWorker, "__init__", remember)
    monkeypatch.setattr(running, "start_check", fail)
    with pytest.raises(KeyboardInterrupt):
        orchestrator.validate(warehouse, gx_in_worker=True)
    assert len(started) == 1 and not started[0].running


@pytest.mark.parametrize(
    "error",
    [
        ConfigError("rules.yaml: rule x: no such metric"),
        ConfigError(
            [Problem("config-error", "one"), Problem("config-error", "two", table="figures")]
        ),
        BatchRejected(Problem("bad-pattern", "no", table="figures", row=3, column="figure_id")),
        WarehouseNotFound("no warehouse in /nowhere"),
        WriteFailed("appending", OSError(28, "No space left on device")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_cross_a_process_as_raised(error: ProvenanceError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert (again.problems, str(again), again.exit_code) == (
        error.problems,
        str(error),
        error.exit_code,
    )
