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
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from provenance.storage.warehouse import Warehouse
    from provenance.validation.report import Report

from provenance.storage.views import FAILURES, RULE_RESULTS, RUNS_DIR


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
    """Write the report's per-rule metrics and failing rows; return the new run's id."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    now = started_at or datetime.now(UTC)
    run_id = f"{now:%Y%m%dT%H%M%S%fZ}-run"
    columns = _columns(report, run_id, now)
    folder = runs_dir(warehouse)
    staging = folder / f".{run_id}.tmp"
    staging.mkdir(parents=True)
    for name, schema in _schemas().items():
        table = pa.Table.from_pydict(columns[name], schema=schema)
        pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
    os.rename(staging, folder / run_id)
    return run_id


def _columns(report: Report, run_id: str, started_at: datetime) -> dict[str, dict[str, list[Any]]]:
    """Both tables column by column: no dictionary per failing row (a run may have 10^5)."""
    results: dict[str, list[Any]] = {f.name: [] for f in _schemas()[RULE_RESULTS]}
    failures: dict[str, list[Any]] = {f.name: [] for f in _schemas()[FAILURES]}
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
        n = len(r.failures)
        for name, value in (
            ("run_id", run_id),
            ("started_at", started_at),
            ("rule", r.name),
            ("severity", r.severity),
            ("status", r.status),
        ):
            failures[name] += [value] * n
        failures["record_id"] += [f.record_id for f in r.failures]
        failures["table_name"] += [f.table for f in r.failures]
        failures["message"] += [f.message for f in r.failures]
        failures["quote"] += [f.quote for f in r.failures]
        failures["measured"] += [f.measured for f in r.failures]
    return {RULE_RESULTS: results, FAILURES: failures}
