"""What every DuckDB rule compiler shares: the compiled form, and SQL text helpers.

The report shows numbers and intervals the same way whichever rule measured them
(``3100``, ``8.81``, ``≥ 3100``, ``80–120``); these helpers are that one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance.core.sql import sql_literal

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class CompiledRule:
    """A rule as DuckDB queries.

    ``sql`` returns offending rows with columns record_id and message, and optionally
    table_name, quote, measured; ``checked_sql`` returns one number, the rows looked at;
    ``observations_sql`` (same columns as ``sql``) returns what was measured on rows that
    passed. ``prepare`` runs first on the connection (to register helper tables).
    """

    sql: str
    checked_sql: str
    observations_sql: str | None = None
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None


INF = "'inf'::DOUBLE"


def stored_bounds(alias: str) -> tuple[str, str]:
    """``alias``'s stored interval as SQL [lo, hi]: an open lower bound is 0, an open upper ∞
    (the arithmetic of :mod:`provenance.core.intervals`)."""
    return f"coalesce({alias}.value_low, 0)", f"coalesce({alias}.value_high, {INF})"


def in_list(column: str, values: tuple[str, ...] | None) -> str:
    if values is None:
        return "TRUE"
    return f"{column} IN ({', '.join(sql_literal(v) for v in values)})"


def num_sql(x: str) -> str:
    """SQL text of a number as the report shows it: 3100, 8.81, ∞."""
    return (
        f"(CASE WHEN {x} IS NULL THEN '?' WHEN {x} = {INF} THEN '∞' WHEN {x} = -{INF} THEN '-∞' "
        f"WHEN {x} = round({x}) AND abs({x}) < 1e15 THEN CAST(CAST({x} AS HUGEINT) AS VARCHAR) "
        f"WHEN abs({x}) >= 100 THEN printf('%.1f', {x}) ELSE printf('%.3g', {x}) END)"
    )


def bounds_sql(lo: str, hi: str) -> str:
    """SQL text of an interval (``hi`` = ∞ when unbounded): 8, ≥ 3100, 80–120."""
    return (
        f"(CASE WHEN {lo} = {hi} THEN {num_sql(lo)} WHEN {hi} = {INF} THEN '≥ ' || {num_sql(lo)} "
        f"WHEN {lo} = -{INF} THEN '≤ ' || {num_sql(hi)} ELSE {num_sql(lo)} || '–' || {num_sql(hi)} END)"
    )


def live_figures(where: str = "TRUE") -> str:
    """Figures no correction supersedes: a corrected figure is withdrawn, not revised."""
    return (
        "(SELECT * FROM figures f WHERE "
        + where
        + " AND NOT EXISTS (SELECT 1 FROM figures s WHERE s.supersedes = f.figure_id))"
    )
