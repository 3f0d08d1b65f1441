"""Rule compilers against a reference: the rows of dates-in-order and subject-period, whose
quotes are read for the offending statements only, are those one plain pass gives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.validation.compile_duckdb import compile_duckdb, relation_measurements_sql
from provenance.validation.rules import Rule
from tests.conftest import bundled_rule, fill_table

DAY0 = date(2017, 5, 1)
# Few keys, so duplicate keys (a stored row twice) and shared documents occur.
keys = st.sampled_from(["a", "b", "c", "d"])
days = st.integers(0, 60).map(lambda n: DAY0 + timedelta(days=n))
precisions = st.sampled_from(["day", "month", "year"])
quotes = st.one_of(st.none(), st.sampled_from(["q1", "q2", "«q3»"]))


def failing_rows(connection: duckdb.DuckDBPyConnection, rule: Rule) -> list[tuple[Any, ...]]:
    compiled = compile_duckdb(rule)
    compiled.setup(connection)
    rows = sorted(connection.execute(compiled.sql).fetchall(), key=repr)
    compiled.release(connection)
    return rows


statements = st.lists(st.tuples(keys, keys, days, quotes), max_size=8)


@settings(max_examples=25, deadline=None)
@given(
    documents=st.lists(st.tuples(keys, days, precisions, days), max_size=5),
    figures=statements,
    relations=statements,
)
def test_dates_in_order_gives_the_rows_of_one_plain_pass(
    documents: list[Any], figures: list[Any], relations: list[Any]
) -> None:
    with duckdb.connect() as connection:
        fill_table(
            connection,
            "documents",
            "document_id VARCHAR, published_on DATE, published_precision VARCHAR, retrieved_at TIMESTAMPTZ",
            documents,
        )
        for table, key in (("figures", "figure_id"), ("relations", "relation_id")):
            columns = f"{key} VARCHAR, document_id VARCHAR, stated_on DATE, quote VARCHAR"
            fill_table(connection, table, columns, figures if table == "figures" else relations)
        # Columns the pass shared with quote-number-reads-back reads, unused here; the
        # documents' recorded_at, read by their own branches only (left out below).
        connection.execute("ALTER TABLE documents ADD COLUMN language VARCHAR")
        connection.execute("ALTER TABLE documents ADD COLUMN recorded_at TIMESTAMPTZ")
        for table in ("figures", "relations"):
            for column in (
                "value_text VARCHAR",
                "qualifier VARCHAR",
                "value_low DOUBLE",
                "value_high DOUBLE",
            ):
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        connection.execute("ALTER TABLE relations ADD COLUMN kind VARCHAR")
        end = (
            "(CASE d.published_precision WHEN 'month' THEN last_day(d.published_on) "
            "WHEN 'year' THEN make_date(year(d.published_on), 12, 31) ELSE d.published_on END)"
        )
        expected = connection.execute(
            " UNION ALL ".join(
                f"SELECT x.{key}, '{table}', 'stated_on ' || x.stated_on || ' is after the "
                f"document''s publication (' || d.published_on || ')', x.quote, "
                f"datediff('day', {end}, x.stated_on)::DOUBLE FROM {table} x JOIN documents d "
                f"USING (document_id) WHERE x.stated_on > {end}"
                for table, key in (("figures", "figure_id"), ("relations", "relation_id"))
            )
        ).fetchall()
        got = failing_rows(connection, bundled_rule("dates-in-order"))
    # The documents' own check (published after retrieved) is the same query as before.
    assert [r for r in got if r[1] != "documents"] == sorted(expected, key=repr)


@settings(max_examples=25, deadline=None)
@given(
    subjects=st.lists(st.tuples(keys, st.one_of(st.none(), days)), max_size=5),
    figures=st.lists(
        st.tuples(keys, keys, st.one_of(st.none(), days), precisions, quotes), max_size=8
    ),
)
def test_subject_period_gives_the_rows_of_one_plain_pass(
    subjects: list[Any], figures: list[Any]
) -> None:
    with duckdb.connect() as connection:
        fill_table(connection, "subjects", "subject_id VARCHAR, period_start DATE", subjects)
        fill_table(
            connection,
            "figures",
            "figure_id VARCHAR, subject_id VARCHAR, stated_on DATE, stated_precision VARCHAR, quote VARCHAR",
            figures,
        )
        end = (
            "(CASE f.stated_precision WHEN 'month' THEN last_day(f.stated_on) "
            "WHEN 'year' THEN make_date(year(f.stated_on), 12, 31) ELSE f.stated_on END)"
        )
        expected = connection.execute(
            f"SELECT f.figure_id, 'figures', 'subject ' || s.subject_id || ' starts ' || "
            f"s.period_start || ', after this statement of ' || f.stated_on, f.quote, "
            f"datediff('day', {end}, s.period_start)::DOUBLE FROM figures f "
            f"JOIN subjects s USING (subject_id) WHERE s.period_start > {end}"
        ).fetchall()
        rule = bundled_rule("subject-period-before-statement")
        assert failing_rows(connection, rule) == sorted(expected, key=repr)
        # The checked count comes from the offenders' join: every figure whose subject has a
        # start, once per subject row it joins.
        compiled = compile_duckdb(rule)
        compiled.setup(connection)
        checked = connection.execute(compiled.checked_sql).fetchone()
        compiled.release(connection)
        assert (
            checked
            == connection.execute(
                "SELECT count(*) FROM figures f JOIN subjects s USING (subject_id) "
                "WHERE s.period_start IS NOT NULL"
            ).fetchone()
        )


def test_offending_statements_keep_their_own_quotes() -> None:
    """Two stored rows under one key, one offending: only that row, with its quote."""
    with duckdb.connect() as connection:
        fill_table(connection, "subjects", "subject_id VARCHAR, period_start DATE", [("s", DAY0)])
        fill_table(
            connection,
            "figures",
            "figure_id VARCHAR, subject_id VARCHAR, stated_on DATE, stated_precision VARCHAR, quote VARCHAR",
            [("f", "s", date(2017, 4, 1), "day", "early"), ("f", "s", DAY0, "day", "on time")],
        )
        rows = failing_rows(connection, bundled_rule("subject-period-before-statement"))
    assert [(r[0], r[3], r[4]) for r in rows] == [("f", "early", 30.0)]


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.integers(0, 5000), min_size=4, max_size=4),
    references=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=4), max_size=4),
    kind=st.sampled_from(["sum", "ratio", "difference"]),
)
def test_relation_operands_are_shown_in_their_order(
    values: list[int], references: list[list[int]], kind: str
) -> None:
    """The operands' text reads in reference order, as an aggregate ordered by position gives."""
    with duckdb.connect() as connection:
        figures = [(f"f{i}", float(v), float(v)) for i, v in enumerate(values)]
        fill_table(
            connection, "figures", "figure_id VARCHAR, value_low DOUBLE, value_high DOUBLE", figures
        )
        relations = [
            (f"r{i}", kind, "f0", [f"f{n}" for n in refs], "q", 1.0, 1.0)
            for i, refs in enumerate(references)
        ]
        fill_table(
            connection,
            "relations",
            "relation_id VARCHAR, kind VARCHAR, figure_id VARCHAR, reference_ids VARCHAR[], "
            "quote VARCHAR, value_low DOUBLE, value_high DOUBLE",
            relations,
        )
        shown = connection.execute(
            f"SELECT relation_id, shown FROM ({relation_measurements_sql(kind)})"
        ).fetchall()
    separator = " + "
    expected = []
    for relation_id, _, _, refs, *_ in relations:
        text = separator.join(str(values[int(r[1:])]) for r in refs)
        if kind == "sum":
            expected.append((relation_id, text))
        else:
            operands = f"({text})" if len(refs) > 1 else text
            sign = "/" if kind == "ratio" else " − "
            expected.append((relation_id, f"{values[0]}{sign}{operands}"))
    assert sorted(shown) == sorted(expected)
