"""What a qualified number means as an interval, and arithmetic on such intervals.

A stored figure *is* its interval: ``value_low`` and ``value_high`` hold the bounds the
statement commits to (null = unbounded), so SQL rules never need to know about qualifiers.
This module is the one place that turns (qualifier, number, expression) into those bounds.

Figures count things, so an open lower bound is read as 0 in arithmetic, and "more than 240"
is the closed interval [241, ∞).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from provenance.core.schema import QUALIFIERS


@dataclass(frozen=True)
class Band:
    """An approximation's reach, as factors of the nominal value."""

    low: float
    high: float


# How far an approximate expression reaches around its nominal value. Keys are lower-case,
# accent-free expressions; anything approximate that is not listed gets DEFAULT_BAND.
DEFAULT_BAND = Band(0.9, 1.1)
APPROXIMATION_BANDS: dict[str, Band] = {
    # "about 100", "environ 100": symmetric, ±10 %
    "about": Band(0.9, 1.1),
    "around": Band(0.9, 1.1),
    "approximately": Band(0.9, 1.1),
    "roughly": Band(0.9, 1.1),
    "some": Band(0.9, 1.1),
    "environ": Band(0.9, 1.1),
    "quelque": Band(0.9, 1.1),
    "quelques": Band(0.9, 1.1),
    "approximativement": Band(0.9, 1.1),
    # "nearly 100", "près de 100": just under
    "nearly": Band(0.9, 1.0),
    "almost": Band(0.9, 1.0),
    "close to": Band(0.9, 1.0),
    "pres de": Band(0.9, 1.0),
    "presque": Band(0.9, 1.0),
    "quasiment": Band(0.9, 1.0),
    # collective nouns: "une centaine" is 100 give or take a fifth
    "une dizaine": Band(0.8, 1.5),
    "une douzaine": Band(0.8, 1.25),
    "a dozen": Band(0.8, 1.25),
    "une vingtaine": Band(0.8, 1.25),
    "une trentaine": Band(0.8, 1.2),
    "une quarantaine": Band(0.8, 1.2),
    "une cinquantaine": Band(0.8, 1.2),
    "une soixantaine": Band(0.8, 1.2),
    "une centaine": Band(0.8, 1.2),
    "un millier": Band(0.8, 1.2),
    # plurals of collective nouns: "des dizaines" is 20 to 99 (nominal 10)
    "des dizaines": Band(2.0, 9.9),
    "dozens": Band(2.0, 8.25),  # nominal 12: 24 to 99
    "des centaines": Band(2.0, 9.99),
    "hundreds": Band(2.0, 9.99),
    "des milliers": Band(2.0, 9.999),
    "thousands": Band(2.0, 9.999),
}


def expression_key(expression: str) -> str:
    """Lower-case, accent-free, single-spaced form of an expression, for band look-up."""
    decomposed = unicodedata.normalize("NFKD", expression.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("’", "'").split())


def band_for(expression: str | None) -> Band:
    if not expression:
        return DEFAULT_BAND
    key = expression_key(expression)
    # The longest listed expression contained in the text wins ("une centaine de" → "une centaine").
    best: tuple[int, Band] | None = None
    for name, band in APPROXIMATION_BANDS.items():
        if name in key and (best is None or len(name) > best[0]):
            best = (len(name), band)
    return best[1] if best else DEFAULT_BAND


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
    qualifier: str, value: float, high: float | None = None, expression: str | None = None
) -> Interval:
    """The interval a qualified number commits to.

    ``value`` is the number as stated ("240" in "plus de 240"); ``high`` is the upper end of a
    range; ``expression`` is the approximate wording ("une centaine"), which sets the band.
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; one of {', '.join(QUALIFIERS)}")
    if qualifier == "exact":
        return Interval(value, value)
    if qualifier == "at_least":
        return Interval(value, None)
    if qualifier == "more_than":
        return Interval(_next_count(value), None)
    if qualifier == "at_most":
        return Interval(None, value)
    if qualifier == "less_than":
        return Interval(None, _previous_count(value))
    if qualifier == "range":
        if high is None:
            raise ValueError("a range needs its upper end")
        return Interval(value, high)
    band = band_for(expression)
    return Interval(_round(value * band.low), _round(value * band.high))


def _next_count(value: float) -> float:
    return float(math.floor(value) + 1)


def _previous_count(value: float) -> float:
    return float(math.ceil(value) - 1)


def _round(x: float) -> float:
    # Bands are products of decimals; keep 3 decimals so 100 × 1.2 is 120, not 119.99999999.
    return round(x, 3)


# Which bounds each qualifier needs: True = required, False = must be empty, None = either.
QUALIFIER_SHAPES: dict[str, tuple[bool | None, bool | None]] = {
    "exact": (True, True),
    "approximately": (True, True),
    "range": (True, True),
    "at_least": (True, False),
    "more_than": (True, False),
    "at_most": (None, True),
    "less_than": (None, True),
}
assert set(QUALIFIER_SHAPES) == set(QUALIFIERS)


def interval_matches(qualifier: str, low: float | None, high: float | None) -> str | None:
    """Why stored bounds cannot be the interval of their qualifier, or None if they can."""
    if low is not None and high is not None and low > high:
        return f"value_low {format_bound(low)} > value_high {format_bound(high)}"
    need_low, need_high = QUALIFIER_SHAPES[qualifier]
    if need_low and low is None:
        return f"{qualifier} needs value_low"
    if need_high and high is None:
        return f"{qualifier} needs value_high"
    if need_high is False and high is not None:
        return f"{qualifier} is unbounded above: value_high must be empty"
    if qualifier == "exact" and low != high:
        return (
            f"exact needs value_low = value_high, got {format_bound(low)} and {format_bound(high)}"
        )
    if qualifier == "range" and low == high:
        return "a range needs value_low < value_high (use exact for one number)"
    return None


def interval_violation_sql(
    qualifier: str = "qualifier", low: str = "value_low", high: str = "value_high"
) -> str:
    """A SQL expression that is a reason string when the bounds break their qualifier, else NULL.

    The SQL twin of :func:`interval_matches`, generated from the same shapes.
    """
    cases = [
        f"WHEN {low} > {high} THEN 'value_low ' || {low} || ' > value_high ' || {high}",
    ]
    for name, (need_low, need_high) in QUALIFIER_SHAPES.items():
        if need_low:
            cases.append(
                f"WHEN {qualifier} = '{name}' AND {low} IS NULL THEN '{name} needs value_low'"
            )
        if need_high:
            cases.append(
                f"WHEN {qualifier} = '{name}' AND {high} IS NULL THEN '{name} needs value_high'"
            )
        if need_high is False:
            cases.append(
                f"WHEN {qualifier} = '{name}' AND {high} IS NOT NULL "
                f"THEN '{name} is unbounded above: value_high must be empty'"
            )
    cases.append(
        f"WHEN {qualifier} = 'exact' AND {low} <> {high} THEN 'exact needs value_low = value_high'"
    )
    cases.append(
        f"WHEN {qualifier} = 'range' AND {low} = {high} THEN 'a range needs value_low < value_high'"
    )
    return "CASE " + " ".join(cases) + " END"


def format_bound(x: float | None) -> str:
    """A bound as people write it: 3100, 2.5, ∞ for an open one."""
    if x is None:
        return "∞"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
