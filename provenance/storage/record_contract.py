"""The record contract as SQL: the reasons each row breaks its table's declaration.

Derived from :mod:`provenance.core.schema` (required columns, enums, patterns, minimums,
qualifier ↔ interval, quote offsets, unique keys). ``validate`` runs it over the stored tables
(``contract-<table>`` in :mod:`provenance.validation.builtin_checks`); it lives in storage so
that the same compiled contract can check an incoming batch before it is written.
"""

from __future__ import annotations

from collections.abc import Mapping

from provenance.core.intervals import interval_violation_sql
from provenance.core.schema import Column, Table
from provenance.core.sql import sql_literal


def blank_sql(value: str) -> str:
    """``value`` is empty or only whitespace and separators: RE2's ``[\\s\\p{Z}]*``.

    The regular expression reads the whole string, and quotes and texts are long. A blank
    string is empty or starts with one of those characters, every one of which is below ``!``
    (the ASCII spaces and controls) or from U+00A0 up (the Unicode separators); DuckDB
    compares strings byte by byte, so two comparisons leave the regular expression the few
    strings that can be blank, with the same answer.
    """
    return (
        f"CASE WHEN {value} < '!' OR {value} >= chr(160) "
        f"THEN regexp_full_match({value}, '[\\s\\p{{Z}}]*') WHEN {value} IS NOT NULL THEN false END"
    )


def column_conditions(
    table: Table, column: Column, malformed: Mapping[str, str] | None = None
) -> list[str]:
    """SQL expressions yielding a reason when ``column`` breaks its declaration.

    ``malformed`` maps a column to a query listing its values that break its pattern, found
    by another pass (see :func:`contract_sql`); the others are matched here.
    """
    c = f'"{column.name}"'
    conditions = []
    if column.required:
        # Required means present and not blank: a name of spaces is as missing as no name.
        blank = f" OR {blank_sql(c)}" if column.sql_type == "VARCHAR" else ""
        conditions.append(f"CASE WHEN {c} IS NULL{blank} THEN '{column.name}: missing-value' END")
    if column.enum:
        allowed = ", ".join(sql_literal(v) for v in column.enum)
        conditions.append(
            f"CASE WHEN {c} NOT IN ({allowed}) THEN '{column.name}: unknown-enum ' || {c} END"
        )
    if column.pattern:
        found = (malformed or {}).get(column.name)
        breaks = (
            f"{c} IN ({found})"
            if found
            else f"NOT regexp_full_match({c}, {sql_literal(column.pattern)})"
        )
        conditions.append(f"CASE WHEN {breaks} THEN '{column.name}: bad-pattern ' || {c} END")
    if column.minimum is not None:
        conditions.append(
            f"CASE WHEN {c} < {column.minimum} THEN '{column.name}: out-of-range ' || {c} END"
        )
    return conditions


def row_reasons(
    table: Table, *, incoming: bool = False, malformed: Mapping[str, str] | None = None
) -> list[str]:
    """Every per-row condition of ``table``'s contract (each NULL or a reason).

    ``incoming`` leaves out the columns the store fills in as it writes (batch_id, recorded_at);
    ``malformed`` as in :func:`column_conditions`.
    """
    columns = table.input_columns if incoming else table.columns
    conditions = [
        cond for column in columns for cond in column_conditions(table, column, malformed)
    ]
    if "qualifier" in table.column_names:
        conditions.append(f"'bad-interval: ' || ({interval_violation_sql()})")
    if "quote_start" in table.column_names:
        conditions.append(
            "CASE WHEN quote_end < quote_start THEN 'bad-interval: quote_end < quote_start' END"
        )
    return conditions


def contract_sql(table: Table, malformed: Mapping[str, str] | None = None) -> str:
    """Offending rows of ``table`` (record_id, table_name, message, quote, measured).

    Rows are kept first by whether any reason holds (each condition stops at the first that
    does), and the list of reasons is built for those rows alone, not a list per stored row.

    ``malformed`` (column → a query of its values that break its pattern) spares a regular
    expression over every row where another pass already knows the few values that break it:
    ``validate`` gives a statement's ``document_id`` so (a 64-digit match per figure was a
    quarter of this query; see :mod:`provenance.validation.builtin_checks`).
    """
    conditions = row_reasons(table, malformed=malformed)
    reasons = ", ".join(conditions)
    breaks = " OR ".join(f"({c}) IS NOT NULL" for c in conditions)
    quote = "quote" if "quote" in table.column_names else "NULL"
    return f"""
        SELECT "{table.key}" AS record_id, '{table.name}' AS table_name,
               array_to_string(reasons, '; ') AS message, {quote} AS quote, NULL::DOUBLE AS measured
        FROM (SELECT *, list_filter([{reasons}], r -> r IS NOT NULL) AS reasons
              FROM {table.name} WHERE {breaks})
        UNION ALL
        SELECT "{table.key}", '{table.name}', 'duplicate-id: stored ' || count(*) || ' times', NULL, count(*)
        FROM {table.name} GROUP BY "{table.key}" HAVING count(*) > 1
    """


def breaks_contract_sql(table: Table, relation: str) -> str:
    """One row, one column: how many rows of ``relation`` (an incoming batch of ``table``, ids
    and offsets derived) break the contract, plus how many repeat a key given before — the
    checks of :func:`contract_sql`, in one scan. Zero means the batch keeps the contract; only
    the row-by-row path says which rows do not, so the reasons are tested, not listed."""
    broken = " OR ".join(f"({reason}) IS NOT NULL" for reason in row_reasons(table, incoming=True))
    key = f'"{table.key}"'
    return f"""
        SELECT count(*) FILTER (WHERE {broken}) + count({key}) - count(DISTINCT {key})
        FROM {relation}
    """
