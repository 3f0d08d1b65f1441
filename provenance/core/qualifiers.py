"""What a qualifier is, declared once: its interval, its wordings in each language, its SQL.

A stated figure carries one of seven qualifiers ("au moins 3 100" is ``at_least``). Everything
that reads, writes or checks a qualifier uses the :class:`Qualifier` objects below:

* the schema's enum (:data:`QUALIFIER_NAMES`),
* the interval a qualified number commits to (:meth:`Qualifier.bounds`; "plus de 240" is
  [241, ∞) because figures count things), and the approximation bands ("une centaine" is
  [80, 120]) in one table (:data:`APPROXIMATION_BANDS`),
* which bounds a stored row must have (:attr:`Qualifier.needs_low` / ``needs_high``), checked in
  Python by :func:`interval_matches` and in DuckDB by its twin :func:`interval_violation_sql`,
* the wordings the number reader recognises before a number ("no fewer than", "supérieur ou égal
  à") and after it ("or more", "ou plus"), and the plain wording the synthetic-data writer uses
  (the first of each language's list).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from provenance.core.enums import LANGUAGES

__all__ = ["LANGUAGES", "QUALIFIERS", "QUALIFIER_NAMES", "Qualifier"]


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
    "or so": Band(0.9, 1.1),
    "environ": Band(0.9, 1.1),
    "quelque": Band(0.9, 1.1),
    "quelques": Band(0.9, 1.1),
    "approximativement": Band(0.9, 1.1),
    "autour de": Band(0.9, 1.1),
    # "nearly 100", "près de 100": just under
    "nearly": Band(0.9, 1.0),
    "almost": Band(0.9, 1.0),
    "close to": Band(0.9, 1.0),
    "pres de": Band(0.9, 1.0),
    "presque": Band(0.9, 1.0),
    "quasiment": Band(0.9, 1.0),
    "pratiquement": Band(0.9, 1.0),
    # collective nouns: "une centaine" is 100 give or take a fifth
    "une dizaine": Band(0.8, 1.5),
    "une douzaine": Band(0.8, 1.25),
    "a dozen": Band(0.8, 1.25),
    "une quinzaine": Band(0.8, 1.2),
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
    """The band of an approximate wording; the longest listed expression in it wins."""
    if not expression:
        return DEFAULT_BAND
    key = expression_key(expression)
    best: tuple[int, Band] | None = None
    for name, band in APPROXIMATION_BANDS.items():
        if name in key and (best is None or len(name) > best[0]):
            best = (len(name), band)
    return best[1] if best else DEFAULT_BAND


Bounds = tuple[float | None, float | None]


@dataclass(frozen=True)
class Qualifier:
    """One qualifier: how its bounds follow from the stated number(s), and how it is said.

    ``needs_low`` / ``needs_high``: True = the stored bound is required, False = it must be
    empty, None = either. ``before`` and ``after`` are the wordings read before and after a
    number, per language; the first ``before`` wording is the one writers use.
    """

    name: str
    needs_low: bool | None
    needs_high: bool | None
    before: dict[str, tuple[str, ...]] = field(default_factory=dict)
    after: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def bounds(
        self, value: float, high: float | None = None, expression: str | None = None
    ) -> Bounds:
        """(value_low, value_high) the statement commits to; None is unbounded."""
        name = self.name
        if name == "exact":
            return value, value
        if name == "at_least":
            return value, None
        if name == "more_than":
            return float(math.floor(value) + 1), None
        if name == "at_most":
            return None, value
        if name == "less_than":
            return None, float(math.ceil(value) - 1)
        if name == "range":
            if high is None:
                raise ValueError("a range needs its upper end")
            return value, high
        band = band_for(expression)
        # Bands are products of decimals; 3 decimals keep 100 × 1.2 at 120, not 119.99999999.
        return round(value * band.low, 3), round(value * band.high, 3)

    def written(self, language: str) -> str:
        """The plain wording a writer puts before the number ("au moins "); an exact number
        is written bare, and a range opens with "between"/"entre" (its joiner: :func:`range_joiner`)."""
        wordings = self.before.get(language, ())
        return wordings[0] + " " if wordings and self.name != "exact" else ""


_EXACT = Qualifier(
    "exact",
    True,
    True,
    # "equal to 2000 or less": a neutral wording the suffix may still qualify.
    before={
        "en": ("exactly", "precisely", "equal to"),
        "fr": ("exactement", "précisément", "égal à"),
    },
)
_APPROXIMATELY = Qualifier(
    "approximately",
    True,
    True,
    before={
        "en": (
            "about", "around", "approximately", "roughly", "some", "nearly", "almost", "close to",
            "an estimated", "estimated at", "approx.", "circa", "in the region of",
            "more or less", "give or take", "something like", "in the vicinity of",
            "on the order of",
        ),
        "fr": (
            "environ", "près de", "près d'", "quelque", "approximativement", "presque",
            "quasiment", "autour de", "aux alentours de", "à peu près", "grosso modo",
            "de l'ordre de", "pas loin de", "pratiquement", "plus ou moins", "aux environs de",
            "quelques", "dans les",
        ),
    },
    after={"en": ("or so", "approximately", "roughly", "-odd"), "fr": ("environ", "à peu près")},
)  # fmt: skip
_AT_LEAST = Qualifier(
    "at_least",
    True,
    False,
    before={
        "en": (
            "at least", "no fewer than", "no less than", "not less than", "not fewer than",
            "a minimum of", "minimum of", "at minimum", "at a minimum", "at the very least",
            "at least or equal to", "greater than or equal to", "more than or equal to",
            "equal to or more than", "equal to or greater than", "as few as", "minimum",
            "at the least", "not under", "not below", "no lower than", "no smaller than",
            "greater or equal to", "more or equal to", "higher or equal to", "equal to or above",
            "at or above",
        ),
        "fr": (
            "au moins", "au minimum", "pas moins de", "pas moins d'", "un minimum de",
            "supérieur ou égal à", "supérieure ou égale à", "supérieurs ou égaux à",
            "au bas mot", "à tout le moins", "au moins égal à", "minimum", "égal ou supérieur à",
            "égale ou supérieure à",
        ),
    },
    after={
        "en": ("or more", "or above", "or higher", "or over", "or greater", "and more", "and above",
               "and over", "or upwards", "and upwards", "at least",
               "-plus", "+"),
        "fr": ("ou plus", "et plus", "au moins", "au minimum", "ou davantage", "au bas mot", "+"),
    },
)  # fmt: skip
_MORE_THAN = Qualifier(
    "more_than",
    True,
    False,
    before={
        "en": (
            "more than", "over", "upwards of", "upward of", "in excess of", "above", "greater than",
            "larger than", "higher than", "exceeding", "exceeded", "exceeds", "topped",
            "surpassed", "beyond", "well over", "north of", "topping", "tops", "passed",
            "surpassing", "crossed",
        ),
        "fr": (
            "plus de", "plus d'", "supérieur à", "supérieure à", "supérieurs à", "au-delà de",
            "au-dessus de", "au dessus de", "a dépassé", "ont dépassé", "dépassé", "dépasse",
            "dépassent", "dépassant", "excède", "excédant", "franchi la barre de",
            "franchi le seuil de", "franchi le cap de", "dépassé la barre de", "passé la barre de",
        ),
    },
)  # fmt: skip
_AT_MOST = Qualifier(
    "at_most",
    None,
    True,
    before={
        "en": (
            "at most", "up to", "as many as", "no more than", "not more than", "a maximum of",
            "maximum of", "at the most", "less than or equal to", "fewer than or equal to",
            "equal to or less than", "equal to or fewer than", "not exceeding", "maximum",
            "no greater than", "no higher than", "no larger than", "not over", "not above",
            "at or below", "at or under", "less or equal to", "smaller or equal to",
            "lower or equal to", "fewer or equal to", "equal to or below",
        ),
        "fr": (
            "au plus", "jusqu'à", "pas plus de", "pas plus d'", "un maximum de", "au maximum",
            "tout au plus", "inférieur ou égal à", "inférieure ou égale à",
            "inférieurs ou égaux à", "au plus égal à", "maximum", "égal ou inférieur à",
            "égale ou inférieure à",
        ),
    },
    after={
        "en": ("or less", "or fewer", "or below", "or under", "at most", "at the most"),
        "fr": ("ou moins", "au plus", "au maximum", "tout au plus"),
    },
)  # fmt: skip
_LESS_THAN = Qualifier(
    "less_than",
    None,
    True,
    before={
        "en": (
            "fewer than", "less than", "below", "under", "smaller than", "lower than",
            "short of", "shy of", "beneath",
        ),
        "fr": (
            "moins de", "moins d'", "inférieur à", "inférieure à", "inférieurs à",
            "en dessous de", "en-dessous de", "au-dessous de", "sous la barre de",
            "en deçà de",
        ),
    },
)  # fmt: skip
_RANGE = Qualifier(
    "range",
    True,
    True,
    # Openers; their joiners are RANGE_JOINERS.
    before={"en": ("between", "from"), "fr": ("entre", "de", "d'")},
)

QUALIFIERS: dict[str, Qualifier] = {
    q.name: q for q in (_EXACT, _APPROXIMATELY, _AT_LEAST, _MORE_THAN, _AT_MOST, _LESS_THAN, _RANGE)
}
QUALIFIER_NAMES: tuple[str, ...] = tuple(QUALIFIERS)

# What joins the two ends of a range after an opener ("between 3 and 7", "de 3 à 7"), and the
# joiners that make a range without one ("30 through 90", "six or seven", "4k-15k").
RANGE_JOINERS: dict[str, dict[str, str]] = {
    "en": {"between": "and", "from": "to"},
    "fr": {"entre": "et", "de": "à", "d'": "à"},
}
FREE_RANGE_JOINERS: dict[str, tuple[str, ...]] = {
    "en": ("to", "through", "thru", "or", "up to", "-", "–", "—", "~"),
    "fr": ("à", "a", "ou", "jusqu'à", "-", "–", "—", "~"),
}


def range_joiner(language: str) -> str:
    """The word a writer puts between the two ends of a range opened by its plain wording."""
    return RANGE_JOINERS[language][QUALIFIERS["range"].before[language][0]]


# Qualifiers that bound a count from below or from above, for "au plus 80 et au moins 15".
LOWER_BOUNDS = ("at_least", "more_than")
UPPER_BOUNDS = ("at_most", "less_than")


def qualifier(name: str) -> Qualifier:
    try:
        return QUALIFIERS[name]
    except KeyError:
        raise ValueError(
            f"unknown qualifier {name!r}; one of {', '.join(QUALIFIER_NAMES)}"
        ) from None


def interval_matches(qualifier_name: str, low: float | None, high: float | None) -> str | None:
    """Why stored bounds cannot be the interval of their qualifier, or None if they can."""
    if low is not None and high is not None and low > high:
        return f"value_low {format_bound(low)} > value_high {format_bound(high)}"
    declared = qualifier(qualifier_name)
    if declared.needs_low and low is None:
        return f"{qualifier_name} needs value_low"
    if declared.needs_high and high is None:
        return f"{qualifier_name} needs value_high"
    if declared.needs_high is False and high is not None:
        return f"{qualifier_name} is unbounded above: value_high must be empty"
    if qualifier_name == "exact" and low != high:
        return (
            f"exact needs value_low = value_high, got {format_bound(low)} and {format_bound(high)}"
        )
    if qualifier_name == "range" and low == high:
        return "a range needs value_low < value_high (use exact for one number)"
    return None


def interval_violation_sql(
    qualifier_column: str = "qualifier", low: str = "value_low", high: str = "value_high"
) -> str:
    """A SQL expression that is a reason string when the bounds break their qualifier, else NULL.

    The SQL twin of :func:`interval_matches`, generated from the same declarations.
    """
    q = qualifier_column
    cases = [f"WHEN {low} > {high} THEN 'value_low ' || {low} || ' > value_high ' || {high}"]
    for name, declared in QUALIFIERS.items():
        if declared.needs_low:
            cases.append(f"WHEN {q} = '{name}' AND {low} IS NULL THEN '{name} needs value_low'")
        if declared.needs_high:
            cases.append(f"WHEN {q} = '{name}' AND {high} IS NULL THEN '{name} needs value_high'")
        if declared.needs_high is False:
            cases.append(
                f"WHEN {q} = '{name}' AND {high} IS NOT NULL "
                f"THEN '{name} is unbounded above: value_high must be empty'"
            )
    cases.append(
        f"WHEN {q} = 'exact' AND {low} <> {high} THEN 'exact needs value_low = value_high'"
    )
    cases.append(
        f"WHEN {q} = 'range' AND {low} = {high} THEN 'a range needs value_low < value_high'"
    )
    return "CASE " + " ".join(cases) + " END"


def format_bound(x: float | None) -> str:
    """A bound as people write it: 3100, 2.5, ∞ for an open one."""
    if x is None:
        return "∞"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
