"""Qualified counts: a number token with the wordings around it, as an interval.

The qualifier wordings ("no fewer than", "supérieur ou égal à", "or more", "ou plus") and the
interval each qualifier means come from :mod:`provenance.core.qualifiers`; this module only
finds them around the numbers and assembles:

* a prefix and/or a suffix: "above 150" → more_than [151, ∞); "equal to 2000 or less" →
  at_most (−∞, 2000]; "environ 300 ou plus" → at_least [300, ∞) (a bound after the number
  overrides an approximation before it);
* two numbers joined as a range: "between 12 and 20", "de 5 à 8", "30 through 90", "4k-15k",
  "six or seven"; a scale word on the second end also scales the first ("between 1.5 and 2
  million", "entre 3 et 4 mille");
* a lower and an upper bound joined: "larger than 10 and smaller than 30" → range [11, 29],
  "au plus 80 et au moins 15" → [15, 80].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.core.intervals import interval_for
from provenance.core.qualifiers import (
    FREE_RANGE_JOINERS,
    LOWER_BOUNDS,
    QUALIFIERS,
    RANGE_JOINERS,
    UPPER_BOUNDS,
)
from provenance.text.reading.not_counts import is_article, is_not_a_count
from provenance.text.reading.tokens import GROUP_SPACES, Number, check_language, number_tokens

# The wordings' patterns read a folded copy of the text, in which every kind of space is a plain
# space and a typographic apostrophe a straight one: one character for one, so the offsets are
# the text's, and every group they capture is _normalise'd, which folds these alike anyway.
# Spelled with the wide characters ("[ \u00a0\u202f]", "['’]"), the prefix patterns cost
# Python's regex compiler some 35 ms at each start (a class holding a character above U+00FF
# costs it a 65 536-entry table each time it appears, some 130 times); folded, they are plain.
_FOLDS = [(space, " ") for space in GROUP_SPACES if space != " "] + [("’", "'")]


def _folded(text: str) -> str:
    """The text as the wordings' patterns read it (``str.replace`` is several times faster
    than ``str.translate`` on a long narrative)."""
    for wide, plain in _FOLDS:
        text = text.replace(wide, plain)
    return text


_S = " "  # one space, in a folded text


@dataclass(frozen=True)
class Quantity:
    """A qualified count found in a text; ``text[start:end] == value_text``."""

    low: float | None
    high: float | None
    qualifier: str
    value_text: str
    start: int
    end: int


def _escaped(wording: str) -> str:
    # An apostrophe matches ' and ’; a space any run of spaces; a hyphen also a space.
    out = re.escape(_folded(wording)).replace(r"\ ", f"{_S}+")
    return out.replace(r"\-", f"(?:-|{_S}+)") if wording[0] != "-" else out


def _wordings(language: str, where: str) -> dict[str, str]:
    """Normalised wording → qualifier, for the wordings before or after a number."""
    table: dict[str, str] = {}
    for name, declared in QUALIFIERS.items():
        for wording in getattr(declared, where).get(language, ()):
            table[_normalise(wording)] = name
    return table


def _normalise(wording: str) -> str:
    return " ".join(wording.casefold().replace("’", "'").replace("-", " ").split())


_BEFORE = {lang: _wordings(lang, "before") for lang in ("fr", "en")}


def _before_key(wording: str, language: str) -> str:
    """The declared wording a match stands for ("au-delà des" is "au-delà de")."""
    key = _normalise(wording)
    if key not in _BEFORE[language]:
        key = re.sub(r" d(?:es|u)$", " de", key)
    return key


_AFTER = {lang: _wordings(lang, "after") for lang in ("fr", "en")}


def _before_pattern(language: str) -> re.Pattern[str]:
    wordings = sorted(
        (w for q in QUALIFIERS.values() for w in q.before.get(language, ())), key=len, reverse=True
    )
    # "au-delà des 60", "sous la barre des 100": a French "de" also contracts with the article.
    alternation = "|".join(
        _escaped(w)[:-2] + "d(?:e|es|u)" if w.endswith(" de") else _escaped(w) for w in wordings
    )
    # "dépassant les 60", "au-delà des 60": an article may stand before the number in French.
    article = f"(?:(?:les|des){_S}+)?" if language == "fr" else ""
    return re.compile(
        rf"(?:^|(?<=[\W]))(?P<wording>{alternation})(?:(?<=')|{_S}+){article}$", re.IGNORECASE
    )


def _after_pattern(language: str) -> re.Pattern[str]:
    wordings = sorted(
        (w for q in QUALIFIERS.values() for w in q.after.get(language, ())), key=len, reverse=True
    )
    alternation = "|".join(_escaped(w) for w in wordings if w[0].isalpha())
    glued = "|".join(re.escape(_folded(w)) for w in wordings if not w[0].isalpha())
    # "40 or more", "40 civils ou plus" (one noun may come between), "40+", "40-plus".
    return re.compile(
        rf"(?:(?P<glued>{glued})|(?P<noun>{_S}+[^\W\d_]+)?{_S}+(?P<wording>{alternation}))"
        rf"(?![\w])",
        re.IGNORECASE,
    )


_PREFIX = {lang: _before_pattern(lang) for lang in ("fr", "en")}
_SUFFIX = {lang: _after_pattern(lang) for lang in ("fr", "en")}
_PREFIX_WINDOW = 48

_DASH = re.compile(rf"{_S}*[–—~-]{_S}*")


def _joiner_pattern(language: str) -> re.Pattern[str]:
    words = {*RANGE_JOINERS[language].values(), *FREE_RANGE_JOINERS[language]}
    alternation = "|".join(
        _escaped(w) for w in sorted(words, key=len, reverse=True) if w[0].isalpha()
    )
    return re.compile(rf"{_S}+(?P<word>{alternation}){_S}+", re.IGNORECASE)


_WORD_JOIN = {lang: _joiner_pattern(lang) for lang in ("fr", "en")}
# Between a lower and an upper bound: "more than 10 but fewer than 20", "au plus 80 et au moins 15".
_BOUNDS_JOIN = re.compile(
    rf"^{_S}*,?{_S}*(?:(?:and|but|et|mais){_S}+)?(?:(?:possibly|perhaps|maybe|probably)"
    rf"{_S}+)?$",
    re.IGNORECASE,
)
# "at least 30, or even 40", "au moins 30, voire 40": a lower bound, then how far it may go.
_EVEN_JOIN = re.compile(
    rf"^{_S}*,?{_S}*(?:(?:and|or|et|ou){_S}+)?(?:possibly|perhaps|maybe|even|voire|"
    rf"peut-être(?:{_S}+même)?|sinon){_S}+$",
    re.IGNORECASE,
)


def _prefix(text: str, start: int, language: str) -> re.Match[str] | None:
    return _PREFIX[language].search(text, max(0, start - _PREFIX_WINDOW), start)


def _suffix(text: str, end: int, language: str) -> re.Match[str] | None:
    match = _SUFFIX[language].match(text, end, end + 40)
    if match and match.group("noun") and _normalise(match.group("noun")) in _AFTER[language]:
        return None  # "40 at least 12": the "noun" is itself a wording
    return match


def _range_end(
    folded: str, first: Number, following: Number | None, opener: str | None, language: str
) -> Number | None:
    """The second number of a range starting at ``first``, if the (folded) text joins them."""
    if following is None or following.kind == "collective" or first.kind == "collective":
        return None
    gap = folded[first.end : following.start]
    if _DASH.fullmatch(gap):
        return following
    joiner = _WORD_JOIN[language].fullmatch(gap)
    if not joiner:
        return None
    word = _normalise(joiner.group("word"))
    if opener is not None and RANGE_JOINERS[language].get(opener) == word:
        return following
    return following if word in FREE_RANGE_JOINERS[language] else None


def find_quantities(text: str, language: str) -> list[Quantity]:
    """Every count in the text, in order, with ``text[q.start:q.end] == q.value_text``."""
    check_language(language)
    numbers = number_tokens(text, language)
    folded = _folded(text)  # what the wordings' patterns read
    quantities: list[Quantity] = []
    index = 0
    while index < len(numbers):
        number = numbers[index]
        following = numbers[index + 1] if index + 1 < len(numbers) else None
        prefix = _prefix(folded, number.start, language)
        wording = _before_key(prefix.group("wording"), language) if prefix else None
        qualifier = _BEFORE[language].get(wording or "", "exact")
        opening = prefix if wording in RANGE_JOINERS[language] else None
        if prefix is not None and opening is None:  # "between about 20 and 30"
            outer = _prefix(folded, prefix.start(), language)
            if outer and _before_key(outer.group("wording"), language) in RANGE_JOINERS[language]:
                opening = outer
        opener = _before_key(opening.group("wording"), language) if opening else None
        second = _range_end(folded, number, following, opener, language)
        index += 2 if second else 1
        qualified = qualifier not in ("exact", "range") or _suffix(folded, number.end, language)
        if is_not_a_count(number, text, language, qualified=bool(qualified and not second)) or (
            second and is_not_a_count(second, text, language)
        ):
            continue
        if (
            second is None
            and is_article(number, text, language)
            and qualifier in ("exact", "range")
        ):
            continue
        wording_match = opening or prefix
        range_start = wording_match.start() if wording_match else number.start
        quantity = _quantity(text, folded, number, second, prefix, qualifier, language, range_start)
        if quantity is not None:
            quantities.append(quantity)
    return _join_bounds(text, folded, quantities)


def _quantity(
    text: str,
    folded: str,
    number: Number,
    second: Number | None,
    prefix: re.Match[str] | None,
    qualifier: str,
    language: str,
    range_start: int,
) -> Quantity | None:
    """Assemble the qualified quantity; ``None`` for a backwards "range" such as "7-3"."""
    if second is not None:
        low_value = number.value
        if (
            number.scale == 1.0
            and second.scale > 1.0
            and number.value < second.value / second.scale
        ):
            low_value = number.value * second.scale  # "between 1.5 and 2 million"
        if second.value < low_value:
            return None
        start = range_start
        name = "range" if second.value > low_value else "exact"
        interval = interval_for(name, low_value, high=second.value)
        return Quantity(
            interval.low, interval.high, name, text[start : second.end], start, second.end
        )
    start, end = number.start, number.end
    if qualifier == "range":  # "de 3 civils": an opener without a range is no qualifier
        qualifier = "exact"
    elif prefix:
        start = prefix.start()
    suffix = _suffix(folded, number.end, language)
    if suffix is not None:
        after = _normalise(suffix.group("glued") or suffix.group("wording"))
        suffix_qualifier = _AFTER[language][after]
        # "environ 300 ou plus": a bound after the number overrides an approximation before.
        if qualifier in ("exact", "approximately") or suffix_qualifier == qualifier:
            qualifier = suffix_qualifier
            end = suffix.end()
    expression = None
    if number.kind == "collective":
        if qualifier == "exact":
            qualifier = "approximately"
        expression = number.expression  # the noun sets the band: "environ une centaine"
    elif qualifier == "approximately":
        # The wording sets the band ("about half a dozen" is about 6, not "a dozen"'s band).
        expression = text[start : number.start] + " " + text[number.end : end]
    interval = interval_for(qualifier, number.value, expression=expression)
    return Quantity(interval.low, interval.high, qualifier, text[start:end], start, end)


def _join_bounds(text: str, folded: str, quantities: list[Quantity]) -> list[Quantity]:
    """ "more than 10 but fewer than 20", "au plus 80 et au moins 15" and "at least 30, or even
    40" are ranges."""
    joined: list[Quantity] = []
    for quantity in quantities:
        previous = joined[-1] if joined else None
        merged = _bounds_range(text, folded, previous, quantity) if previous else None
        if merged is not None:
            joined[-1] = merged
        else:
            joined.append(quantity)
    return joined


def _bounds_range(
    text: str, folded: str, previous: Quantity, quantity: Quantity
) -> Quantity | None:
    gap = folded[previous.end : quantity.start]
    low: float | None = None
    high: float | None = None
    kinds = {previous.qualifier, quantity.qualifier}
    if (
        _BOUNDS_JOIN.match(gap)
        and kinds & set(LOWER_BOUNDS)
        and kinds & set(UPPER_BOUNDS)
        and len(kinds) == 2
    ):
        lower = previous if previous.qualifier in LOWER_BOUNDS else quantity
        upper = quantity if lower is previous else previous
        low, high = lower.low, upper.high
    elif (
        previous.qualifier in LOWER_BOUNDS
        and quantity.qualifier in ("exact", *UPPER_BOUNDS)
        and _EVEN_JOIN.match(gap)
    ):
        low, high = previous.low, quantity.high
    if low is None or high is None or low > high:
        return None
    start, end = previous.start, quantity.end
    return Quantity(low, high, "range" if low < high else "exact", text[start:end], start, end)


def read_quantity(text: str, language: str) -> Quantity | None:
    """The first quantity in a short text such as a quote, or ``None``."""
    quantities = find_quantities(text, language)
    return quantities[0] if quantities else None
