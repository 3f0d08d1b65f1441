"""`validate --baseline RUN`: only the failures that are new since a stored run.

A pull request should answer for what it broke, not for what main already carried. A failure
is "the same" when the same check flags the same record of the same table (messages may carry
measured numbers that move); everything a run measured is kept, and each check's status is
recomputed from its new failures alone, so the exit code speaks for the new rows only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from provenance.core.errors import ConfigError, Problem
from provenance.storage.views import has_runs
from provenance.validation.failure_rows import Failure, SpilledFailures, keep_rows, report_columns

if TYPE_CHECKING:
    import pyarrow as pa

    from provenance.storage.warehouse import Warehouse
    from provenance.validation.report import Report

FailureKey = tuple[str, str | None, str]


def stored_failures(warehouse: Warehouse, run_id: str) -> set[FailureKey]:
    """(check, table, record id) of every failing row kept for ``run_id`` by ``--store``."""
    if not has_runs(warehouse.data_dir):
        raise ConfigError(
            Problem(
                "unknown-id",
                "no stored runs to compare with: run `provenance validate --store` on the base first",
                value=run_id,
            )
        )
    with warehouse.connect() as connection:
        known = connection.execute(
            "select count(*) from validation_runs where run_id = ?", [run_id]
        ).fetchone()
        if not known or not known[0]:
            latest = connection.execute(
                "select run_id from validation_runs group by run_id order by run_id desc limit 3"
            ).fetchall()
            runs = ", ".join(r[0] for r in latest)
            raise ConfigError(
                Problem("unknown-id", f"no stored run has this id (latest: {runs})", value=run_id)
            )
        found = connection.execute(
            "select rule, table_name, record_id from validation_failures where run_id = ?",
            [run_id],
        ).fetchall()
    return {(rule, table, record) for rule, table, record in found}


def new_since(report: Report, baseline: set[FailureKey]) -> tuple[Report, int]:
    """The report with only failures absent from ``baseline``, and how many were left out.

    Spilled rows are filtered a batch at a time into a new file (see
    :mod:`provenance.validation.failure_rows`), never all brought into memory.
    """
    left_out = 0
    results = []
    for result in report.results:
        rows = result.failures
        new: Sequence[Failure]
        if isinstance(rows, SpilledFailures):
            new = keep_rows(rows, _unknown_to(result.name, baseline))
        else:
            new = [f for f in rows if (result.name, f.table, f.record_id) not in baseline]
        left_out += len(rows) - len(new)
        results.append(dataclasses.replace(result, failures=new))
    return dataclasses.replace(report, results=results), left_out


def _unknown_to(rule: str, baseline: set[FailureKey]) -> Callable[[pa.RecordBatch], pa.Array]:
    """A mask of a batch's rows whose (check, table, record) the baseline does not hold."""

    def mask(batch: pa.RecordBatch) -> pa.Array:
        import pyarrow as pa

        columns = report_columns(batch)
        return pa.array(
            [
                (rule, table, record) not in baseline
                for table, record in zip(
                    columns["table_name"].to_pylist(),
                    columns["record_id"].to_pylist(),
                    strict=True,
                )
            ],
            pa.bool_(),
        )

    return mask
