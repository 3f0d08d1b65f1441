"""The compiled form of a rule: its base tables are materialised once and dropped after it."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.validation.sql_text import (
    LIVE_FIGURES,
    SERIES_APART,
    CompiledRule,
    TempTable,
    drop_shared,
    live_figures_tables,
    shared_topics,
    statement_body,
    table_name,
)


def temp_tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return {r[0] for r in rows}


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE figures AS SELECT * FROM (VALUES "
        "('a', 'd', 's', 'killed', 'c', DATE '2024-01-01', 'day', 10.0, 10.0, NULL), "
        "('b', 'd', 's', 'killed', 'c', DATE '2024-01-02', 'day', 5.0, NULL, 'a'), "
        "('c', 'd', 's', 'killed', 'c', DATE '2024-01-03', 'day', NULL, 7.0, NULL)) "
        "t(figure_id, document_id, subject_id, metric, claimant_id, stated_on, stated_precision, "
        "value_low, value_high, supersedes)"
    )
    return connection


def rule(own: str) -> CompiledRule:
    """A rule counting the live figures through its own table, as the series rules do."""
    return CompiledRule(
        sql=f"SELECT figure_id AS record_id, 'x' AS message FROM {own} WHERE lo > 6",
        checked_sql=f"SELECT count(*) FROM {own}",
        tables=(*live_figures_tables(), TempTable(own, f"SELECT * FROM {LIVE_FIGURES}")),
    )


def test_live_figures_leave_out_corrected_ones_with_open_bounds_as_numbers(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    rule("own").setup(connection)
    rows = connection.execute(f"SELECT figure_id, lo, hi FROM {LIVE_FIGURES} ORDER BY 1").fetchall()
    assert rows == [("b", 5.0, float("inf")), ("c", 0.0, 7.0)]


def test_shared_tables_are_made_once_and_own_tables_dropped_after_the_rule(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    first, second = rule("first_own"), rule("second_own")
    first.setup(connection)
    # A second rule of the same run reads the shared table as it was made, not a recomputation.
    connection.execute("DELETE FROM figures WHERE figure_id = 'c'")
    second.setup(connection)
    assert connection.execute(second.checked_sql).fetchone() == (2,)
    first.release(connection)
    second.release(connection)
    assert temp_tables(connection) == {LIVE_FIGURES, SERIES_APART}
    drop_shared(connection, [first], keep=[second])
    assert temp_tables(connection) == {LIVE_FIGURES, SERIES_APART}
    drop_shared(connection, [second])
    assert temp_tables(connection) == set()
    # The next run computes it afresh.
    first.setup(connection)
    assert connection.execute(first.checked_sql).fetchone() == (1,)


def test_table_names_are_distinct_for_names_that_differ_in_punctuation() -> None:
    assert table_name("rule_x", "a-b") != table_name("rule_x", "a_b")
    assert table_name("rule_x", "a-b") == table_name("rule_x", "a-b")
    assert table_name("rule_x", "Gap «1»").replace("_", "").isalnum()


# Series keys: a few subjects, metrics and claimants, some missing, so that keys repeat.
series_keys = st.tuples(
    st.sampled_from(["mosul", "raqqa", "Mosul", None]),
    st.sampled_from(["killed", "injured", None]),
    st.sampled_from(["pentagon", "airwars", None]),
)
# Hashes that collide: every key tuple on one value, or spread over two.
POOR_HASHES = (
    "CREATE MACRO clash(a, b) AS 7::UBIGINT, (a, b, c) AS 7::UBIGINT",
    "CREATE MACRO clash(a, b) AS hash(a, b) % 2, (a, b, c) AS hash(a, b, c) % 2",
    "CREATE MACRO clash(a, b) AS hash(a, b), (a, b, c) AS hash(a, b, c)",
)


@settings(max_examples=30, deadline=None)
@given(st.lists(series_keys, min_size=1, max_size=12), st.sampled_from(POOR_HASHES))
def test_series_and_topic_ids_are_exact_even_when_their_hashes_collide(
    keys: list[tuple[str | None, str | None, str | None]], poor_hash: str
) -> None:
    """Two figures share a series id exactly when their subject, metric and claimant are the
    same (a missing key is a value), and a topic id exactly when subject and metric are, all
    three present (else no topic): whatever the hash gives, colliding or not."""
    connection = duckdb.connect()
    connection.execute(poor_hash)
    rows = ", ".join(
        f"('f{i}', {', '.join('NULL' if k is None else repr(k) for k in key)})"
        for i, key in enumerate(keys)
    )
    connection.execute(
        "CREATE TABLE figures AS SELECT figure_id, 'd' AS document_id, subject_id, metric, "
        "claimant_id, DATE '2024-01-01' AS stated_on, 'day' AS stated_precision, "
        "1.0 AS value_low, 1.0 AS value_high, NULL::VARCHAR AS supersedes "
        f"FROM (VALUES {rows}) t(figure_id, subject_id, metric, claimant_id)"
    )
    table = live_figures_tables(hash_function="clash")
    CompiledRule("SELECT 1", "SELECT 1", tables=table).setup(connection)
    got = connection.execute(
        "SELECT subject_id, f.metric, claimant_id, series_id, topic_id "
        f"FROM {LIVE_FIGURES} JOIN figures f USING (figure_id)"
    ).fetchall()
    assert len(got) == len(keys)
    # Every topic of two series or more is among the shared topics (a superset may hold more).
    shared = {r[0] for r in connection.execute(shared_topics()).fetchall()}
    for one in got:
        if any(o[4] == one[4] and o[3] != one[3] for o in got if one[4] is not None):
            assert one[4] in shared
    for one in got:
        for other in got:
            assert (one[3] == other[3]) == (one[:3] == other[:3])
            if None in one[:3]:
                assert one[4] is None
            elif None not in other[:3]:
                assert (one[4] == other[4]) == (one[:2] == other[:2])


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12),
    ending=st.sampled_from(["", ";", " ; -- why", ";;\n-- note\n", " /* c */ ;"]),
)
def test_statement_body_stands_in_a_subquery(text: str, ending: str) -> None:
    """Whatever the query holds before its end (accents count as several bytes to DuckDB's
    tokenizer), its closing semicolons go and the query runs inside a subquery unchanged."""
    literal = text.replace("'", "''")
    sql = f"SELECT '{literal}' AS x, (1 + 1) AS y{ending}"
    body = statement_body(sql)
    assert duckdb.sql(f"SELECT * FROM (\n{body}\n) AS q").fetchall() == [(text, 2)]
