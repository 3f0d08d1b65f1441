"""Checks run in order on one connection; Python work a check hands off overlaps the next."""

from __future__ import annotations

import threading
from typing import Any

import duckdb
import pytest

from provenance.validation.failure_rows import RowsFolder
from provenance.validation.running import Check, run_check, run_in_order
from provenance.validation.sql_text import CompiledRule, Handoff, TempTable

# Long enough for any machine, short enough that a check that did not overlap fails quickly.
WAIT_SECONDS = 20


def _reading_check(work: Any) -> Check:
    """A check whose preparation hands ``work`` off; ``finish`` stores what it returned as the
    one row it flags."""

    def prepare(connection: duckdb.DuckDBPyConnection) -> Handoff:
        return Handoff(
            work,
            lambda connection, said: connection.execute(
                f"CREATE OR REPLACE TEMP TABLE said AS SELECT '{said}' AS message"
            ),
        )

    compiled = CompiledRule(
        "SELECT 'r1' AS record_id, message FROM said",
        "SELECT count(*) FROM said",
        prepare=prepare,
        tables=(TempTable("said", None),),
    )
    return Check("reads", "test", "error", "reads in Python", compiled)


def _plain_check(name: str, prepare: Any = None) -> Check:
    compiled = CompiledRule(
        f"SELECT 'r2' AS record_id, 'x is ' || x AS message FROM {name}_base",
        f"SELECT count(*) FROM {name}_base",
        prepare=prepare,
        tables=(TempTable(f"{name}_base", "SELECT 1 AS x"),),
    )
    return Check(name, "test", "error", "a plain check", compiled)


def test_handed_off_work_runs_while_the_next_check_runs() -> None:
    """The work waits for the next check's base to be made: it can end only if the run made
    that base meanwhile. Results keep the checks' order; progress counts each as it ends."""
    next_base_made = threading.Event()

    def work() -> str:
        return "overlapped" if next_base_made.wait(WAIT_SECONDS) else "waited alone"

    def made(connection: duckdb.DuckDBPyConnection) -> None:
        next_base_made.set()

    following = _plain_check("following", prepare=made)
    heard: list[int] = []
    with duckdb.connect() as connection:
        results = run_in_order(
            connection,
            [_reading_check(work), following, _plain_check("last")],
            "rules.yaml",
            RowsFolder(),
            heard.append,
        )
        left = connection.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary")
        assert left.fetchone() == (0,)  # every check's own tables dropped after it
    assert [r.name for r in results] == ["reads", "following", "last"]
    assert [f.message for f in results[0].failures] == ["overlapped"]
    assert [f.message for f in results[1].failures] == ["x is 1"]
    assert results[0].rows_checked == 1 and all(r.seconds >= 0 for r in results)
    assert heard == [1, 2, 3]


def test_a_check_run_alone_does_its_handed_off_work_in_turn() -> None:
    with duckdb.connect() as connection:
        result = run_check(connection, _reading_check(lambda: "in turn"))
    assert [f.message for f in result.failures] == ["in turn"]


def test_the_last_check_may_hand_work_off_too() -> None:
    release = threading.Event()

    def work() -> str:
        release.wait(0.2)  # still running when the loop ends
        return "last"

    with duckdb.connect() as connection:
        results = run_in_order(
            connection,
            [_plain_check("first"), _reading_check(work)],
            "",
            RowsFolder(),
            lambda done: None,
        )
    assert [f.message for f in results[1].failures] == ["last"]


def test_handed_off_work_that_fails_fails_the_run() -> None:
    """An error in the work (a bug in a reader) reaches the caller as itself, after the
    next check ran; nothing is left running."""

    def work() -> str:
        raise ValueError("the reader broke")

    with duckdb.connect() as connection, pytest.raises(ValueError, match="the reader broke"):
        run_in_order(
            connection,
            [_reading_check(work), _plain_check("after")],
            "",
            RowsFolder(),
            lambda done: None,
        )
    assert not [t for t in threading.enumerate() if t.name.startswith("provenance-handoff")]
