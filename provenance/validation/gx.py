"""The Great Expectations layer of ``provenance validate``: suites as files, run on DuckDB data.

Suites live as GX 1.x ``ExpectationSuite`` JSON files, one per table, in ``expectations/gx/``.
The defaults — dataset-level expectations the contract and the rules do not already check —
are declared in :mod:`.gx_suites`; regenerate the committed copies with
``python -m provenance.validation.gx`` (a test checks they match).

How the suites run: GX's SQL engine, through duckdb-engine, on a throwaway DuckDB file holding
the warehouse's views, so the expectations compile to SQL that DuckDB runs over the Parquet
files (no table is copied into Python). GX 1.24 has no DuckDB dialect, and unpatched every
expectation fails with ``MetricResolutionError: list index out of range``; see
:func:`duckdb_fetch_shim`. The alternative, GX on pandas frames DuckDB hands over, was
measured too: as fast, but twice the memory at a million figures (README, "Expectation
suites").

Referential integrity and regex patterns are not here: GX has no cross-table expectation, and
the built-in SQL checks (:mod:`provenance.validation.builtin_checks`) already cover both where the data is.

The default suites are written by :mod:`.gx_suites`, the Data Docs by :mod:`.gx_docs`. Only
this module and ``gx_docs`` import great_expectations, and only inside functions: the import
costs about two seconds.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.enums import SEVERITIES, Severity
from provenance.core.errors import ConfigError, WriteFailed
from provenance.core.schema import TABLES, Table
from provenance.storage.batch_checker import no_progress
from provenance.validation.gx_docs import (
    OFFLINE_CSS_PATH,
    make_offline,
    offline_html,
    write_data_docs,
)
from provenance.validation.gx_suites import (
    COLUMN_ARGUMENTS,
    SUITES_SUBDIR,
    default_suites,
    expectation_arguments,
    generated_suite_folders,
    render_suite,
    suite_for,
    write_default_suites,
)
from provenance.validation.report import Failure, RuleResult

if TYPE_CHECKING:
    from provenance.storage.warehouse import Progress, Warehouse

_MAX_VALUES_IN_MESSAGE = 5
GX_STAGE = "GX suites"  # the progress stage of run_suites


@dataclass
class SuiteFile:
    path: Path
    table: Table
    key: str
    suite: Any  # great_expectations.ExpectationSuite


def load_suites(suites_dir: Path) -> list[SuiteFile]:
    """Every ``*.json`` suite in ``suites_dir``, sorted by file name; none if it is missing."""
    return [_load_suite(path) for path in _suite_paths(suites_dir)]


def _suite_paths(suites_dir: Path) -> list[Path]:
    return sorted(suites_dir.glob("*.json")) if suites_dir.is_dir() else []


def _load_suite(path: Path) -> SuiteFile:
    gx = _import_gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        declared = (data.get("meta") or {}).get("provenance") or {}
        table_name = declared.get("table", data["name"])
        expectations = []
        for raw in data.get("expectations", []):
            severity = (raw.get("meta") or {}).get("severity")
            if severity is not None and severity not in SEVERITIES:
                raise ValueError(
                    f"{raw.get('type')}: meta.severity is {severity!r}, not error or warning"
                )
            # Built one by one: ExpectationSuite(expectations=[...]) logs and *drops* an invalid
            # expectation (a typo in its type), which would silently disable a check.
            config = ExpectationConfiguration(**{k: v for k, v in raw.items() if k != "id"})
            expectations.append(config.to_domain_obj())
        suite = gx.ExpectationSuite(
            name=data["name"],
            expectations=expectations,
            meta=data.get("meta"),
            notes=data.get("notes"),
        )
    except Exception as e:  # GX raises many types for a bad configuration
        raise ConfigError(f"{path}: not a valid GX expectation suite: {e}") from e
    if table_name not in TABLES:
        raise ConfigError(
            f"{path}: suite {data['name']!r} is for table {table_name!r}; tables are {', '.join(TABLES)}"
        )
    table = TABLES[table_name]
    return SuiteFile(path, table, declared.get("key", table.key), suite)


# -- running ----------------------------------------------------------------------------------


def run_suites(
    warehouse: Warehouse,
    suites_dir: Path,
    data_docs_dir: Path | None = None,
    files: Collection[str] | None = None,
    progress: Progress | None = None,
) -> list[RuleResult]:
    """Run every suite in ``suites_dir`` over the warehouse: one result per expectation.

    Failures name the offending rows by their table's key (every row, not a sample). With
    ``data_docs_dir``, GX Data Docs readable offline are written there. ``files`` narrows the
    Parquet files read to those (``validate`` passes the ones whose hash verified).
    ``progress`` is told ``("GX suites", done, total)``, from before the import (seconds).
    """
    paths = _suite_paths(Path(suites_dir))
    if not paths:
        return []
    tell = progress or no_progress
    tell(GX_STAGE, 0, len(paths))  # before reading the first suite, which imports GX
    suites = [_load_suite(path) for path in paths]
    context = _context()
    results: list[RuleResult] = []
    validations: list[tuple[SuiteFile, Any, list[RuleResult]]] = []
    with tempfile.TemporaryDirectory(prefix="provenance-gx-") as scratch, duckdb_fetch_shim():
        database, row_counts = _views_database(
            warehouse, Path(scratch), files, {s.table.name for s in suites}
        )
        source = context.data_sources.add_sql("warehouse", connection_string=database)
        try:
            for suite_file in suites:
                started = time.perf_counter()
                batch = _batch(source, suite_file)
                if data_docs_dir is not None:
                    validation = batch.validate(
                        suite_file.suite, result_format=_complete(suite_file)
                    )
                    outcomes: list[tuple[Any, int | None]] = [(r, None) for r in validation.results]
                else:
                    validation = None
                    outcomes = _validate_quickly(
                        batch, suite_file, row_counts[suite_file.table.name]
                    )
                elapsed = (time.perf_counter() - started) / max(len(outcomes), 1)
                suite_results = [_rule_result(suite_file, r, elapsed, n) for r, n in outcomes]
                results += suite_results
                validations.append((suite_file, validation, suite_results))
                tell(GX_STAGE, len(validations), len(suites))
        finally:
            # Close GX's pooled connections before the temporary database is removed.
            source.get_execution_engine().engine.dispose()
    _disambiguate(results)
    if data_docs_dir is not None:
        write_data_docs(context, validations, Path(data_docs_dir))
    return results


def _import_gx() -> Any:
    # No usage statistics, ever: set before the first import (GX 1.24 has no analytics client
    # left, but the 1.x releases that have one read this variable).
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def _context() -> Any:
    gx = _import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # Ephemeral: no gx/ folder in the user's project; everything lives in memory.
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # GX 1.24 still writes an ephemeral context's whole configuration out as YAML, into an
    # in-memory store nothing reads back, after every asset and batch definition it adds: 13
    # times a run, a fifth of running the bundled suites. The configuration itself stays the
    # object in memory, which is what assets, validations and Data Docs read.
    context._save_project_config = lambda: None
    return context


def _views_database(
    warehouse: Warehouse, scratch: Path, files: Collection[str] | None, tables: Iterable[str]
) -> tuple[str, dict[str, int]]:
    """A throwaway DuckDB file holding only the warehouse's views, for GX's SQL engine, and
    the row count of each of ``tables`` (Parquet metadata: no data is read).

    GX opens connections of its own (a pool), and each in-memory DuckDB connection would be
    an empty database: the views must be in a file. They point at the Parquet files by
    absolute path, so nothing is copied. A temporary folder too full to hold it (DuckDB's
    ``IOException``, or a commit that cannot write its log) is the environment's refusal,
    ``write-failed`` (exit 2), as any write of ``validate``.
    """
    import duckdb

    path = scratch / "views.duckdb"
    try:
        with duckdb.connect(str(path)) as connection:
            connection.execute(warehouse.views_ddl(files, runs=False))
            counts = {
                t: int(connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # type: ignore[index]
                for t in sorted(tables)
            }
    except (duckdb.IOException, duckdb.TransactionException) as e:
        raise WriteFailed(f"cannot write GX's views database in {scratch}", e) from None
    return f"duckdb:///{path.as_posix()}", counts


@contextmanager
def duckdb_fetch_shim() -> Iterator[None]:
    """Make GX 1.24's SQL engine read DuckDB results before closing the connection.

    ``SqlAlchemyExecutionEngine.execute_query`` returns a cursor result after its ``with
    get_connection()`` block has closed the connection; duckdb-engine then drops the unread
    rows and every metric fails with ``list index out of range`` (GX issues #10738, #11579).
    This buffers the rows inside the block, for DuckDB engines only, while the runner is
    active. ``test_gx_still_needs_the_duckdb_shim`` (strict xfail) says when it can go.

    It also turns off DuckDB's progress bar on GX's connections. DuckDB's Python client draws
    one on stdout for a query over two seconds (ten million figures) when it takes its
    process for interactive: ``__main__`` had no file when duckdb was imported, as in the GX
    worker (``python -c``), a REPL or a notebook; the ``provenance`` command is not. There it
    would land in a report piped from stdout. A connection's setting, which no connect-time
    option can set.
    """
    from great_expectations.execution_engine.sqlalchemy_execution_engine import (
        SqlAlchemyExecutionEngine,
    )

    original = SqlAlchemyExecutionEngine.execute_query

    def execute_query(self: Any, query: Any) -> Any:
        if self.engine.dialect.name != "duckdb":
            return original(self, query)
        with self.get_connection() as connection:
            connection.exec_driver_sql("SET enable_progress_bar = false")
            run = getattr(self, "_execute_query_with_recovery", None)
            result = run(connection, query) if run is not None else connection.execute(query)
            # freeze() reads every row now; calling the frozen result replays them later.
            return result.freeze()() if result.returns_rows else result

    SqlAlchemyExecutionEngine.execute_query = execute_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        SqlAlchemyExecutionEngine.execute_query = original  # type: ignore[method-assign]


def _batch(source: Any, suite_file: SuiteFile) -> Any:
    # One asset per suite file: two files may hold suites for the same table.
    asset = source.add_table_asset(suite_file.path.stem, table_name=suite_file.table.name)
    return asset.add_batch_definition_whole_table("warehouse").get_batch()


def _complete(suite_file: SuiteFile) -> dict[str, Any]:
    # COMPLETE with the key: every unexpected row, by key; GX's default keeps twenty values.
    return {"result_format": "COMPLETE", "unexpected_index_column_names": [suite_file.key]}


def _validate_quickly(
    batch: Any, suite_file: SuiteFile, row_count: int
) -> list[tuple[Any, int | None]]:
    """Each expectation's result, in GX's order, and the rows it checked when GX's result does
    not say (None: read it from the result).

    COMPLETE makes GX scan each column twice more (its unexpected values, then their keys)
    even when nothing is unexpected: at a million figures, six scans of quotes and texts for
    nothing. So the suite runs first as BOOLEAN_ONLY (the unexpected counts of a table, in
    one scan); what passed and is a row-by-row expectation over the whole table has checked
    the table's rows — GX's ``element_count`` is ``table.row_count`` — and needs nothing
    more. Every other expectation (failed, an aggregate, a ``row_condition``) runs again
    with COMPLETE, so its result is the one a single COMPLETE run gives. GX orders results
    its own way (an expectation it could not evaluate comes first), the same in both formats:
    the quick run's order is kept and the COMPLETE results are matched to it by configuration.
    """
    gx = _import_gx()
    quick = batch.validate(suite_file.suite, result_format={"result_format": "BOOLEAN_ONLY"})
    settled = [
        r.success is True and _checks_every_row(r.expectation_config.to_domain_obj())
        for r in quick.results
    ]
    again = [
        r.expectation_config for r, done in zip(quick.results, settled, strict=True) if not done
    ]
    complete: list[Any] = []
    if again:
        subset = gx.ExpectationSuite(
            name=suite_file.suite.name,
            expectations=[c.to_domain_obj() for c in again],
            meta=suite_file.suite.meta,
        )
        complete = list(batch.validate(subset, result_format=_complete(suite_file)).results)
    outcomes: list[tuple[Any, int | None]] = []
    for result, done in zip(quick.results, settled, strict=True):
        if done:
            outcomes.append((result, row_count))
            continue
        same = next(
            i for i, c in enumerate(complete) if c.expectation_config == result.expectation_config
        )
        outcomes.append((complete.pop(same), None))
    return outcomes


def _checks_every_row(expectation: Any) -> bool:
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    row_wise = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    return isinstance(expectation, row_wise) and not getattr(expectation, "row_condition", None)


def _rule_result(
    suite_file: SuiteFile, result: Any, seconds: float, rows_checked: int | None = None
) -> RuleResult:
    config = result.expectation_config
    name = f"gx-{suite_file.suite.name}-{config.type}"
    columns = [config.kwargs[a] for a in COLUMN_ARGUMENTS if isinstance(config.kwargs.get(a), str)]
    if columns:
        name += "-" + "-".join(columns)
    failures = [] if result.success else list(_failures(name, suite_file, result, columns))
    return RuleResult(
        name=name,
        kind="expectation",
        severity=_severity(config),
        description=_describe(suite_file, config),
        rows_checked=_rows_checked(result) if rows_checked is None else rows_checked,
        failures=failures,
        seconds=seconds,
    )


def _rows_checked(result: Any) -> int:
    details = result.result or {}
    if "element_count" in details:  # column map expectations
        return int(details["element_count"])
    observed = details.get("observed_value")
    if result.expectation_config.type.startswith("expect_table_row_count") and isinstance(
        observed, int
    ):
        return observed
    return 0  # an aggregate over the table, or GX could not evaluate it


def _severity(config: Any) -> str:
    declared = (config.meta or {}).get("severity")  # error or warning, checked on loading
    if declared is not None:
        return str(declared)
    # GX's own field (critical by default): anything below critical only warns.
    critical = str(getattr(config.severity, "value", config.severity)) == "critical"
    return Severity.ERROR if critical else Severity.WARNING


def _describe(suite_file: SuiteFile, config: Any) -> str:
    described = f"{suite_file.suite.name} ({suite_file.path.name}): {config.type}({expectation_arguments(config)})"
    # meta.why (the default suites give one) says what a failure means.
    why = (config.meta or {}).get("why")
    return f"{why} — {described}" if why else described


def _failures(
    rule: str, suite_file: SuiteFile, result: Any, columns: list[str]
) -> Iterator[Failure]:
    table = suite_file.table.name
    exception = _exception_message(result.exception_info)
    if exception:
        yield Failure(
            rule, table, f"GX could not evaluate the expectation: {exception}", table=table
        )
        return
    details = result.result or {}
    rows = details.get("unexpected_index_list")
    if rows and isinstance(rows[0], dict):
        for row in rows:
            yield _row_failure(rule, suite_file, row, columns)
        return
    # A table- or aggregate-level expectation (row count, mean…): the table is the record.
    observed = details.get("observed_value")
    values = details.get("partial_unexpected_list") or []
    message = (
        f"observed {observed!r}" if observed is not None else f"unexpected values {_values(values)}"
    )
    yield Failure(rule, table, message, table=table, details={"observed_value": _plain(observed)})


def _exception_message(info: Any) -> str | None:
    """The first error GX caught; it nests them per metric (a missing column, bad SQL…)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception") and info.get("exception_message"):
        return str(info["exception_message"])
    for value in info.values():
        if isinstance(value, dict) and (message := _exception_message(value)):
            return message
    return None


def _row_failure(
    rule: str, suite_file: SuiteFile, row: dict[str, Any], columns: list[str]
) -> Failure:
    key = suite_file.key
    values = {c: _plain(row.get(c)) for c in columns if c in row}
    shown = ", ".join(f"{c}={v!r}" for c, v in values.items()) or "the row"
    return Failure(
        rule,
        str(row.get(key)),
        f"unexpected {shown}",
        table=suite_file.table.name,
        details=values,
    )


def _values(values: Iterable[Any]) -> str:
    listed = list(values)
    shown = ", ".join(repr(_plain(v)) for v in listed[:_MAX_VALUES_IN_MESSAGE])
    return shown + (
        f" and {len(listed) - _MAX_VALUES_IN_MESSAGE} more"
        if len(listed) > _MAX_VALUES_IN_MESSAGE
        else ""
    )


def _plain(value: Any) -> Any:
    """A JSON-friendly version of a value GX handed back (NaN → None, numpy → Python)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _disambiguate(results: list[RuleResult]) -> None:
    """Two expectations of one type on one column (different bounds) get -2, -3… suffixes."""
    seen: dict[str, int] = {}
    for result in results:
        count = seen.get(result.name, 0) + 1
        seen[result.name] = count
        if count > 1:
            result.name = f"{result.name}-{count}"
            for failure in result.failures:
                failure.rule = result.name


# -- regenerating the committed defaults ------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m provenance.validation.gx [REPO]``: rewrite the generated suite files."""
    args = sys.argv[1:] if argv is None else argv
    repository = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    for folder in generated_suite_folders(repository):
        for path in write_default_suites(folder):
            print(path)
    return 0


__all__ = [
    "OFFLINE_CSS_PATH",
    "SUITES_SUBDIR",
    "SuiteFile",
    "default_suites",
    "duckdb_fetch_shim",
    "generated_suite_folders",
    "load_suites",
    "make_offline",
    "offline_html",
    "render_suite",
    "run_suites",
    "suite_for",
    "write_data_docs",
]


if __name__ == "__main__":
    raise SystemExit(main())
