"""pandera (users' pandas frames) and the compiled SQL (append, validate) are one contract."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.schema import QUALIFIERS, TABLES, Column, Kind, Table
from provenance.storage.contracts import Columns, check_records
from provenance.storage.record_contract import contract_reasons
from provenance.testing.strategies import column_values

# Besides valid values: nulls, blanks, a trailing newline (Python's `$` matches before it, a
# full match does not), unknown enum values, numbers below a minimum, bounds in any order.
_ODD_TEXT = st.sampled_from(["", " ", "\u00a0", "x\n", "abc", "f-1", "A B", "exact", "killed"])


def _values(column: Column) -> st.SearchStrategy[Any]:
    valid = column_values(column)
    if column.kind is Kind.STRING:
        return st.one_of(valid, st.none(), _ODD_TEXT, valid.map(lambda v: f"{v}\n" if v else v))
    if column.kind in (Kind.NUMBER, Kind.INTEGER):
        numbers = st.integers(min_value=-5, max_value=200)
        return st.one_of(
            valid, st.none(), numbers.map(float) if column.kind is Kind.NUMBER else numbers
        )
    return st.one_of(valid, st.none())


def _rows(table: Table) -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.fixed_dictionaries({c.name: _values(c) for c in table.input_columns})
    if "qualifier" in table.column_names:
        row = st.fixed_dictionaries(
            {
                **{c.name: _values(c) for c in table.input_columns},
                "qualifier": st.sampled_from(QUALIFIERS),
            }
        )
    return st.lists(row, min_size=1, max_size=8)


def _sql_flagged(table: Table, rows: list[dict[str, Any]]) -> set[int]:
    arrow = pa.Table.from_pylist(rows, schema=table.input_arrow_schema())
    arrow = arrow.append_column("position", pa.array(range(1, len(rows) + 1)))
    reasons = ", ".join(r.sql for r in contract_reasons(table, incoming=True))
    with duckdb.connect() as connection:
        connection.register("incoming", arrow)
        flagged = connection.execute(
            f"SELECT position FROM incoming WHERE len(list_filter([{reasons}], lambda r: r IS NOT NULL)) > 0"
        ).fetchall()
    return {p for (p,) in flagged}


def _pandera_flagged(table: Table, rows: list[dict[str, Any]]) -> set[int]:
    columns = Columns(table, list(range(1, len(rows) + 1)))
    columns.values = {c.name: [r[c.name] for r in rows] for c in table.input_columns}
    return {p.row for p in check_records(columns, before_derivation=False) if p.row is not None}


@settings(max_examples=50, deadline=None)
@given(
    data=st.data(),
    name=st.sampled_from(["figures", "relations", "entities", "subjects", "documents"]),
)
def test_pandera_and_sql_flag_the_same_rows(data: st.DataObject, name: str) -> None:
    table = TABLES[name]
    rows = data.draw(_rows(table))
    assert _pandera_flagged(table, rows) == _sql_flagged(table, rows)
