"""Running compiled checks on one DuckDB connection, in order, into results.

Each check's base is materialised once (tables shared with other rules of the run are kept:
:func:`~provenance.validation.sql_text.drop_shared` ends them); its failures, measurements and
checked count read it, and its own tables are dropped after it.

A check's preparation may hand Python work off (:class:`~provenance.validation.sql_text.Handoff`:
``quote-number-reads-back`` reads its few thousand wordings in Python). That work touches no
connection, so it runs on a thread of its own while the next check's queries keep DuckDB busy,
and the check finishes after that one: otherwise DuckDB, and a core, would wait for it. Results
keep the checks' order, and each check's seconds are its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError
from provenance.core.text import first_line
from provenance.validation.failure_rows import (
    MissingColumns,
    RowsFolder,
    fetch_failures,
    fetch_unordered,
)
from provenance.validation.report import RuleResult
from provenance.validation.rules import Rule, SqlRule
from provenance.validation.sql_text import CompiledRule, Handoff, drop_shared

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Check:
    """One thing to run: a name, how it reports, and its compiled SQL."""

    name: str
    kind: str
    severity: str
    description: str
    compiled: CompiledRule
    rule: Rule | None = None  # None for built-in checks


def run_check(
    connection: duckdb.DuckDBPyConnection,
    check: Check,
    rules_display: str = "",
    rows: RowsFolder | None = None,
) -> RuleResult:
    """Run one compiled check; failures and measurements come back as rows named by column.

    Failing rows come in report order from DuckDB; many of them go to a file in ``rows`` when
    given (see :mod:`provenance.validation.failure_rows`). Work the check hands off is done
    here, in turn.
    """
    return start_check(connection, check, rules_display, rows).result()


def start_check(
    connection: duckdb.DuckDBPyConnection,
    check: Check,
    rules_display: str = "",
    rows: RowsFolder | None = None,
    pool: Executor | None = None,
) -> StartedCheck:
    """Materialise the check's base; work it hands off starts on ``pool`` when given."""
    started = time.perf_counter()
    with _configuration_errors(check, rules_display):
        handoff = check.compiled.start(connection)
    pending = pool.submit(handoff.work) if handoff is not None and pool is not None else None
    return StartedCheck(
        connection, check, rules_display, rows, handoff, pending, time.perf_counter() - started
    )


@dataclass
class StartedCheck:
    """A check whose base is set up; :meth:`result` runs the rest."""

    connection: duckdb.DuckDBPyConnection
    check: Check
    rules_display: str
    rows: RowsFolder | None
    handoff: Handoff | None
    pending: Future[Any] | None  # the handed-off work, running on a pool
    seconds: float  # spent so far on this check alone

    @property
    def waiting(self) -> bool:
        """Whether work it handed off is still running elsewhere."""
        return self.pending is not None and not self.pending.done()

    def result(self) -> RuleResult:
        started = time.perf_counter()
        connection, check, compiled = self.connection, self.check, self.check.compiled
        with _configuration_errors(check, self.rules_display):
            if self.handoff is not None:
                done = self.pending.result() if self.pending is not None else self.handoff.work()
                self.handoff.finish(connection, done)
            failures = fetch_failures(connection, check.name, compiled.sql, self.rows)
            observations = (
                fetch_unordered(connection, check.name, compiled.observations_sql)
                if compiled.observations_sql
                else []
            )
            checked = connection.execute(compiled.checked_sql).fetchone()
            compiled.release(connection)
        rule = check.rule
        return RuleResult(
            name=check.name,
            kind=check.kind,
            severity=check.severity,
            description=check.description,
            rows_checked=int(checked[0]) if checked and checked[0] is not None else 0,
            failures=failures,
            seconds=self.seconds + time.perf_counter() - started,
            warn_above=rule.warn_above if rule else None,
            fail_above=rule.fail_above if rule else None,
            observations=observations,
        )


def run_in_order(
    connection: duckdb.DuckDBPyConnection,
    checks: Sequence[Check],
    rules_display: str,
    rows: RowsFolder,
    done: Callable[[int], None],
) -> list[RuleResult]:
    """Every check's result, in the order given; ``done`` hears how many have finished.

    A check whose handed-off work is still running when its base is ready waits for the next
    check to run; one waits at a time, so no base outlives the check after its own.
    """
    results: dict[int, RuleResult] = {}
    waiting: tuple[int, StartedCheck] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="provenance-handoff") as pool:
        for at, check in enumerate(checks):
            started = start_check(
                connection, check, rules_display, rows, pool if waiting is None else None
            )
            if started.waiting:
                waiting = (at, started)
                continue
            finished = [(at, started)] if waiting is None else [waiting, (at, started)]
            waiting = None
            # The one that waited first: its handed-off work has had the whole check to run.
            for index, one in sorted(finished, key=lambda pair: pair[0]):
                results[index] = one.result()
                done(len(results))
            _drop_unread(connection, [one.check for _, one in finished], checks[at + 1 :])
        if waiting is not None:  # the last check handed work off: nothing left to overlap it
            results[waiting[0]] = waiting[1].result()
            done(len(results))
            _drop_unread(connection, [waiting[1].check], ())
    return [results[at] for at in range(len(checks))]


def _drop_unread(
    connection: duckdb.DuckDBPyConnection, finished: Sequence[Check], later: Sequence[Check]
) -> None:
    """Drop the shared tables of the ``finished`` checks that no ``later`` check reads."""
    drop_shared(connection, [c.compiled for c in finished], keep=[c.compiled for c in later])


@contextmanager
def _configuration_errors(check: Check, rules_display: str) -> Iterator[None]:
    import duckdb

    try:
        yield
    except (duckdb.Error, MissingColumns) as e:
        # Only user SQL can be wrong by configuration; a failing built-in query is our bug.
        if not isinstance(check.rule, SqlRule):
            raise
        raise ConfigError(f"{rules_display}: rule {check.name}: {first_line(e)}") from None
