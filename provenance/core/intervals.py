"""What a qualified number means as an interval, and arithmetic on such intervals.

A stored figure *is* its interval: ``value_low`` and ``value_high`` hold the bounds the
statement commits to (null = unbounded), so SQL rules never need to know about qualifiers.
The bounds themselves are declared by each :class:`provenance.core.qualifiers.Qualifier`;
this module wraps them as :class:`Interval` and does arithmetic on them.

Figures count things, so an open lower bound is read as 0 in arithmetic, and "more than 240"
is the closed interval [241, ∞).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from provenance.core.qualifiers import (
    APPROXIMATION_BANDS,
    DEFAULT_BAND,
    Band,
    band_for,
    expression_key,
    interval_matches,
    interval_violation_sql,
    qualifier,
)

__all__ = [
    "APPROXIMATION_BANDS",
    "DEFAULT_BAND",
    "Band",
    "Interval",
    "band_for",
    "deviation",
    "expression_key",
    "interval_for",
    "interval_matches",
    "interval_violation_sql",
]


@dataclass(frozen=True)
class Interval:
    """A closed interval; ``None`` is unbounded on that side."""

    low: float | None
    high: float | None

    def __post_init__(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"empty interval [{self.low}, {self.high}]")

    @property
    def lo(self) -> float:
        """Lower bound for arithmetic on counts: an open lower bound is 0."""
        return 0.0 if self.low is None else self.low

    @property
    def hi(self) -> float:
        return math.inf if self.high is None else self.high

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi

    def __add__(self, other: Interval) -> Interval:
        return _make(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return _make(self.lo - other.hi, self.hi - other.lo)

    def __truediv__(self, other: Interval) -> Interval:
        """Quotient of two non-negative intervals."""
        low = 0.0 if other.hi == math.inf else self.lo / other.hi
        high = math.inf if other.lo == 0 else self.hi / other.lo
        return _make(low, high)

    def scaled(self, factor: Interval) -> Interval:
        """Product of two non-negative intervals."""
        return _make(self.lo * factor.lo, self.hi * factor.hi if self.hi != 0 else 0.0)


def _make(low: float, high: float) -> Interval:
    return Interval(low, None if high == math.inf or math.isnan(high) else high)


def deviation(measured: Interval, stated: Interval) -> float:
    """Relative distance from the stated interval to the measured one; 0 when they overlap.

    3 100 / 352 = [8.807, ∞) against a stated 8: the gap 0.807 relative to 8 is 0.101 (10.1 %).
    """
    if measured.lo > stated.hi:
        return (measured.lo - stated.hi) / stated.hi if stated.hi else math.inf
    if measured.hi < stated.lo:
        return (stated.lo - measured.hi) / stated.lo if stated.lo else math.inf
    return 0.0


def interval_for(
    qualifier_name: str, value: float, high: float | None = None, expression: str | None = None
) -> Interval:
    """The interval a qualified number commits to (see :class:`provenance.core.qualifiers.Qualifier`).

    ``value`` is the number as stated ("240" in "plus de 240"); ``high`` is the upper end of a
    range; ``expression`` is the approximate wording ("une centaine"), which sets the band.
    """
    low, upper = qualifier(qualifier_name).bounds(value, high=high, expression=expression)
    return Interval(low, upper)
