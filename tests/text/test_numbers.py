"""Reading numbers and qualified quantities (provenance.text.numbers)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.intervals import interval_for
from provenance.core.qualifiers import QUALIFIER_NAMES, QUALIFIERS
from provenance.testing import wording as testing_wording
from provenance.text.numbers import (
    Quantity,
    find_quantities,
    format_number,
    parse_number,
    read_quantity,
)

SEPARATORS = {"fr": [" ", "\u00a0", "\u202f", ".", ""], "en": [" ", "\u00a0", "\u202f", ",", ""]}


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("3 100", "fr", 3100),
        ("3\u00a0100", "fr", 3100),
        ("3\u202f100", "en", 3100),
        ("3,100", "en", 3100),
        ("3.100", "fr", 3100),
        ("2,5", "fr", 2.5),
        ("2.5", "en", 2.5),
        ("3100", "fr", 3100),
        ("huit", "fr", 8),
        ("trois cents", "fr", 300),
        ("deux mille", "fr", 2000),
        ("seven", "en", 7),
        ("twenty-one", "en", 21),
        ("1.5 million", "en", 1_500_000),
        ("1,5 million", "fr", 1_500_000),
    ],
)
def test_parse_number_reads_digits_and_words(text: str, language: str, value: float) -> None:
    """Digits with any thousands separator, decimals and number words read to their value."""
    assert parse_number(text, language) == value


@pytest.mark.parametrize("text", ["", "abc", "3 100 civils", "twenty-one people", "3-7"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    """Anything that is not one number raises ValueError."""
    with pytest.raises(ValueError):
        parse_number(text, "en")


def test_parse_number_rejects_unknown_language() -> None:
    """Only fr and en are read; other languages fail loudly."""
    with pytest.raises(ValueError):
        parse_number("3", "de")


@given(
    language=st.sampled_from(["fr", "en"]),
    value=st.integers(min_value=0, max_value=10**9),
    data=st.data(),
)
def test_format_then_parse_round_trips_integers(
    language: str, value: int, data: st.DataObject
) -> None:
    """Rendering an integer with any separator of the language reads back to the same value."""
    separator = data.draw(st.sampled_from(SEPARATORS[language]))
    assert parse_number(format_number(value, language, separator), language) == value


@given(language=st.sampled_from(["fr", "en"]), cents=st.integers(min_value=1, max_value=10**7))
def test_format_then_parse_round_trips_decimals(language: str, cents: int) -> None:
    """Decimals use the language's decimal mark and read back."""
    value = cents / 100
    assert parse_number(format_number(value, language), language) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "language", "low", "high", "qualifier", "value_text"),
    [
        ("le bilan s'élève à plus de 240 personnes", "fr", 241, None, "more_than", "plus de 240"),
        ("d’au moins 3 100 victimes", "fr", 3100, None, "at_least", "au moins 3 100"),
        ("avoir tué une centaine de civils", "fr", 80, 120, "approximately", "une centaine"),
        ("une dizaine de blessés", "fr", 8, 15, "approximately", "une dizaine"),
        ("des dizaines de morts", "fr", 20, 99, "approximately", "des dizaines"),
        ("des centaines de morts", "fr", 200, 999, "approximately", "des centaines"),
        ("environ 50 morts", "fr", 45, 55, "approximately", "environ 50"),
        ("près de 100 morts", "fr", 90, 100, "approximately", "près de 100"),
        ("quelque 200 morts", "fr", 180, 220, "approximately", "quelque 200"),
        ("jusqu’à 12 morts", "fr", None, 12, "at_most", "jusqu’à 12"),
        ("jusqu'à 12 morts", "fr", None, 12, "at_most", "jusqu'à 12"),
        ("moins de 10 morts", "fr", None, 9, "less_than", "moins de 10"),
        ("de 3 à 7 morts", "fr", 3, 7, "range", "de 3 à 7"),
        ("entre 3 et 7 morts", "fr", 3, 7, "range", "entre 3 et 7"),
        ("3 – 7 killed", "en", 3, 7, "range", "3 – 7"),
        ("3–7 killed", "en", 3, 7, "range", "3–7"),
        ("3-7 killed", "en", 3, 7, "range", "3-7"),
        ("between 3 and 7 killed", "en", 3, 7, "range", "between 3 and 7"),
        ("six or seven people", "en", 6, 7, "range", "six or seven"),
        ("at least 3,100 killed", "en", 3100, None, "at_least", "at least 3,100"),
        ("more than 200 injured", "en", 201, None, "more_than", "more than 200"),
        ("over 40 people", "en", 41, None, "more_than", "over 40"),
        ("fewer than 10 people", "en", None, 9, "less_than", "fewer than 10"),
        ("less than 10 people", "en", None, 9, "less_than", "less than 10"),
        ("up to six civilians", "en", None, 6, "at_most", "up to six"),
        ("as many as 15 people", "en", None, 15, "at_most", "as many as 15"),
        ("about 50 people", "en", 45, 55, "approximately", "about 50"),
        ("around 50 people", "en", 45, 55, "approximately", "around 50"),
        ("nearly 100 people", "en", 90, 100, "approximately", "nearly 100"),
        ("some 50 people", "en", 45, 55, "approximately", "some 50"),
        ("dozens of people", "en", 24, 99, "approximately", "dozens"),
        ("hundreds of people", "en", 200, 999, "approximately", "hundreds"),
        ("seven members of the family", "en", 7, 7, "exact", "seven"),
        ("twenty-one people", "en", 21, 21, "exact", "twenty-one"),
    ],
)
def test_find_quantities_reads_qualifiers_into_intervals(
    text: str, language: str, low: float | None, high: float | None, qualifier: str, value_text: str
) -> None:
    """Bounds, approximations and ranges become the interval intervals.interval_for gives."""
    (quantity,) = find_quantities(text, language)
    assert (quantity.low, quantity.high, quantity.qualifier) == (low, high, qualifier)
    assert quantity.value_text == value_text
    assert text[quantity.start : quantity.end] == value_text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("les frappes de la coalition en 2016", "fr"),
        ("a déclaré, ce dimanche 28 mai dans un communiqué", "fr"),
        ("le jeudi 25 mai", "fr"),
        ("a strike in 2016", "en"),
        ("on May 25 the ministry", "en"),
        ("On October 7th, 2023 a strike", "en"),
        ("on the 22nd of October", "en"),
        ("a 7-year-old boy", "en"),
        ("le garçon âgé de 12 ans", "fr"),
        ("a boy aged 12", "en"),
        ("Mustafa Daloul (5) was hurt", "en"),
        ("at 9:46 PM the house", "en"),
        ("à 14h30", "fr"),
        ("un grand nombre de civils", "fr"),
        ("one source said", "en"),
        ("the first strike", "en"),
        ("a grade of 100% in school", "en"),
        ("une frappe aérienne, un seul exemple", "fr"),
    ],
)
def test_find_quantities_skips_non_counts(text: str, language: str) -> None:
    """Years, dates, ages, clock times, ordinals, percentages and articles are not counts."""
    assert find_quantities(text, language) == []


def test_one_counting_a_person_is_a_figure() -> None:
    """ "one child was killed" and "un civil" count a person; the article alone does not."""
    assert [q.low for q in find_quantities("one child was killed", "en")] == [1]
    assert [q.low for q in find_quantities("un civil a été tué", "fr")] == [1]


def test_find_quantities_keeps_text_order_and_offsets() -> None:
    """Several quantities come back in order, each anchored at its offsets."""
    text = "At least one civilian woman was killed and at least five civilians were injured."
    quantities = find_quantities(text, "en")
    assert [q.value_text for q in quantities] == ["At least one", "at least five"]
    assert all(text[q.start : q.end] == q.value_text for q in quantities)


def test_read_quantity_reads_the_first_quantity_of_a_quote() -> None:
    """The validation helper reads the number of a stored quote, or None without one."""
    quantity = read_quantity("Airwars fait part d’au moins 3 100 victimes tuées", "fr")
    assert quantity is not None
    assert (quantity.low, quantity.high, quantity.qualifier) == (3100, None, "at_least")
    assert read_quantity("Aucun chiffre ici.", "fr") is None


@given(text=st.text(max_size=200), language=st.sampled_from(["fr", "en"]))
def test_find_quantities_offsets_hold_on_any_text(text: str, language: str) -> None:
    """Whatever the text, every quantity is anchored: text[start:end] == value_text."""
    for quantity in find_quantities(text, language):
        assert text[quantity.start : quantity.end] == quantity.value_text
        assert quantity.low is None or quantity.high is None or quantity.low <= quantity.high


@pytest.mark.parametrize(
    "text",
    ["The account @gaza_news98 posted a video.", "Their loved ones mourned them."],
)
def test_handles_and_loved_ones_are_not_counts(text: str) -> None:
    """Digits inside a handle and the word "ones" count nothing."""
    assert find_quantities(text, "en") == []


def test_zero_padded_digits_are_references() -> None:
    """ "case 0124" is a reference number; "0.5" is still a number."""
    assert find_quantities("Case 0124 was opened.", "en") == []


# --- the ways people write counts (issue 12) ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "qualifier", "low", "high"),
    [
        # comparatives
        ("above 150", "en", "more_than", 151, None),
        ("at least or equal to 40", "en", "at_least", 40, None),
        ("equal to 2000 or less", "en", "at_most", None, 2000),
        ("no fewer than 60", "en", "at_least", 60, None),
        ("40 or more", "en", "at_least", 40, None),
        ("under 15", "en", "less_than", None, 14),
        ("40-plus", "en", "at_least", 40, None),
        ("supérieur ou égal à 4 000", "fr", "at_least", 4000, None),
        ("inférieur ou égal à 25", "fr", "at_most", None, 25),
        ("en dessous de 150", "fr", "less_than", None, 149),
        ("a dépassé 120", "fr", "more_than", 121, None),
        ("environ 300 ou plus", "fr", "at_least", 300, None),
        ("40 civils ou plus", "fr", "at_least", 40, None),
        # ranges
        ("30 through 90", "en", "range", 30, 90),
        ("4k-15k", "en", "range", 4000, 15000),
        ("larger than 10 and smaller than 30", "en", "range", 11, 29),
        ("between 12 and 20", "en", "range", 12, 20),
        ("between 1.5 and 2 million", "en", "range", 1_500_000, 2_000_000),
        ("au plus 80 et au moins 15", "fr", "range", 15, 80),
        ("supérieur ou égal à cent, inférieur ou égal à deux cents", "fr", "range", 100, 200),
        ("entre 3 et 4 mille", "fr", "range", 3000, 4000),
        ("six ou sept", "fr", "range", 6, 7),
        # digits with scale words or suffixes, in either decimal convention
        ("3 thousand 2 hundred", "en", "exact", 3200, 3200),
        ("12k", "en", "exact", 12_000, 12_000),
        ("3mil", "en", "exact", 3_000_000, 3_000_000),
        ("1.2M", "en", "exact", 1_200_000, 1_200_000),
        ("1,5 million", "en", "exact", 1_500_000, 1_500_000),
        ("1.5 million", "fr", "exact", 1_500_000, 1_500_000),
        ("250 mille", "fr", "exact", 250_000, 250_000),
        ("3 mille 200", "fr", "exact", 3200, 3200),
        ("2 douzaines", "fr", "exact", 24, 24),
        # dozens and fractions
        ("half a dozen", "en", "exact", 6, 6),
        ("une demi-douzaine", "fr", "exact", 6, 6),
        ("a couple of dozen", "en", "exact", 24, 24),
        ("two dozen", "en", "exact", 24, 24),
        ("a quarter of a million", "en", "exact", 250_000, 250_000),
        ("un million et demi", "fr", "exact", 1_500_000, 1_500_000),
        ("about half a dozen", "en", "approximately", 5.4, 6.6),
        ("fewer than half a dozen", "en", "less_than", None, 5),
        ("a hundred", "en", "exact", 100, 100),
        ("more than a hundred", "en", "more_than", 101, None),
        # written numbers of any size
        ("one million two hundred thousand", "en", "exact", 1_200_000, 1_200_000),
        ("quatre-vingt-dix-neuf mille neuf cents", "fr", "exact", 99_900, 99_900),
    ],
)
def test_reader_reads_the_ways_people_write_counts(
    text: str, language: str, qualifier: str, low: float | None, high: float | None
) -> None:
    """Comparatives, ranges, scale words, dozens and fractions map to interval and qualifier."""
    quantity = read_quantity(text, language)
    assert quantity is not None, text
    assert (quantity.qualifier, quantity.low, quantity.high) == (qualifier, low, high)
    assert quantity.value_text == text


@pytest.mark.parametrize(
    ("text", "language"),
    [("en 2016", "fr"), ("le 28 mai", "fr"), ("un grand nombre", "fr"), ("in 2016", "en")],
)
def test_years_dates_and_articles_stay_out_with_the_new_wordings(text: str, language: str) -> None:
    """A bare year, a date or an article is still no count."""
    assert find_quantities(text, language) == []


# --- property: what provenance.testing writes, the reader reads back -------------------------

_VALUES = st.integers(min_value=1, max_value=10**7).map(float)


@given(
    qualifier=st.sampled_from(QUALIFIER_NAMES),
    language=st.sampled_from(["fr", "en"]),
    value=_VALUES,
    extra=st.integers(min_value=1, max_value=10**6),
)
@settings(max_examples=300, deadline=None)
def test_rendered_figure_reads_back_to_its_interval_and_qualifier(
    qualifier: str, language: str, value: float, extra: int
) -> None:
    """provenance.testing's wording of every qualifier reads back to the same interval."""
    high = value + extra if qualifier == "range" else None
    written = testing_wording.value_text(qualifier, value, language, high=high)
    plain = testing_wording.QUALIFIER_WORDS[language][qualifier].strip() or None
    expected = interval_for(qualifier, value, high=high, expression=plain)
    quantity = read_quantity(written, language)
    assert quantity is not None, written
    assert (quantity.qualifier, quantity.low, quantity.high) == (
        qualifier,
        expected.low,
        expected.high,
    ), written
    assert quantity.value_text == written


def _declared_wordings() -> list[tuple[str, str, str, str]]:
    """(qualifier, language, where, wording) for every wording a Qualifier declares."""
    out = []
    for name, declared in QUALIFIERS.items():
        for where in ("before", "after"):
            for language, wordings in getattr(declared, where).items():
                out += [(name, language, where, w) for w in wordings if name != "range"]
    return out


@pytest.mark.parametrize("case", _declared_wordings(), ids="-".join)
@given(value=_VALUES)
@settings(max_examples=5, deadline=None)
def test_every_declared_wording_reads_back(case: tuple[str, str, str, str], value: float) -> None:
    """Each wording declared with a qualifier, before or after a number, gives that qualifier."""
    qualifier, language, where, wording = case
    number = testing_wording.count_text(value, language)
    if where == "before":
        written = f"{wording}{'' if wording.endswith(chr(39)) else ' '}{number}"
    else:
        written = f"{number}{'' if not wording[0].isalpha() else ' '}{wording}"
    expected = interval_for(qualifier, value, expression=wording)
    quantity = read_quantity(written, language)
    assert quantity is not None, written
    assert (quantity.qualifier, quantity.low, quantity.high) == (
        qualifier,
        expected.low,
        expected.high,
    ), written


_SPACES = st.sampled_from([" ", "\u00a0", "\u202f", "  ", " \u202f"])


@given(
    case=st.sampled_from(_declared_wordings()),
    value=_VALUES,
    spaces=st.lists(_SPACES, min_size=12, max_size=12),
    curly=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_a_wording_reads_alike_whatever_its_spaces_and_apostrophes(
    case: tuple[str, str, str, str], value: float, spaces: list[str], curly: bool
) -> None:
    """A declared wording written with no-break or narrow spaces, or a typographic apostrophe,
    in running text, reads as it does with plain ones, at the same offsets (the patterns read a
    folded copy of the text; the wording is the text's own)."""
    _, language, where, wording = case
    number = testing_wording.count_text(value, language)
    words = wording.split(" ")
    glue = not wording.endswith("'") if where == "before" else wording[0].isalpha()

    def spelled(spaces: list[str]) -> str:
        """The wording, its spaces (and the one joining it to the number) as given."""
        joined = "".join(w + spaces[n + 1] for n, w in enumerate(words[:-1])) + words[-1]
        link = spaces[0] if glue else ""
        return f"{joined}{link}{number}" if where == "before" else f"{number}{link}{joined}"

    plain = f"Selon le bilan, {spelled([' '] * 12)} civils."
    varied = f"Selon le bilan,{spaces[-1]}{spelled(spaces)} civils."
    if curly:
        varied = varied.replace("'", "\u2019")
    found = find_quantities(varied, language)

    def readings(text: str, quantities: list[Quantity]) -> list[tuple[object, ...]]:
        # Offsets as words before and inside the wording: the spaces differ, the words do not.
        return [
            (
                q.qualifier,
                q.low,
                q.high,
                len(text[: q.start].split()),
                len(text[q.start : q.end].split()),
            )
            for q in quantities
        ]

    assert readings(varied, found) == readings(plain, find_quantities(plain, language)), varied
    assert all(varied[q.start : q.end] == q.value_text for q in found)
