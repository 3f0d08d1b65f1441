"""The record contract compiled to SQL: the reasons a stored row breaks its declaration."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import Warehouse
from provenance.core.schema import STORED_TABLES, TABLES
from provenance.storage.record_contract import blank_sql, contract_sql
from tests.conftest import VALID_STATEMENT


def test_the_bundled_warehouse_keeps_its_contract(bundled: Warehouse) -> None:
    with bundled.connect() as connection:
        for table in STORED_TABLES:
            assert connection.execute(contract_sql(table)).fetchall() == [], table.name


def test_each_broken_declaration_is_named_and_a_twice_stored_key_counted() -> None:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE entities AS SELECT *, 'b' AS batch_id, now() AS recorded_at FROM (VALUES "
        "('e-1', 'ok', 'person', NULL), ('e-1', 'ok', 'person', NULL), "
        "('E 2', '   ', 'no-such-kind', NULL)) AS t(entity_id, name, kind, aliases)"
    )
    rows = connection.execute(contract_sql(TABLES["entities"])).fetchall()
    messages = {record_id: message for record_id, _, message, _, _ in rows}
    assert messages == {
        "e-1": "duplicate-id: stored 2 times",
        "E 2": "entity_id: bad-pattern E 2; name: missing-value; kind: unknown-enum no-such-kind",
    }


def test_an_incoming_batch_is_held_to_the_same_contract() -> None:
    """Without the columns the store adds, the same reasons count, and so does a key twice."""
    from provenance.storage.record_contract import breaks_contract_sql

    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE batch AS SELECT * FROM (VALUES ('e-1', 'ok', 'person', NULL)) "
        "AS t(entity_id, name, kind, aliases)"
    )
    count = breaks_contract_sql(TABLES["entities"], "batch")
    assert connection.execute(count).fetchone() == (0,)
    connection.execute("INSERT INTO batch VALUES ('e-2', 'x\n', 'no-such-kind', NULL)")
    assert connection.execute(count).fetchone() == (1,)
    connection.execute("INSERT INTO batch VALUES ('e-1', 'ok', 'person', NULL)")
    assert connection.execute(count).fetchone() == (2,)


def test_an_incoming_document_id_is_matched_against_its_pattern() -> None:
    """validate reads a statement's broken document ids off its row pass; a batch has none, so
    its contract matches the pattern on every row, and the stored contract without that pass
    too."""
    from provenance.storage.record_contract import breaks_contract_sql

    valid = {**VALID_STATEMENT, "figure_id": "f", "document_id": "5f0c" * 16}
    table = TABLES["figures"]
    connection = duckdb.connect()
    columns = table.input_columns
    ddl = ", ".join(f'"{c.name}" {c.sql_type}' for c in columns)
    connection.execute(f"CREATE TABLE batch ({ddl})")
    rows = [valid, {**valid, "figure_id": "g", "document_id": ("5F0C" * 16)}]
    marks = ", ".join("?" for _ in columns)
    connection.executemany(
        f"INSERT INTO batch VALUES ({marks})", [[r.get(c.name) for c in columns] for r in rows]
    )
    assert connection.execute(breaks_contract_sql(table, "batch")).fetchone() == (1,)
    connection.execute(
        "CREATE TABLE figures AS SELECT *, 'b' AS batch_id, now() AS recorded_at FROM batch"
    )
    found = connection.execute(contract_sql(table)).fetchall()
    assert [(r[0], r[2]) for r in found] == [("g", f"document_id: bad-pattern {'5F0C' * 16}")]


# Characters either side of every boundary the blank test's shortcut relies on: the ASCII
# spaces and controls, '!', U+0085 (a control RE2 does not call a space), U+00A0 and the
# Unicode separators, and ordinary letters and quotes.
_EDGES = (
    " \t\n\x0b\x0c\r\x1f!~\x7f\x85\xa0\xab\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000aé«"
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=_EDGES, max_size=6) | st.text(max_size=6), max_size=40))
def test_blank_is_what_the_regular_expression_calls_blank(values: list[str]) -> None:
    """The shortcut in front of the regular expression never changes its answer."""
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (v VARCHAR)")
    connection.executemany("INSERT INTO t VALUES (?)", [[v] for v in [*values, None]])
    rows = connection.execute(
        f"SELECT v, {blank_sql('v')}, regexp_full_match(v, '[\\s\\p{{Z}}]*') FROM t"
    ).fetchall()
    assert [(v, quick) for v, quick, _ in rows] == [(v, full) for v, _, full in rows]
