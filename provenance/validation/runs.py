"""Keeping validation runs: per-rule metrics and failing rows as Parquet beside the data.

``provenance validate --store`` writes one folder per run::

    warehouse/_runs/<run_id>/rule_results.parquet   one row per check
    warehouse/_runs/<run_id>/failures.parquet       one row per failing record

Runs are not data batches: they live outside ``warehouse/batches/``, so the file-integrity
check, the table views and ``compact`` never see them. A run folder appears by one rename, like
a batch, so a killed run leaves nothing half-written. :func:`provenance.storage.views.runs_views_sql` gives the views
``validation_runs`` and ``validation_failures`` over them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from provenance.storage.warehouse import Warehouse
    from provenance.validation.report import Report, RuleResult

from provenance.storage.views import FAILURES, RULE_RESULTS, RUNS_DIR
from provenance.validation.failure_rows import SpilledFailures, report_columns


def _schemas() -> dict[str, pa.Schema]:
    import pyarrow as pa

    run = [("run_id", pa.string()), ("started_at", pa.timestamp("us", tz="UTC"))]
    return {
        RULE_RESULTS: pa.schema(
            [
                *run,
                ("rules_file", pa.string()),
                ("rule", pa.string()),
                ("kind", pa.string()),
                ("severity", pa.string()),
                ("description", pa.string()),
                ("status", pa.string()),
                ("rows_checked", pa.int64()),
                ("failure_count", pa.int64()),
                ("worst", pa.float64()),
                ("seconds", pa.float64()),
                ("warn_above", pa.int64()),
                ("fail_above", pa.int64()),
            ]
        ),
        FAILURES: pa.schema(
            [
                *run,
                ("rule", pa.string()),
                ("severity", pa.string()),
                ("status", pa.string()),
                ("record_id", pa.string()),
                ("table_name", pa.string()),
                ("message", pa.string()),
                ("quote", pa.string()),
                ("measured", pa.float64()),
            ]
        ),
    }


def runs_dir(warehouse: Warehouse) -> Path:
    return warehouse.data_dir / RUNS_DIR


def store_run(warehouse: Warehouse, report: Report, started_at: datetime | None = None) -> str:
    """Write the report's per-rule metrics and failing rows; return the new run's id.

    Failing rows go a batch at a time (a spilled check's straight from its file): a run
    flagging millions of rows is never held whole.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    now = started_at or datetime.now(UTC)
    run_id = f"{now:%Y%m%dT%H%M%S%fZ}-run"
    schemas = _schemas()
    folder = runs_dir(warehouse)
    staging = folder / f".{run_id}.tmp"
    staging.mkdir(parents=True)
    results = pa.Table.from_pydict(_results(report, run_id, now), schema=schemas[RULE_RESULTS])
    pq.write_table(results, staging / f"{RULE_RESULTS}.parquet", compression="zstd")
    with pq.ParquetWriter(
        staging / f"{FAILURES}.parquet", schemas[FAILURES], compression="zstd"
    ) as writer:
        for r in report.results:
            for batch in _failure_batches(r, schemas[FAILURES], run_id, now):
                writer.write_batch(batch)
    os.rename(staging, folder / run_id)
    return run_id


def _results(report: Report, run_id: str, started_at: datetime) -> dict[str, list[Any]]:
    """One row per check, column by column."""
    results: dict[str, list[Any]] = {f.name: [] for f in _schemas()[RULE_RESULTS]}
    for r in report.results:
        for name, value in (
            ("run_id", run_id),
            ("started_at", started_at),
            ("rules_file", report.rules_file),
            ("rule", r.name),
            ("kind", r.kind),
            ("severity", r.severity),
            ("description", r.description),
            ("status", r.status),
            ("rows_checked", r.rows_checked),
            ("failure_count", r.failure_count),
            ("worst", r.worst),
            ("seconds", r.seconds),
            ("warn_above", r.warn_above),
            ("fail_above", r.fail_above),
        ):
            results[name].append(value)
    return results


def _failure_batches(
    result: RuleResult, schema: pa.Schema, run_id: str, started_at: datetime
) -> Iterator[pa.RecordBatch]:
    """The check's failing rows as batches of ``schema``, the run's and check's columns added."""
    import pyarrow as pa

    rows = result.failures
    if isinstance(rows, SpilledFailures):
        parts: Iterator[dict[str, pa.Array]] = (report_columns(b) for b in rows.batches())
    elif rows:
        parts = iter(
            [
                {
                    "record_id": pa.array([f.record_id for f in rows], pa.string()),
                    "table_name": pa.array([f.table for f in rows], pa.string()),
                    "message": pa.array([f.message for f in rows], pa.string()),
                    "quote": pa.array([f.quote for f in rows], pa.string()),
                    "measured": pa.array([f.measured for f in rows], pa.float64()),
                }
            ]
        )
    else:
        return
    for columns in parts:
        n = len(columns["record_id"])
        constant = {
            "run_id": run_id,
            "started_at": started_at,
            "rule": result.name,
            "severity": str(result.severity),
            "status": str(result.status),
        }
        yield pa.RecordBatch.from_arrays(
            [
                columns[f.name]
                if f.name in columns
                else pa.repeat(pa.scalar(constant[f.name], f.type), n)
                for f in schema
            ],
            schema=schema,
        )
