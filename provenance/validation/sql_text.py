"""What every DuckDB rule compiler shares: the compiled form, and SQL text helpers.

The report shows numbers and intervals the same way whichever rule measured them
(``3100``, ``8.81``, ``≥ 3100``, ``80–120``); these helpers are that one way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provenance.core.sql import sql_literal

if TYPE_CHECKING:
    import duckdb


def statement_body(sql: str) -> str:
    """A user's query without its closing semicolons, so that it can stand in a subquery.

    DuckDB's tokenizer finds them: a ``;`` inside a string or followed by a comment
    (``SELECT …; -- why``) is seen for what it is. A trailing comment stays; the caller closes
    the subquery on a new line. The tokenizer's positions count UTF-8 bytes, not characters.
    """
    import duckdb

    encoded = sql.encode("utf-8")
    cut = len(encoded)
    for position, kind in reversed(duckdb.tokenize(sql)):
        if kind == duckdb.token_type.operator and encoded[position : position + 1] == b";":
            cut = position
            continue
        break
    return encoded[:cut].decode("utf-8").strip()


@dataclass(frozen=True)
class TempTable:
    """A table a rule's queries read, materialised once before them.

    ``sql`` None: ``prepare`` creates it (from Python). A *shared* table holds what several
    rules of one run read (the live figures, a revision series): it is created only when absent
    and stays until :func:`drop_shared`; any other is the rule's own and dropped after it.
    """

    name: str
    sql: str | None
    shared: bool = False


@dataclass(frozen=True)
class Handoff:
    """Python work a rule's ``prepare`` hands off, such as reading what it fetched: ``work``
    touches no connection, so a run may do it on another thread while the next check's
    queries run (:mod:`provenance.validation.running`); ``finish`` stores its result."""

    work: Callable[[], Any]
    finish: Callable[[duckdb.DuckDBPyConnection, Any], None]


@dataclass(frozen=True)
class CompiledRule:
    """A rule as DuckDB queries.

    ``sql`` returns offending rows with columns record_id and message, and optionally
    table_name, quote, measured; ``checked_sql`` returns one number, the rows looked at;
    ``observations_sql`` (same columns as ``sql``) returns what was measured on rows that
    passed. The three read the rule's ``tables``, so the base they share is computed once:
    :meth:`setup` creates them (then runs ``prepare`` and any work it hands off: see
    :class:`Handoff`), :meth:`release` drops the rule's own.
    """

    sql: str
    checked_sql: str
    observations_sql: str | None = None
    prepare: Callable[[duckdb.DuckDBPyConnection], Handoff | None] | None = None
    tables: tuple[TempTable, ...] = ()

    def setup(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Materialise what the queries read (idempotent for shared tables)."""
        handoff = self.start(connection)
        if handoff is not None:
            handoff.finish(connection, handoff.work())

    def start(self, connection: duckdb.DuckDBPyConnection) -> Handoff | None:
        """:meth:`setup`, less the work ``prepare`` hands off: returned, for the caller to do
        (then to ``finish``) before the queries run."""
        for table in self.tables:
            if table.sql is None or (table.shared and _exists(connection, table.name)):
                continue
            connection.execute(f"CREATE OR REPLACE TEMP TABLE {table.name} AS {table.sql}")
        return self.prepare(connection) if self.prepare is not None else None

    def release(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Drop the rule's own tables, so memory holds one rule's base at a time."""
        for table in self.tables:
            if not table.shared:
                connection.execute(f"DROP TABLE IF EXISTS {table.name}")


def _exists(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    # Asked first rather than CREATE … IF NOT EXISTS … AS: the base query is then issued once
    # per run, whichever rules share it. The name goes in as a literal, not a parameter:
    # DuckDB's Python binding imports pandas (and numpy, pyarrow) to inspect parameters.
    found = connection.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = {sql_literal(name)}"
    ).fetchone()
    return bool(found and found[0])


def drop_shared(
    connection: duckdb.DuckDBPyConnection,
    compiled: Iterable[CompiledRule],
    keep: Iterable[CompiledRule] = (),
) -> None:
    """Drop the shared tables of these rules that no rule in ``keep`` (those still to run)
    reads: a base lives as long as a rule needs it, and none outlives the run."""
    kept = {t.name for c in keep for t in c.tables}
    names = {t.name for c in compiled for t in c.tables if t.shared} - kept
    for name in sorted(names):
        connection.execute(f"DROP TABLE IF EXISTS {name}")


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


LIVE_FIGURES = "rule_live_figures"
SERIES_APART = "rule_series_apart"
KEYS = ("subject_id", "metric", "claimant_id")


def _hashed(hash_function: str, alias: str) -> tuple[str, str]:
    """A figure's series and topic hashes as SQL (63 bits: never negative)."""
    at = f"{alias}." if alias else ""
    return (
        f"({hash_function}({at}subject_id, {at}metric, {at}claimant_id) >> 1)::BIGINT",
        f"({hash_function}({at}subject_id, {at}metric) >> 1)::BIGINT",
    )


def series_apart_table(hash_function: str = "hash") -> TempTable:
    """The keys whose hash another key of the warehouse shares (a collision: in practice
    none), numbered apart with negative ids (see :func:`numbered_figures`); and, as rows of
    ``shared_topic`` with no keys, the topic ids of the topics that hold several keys.

    The keys are made distinct before they are hashed (each distinct key hashed once). A topic
    hash of several keys is what both the proof (only such a hash can be two topics) and the
    claimant gap (only a topic of several series has pairs) look for, so the one grouping
    serves both: the topics are a superset of those with several live series of a rule's
    metrics, which the rule narrows by its own joins.
    """
    series_hash, topic_hash = _hashed(hash_function, "")
    keys = ", ".join(KEYS)
    return TempTable(
        SERIES_APART,
        f"""
        WITH keys AS MATERIALIZED (
          SELECT {series_hash} AS series_hash, {topic_hash} AS topic_hash, {keys}
          FROM (SELECT DISTINCT {keys} FROM figures)
        ),
        series_clash AS (SELECT series_hash FROM keys GROUP BY ALL HAVING count(*) > 1),
        several AS MATERIALIZED (SELECT topic_hash FROM keys GROUP BY ALL HAVING count(*) > 1),
        -- Only a topic hash of several keys can be two topics: their strings alone are
        -- grouped again.
        topic_clash AS (
          SELECT topic_hash FROM (
            SELECT DISTINCT topic_hash, subject_id, metric FROM keys
            WHERE topic_hash IN (FROM several)
          )
          GROUP BY ALL HAVING count(*) > 1
        ),
        apart AS (
          SELECT {keys},
                 CASE WHEN series_hash IN (FROM series_clash)
                      THEN -row_number() OVER (ORDER BY {keys}) END AS series_id,
                 CASE WHEN topic_hash IN (FROM topic_clash)
                      THEN -dense_rank() OVER (ORDER BY subject_id, metric) END AS topic_id
          FROM keys
          WHERE series_hash IN (FROM series_clash) OR topic_hash IN (FROM topic_clash)
        )
        SELECT *, FALSE AS shared_topic FROM apart
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, topic_hash, TRUE FROM several
        WHERE topic_hash NOT IN (FROM topic_clash)
        UNION ALL
        SELECT DISTINCT NULL, NULL, NULL, NULL, topic_id, TRUE FROM apart WHERE topic_id IS NOT NULL
        """,
        shared=True,
    )


def shared_topics() -> str:
    """SQL selecting (``topic_id``) the topics that hold several series, and perhaps a few
    that hold one (a topic whose other keys lack a claimant): a superset, so a rule looking
    for pairs of series narrows it by its own joins (read from :func:`series_apart_table`)."""
    return f"SELECT topic_id FROM {SERIES_APART} WHERE shared_topic"


def numbered_figures(where: str = "TRUE", hash_function: str = "hash") -> str:
    """``figures`` (alias ``f``) with two integers that name their series exactly:

    - ``series_id``: one per (subject_id, metric, claimant_id) as GROUP BY sees them (a missing
      key is a value, so no figure vanishes from a count);
    - ``topic_id``: one per (subject_id, metric), shared by the claimants' series of a topic;
      NULL when any of the three keys is missing (such a figure is compared with no one).

    An id is the keys' 63-bit hash, which costs no join and no dictionary of strings; keys whose
    hash another key of the warehouse shares are numbered apart (:func:`series_apart_table`,
    read first), so two series never share an id. Every query of a run numbers a figure alike,
    so a rule can number the few rows it needs (names, restarts) without carrying keys. Ids
    only ever tell series apart, never order anything.
    """
    series_hash, topic_hash = _hashed(hash_function, "f")
    same = " AND ".join(f"a.{k} IS NOT DISTINCT FROM f.{k}" for k in KEYS)
    present = " AND ".join(f"f.{k} IS NOT NULL" for k in KEYS)
    return f"""
        SELECT f.*, coalesce(a.series_id, {series_hash}) AS series_id,
               CASE WHEN {present} THEN coalesce(a.topic_id, {topic_hash}) END AS topic_id
        FROM figures f LEFT JOIN (FROM {SERIES_APART} WHERE NOT shared_topic) a ON {same}
        WHERE {where}
    """


def live_figures_tables(hash_function: str = "hash") -> tuple[TempTable, TempTable]:
    """The keys numbered apart, then the live figures: those no correction supersedes (a
    corrected figure is withdrawn, not revised), with only what the series rules read — id,
    metric, date, series and topic (:func:`numbered_figures`) and the interval as [lo, hi]
    (open bounds: 0 and ∞). Narrow, so that ten million fit the memory cap: the rules sort,
    partition and join on integers and dates, and read names, documents and quotes back for
    the rows they flag only.

    Shared by the rules of a run: computed once. ``hash_function`` is for tests, which force
    collisions with a poor one.
    """
    live = numbered_figures(
        "f.figure_id IS NULL "
        "OR f.figure_id NOT IN (SELECT supersedes FROM figures WHERE supersedes IS NOT NULL)",
        hash_function,
    )
    return (
        series_apart_table(hash_function),
        TempTable(
            LIVE_FIGURES,
            f"""
            SELECT figure_id, metric, stated_on, coalesce(value_low, 0) AS lo,
                   coalesce(value_high, {INF}) AS hi, series_id, topic_id
            FROM ({live})
            """,
            shared=True,
        ),
    )


def table_name(prefix: str, *parts: str) -> str:
    """A temporary table's name for a rule (or parameters): readable, and distinct for names
    that differ only in punctuation ("a-b", "a_b")."""
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:8]
    return "_".join([prefix, *(re.sub(r"[^a-z0-9]+", "_", p.lower()) for p in parts), digest])


def offender_keys(rule_name: str, branches: list[tuple[str, str, str]]) -> TempTable:
    """The keys of a rule's offending statements, found without reading their quotes.

    ``branches`` are (table, key expression, ``FROM ... WHERE`` offending). Reading the quote
    column of every statement cost more than the check itself; the quotes are fetched for
    these keys only, so a passing rule (no keys) never reads one.
    """
    select = " UNION ALL ".join(
        f"SELECT '{table}' AS table_name, {key} AS record_id {body}"
        for table, key, body in branches
    )
    return TempTable(table_name("rule_offenders", rule_name), select)


def of_offenders(keys: TempTable, table: str, key: str) -> str:
    """A filter added to the rule's own condition: the rows stay those the condition alone
    gives (each stored row once, duplicate keys included), their quotes read only here."""
    return f"{key} IN (SELECT record_id FROM {keys.name} WHERE table_name = '{table}')"
