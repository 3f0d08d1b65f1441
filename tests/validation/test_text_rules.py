"""The rules that read text against a reference: quote-number-reads-back, which groups the
statements in one pass and reads quotes again only for failing wordings, gives the rows and
the checked count of one plain pass judging every statement against its wording's reading;
dates-in-order, reading the same grouped pass, gives the late statements of a plain one;
weekday-matches-date, searching the texts with non-capturing patterns, finds the mentions the
capturing ones find."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.qualifiers import QUALIFIER_NAMES
from provenance.core.schema import TABLES
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


# Pieces of weekday-and-date mentions and what surrounds them in real articles: cases, the
# spaces French typography uses, ordinals, the French article, a year or none, near misses.
MENTION_PIECES = [
    "le jeudi 25 mai",
    "ce dimanche 28 mai 2017",
    "Le\u00a0mardi 1er\u202foctobre",
    "LUNDI 3 AOÛT",
    "samedi 12 fevrier 2022",
    "Thursday, May 25",
    "on Friday 25th of May 2017",
    "SUNDAY, October 24th, 2023",
    "tuesday 3 june",
    "jeudi 25",
    "Friday, Mayday",
    "mercredi 31 juinet",
    " ",
    ", ",
    "\n",
    "Ninewa, où ",
    "3 100 morts",
    "« ",
]


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(
        st.tuples(
            st.sampled_from(["fr", "en"]),
            st.lists(st.sampled_from(MENTION_PIECES), min_size=1, max_size=8).map("".join),
        ),
        min_size=1,
        max_size=5,
    ),
    threads=st.integers(min_value=1, max_value=4),
)
def test_weekday_mentions_are_those_the_capturing_pattern_finds(
    texts: list[tuple[str, str]], threads: int
) -> None:
    """The rule finds mentions with its patterns' groups made non-capturing (RE2's faster
    engine), in the texts the anchoring checks hold, sliced by row id over DuckDB's threads;
    a plain pass over the documents with the capturing patterns finds the same mentions."""
    from provenance.validation.text_rules import _weekday_pattern

    with duckdb.connect() as connection:
        connection.execute(f"SET threads = {threads}")
        # Every column of documents: the rule reads the texts as the anchoring checks hold them.
        columns = TABLES["documents"].columns
        rows = [
            {
                "document_id": f"d{i}",
                "language": language,
                "published_on": date(2017, 5, 28),
                "text": text,
            }
            for i, (language, text) in enumerate(texts)
        ]
        fill_table(
            connection,
            "documents",
            ", ".join(f"{c.name} {c.sql_type}" for c in columns),
            [tuple(row.get(c.name) for c in columns) for row in rows],
        )
        compiled = compile_duckdb(bundled_rule("weekday-matches-date"))
        compiled.setup(connection)
        found = connection.execute(
            f"SELECT record_id, mention, written_weekday, resolved FROM {compiled.tables[-1].name}"
        ).fetchall()
        compiled.release(connection)
        expected = []
        for language in ("fr", "en"):
            pattern, _ = _weekday_pattern(language)
            expected += connection.execute(
                "SELECT document_id, unnest(regexp_extract_all(text, ?)) FROM documents "
                "WHERE language = ?",
                [pattern, language],
            ).fetchall()
    assert sorted((r, m) for r, m, *_ in found) == sorted(expected)
    # Each mention was read into its parts: its weekday is one of its words.
    assert all(w is not None and w in m.lower() for _, m, w, _ in found)
