"""One rule for dates written without their year (provenance.core.calendar)."""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.calendar import resolve_date, resolve_date_sql


def test_documented_examples() -> None:
    """The nearest such day to publication, before or after it; a given year wins."""
    assert resolve_date(25, 5, None, dt.date(2017, 5, 28)) == dt.date(2017, 5, 25)
    assert resolve_date(24, 10, None, dt.date(2023, 10, 23)) == dt.date(2023, 10, 24)
    assert resolve_date(28, 12, None, dt.date(2024, 1, 2)) == dt.date(2023, 12, 28)
    assert resolve_date(3, 1, None, dt.date(2023, 12, 30)) == dt.date(2024, 1, 3)
    assert resolve_date(28, 5, 2016, dt.date(2017, 5, 28)) == dt.date(2016, 5, 28)
    assert resolve_date(30, 2, None, dt.date(2017, 5, 28)) is None
    assert resolve_date(29, 2, None, dt.date(2023, 6, 1)) == dt.date(2024, 2, 29)


@given(
    day=st.integers(min_value=1, max_value=31),
    month=st.integers(min_value=1, max_value=12),
    year=st.one_of(st.none(), st.integers(min_value=1990, max_value=2030)),
    published=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
)
@settings(max_examples=200, deadline=None)
def test_sql_twin_resolves_the_same_date(
    day: int, month: int, year: int | None, published: dt.date
) -> None:
    """The weekday rule's SQL and the extractor's Python give the same date, or both none."""
    sql = resolve_date_sql("d", "m", "y", "p")
    (resolved,) = duckdb.execute(
        f"SELECT {sql} FROM (SELECT ?::INTEGER AS d, ?::INTEGER AS m, ?::INTEGER AS y, ?::DATE AS p)",
        [day, month, year, published],
    ).fetchone()
    assert resolved == resolve_date(day, month, year, published)
