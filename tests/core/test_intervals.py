"""Qualifier semantics: every qualified number maps to a well-formed interval the contract accepts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from provenance.core.intervals import APPROXIMATION_BANDS, interval_for, interval_matches
from provenance.core.schema import QUALIFIERS

values = st.integers(min_value=1, max_value=10**7).map(float)
expressions = st.one_of(st.none(), st.sampled_from(sorted(APPROXIMATION_BANDS)))


@given(
    qualifier=st.sampled_from([q for q in QUALIFIERS if q != "range"]),
    value=values,
    expression=expressions,
)
def test_qualified_numbers_are_well_formed_intervals(
    qualifier: str, value: float, expression: str | None
) -> None:
    """The interval is ordered, non-negative, and exactly what the record contract accepts."""
    interval = interval_for(qualifier, value, expression=expression)
    assert interval.lo <= interval.hi
    assert interval.low is None or interval.low >= 0
    assert interval_matches(qualifier, interval.low, interval.high) is None


@given(value=values, expression=expressions)
def test_qualifiers_bound_the_stated_number_as_they_say(
    value: float, expression: str | None
) -> None:
    """exact holds the number; at_least starts at it; more_than and less_than exclude it."""
    assert interval_for("exact", value).contains(value)
    assert interval_for("at_least", value).low == value
    assert interval_for("more_than", value).lo > value
    assert interval_for("less_than", value).hi < value
    assert interval_for("at_most", value).hi == value


@given(low=values, width=st.integers(min_value=1, max_value=1000))
def test_ranges_keep_their_ends(low: float, width: int) -> None:
    """A range "3 – 7" is the closed interval [3, 7]."""
    interval = interval_for("range", low, high=low + width)
    assert (interval.low, interval.high) == (low, low + width)
    assert interval_matches("range", interval.low, interval.high) is None


def test_approximations_follow_their_wording() -> None:
    """ "une centaine" is 80–120, "about 50" is 45–55, "nearly 100" stays at or under 100."""
    assert interval_for("approximately", 100, expression="une centaine") == interval_for(
        "approximately", 100, expression="Une centaine de"
    )
    assert (
        interval_for("approximately", 100, expression="une centaine").low,
        interval_for("approximately", 100, expression="une centaine").high,
    ) == (80, 120)
    assert (
        interval_for("approximately", 50, expression="about").low,
        interval_for("approximately", 50, expression="about").high,
    ) == (45, 55)
    assert interval_for("approximately", 100, expression="nearly").high == 100
