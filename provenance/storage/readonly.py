"""The engine of ``provenance sql``: queries that can read the warehouse and change nothing.

Two locks, either of which suffices for what we know of, so that one slip does not open a hole:

1. only read statements run (SELECT, and what DuckDB parses as one: WITH, FROM, VALUES,
   DESCRIBE, SHOW, SUMMARIZE, PRAGMA functions; and EXPLAIN). COPY, ATTACH, EXPORT, CREATE,
   INSERT, SET, INSTALL, LOAD, CALL… are refused before anything runs;
2. the DuckDB connection itself may open only the Parquet and manifest files the views read:
   ``enable_external_access = false`` with those files as ``allowed_paths``, extension
   auto-loading off, spilling to a private temporary folder outside the warehouse, and
   ``lock_configuration = true`` so that no statement can undo any of it.

Reading other local files is therefore not possible through ``provenance sql`` (join your own
CSV with the DuckDB CLI and ``warehouse/views.sql`` instead). Results leave through the
caller: ``provenance sql --output FILE`` writes them from Python after the query, and refuses
a FILE under ``warehouse/`` or ``expectations/``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError, Problem
from provenance.core.sql import sql_literal
from provenance.core.text import first_line

if TYPE_CHECKING:
    import duckdb

READ_STATEMENTS = ("SELECT", "EXPLAIN")


def check_read_only(sql: str) -> None:
    """Refuse (exit 2) an empty query or any statement that is not a read."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise ConfigError(Problem("bad-query", first_line(e))) from None
    if not statements:
        raise ConfigError(Problem("bad-query", "the query is empty; give a SELECT statement"))
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_STATEMENTS:
            raise ConfigError(
                Problem(
                    "not-allowed",
                    f"{kind} statements cannot run here: provenance sql only reads the "
                    "warehouse (export results with --output FILE)",
                    value=statement.query.strip()[:200],
                )
            )


@contextmanager
def read_only_connection(ddl: str, readable: Sequence[Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with ``ddl`` run, then locked to reading ``readable`` only."""
    import duckdb

    scratch = Path(tempfile.mkdtemp(prefix="provenance-sql-"))
    connection = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "temp_directory": str(scratch),
        }
    )
    try:
        connection.execute(ddl)
        # Literals, not a bound parameter: binding a Python list makes DuckDB import pandas
        # and numpy, which `provenance sql` never needs.
        paths = ", ".join(sql_literal(str(p)) for p in readable)
        connection.execute(f"SET allowed_paths = [{paths}]")
        connection.execute("SET enable_external_access = false")
        connection.execute("SET lock_configuration = true")
        yield connection
    finally:
        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)


def run_read_only(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    import duckdb

    check_read_only(sql)
    try:
        cursor = connection.execute(sql, parameters or [])
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.Error as e:
        raise ConfigError(Problem("bad-query", first_line(e))) from None
