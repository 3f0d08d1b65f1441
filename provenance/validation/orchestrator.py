"""Running every check over a warehouse into one report.

Three layers, in this order: the built-in checks (file hashes, record contracts, references,
quote anchoring: :mod:`provenance.validation.builtin_checks`), the consistency rules of the rules file
(:mod:`provenance.validation.rules`), and the Great Expectations suites under ``expectations/gx/`` when
:mod:`provenance.validation.gx` is installed.

``only`` selects checks by name (shell-style patterns allowed, ``relation-*``). With ``only``,
the built-in checks run only when named too: a focused run reports just what was asked for. GX
suites run with ``only`` when a name is not a rule's or built-in's, or is a pattern; a name that
matches nothing at all is a configuration error (exit 2).
"""

from __future__ import annotations

import fnmatch
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.core.enums import Severity
from provenance.core.errors import ConfigError, IntegrityError, Problem, WriteFailed
from provenance.core.metrics import METRICS_FILE, Metric, cumulative_names, load_vocabulary
from provenance.core.schema import METRICS, STORED_TABLES, VOCABULARY
from provenance.core.sql import sql_literal
from provenance.core.text import first_line, one_line
from provenance.storage.batch_checker import no_progress
from provenance.storage.integrity import Verification
from provenance.storage.manifests import MIN_HEAD_PREFIX
from provenance.validation.builtin_checks import SqlCheck, builtin_checks
from provenance.validation.compile_duckdb import CompiledRule, compile_duckdb
from provenance.validation.failure_rows import RowsFolder
from provenance.validation.gx_suites import SUITES_SUBDIR, suites_hold_expectations
from provenance.validation.report import Failure, Report, RuleResult
from provenance.validation.rules import Rule, load_rules
from provenance.validation.running import Check, run_in_order

if TYPE_CHECKING:
    import duckdb

    from provenance.storage.warehouse import Progress, Warehouse

FILE_INTEGRITY = "file-integrity"
CHECKING = "checking"  # the progress stage of the DuckDB checks
# DuckDB would take 80 % of the machine's memory; validate caps it and spills the rest to a
# temporary folder, so a larger warehouse past the cap needs more time, not more memory. The
# process peaks some 250–400 MB above the cap (Python, Arrow, GX, DuckDB's bookkeeping). A
# million figures peak near 0.5 GB whatever the cap. At ten million the quote anchoring holds
# every document's text twice (its table, its join's hash table: 0.9 GB each), and under a
# 640 MB cap both went to disk: the figures' row pass took 16 s instead of 8–9, and the
# whole run 51 s against 41 s under this cap, peaking at 1.9 GB against 0.9 GB (one run of
# each, same machine, same hour; 1 GB gained little: 47 s).
MEMORY_LIMIT_VARIABLE = "PROVENANCE_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1536MB"
# Up to this many stored rows (all tables) and Parquet bytes, validate reads the warehouse
# into memory once and runs DuckDB on one thread: see _fit_small_warehouse.
SMALL_WAREHOUSE_ROWS = 100_000
SMALL_WAREHOUSE_BYTES = 32 * 1024 * 1024
RULES_FILE = "rules.yaml"
PACKAGED_RULES = "package:provenance/defaults/expectations/rules.yaml"


def _bound_memory(connection: duckdb.DuckDBPyConnection, spill: Path) -> None:
    import duckdb

    limit = os.environ.get(MEMORY_LIMIT_VARIABLE) or DEFAULT_MEMORY_LIMIT
    try:
        connection.execute(f"SET memory_limit = '{limit.replace(chr(39), '')}'")
    except duckdb.Error as e:
        raise ConfigError(f"{MEMORY_LIMIT_VARIABLE}={limit!r} is not a memory size: {e}") from None
    connection.execute(f"SET temp_directory = {sql_literal(spill.as_posix())}")


def _fit_small_warehouse(
    connection: duckdb.DuckDBPyConnection, warehouse: Warehouse, verification: Verification
) -> None:
    """On a small warehouse, one DuckDB thread and the tables read into memory once.

    Validate issues about a hundred queries. Over a few thousand rows, each one's time is
    mostly fixed costs: setting up a parallel plan, and opening and decoding every Parquet
    file behind the views again. The manifests count the stored rows, so this is decided
    before any data is read; a larger warehouse keeps every thread and reads where it lies.
    """
    if warehouse.lake is not None:
        return
    rows = sum(sum(m.data["file_rows"]) for m in verification.log.manifests)
    size = sum((warehouse.data_dir / f).stat().st_size for f in verification.good_files)
    if rows > SMALL_WAREHOUSE_ROWS or size > SMALL_WAREHOUSE_BYTES:
        return
    connection.execute("SET threads = 1")
    for table in STORED_TABLES:
        # The view keeps its name (rules and macros read it), now over an in-memory copy.
        connection.execute(f"CREATE TABLE {table.name}_in_memory AS SELECT * FROM {table.name}")
        connection.execute(
            f"CREATE OR REPLACE VIEW {table.name} AS SELECT * FROM {table.name}_in_memory"
        )


def validate(
    warehouse: Warehouse,
    *,
    rules_file: Path | None = None,
    only: Sequence[str] | None = None,
    store: bool = False,
    data_docs: Path | None = None,
    expect_head: Sequence[str] | None = None,
    progress: Progress | None = None,
    gx_in_worker: bool = False,
) -> Report:
    """Check the warehouse's files, contracts, references, quotes, rules and GX suites.

    The files are verified first, always: a damaged, missing or unlisted file is reported by
    ``file-integrity`` (even when ``only`` leaves it out) and every other check runs on the
    files that verified, so one bad file never hides the rest. ``expect_head`` (hashes printed
    by ``append`` and in the report) must still be in the batch log.

    ``rules_file`` defaults to ``expectations/rules.yaml`` under the warehouse root, or the
    package's defaults when that file does not exist. ``store`` keeps the run's results as
    Parquet under ``warehouse/_runs/`` (see :mod:`provenance.validation.runs`). ``progress``
    is told ``("checking", done, total)`` as the checks run, then ``("GX suites", done,
    total)`` (see :func:`provenance.validation.gx.run_suites`). ``gx_in_worker`` runs the GX
    suites in a worker process started before the checks, so that importing
    great_expectations (seconds) overlaps them: right for a process that exits after the run
    and has not imported GX, as ``provenance validate`` (:mod:`provenance.validation.gx_worker`).
    """
    rules, rules_display = warehouse_rules(warehouse, rules_file)
    builtins = [
        Check(c.name, "builtin", Severity.ERROR, c.description, _as_compiled(c))
        for c in builtin_checks()
    ]
    cumulative = cumulative_names(warehouse_vocabulary(warehouse))
    checks = builtins + [
        Check(r.name, r.kind, r.severity, r.description, compile_duckdb(r, cumulative), rule=r)
        for r in rules
    ]
    _refuse_shadowed_builtins(rules, {FILE_INTEGRITY, *(c.name for c in builtins)}, rules_display)
    gx_dir = warehouse.expectations_dir / SUITES_SUBDIR
    if data_docs is not None and not gx_dir.is_dir():
        raise ConfigError(f"--data-docs needs Great Expectations suites in {gx_dir}")
    # GX (seconds to import) runs only when a suite holds an expectation, or for Data Docs.
    run_gx = data_docs is not None or suites_hold_expectations(gx_dir)

    known = [FILE_INTEGRITY, *(c.name for c in checks)]
    wanted = _selector(only)
    unmatched = _unmatched(only, known)
    if unmatched and not run_gx:
        _unknown_names(unmatched, known)

    _refuse_malformed_heads(expect_head or ())
    results: list[RuleResult] = []
    started = time.perf_counter()
    verification = warehouse.verification(list(expect_head or ()))
    integrity = _integrity_result(verification, time.perf_counter() - started)
    if wanted(FILE_INTEGRITY) or integrity.failures:
        results.append(integrity)
    try:
        connection = warehouse.connect(verification.good_files)
    except IntegrityError:
        # Every file read here verified: a file whose hash matches its manifest yet cannot be
        # read was written so by a hand that also forged the manifest; the chain names it.
        if not integrity.failures:
            raise
        return Report(results, warehouse=str(warehouse.root), rules_file=rules_display)
    # Many failing rows of a check go to a file here, read back as the report is written.
    rows = RowsFolder()
    suites_wanted = run_gx and (
        only is None or bool(unmatched) or any(set(p) & set("*?[") for p in only)
    )
    worker = None
    try:
        if suites_wanted and gx_in_worker:
            from provenance.validation.gx_worker import SuitesInWorker

            worker = SuitesInWorker(warehouse, gx_dir, data_docs, verification.good_files)
        to_run = [c for c in checks if wanted(c.name)]
        results += _run_checks(
            connection, to_run, warehouse, verification, rules_display, rows, progress
        )
    except BaseException:
        if worker is not None:
            worker.close()  # the checks failed or were interrupted: no report to add to
        raise
    if suites_wanted:
        if worker is not None:
            every_suite_result = worker.results(progress)
        else:
            from provenance.validation.gx import run_suites

            every_suite_result = run_suites(
                warehouse, gx_dir, data_docs, verification.good_files, progress=progress
            )
        suite_results = [r for r in every_suite_result if wanted(r.name)]
        results += suite_results
        unmatched = _unmatched(unmatched, [r.name for r in suite_results])
        if unmatched:
            _unknown_names(unmatched, known + [r.name for r in suite_results])

    report = Report(results, warehouse=str(warehouse.root), rules_file=rules_display)
    if store:
        from provenance.validation.runs import store_run

        report.run_id = store_run(warehouse, report)
    return report


def _run_checks(
    connection: duckdb.DuckDBPyConnection,
    to_run: list[Check],
    warehouse: Warehouse,
    verification: Verification,
    rules_display: str,
    rows: RowsFolder,
    progress: Progress | None,
) -> list[RuleResult]:
    """Each check's result, in order, on the connection (closed after them)."""
    import duckdb

    try:
        with connection, tempfile.TemporaryDirectory(prefix="provenance-spill-") as spill:
            _bound_memory(connection, Path(spill))
            _fit_small_warehouse(connection, warehouse, verification)
            tell = progress or no_progress
            tell(CHECKING, 0, len(to_run))
            results = run_in_order(
                connection,
                to_run,
                rules_display,
                rows,
                lambda done: tell(CHECKING, done, len(to_run)),
            )
    except duckdb.OutOfMemoryException as e:
        # The machine's limits, not a bug: the cap is the user's to raise (or the memory full).
        limit = os.environ.get(MEMORY_LIMIT_VARIABLE) or DEFAULT_MEMORY_LIMIT
        raise ConfigError(
            f"validate ran out of memory under {MEMORY_LIMIT_VARIABLE}={limit} "
            f"(raise it, or free the disk DuckDB spills to): {first_line(e)}"
        ) from None
    except duckdb.IOException as e:  # the spill folder's disk is full (files were verified)
        raise WriteFailed("validate could not spill to its temporary folder", e) from None
    return results


def warehouse_vocabulary(warehouse: Warehouse) -> tuple[Metric, ...]:
    """The warehouse's ``expectations/metrics.yaml``, else the package's vocabulary.

    A warehouse may re-declare which metrics are cumulative; a name the package does not know
    is a configuration error (the record contract, shared by every warehouse, would refuse it).
    """
    path = warehouse.expectations_dir / METRICS_FILE
    if not path.is_file():
        return VOCABULARY
    display = _display(path, warehouse.root)
    vocabulary = load_vocabulary(path, display)
    unknown = [m.name for m in vocabulary if m.name not in METRICS]
    if unknown:
        raise ConfigError(
            [
                Problem(
                    "config-error",
                    f"{display}: metric {name}: not in the package's vocabulary "
                    f"(add it to provenance/defaults/expectations/{METRICS_FILE})",
                )
                for name in unknown
            ]
        )
    return vocabulary


def _rules_source(warehouse: Warehouse, rules_file: Path | None) -> tuple[Path, str]:
    """The rules file to read and how reports name it."""
    if rules_file is not None:
        path = Path(rules_file)
        return path, _display(path, warehouse.root)
    default = warehouse.expectations_dir / RULES_FILE
    if default.is_file():
        return default, _display(default, warehouse.root)
    from importlib import resources

    packaged = resources.files("provenance").joinpath("defaults", "expectations", RULES_FILE)
    return Path(str(packaged)), PACKAGED_RULES


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _refuse_shadowed_builtins(rules: list[Rule], builtin_names: set[str], where: str) -> None:
    clashes = [r.name for r in rules if r.name in builtin_names]
    if clashes:
        raise ConfigError(
            [
                Problem(
                    "config-error", f"{where}: rule {name}: the name belongs to a built-in check"
                )
                for name in clashes
            ]
        )


def _refuse_malformed_heads(pins: Sequence[str]) -> None:
    """A pin that is not a hash prefix is a usage error (exit 2), not a missing head (exit 1)."""
    bad = [p for p in pins if not re.fullmatch(f"[0-9a-fA-F]{{{MIN_HEAD_PREFIX},64}}", p.strip())]
    if bad:
        raise ConfigError(
            [
                Problem(
                    "config-error",
                    f"--expect-head {one_line(p)[:80]!r}: not a head hash "
                    f"(give {MIN_HEAD_PREFIX} to 64 hex digits, as append and validate print it)",
                )
                for p in bad
            ]
        )


def _is_known(pattern: str, names: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(n, pattern) for n in names)


def _unmatched(only: Sequence[str] | None, names: Sequence[str]) -> list[str]:
    return [p for p in only or () if not _is_known(p, names)]


def _selector(only: Sequence[str] | None) -> _Wanted:
    return _Wanted(tuple(only) if only else None)


@dataclass(frozen=True)
class _Wanted:
    patterns: tuple[str, ...] | None

    def __call__(self, name: str) -> bool:
        return self.patterns is None or any(fnmatch.fnmatchcase(name, p) for p in self.patterns)


def _unknown_names(names: list[str], known: Sequence[str]) -> None:
    raise ConfigError(
        [
            Problem("config-error", f"--rule {n}: no such check; checks are {', '.join(known)}")
            for n in names
        ]
    )


def _as_compiled(check: SqlCheck) -> CompiledRule:
    if check.prepare_sql is None:
        return CompiledRule(check.sql, check.checked_sql)
    return CompiledRule(check.sql, check.checked_sql, prepare=check.prepare)


def _integrity_result(verification: Verification, seconds: float) -> RuleResult:
    heads = verification.log.heads()
    return RuleResult(
        name=FILE_INTEGRITY,
        kind="builtin",
        severity=Severity.ERROR,
        description=(
            "every file under batches/ is listed by a manifest and matches its sha256; "
            "the manifests' hash chain is whole"
        ),
        rows_checked=verification.files_checked,
        failures=[
            Failure(
                FILE_INTEGRITY,
                one_line(p.record_id or ""),
                one_line(f"{p.code}: {p.message}"),
                table="batches",
            )
            for p in verification.problems
        ],
        seconds=seconds,
        observations=[
            Failure(
                FILE_INTEGRITY,
                "head",
                f"{head} (pin it: provenance validate --expect-head {head[:16]})",
            )
            for head in heads
        ],
    )


def warehouse_rules(warehouse: Warehouse, rules_file: Path | None = None) -> tuple[list[Rule], str]:
    """The rules ``validate`` would run on this warehouse, and how reports name their file."""
    rules_path, rules_display = _rules_source(warehouse, rules_file)
    return load_rules(rules_path, rules_display), rules_display
