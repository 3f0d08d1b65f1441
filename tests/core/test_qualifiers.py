"""One declaration per qualifier (provenance.core.qualifiers): shapes, wordings, SQL twin."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.qualifiers import (
    QUALIFIER_NAMES,
    QUALIFIERS,
    interval_matches,
    interval_violation_sql,
    range_joiner,
)
from provenance.core.schema import QUALIFIERS as SCHEMA_QUALIFIERS

bounds = st.one_of(st.none(), st.integers(min_value=0, max_value=50).map(float))


def test_schema_enum_is_the_declared_qualifiers() -> None:
    """The schema's enum is the qualifiers declared in core, in their order."""
    assert SCHEMA_QUALIFIERS == QUALIFIER_NAMES == tuple(QUALIFIERS)


@given(qualifier=st.sampled_from(QUALIFIER_NAMES), low=bounds, high=bounds)
@settings(max_examples=200, deadline=None)
def test_sql_twin_agrees_with_python(qualifier: str, low: float | None, high: float | None) -> None:
    """interval_violation_sql flags exactly the rows interval_matches rejects."""
    sql = interval_violation_sql("q", "lo", "hi")
    (reason,) = duckdb.execute(
        f"SELECT {sql} FROM (SELECT ?::VARCHAR AS q, ?::DOUBLE AS lo, ?::DOUBLE AS hi)",
        [qualifier, low, high],
    ).fetchone()
    assert (reason is None) == (interval_matches(qualifier, low, high) is None)


def test_writers_wording_is_the_first_declared_one() -> None:
    """Writers use each qualifier's plain wording; an exact number is written bare."""
    assert QUALIFIERS["at_least"].written("fr") == "au moins "
    assert QUALIFIERS["less_than"].written("en") == "fewer than "
    assert QUALIFIERS["exact"].written("en") == ""
    assert (QUALIFIERS["range"].written("fr"), range_joiner("fr")) == ("entre ", "et")


def test_bounds_follow_the_declared_shape() -> None:
    """more_than counts from the next whole number; less_than up to the previous one."""
    assert QUALIFIERS["more_than"].bounds(240) == (241, None)
    assert QUALIFIERS["less_than"].bounds(10) == (None, 9)
    assert QUALIFIERS["approximately"].bounds(100, expression="une centaine") == (80, 120)
    assert QUALIFIERS["approximately"].bounds(100, expression="nearly") == (90, 100)
