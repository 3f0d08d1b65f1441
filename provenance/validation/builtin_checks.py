"""Built-in checks every warehouse must pass, derived from the schema and compiled to SQL.

- record contracts: required columns, enums, patterns, minimums, qualifier ↔ interval, unique keys;
- referential integrity: every reference column points at an existing row;
- quote anchoring: every quote equals its document's text at its offsets.

Each check is a SQL query returning ``record_id, table_name, message, quote, measured`` for
offending rows, run where the data is.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.core.intervals import interval_violation_sql
from provenance.core.schema import STORED_TABLES, TABLES, Column, Kind, Table
from provenance.core.sql import sql_literal


@dataclass(frozen=True)
class SqlCheck:
    name: str
    description: str
    sql: str  # offending rows: record_id, table_name, message, quote, measured
    checked_sql: str  # one row, one column: how many rows the check looked at
    prepare_sql: str | None = None  # run first, on the same connection


# Quote anchoring reads each document's text at every quote's offsets. Strings read from
# Parquet carry no statistics, so DuckDB rescans the whole text for each quote to learn whether
# it is ASCII: a 2.5 MB dataset release quoted 13 567 times took 54 s. A temporary table has
# those statistics (0.02 s); it holds what the join's hash table held anyway.
ANCHOR_TEXTS = "anchor_texts"


def _column_conditions(table: Table, column: Column) -> list[str]:
    """SQL expressions yielding a reason when ``column`` breaks its declaration."""
    c = f'"{column.name}"'
    conditions = []
    if column.required:
        # Required means present and not blank: a name of spaces is as missing as no name.
        blank = (
            f" OR regexp_full_match({c}, '[\\s\\p{{Z}}]*')" if column.sql_type == "VARCHAR" else ""
        )
        conditions.append(f"CASE WHEN {c} IS NULL{blank} THEN '{column.name}: missing-value' END")
    if column.enum:
        allowed = ", ".join(sql_literal(v) for v in column.enum)
        conditions.append(
            f"CASE WHEN {c} NOT IN ({allowed}) THEN '{column.name}: unknown-enum ' || {c} END"
        )
    if column.pattern:
        conditions.append(
            f"CASE WHEN NOT regexp_full_match({c}, {sql_literal(column.pattern)}) THEN '{column.name}: bad-pattern ' || {c} END"
        )
    if column.minimum is not None:
        conditions.append(
            f"CASE WHEN {c} < {column.minimum} THEN '{column.name}: out-of-range ' || {c} END"
        )
    return conditions


def contract_check(table: Table) -> SqlCheck:
    conditions = [cond for column in table.columns for cond in _column_conditions(table, column)]
    if "qualifier" in table.column_names:
        conditions.append(f"'bad-interval: ' || ({interval_violation_sql()})")
    if "quote_start" in table.column_names:
        conditions.append(
            "CASE WHEN quote_end < quote_start THEN 'bad-interval: quote_end < quote_start' END"
        )
    reasons = ", ".join(conditions)
    quote = "quote" if "quote" in table.column_names else "NULL"
    sql = f"""
        SELECT "{table.key}" AS record_id, '{table.name}' AS table_name,
               array_to_string(reasons, '; ') AS message, {quote} AS quote, NULL::DOUBLE AS measured
        FROM (SELECT *, list_filter([{reasons}], r -> r IS NOT NULL) AS reasons FROM {table.name})
        WHERE len(reasons) > 0
        UNION ALL
        SELECT "{table.key}", '{table.name}', 'duplicate-id: stored ' || count(*) || ' times', NULL, count(*)
        FROM {table.name} GROUP BY "{table.key}" HAVING count(*) > 1
    """
    return SqlCheck(
        f"contract-{table.name}",
        f"every {table.name} row has its required columns, allowed values and a key of its own",
        sql,
        f"SELECT count(*) FROM {table.name}",
    )


def reference_checks() -> list[SqlCheck]:
    checks = []
    for table in STORED_TABLES:
        branches = []
        for column in table.columns:
            if not column.references:
                continue
            target, key = column.references.split(".")
            listed = column.kind is Kind.STRING_LIST
            value = "ref.item" if listed else f'ref."{column.name}"'
            source = (
                f'(SELECT *, unnest("{column.name}") AS item FROM {table.name}) ref'
                if listed
                else f"{table.name} ref"
            )
            branches.append(
                f"""SELECT ref."{table.key}" AS record_id, '{table.name}' AS table_name,
                       '{column.name} ' || {value} || ' is not in {target}' AS message,
                       {"ref.quote" if "quote" in table.column_names else "NULL"} AS quote, NULL::DOUBLE AS measured
                FROM {source}
                WHERE {value} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t."{key}" = {value})"""
            )
        if branches:
            checks.append(
                SqlCheck(
                    f"references-{table.name}",
                    f"every reference from {table.name} points at an existing row",
                    "\nUNION ALL\n".join(branches),
                    f"SELECT count(*) FROM {table.name}",
                )
            )
    return checks


def quote_anchor_checks() -> list[SqlCheck]:
    checks = []
    for name in ("figures", "relations"):
        key = TABLES[name].key
        sql = f"""
            SELECT x."{key}" AS record_id, '{name}' AS table_name,
                   CASE WHEN d.document_id IS NULL THEN 'document ' || x.document_id || ' is missing'
                        WHEN x.quote_end > length(d.text) THEN 'quote offsets ' || x.quote_start || '..' || x.quote_end
                             || ' run past the end of the document (' || length(d.text) || ' characters)'
                        ELSE 'text at ' || x.quote_start || '..' || x.quote_end || ' is «'
                             || substring(d.text, x.quote_start + 1, x.quote_end - x.quote_start) || '»'
                   END AS message,
                   x.quote, NULL::DOUBLE AS measured
            FROM {name} x LEFT JOIN {ANCHOR_TEXTS} d USING (document_id)
            WHERE d.document_id IS NULL
               OR substring(d.text, x.quote_start + 1, x.quote_end - x.quote_start) IS DISTINCT FROM x.quote
        """
        checks.append(
            SqlCheck(
                f"quote-anchored-{name}",
                f"every {name[:-1]} quote equals its document's text at its offsets",
                sql,
                f"SELECT count(*) FROM {name}",
                prepare_sql=f"CREATE OR REPLACE TEMP TABLE {ANCHOR_TEXTS} AS "
                "SELECT document_id, text FROM documents",
            )
        )
    return checks


def builtin_checks() -> list[SqlCheck]:
    return [contract_check(t) for t in STORED_TABLES] + reference_checks() + quote_anchor_checks()
