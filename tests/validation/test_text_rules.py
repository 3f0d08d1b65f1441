"""The rules that read text against a reference: quote-number-reads-back, which groups the
statements in one pass and reads quotes again only for failing wordings, gives the rows and
the checked count of one plain pass judging every statement against its wording's reading;
dates-in-order, reading the same grouped pass, gives the late statements of a plain one."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.qualifiers import QUALIFIER_NAMES
from provenance.text.numbers import LANGUAGES as READABLE
from provenance.validation.compile_duckdb import compile_duckdb
from tests.conftest import bundled_rule, fill_table

# Wordings of the seed article, Airwars and the synthetic warehouses, and some that do not read.
WORDINGS = [
    "3 100",
    "3\u202f100",
    "plus de 240",
    "une centaine",
    "au moins 3 100",
    "dix",
    "1903",
    "about 40",
    "at least 12",
    "between 22 and 29",
    "huit",
    "sans chiffre",
]
keys = st.sampled_from(["a", "b", "c"])
# "x" names no document: such statements join no language and are not judged.
document_keys = st.sampled_from(["d1", "d2", "d3", "x"])
bounds = st.one_of(st.none(), st.sampled_from([0.0, 8.0, 10.0, 12.0, 40.0, 80.0, 241.0, 3100.0]))
qualifiers = st.one_of(st.none(), st.sampled_from(QUALIFIER_NAMES))
days = st.sampled_from([date(2017, 5, 25), date(2017, 5, 28), date(2017, 6, 2)])


@st.composite
def statements(draw: st.DrawFn, kinds: bool) -> tuple[Any, ...]:
    value_text = draw(st.one_of(st.none(), st.sampled_from(WORDINGS)))
    written = draw(st.sampled_from(WORDINGS))
    # The wording is in its quote, or another one is, or there is no quote.
    quote = draw(
        st.sampled_from([f"« {value_text} morts »", f"« {written} morts »", None])
        if value_text
        else st.sampled_from([f"« {written} »", None])
    )
    row = (draw(keys), draw(document_keys), value_text, quote, draw(qualifiers))
    row += (draw(bounds), draw(bounds), draw(days))
    if kinds:
        row += (draw(st.sampled_from(["ratio", "sum", "share", "difference"])),)
    return row


def plain_pass(readings: str) -> str:
    """Every statement joined to its document's language and its wording's reading, judged row
    by row (the rule's condition before it grouped the statements)."""
    stated = " UNION ALL ".join(
        f"SELECT x.{key} AS record_id, '{table}' AS table_name, x.value_text, x.quote, "
        f"x.qualifier, x.value_low, x.value_high, d.language FROM {table} x "
        f"JOIN documents d USING (document_id) WHERE x.value_text IS NOT NULL{kinds}"
        for table, key, kinds in (
            ("figures", "figure_id", ""),
            ("relations", "relation_id", " AND x.kind IN ('ratio', 'sum', 'difference')"),
        )
    )
    return f"""
        SELECT s.record_id, s.table_name, s.quote, s.value_text FROM ({stated}) s
        JOIN {readings} r USING (value_text, language)
        WHERE r.supported AND (
              NOT contains(s.quote, s.value_text) OR r.qualifier IS NULL
              OR r.qualifier <> s.qualifier
              OR abs(coalesce(r.low, 0) - coalesce(s.value_low, 0)) > 1e-6
              OR (r.high IS NULL) <> (s.value_high IS NULL)
              OR abs(r.high - s.value_high) > 1e-6)
    """


@settings(max_examples=30, deadline=None)
@given(
    documents=st.lists(
        st.tuples(
            st.sampled_from(["d1", "d2", "d3"]),
            st.sampled_from(["fr", "en", "de"]),
            days,
            st.sampled_from(["day", "month"]),
        ),
        max_size=4,
    ),
    figures=st.lists(statements(kinds=False), max_size=10),
    relations=st.lists(statements(kinds=True), max_size=5),
)
def test_quote_number_gives_the_rows_of_one_plain_pass(
    documents: list[Any], figures: list[Any], relations: list[Any]
) -> None:
    columns = (
        "document_id VARCHAR, value_text VARCHAR, quote VARCHAR, qualifier VARCHAR, "
        "value_low DOUBLE, value_high DOUBLE, stated_on DATE"
    )
    with duckdb.connect() as connection:
        fill_table(
            connection,
            "documents",
            "document_id VARCHAR, language VARCHAR, published_on DATE, published_precision VARCHAR, "
            "retrieved_at TIMESTAMPTZ, recorded_at TIMESTAMPTZ",
            [(*d, None, None) for d in documents],
        )
        fill_table(connection, "figures", f"figure_id VARCHAR, {columns}", figures)
        fill_table(
            connection, "relations", f"relation_id VARCHAR, {columns}, kind VARCHAR", relations
        )
        compiled = compile_duckdb(bundled_rule("quote-number-reads-back"))
        compiled.setup(connection)
        readings = compiled.tables[-1].name
        got = connection.execute(
            f"SELECT record_id, table_name, quote, message FROM ({compiled.sql})"
        ).fetchall()
        expected = connection.execute(plain_pass(readings)).fetchall()
        checked = connection.execute(compiled.checked_sql).fetchone()
        # Every judged statement's wording was read in its language, once.
        unread = connection.execute(
            f"SELECT count(*) FROM figures f JOIN documents d USING (document_id) "
            f"ANTI JOIN {readings} r USING (value_text, language) WHERE f.value_text IS NOT NULL"
        ).fetchone()
        compiled.release(connection)
        # dates-in-order reads the same grouped pass (shared: made once, kept for it).
        dates = compile_duckdb(bundled_rule("dates-in-order"))
        assert {t.name for t in dates.tables} <= {t.name for t in compiled.tables if t.shared}
        dates.setup(connection)
        late = connection.execute(
            f"SELECT record_id, table_name, quote FROM ({dates.sql})"
        ).fetchall()
        dates.release(connection)
        expected_late = connection.execute(
            " UNION ALL ".join(
                f"SELECT x.{key}, '{table}', x.quote FROM {table} x JOIN documents d "
                f"USING (document_id) WHERE x.stated_on > CASE d.published_precision "
                f"WHEN 'month' THEN last_day(d.published_on) ELSE d.published_on END"
                for table, key in (("figures", "figure_id"), ("relations", "relation_id"))
            )
        ).fetchall()
        readable = ", ".join(f"'{language}'" for language in READABLE)
        judged = connection.execute(
            f"""SELECT (SELECT count(*) FROM figures JOIN documents USING (document_id)
                        WHERE value_text IS NOT NULL AND language IN ({readable}))
                     + (SELECT count(*) FROM relations JOIN documents USING (document_id)
                        WHERE value_text IS NOT NULL AND language IN ({readable})
                          AND kind IN ('ratio', 'sum', 'difference'))"""
        ).fetchone()
    assert sorted((r[:3] for r in got), key=repr) == sorted((r[:3] for r in expected), key=repr)
    # A message names the wording it judged (none when the stored qualifier is missing).
    assert all(m is None or re.search("«(.+)»", m) for *_, m in got)
    assert checked == judged
    assert sorted(late, key=repr) == sorted(expected_late, key=repr)
    assert unread == (0,)
