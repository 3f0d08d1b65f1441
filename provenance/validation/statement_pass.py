"""One pass over the statements joined to their documents, shared by the rules that need it.

``quote-number-reads-back`` (the wording, the language it is read in, the stored interval, and
whether the wording is in the quote) and ``dates-in-order`` (a statement dated after its
document's publication) both read every figure and relation with its document. Joining a
million figures to their documents is most of what either costs, so the first of them in a run
makes this table and the other reads it: the statements grouped by everything their verdicts
depend on, a few thousand groups for a million figures. Offending statements are read again,
quotes and all, by their keys or wordings only; with none, those reads stop at once.
"""

from __future__ import annotations

from provenance.core.schema import TABLES
from provenance.validation.sql_text import TempTable

# The tables of statements (each with a quote in a document), by their key column.
STATEMENT_KEYS = tuple((name, TABLES[name].key) for name in ("figures", "relations"))

STATEMENT_GROUPS = "rule_statement_groups"

# Relations whose stated number is a count: shares are fractions ("un quart", "25 %"), which
# the count reader does not apply to.
COUNTED_RELATIONS = ("ratio", "sum", "difference")


def period_end_sql(day: str, precision: str) -> str:
    """The last day a date of the given precision may stand for (2017-05 → 2017-05-31)."""
    return (
        f"(CASE {precision} WHEN 'month' THEN last_day({day}) "
        f"WHEN 'year' THEN make_date(year({day}), 12, 31) ELSE {day} END)"
    )


PUBLISHED_END = period_end_sql("d.published_on", "d.published_precision")


def worded_sql(table: str) -> str:
    """Whether a statement of ``table`` (alias ``x``) has a wording the count reader judges."""
    if table == "relations":
        kinds = ", ".join(f"'{kind}'" for kind in COUNTED_RELATIONS)
        return f"(x.value_text IS NOT NULL AND x.kind IN ({kinds}))"
    return "(x.value_text IS NOT NULL)"


def statement_groups_table() -> TempTable:
    """The statements of every table, joined to their documents, grouped.

    Columns: ``table_name``; for a worded statement (:func:`worded_sql`, else NULL)
    ``value_text``, ``language``, ``qualifier``, ``value_low``, ``value_high`` and
    ``contained`` (the wording is in the quote); ``late_id``, the key of a statement stated
    after its document's publication (else NULL); ``statements``, how many joined rows the
    group holds.
    """
    selects = []
    for table, key in STATEMENT_KEYS:
        worded = worded_sql(table)
        judged = [
            f"CASE WHEN {worded} THEN {column} END AS {name}"
            for column, name in (
                ("x.value_text", "value_text"),
                ("d.language", "language"),
                ("x.qualifier", "qualifier"),
                ("x.value_low", "value_low"),
                ("x.value_high", "value_high"),
                ("contains(x.quote, x.value_text)", "contained"),
            )
        ]
        selects.append(
            f"SELECT '{table}' AS table_name, {', '.join(judged)}, "
            f"CASE WHEN x.stated_on > {PUBLISHED_END} THEN x.{key} END AS late_id "
            f"FROM {table} x JOIN documents d USING (document_id)"
        )
    union = " UNION ALL ".join(selects)
    return TempTable(
        STATEMENT_GROUPS,
        f"SELECT *, count(*) AS statements FROM ({union}) GROUP BY ALL",
        shared=True,
    )
