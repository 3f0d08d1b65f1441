"""Running every check over a warehouse into one report."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from provenance.errors import IntegrityError
from provenance.integrity import SqlCheck, builtin_checks
from provenance.report import Failure, Report, RuleResult

if TYPE_CHECKING:
    import duckdb

    from provenance.store import Warehouse


def run_sql_check(connection: duckdb.DuckDBPyConnection, check: SqlCheck, kind: str = "builtin", severity: str = "error") -> RuleResult:
    import duckdb

    started = time.perf_counter()
    try:
        rows = connection.execute(check.sql).fetchall()
        checked = connection.execute(check.checked_sql).fetchone()
    except duckdb.Error as e:
        # A damaged Parquet file (caught by file-integrity) must not hide the other checks.
        return RuleResult(
            name=check.name,
            kind=kind,
            severity=severity,
            description=check.description,
            rows_checked=0,
            failures=[Failure(check.name, "(check)", f"could not run: {str(e).splitlines()[0]}")],
            seconds=time.perf_counter() - started,
        )
    failures = [
        Failure(check.name, str(record_id), message, table=table_name, quote=quote, measured=measured)
        for record_id, table_name, message, quote, measured in rows
    ]
    return RuleResult(
        name=check.name,
        kind=kind,
        severity=severity,
        description=check.description,
        rows_checked=int(checked[0]) if checked else 0,
        failures=sorted(failures, key=lambda f: (f.table or "", f.record_id)),
        seconds=time.perf_counter() - started,
    )


def file_integrity(warehouse: Warehouse) -> RuleResult:
    started = time.perf_counter()
    problems = warehouse.verify_files()
    files = sum(len(m.get("files", [])) for m in warehouse.manifests())
    return RuleResult(
        name="file-integrity",
        kind="builtin",
        severity="error",
        description="every Parquet file matches the sha256 recorded in its batch manifest",
        rows_checked=files,
        failures=[Failure("file-integrity", p.record_id or "", f"{p.code}: {p.message}", table="batches") for p in problems],
        seconds=time.perf_counter() - started,
    )


def validate(warehouse: Warehouse) -> Report:
    """Check the warehouse's files, record contracts, references and quotes."""
    integrity = file_integrity(warehouse)
    results = [integrity]
    try:
        connection = warehouse.connect()
    except IntegrityError as e:
        # Nothing can be queried; the file check above says which file is damaged.
        results.append(
            RuleResult("warehouse-readable", "builtin", "error", "the Parquet files can be read", 0,
                       [Failure("warehouse-readable", "(warehouse)", p.message) for p in e.problems])
        )  # fmt: skip
        return Report(results, warehouse=str(warehouse.root))
    with connection:
        results += [run_sql_check(connection, check) for check in builtin_checks()]
    return Report(results, warehouse=str(warehouse.root))
