"""The record contract as SQL: the reasons each row breaks its table's declaration.

Derived from :mod:`provenance.core.schema` (required columns, enums, patterns, minimums,
qualifier ↔ interval, quote offsets, unique keys). ``validate`` runs it over the stored tables
(``contract-<table>`` in :mod:`provenance.validation.builtin_checks`); it lives in storage so
that the same compiled contract can check an incoming batch before it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
        f"(({value} < '!' OR {value} >= chr(160)) AND regexp_full_match({value}, '[\\s\\p{{Z}}]*'))"
    )


@dataclass(frozen=True)
class Reason:
    """One way a row breaks its contract: a SQL condition, and the reason's text where it holds.

    Queries test the bare conditions (a row breaks the contract where any is true) and build
    the texts for the rows that do alone: at a million figures the conditions ``OR``-ed took
    0.9× the time of the reasons' ``CASE`` expressions each tested for ``NULL`` in an ``OR``,
    and 0.7× that of ``coalesce`` over them (medians of 5 alternating rounds, noisy machine).
    """

    condition: str
    message: str

    @property
    def sql(self) -> str:
        """The reason's text where the row breaks it, else NULL."""
        return f"CASE WHEN {self.condition} THEN {self.message} END"


def column_reasons(
    column: Column, pattern_breaks: Mapping[str, str] | None = None, prefix: str = ""
) -> list[Reason]:
    """The ways ``column`` can break its declaration.

    ``pattern_breaks`` maps a column to a condition, true where its value breaks the column's
    pattern, that another part of the same query decides more cheaply (see
    :mod:`provenance.validation.builtin_checks`); the others are matched here. ``prefix``
    qualifies the column (``x.``) where the query joins another table.
    """
    c = f'{prefix}"{column.name}"'
    reasons = []
    if column.required:
        # Required means present and not blank: a name of spaces is as missing as no name.
        blank = f" OR {blank_sql(c)}" if column.sql_type == "VARCHAR" else ""
        reasons.append(Reason(f"({c} IS NULL{blank})", f"'{column.name}: missing-value'"))
    if column.enum:
        # Not ``NOT IN (...)``: DuckDB plans a long IN list as a join, one per mention of the
        # reason, each copying every column of the table it reads (0.1–0.4 s at 1M figures).
        allowed = ", ".join(sql_literal(v) for v in column.enum)
        reasons.append(
            Reason(f"NOT list_contains([{allowed}], {c})", f"'{column.name}: unknown-enum ' || {c}")
        )
    if column.pattern:
        breaks = (pattern_breaks or {}).get(column.name) or (
            f"NOT regexp_full_match({c}, {sql_literal(column.pattern)})"
        )
        reasons.append(Reason(f"({breaks})", f"'{column.name}: bad-pattern ' || {c}"))
    if column.minimum is not None:
        reasons.append(Reason(f"{c} < {column.minimum}", f"'{column.name}: out-of-range ' || {c}"))
    return reasons


def contract_reasons(
    table: Table,
    *,
    incoming: bool = False,
    pattern_breaks: Mapping[str, str] | None = None,
    prefix: str = "",
) -> list[Reason]:
    """Every per-row condition of ``table``'s contract, in the order its reasons are listed.

    ``incoming`` leaves out the columns the store fills in as it writes (batch_id, recorded_at);
    ``pattern_breaks`` and ``prefix`` as in :func:`column_reasons`.
    """
    columns = table.input_columns if incoming else table.columns
    reasons = [r for column in columns for r in column_reasons(column, pattern_breaks, prefix)]
    if "qualifier" in table.column_names:
        bounds = (f"{prefix}qualifier", f"{prefix}value_low", f"{prefix}value_high")
        violation = interval_violation_sql(*bounds)
        reasons.append(Reason(f"({violation}) IS NOT NULL", f"'bad-interval: ' || ({violation})"))
    if "quote_start" in table.column_names:
        reasons.append(
            Reason(
                f"{prefix}quote_end < {prefix}quote_start",
                "'bad-interval: quote_end < quote_start'",
            )
        )
    return reasons


def any_reason_sql(reasons: list[Reason]) -> str:
    """True where the row breaks at least one of ``reasons`` (NULL or false where it breaks
    none)."""
    return " OR ".join(f"({r.condition})" for r in reasons)


def reasons_message_sql(reasons: list[Reason]) -> str:
    """Every reason that holds, joined by ``; `` (built only for the rows that break one)."""
    listed = ", ".join(r.sql for r in reasons)
    return f"array_to_string(list_filter([{listed}], lambda r: r IS NOT NULL), '; ')"


def duplicate_keys_sql(table: Table) -> str:
    """Keys stored more than once (record_id, table_name, message, quote, measured)."""
    return f"""
        SELECT "{table.key}", '{table.name}', 'duplicate-id: stored ' || count(*) || ' times', NULL, count(*)
        FROM {table.name} GROUP BY "{table.key}" HAVING count(*) > 1
    """


def contract_sql(table: Table) -> str:
    """Offending rows of ``table`` (record_id, table_name, message, quote, measured).

    Rows are kept first by whether any reason holds, and the list of reasons is built for
    those rows alone, not a list per stored row. ``validate`` decides the row conditions of a
    table it makes a row pass over inside that pass (see
    :mod:`provenance.validation.builtin_checks`), from the same :func:`contract_reasons`.
    """
    reasons = contract_reasons(table)
    quote = "quote" if "quote" in table.column_names else "NULL"
    return f"""
        SELECT "{table.key}" AS record_id, '{table.name}' AS table_name,
               {reasons_message_sql(reasons)} AS message, {quote} AS quote, NULL::DOUBLE AS measured
        FROM {table.name} WHERE {any_reason_sql(reasons)}
        UNION ALL
        {duplicate_keys_sql(table)}
    """


def breaks_contract_sql(table: Table, relation: str) -> str:
    """One row, one column: how many rows of ``relation`` (an incoming batch of ``table``, ids
    and offsets derived) break the contract, plus how many repeat a key given before — the
    checks of :func:`contract_sql`, in one scan. Zero means the batch keeps the contract; only
    the row-by-row path says which rows do not, so the reasons are tested, not listed.

    The rows are counted with ``count(CASE WHEN ...)``, not ``count(*) FILTER (WHERE ...)``:
    DuckDB 1.5 evaluates an aggregate's FILTER expression whole, so each :func:`blank_sql`
    ran its regular expression on every string; in a CASE condition it runs only on the
    strings the byte comparisons leave."""
    broken = any_reason_sql(contract_reasons(table, incoming=True))
    key = f'"{table.key}"'
    return f"""
        SELECT count(CASE WHEN {broken} THEN 1 END) + count({key}) - count(DISTINCT {key})
        FROM {relation}
    """
