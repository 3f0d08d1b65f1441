"""Text → candidate figures and relations (provenance.text.extract, extract_eval)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.text.extract import (
    Candidate,
    RelationCandidate,
    extract,
    slugify,
)
from provenance.text.headline import (
    narrative_killed_candidates,
    pick_killed_candidate,
)
from provenance.text.numbers import format_number

REPO = Path(__file__).resolve().parents[2]
# The founding article, archived in the repository (the same text as ../shared/seed).
SEED = REPO / "warehouse" / "sources" / "zakharova-2017-05-28" / "article.fr.txt"
PUBLISHED = dt.date(2017, 5, 28)


def _figures(candidates: list[Candidate | RelationCandidate]) -> list[Candidate]:
    return [c for c in candidates if isinstance(c, Candidate)]


@pytest.fixture(scope="module")
def seed_candidates() -> list[Candidate | RelationCandidate]:
    return extract(SEED.read_text(encoding="utf-8"), language="fr", published_on=PUBLISHED)


def test_seed_article_yields_exactly_the_expected_figures(
    seed_candidates: list[Candidate | RelationCandidate],
) -> None:
    """The founding article gives its seven figures, with qualifiers, intervals and metrics."""
    got = [
        (f.value_text, f.qualifier, f.value_low, f.value_high, f.metric)
        for f in _figures(seed_candidates)
    ]
    assert got == [
        ("une centaine", "approximately", 80, 120, "civilians_killed"),
        ("plus de 200", "more_than", 201, None, "civilians_injured"),
        ("plus de 35", "more_than", 36, None, "civilians_killed"),
        ("352", "exact", 352, 352, "civilians_killed"),
        ("au moins 3 100", "at_least", 3100, None, "civilians_killed"),
        ("une centaine", "approximately", 80, 120, "civilians_killed"),
        ("plus de 240", "more_than", 241, None, "civilians_killed"),
    ]


def test_seed_article_claimants_speakers_and_dates(
    seed_candidates: list[Candidate | RelationCandidate],
) -> None:
    """Claimant vs speaker and stated dates follow the article's attributions."""
    pentagon_quoted, injured, mayadin, washington, airwars, pentagon, local = _figures(
        seed_candidates
    )
    assert pentagon_quoted.claimant_id is not None and "pentagon" in pentagon_quoted.claimant_id
    assert pentagon_quoted.speaker_id == "maria-zakharova"
    assert injured.speaker_id == "maria-zakharova"
    assert mayadin.speaker_id == "maria-zakharova"
    assert (washington.claimant_id, washington.speaker_id) == ("washington", "maria-zakharova")
    assert (airwars.claimant_id, airwars.speaker_id) == ("airwars", "maria-zakharova")
    assert pentagon.claimant_id is not None and "pentagon" in pentagon.claimant_id
    assert pentagon.speaker_id is None
    assert pentagon.stated_on == dt.date(2017, 5, 25)
    assert local.claimant_id is not None and "responsables" in local.claimant_id
    assert all(f.stated_on == PUBLISHED for f in (pentagon_quoted, washington, airwars, local))


def test_seed_article_ratio_relation_links_the_two_tolls(
    seed_candidates: list[Candidate | RelationCandidate],
) -> None:
    """ "multiplié par huit" is a ratio of 8 from the Airwars toll to Washington's."""
    figures = _figures(seed_candidates)
    relations = [c for c in seed_candidates if isinstance(c, RelationCandidate)]
    assert len(relations) == 1
    (ratio,) = relations
    assert (ratio.kind, ratio.value_low, ratio.value_high, ratio.qualifier) == (
        "ratio",
        8,
        8,
        "exact",
    )
    assert ratio.value_text == "huit"
    assert ratio.figure_id == figures[4].figure_id
    assert ratio.reference_ids == [figures[3].figure_id]


def test_seed_article_quotes_are_anchored(
    seed_candidates: list[Candidate | RelationCandidate],
) -> None:
    """Every quote is the NFC text at its offsets and contains its value text."""
    text = SEED.read_text(encoding="utf-8")
    for candidate in seed_candidates:
        assert text[candidate.quote_start : candidate.quote_end] == candidate.quote
        assert candidate.value_text in candidate.quote


def test_figure_ids_are_deterministic() -> None:
    """The same text extracts to the same ids, so relations can reference figures."""
    text = "Selon le ministère, au moins 12 civils ont été tués."
    first = extract(text, language="fr", published_on=PUBLISHED)
    second = extract(text, language="fr", published_on=PUBLISHED)
    assert [c.to_record() for c in first] == [c.to_record() for c in second]
    assert first[0].claimant_id == "ministere"


def test_weekday_that_disagrees_with_the_date_is_flagged() -> None:
    """ "le lundi 25 mai" in 2017 (a Thursday) is noted and lowers confidence."""
    right = "Le ministère a reconnu le jeudi 25 mai la mort de 12 civils."
    wrong = "Le ministère a reconnu le lundi 25 mai la mort de 12 civils."
    (good,) = extract(right, language="fr", published_on=PUBLISHED)
    (bad,) = extract(wrong, language="fr", published_on=PUBLISHED)
    assert good.stated_on == bad.stated_on == dt.date(2017, 5, 25)
    assert good.note is None
    assert bad.note is not None and "weekday" in bad.note
    assert bad.confidence < good.confidence


def test_english_attribution_metric_and_ratio() -> None:
    """English cues: according to, killed/injured metrics, "eight times" ratio."""
    text = (
        "According to the Health Ministry, at least 40 civilians were killed and 12 were injured. "
        "Monitors counted 320 deaths, eight times more than the official figure."
    )
    candidates = extract(text, language="en", published_on=dt.date(2023, 10, 9))
    figures = _figures(candidates)
    assert [(f.value_text, f.metric) for f in figures] == [
        ("at least 40", "civilians_killed"),
        ("12", "civilians_injured"),
        ("320", "killed"),
    ]
    assert figures[0].claimant_id == "health-ministry"
    (ratio,) = [c for c in candidates if isinstance(c, RelationCandidate)]
    assert (ratio.value_low, ratio.figure_id) == (8, figures[2].figure_id)
    assert ratio.reference_ids == [figures[0].figure_id]


def test_share_relation_in_english() -> None:
    """ "a quarter of" is a share relation of 0.25 about the preceding figure."""
    text = "At least 40 people were killed. A quarter of them were children."
    (_, share) = extract(text, language="en", published_on=dt.date(2023, 10, 9))
    assert isinstance(share, RelationCandidate)
    assert (share.kind, share.value_low) == ("share", 0.25)


def test_no_figures_without_harm_words() -> None:
    """Numbers that count no victims (houses, years, ages) give no candidates."""
    text = "In 2016, the 45-year-old owner said the house contained 30 rooms on May 25."
    assert extract(text, language="en", published_on=dt.date(2017, 1, 1)) == []


def test_slugify_drops_articles_and_accents() -> None:
    """Entity slugs are stable however a sentence introduces the name."""
    assert slugify("Maria Zakharova") == "maria-zakharova"
    assert slugify("Le Pentagone") == "pentagone"
    assert slugify("les témoins oculaires") == "temoins-oculaires"
    assert slugify("Airwars") == "airwars"


def test_offsets_are_into_the_nfc_text() -> None:
    """A decomposed (NFD) input is normalised; offsets index the NFC text."""
    import unicodedata

    text = unicodedata.normalize("NFD", "Près de Mossoul, 12 civils ont été tués.")
    (figure,) = extract(text, language="fr", published_on=PUBLISHED)
    nfc = unicodedata.normalize("NFC", text)
    assert nfc[figure.quote_start : figure.quote_end] == figure.quote


def test_narrative_pick_prefers_the_lead_total() -> None:
    """The head count of the lead sentence wins over its parts and later figures."""
    text = (
        "Fifteen members of the family, including seven children, were reportedly killed. "
        "Another source reported that ten people were killed."
    )
    choice = pick_killed_candidate(narrative_killed_candidates(text))
    assert choice is not None and choice.value_low == 15


def test_single_victim_without_a_number_is_one() -> None:
    """ "a young man was killed" is proposed as one killed, at low confidence."""
    (figure,) = narrative_killed_candidates("On Saturday, a young man was killed in a strike.")
    assert (figure.value_low, figure.value_high) == (1, 1)
    assert figure.confidence < 0.5


def _spell_en(n: int) -> str:
    ones = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ]
    tens = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    if n < 20:
        return ones[n]
    if n < 100:
        return tens[n // 10] + ("-" + ones[n % 10] if n % 10 else "")
    rest = n % 100
    return ones[n // 100] + " hundred" + (" " + _spell_en(rest) if rest else "")


def _spell_fr(n: int) -> str:
    ones = [
        "zéro",
        "un",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "six",
        "sept",
        "huit",
        "neuf",
        "dix",
        "onze",
        "douze",
        "treize",
        "quatorze",
        "quinze",
        "seize",
        "dix-sept",
        "dix-huit",
        "dix-neuf",
    ]
    tens = ["_", "_", "vingt", "trente", "quarante", "cinquante", "soixante"]
    if n < 20:
        return ones[n]
    if n < 70:
        unit = n % 10
        return tens[n // 10] + ("" if unit == 0 else " et un" if unit == 1 else "-" + ones[unit])
    if n < 80:
        return "soixante" + (" et onze" if n == 71 else "-" + ones[n - 60])
    if n < 100:
        return "quatre-vingts" if n == 80 else "quatre-vingt-" + ones[n - 80]
    hundreds, rest = divmod(n, 100)
    head = "cent" if hundreds == 1 else ones[hundreds] + (" cents" if rest == 0 else " cent")
    return head + (" " + _spell_fr(rest) if rest else "")


TEMPLATES = {
    "fr": "Au moins {n} civils ont été tués dans la frappe.",
    "en": "At least {n} civilians were killed in the strike.",
}
SEPARATORS = {"fr": [" ", "\u00a0", "\u202f", ".", ""], "en": [" ", "\u00a0", "\u202f", ",", ""]}


@settings(max_examples=150, deadline=None)
@given(
    language=st.sampled_from(["fr", "en"]),
    value=st.integers(min_value=2, max_value=999_999),
    data=st.data(),
)
def test_rendered_number_in_a_sentence_extracts_back(
    language: str, value: int, data: st.DataObject
) -> None:
    """A number rendered in words or digits (any separator) in a template reads back as at_least."""
    style = data.draw(st.sampled_from(["words", *SEPARATORS[language]]))
    if style == "words":
        value = value % 1000 or 2
        written = _spell_fr(value) if language == "fr" else _spell_en(value)
    else:
        written = format_number(value, language, style)
    text = TEMPLATES[language].format(n=written)
    figures = _figures(extract(text, language=language, published_on=PUBLISHED))
    assert [(f.value_low, f.value_high, f.qualifier, f.metric) for f in figures] == [
        (value, None, "at_least", "civilians_killed")
    ]
    assert figures[0].value_text.endswith(written)


# --- heads, parts and counts without a number (hand-written sentences) ---------------------


def _killed(text: str) -> list[tuple[float | None, float | None, str]]:
    return [
        (c.value_low, c.value_high, c.pattern)
        for c in narrative_killed_candidates(text)
        if c.metric in ("killed", "civilians_killed")
    ]


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("Twelve members of the family, including four women and five children, were killed.", 12),
        ("At least 9 people – including two women and three children – were killed.", 9),
        ("Six members of the family, four children and two women, were killed in the raid.", 6),
        ("Eight members of the family, two of whom were pregnant women, were killed.", 8),
        ("Fifteen civilians from three generations of one family were killed on Monday.", 15),
    ],
)
def test_head_count_beyond_its_listed_parts_is_the_total(text: str, total: int) -> None:
    """The harm word after a list of parts (or a count of things) belongs to the head count."""
    choice = pick_killed_candidate(narrative_killed_candidates(text))
    assert choice is not None and choice.value_low == total


def test_count_of_things_is_not_a_victim_count() -> None:
    """ "hit three ambulances … crew members were killed": three counts ambulances."""
    text = "The strike hit three ambulances and crew members were killed."
    assert [(low, high) for low, high, _ in _killed(text)] == [(2, None)]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("A woman and her infant were killed in the strike.", 2),
        ("A father and his three sons were killed when the house was hit.", 4),
        ("Samir Haddad and Lina Haddad were killed in the strike.", 2),
        ("The strike killed a woman, Rania Haddad, and her two daughters.", 3),
        ("The strike killed Omar Nasser, a 40 year old teacher.", 1),
        ("Omar Nasser was killed along with his wife and two children.", 4),
    ],
)
def test_enumerated_people_are_counted(text: str, count: int) -> None:
    """Named or described people are added up; a name in apposition is the same person."""
    choice = pick_killed_candidate(narrative_killed_candidates(text))
    assert choice is not None and (choice.value_low, choice.value_high) == (count, count)
    assert choice.pattern.startswith("implicit:")


def test_unstated_plural_is_at_least_two() -> None:
    """ "several deaths" commits to more than one killed, and says no number."""
    (figure,) = narrative_killed_candidates("The strike on the house caused several deaths.")
    assert (figure.value_low, figure.value_high, figure.qualifier) == (2, None, "at_least")
    assert figure.pattern == "implicit:plural+killed"


def test_candidates_without_a_number_in_the_quote_are_implicit() -> None:
    """A quote with no number gives a candidate whose pattern starts with "implicit:"."""
    for text in (
        "On Saturday, a young man was killed in a strike.",
        "A mother and her son were killed.",
        "Several people were killed in the strike.",
    ):
        (figure,) = narrative_killed_candidates(text)
        assert figure.pattern.startswith("implicit:"), text


def test_total_outranks_an_initial_report() -> None:
    """ "In total" marks the sum; "initial reports" a superseded count."""
    text = (
        "Initial reports said four people were killed in the strike. "
        "In total, nine people were killed."
    )
    choice = pick_killed_candidate(narrative_killed_candidates(text))
    assert choice is not None and choice.value_low == 9


def test_hull_spans_the_totals_reported_by_sources() -> None:
    """With hull=True the pick is the range over the sources' totals, marked as such."""
    text = (
        "Seven people were killed in the strike on the house. "
        "Another source reported that nine people were killed."
    )
    candidates = narrative_killed_candidates(text)
    single = pick_killed_candidate(candidates)
    hull = pick_killed_candidate(candidates, hull=True)
    assert single is not None and (single.value_low, single.value_high) == (7, 7)
    assert hull is not None and (hull.value_low, hull.value_high) == (7, 9)
    assert hull.pattern.startswith("hull:") and hull.note is not None


def test_hull_keeps_context_figures_out() -> None:
    """A toll of thousands in a later sentence is context, not a source's total."""
    text = (
        "Seven people were killed in the strike on the house. "
        "The ministry reported that 7,000 people were killed since the war began."
    )
    hull = pick_killed_candidate(narrative_killed_candidates(text), hull=True)
    assert hull is not None and (hull.value_low, hull.value_high) == (7, 7)


def test_family_members_are_people_but_a_family_is_not() -> None:
    """ "18 family members" counts people; "members of one family" does not count one."""
    text = "At least 18 family members from one family were killed."
    choice = pick_killed_candidate(narrative_killed_candidates(text))
    assert choice is not None and choice.value_low == 18


def test_candidates_carry_exactly_the_table_columns() -> None:
    """Candidate rows cannot drift from the schema: their columns are the tables' input columns."""
    import dataclasses

    from provenance.core.schema import FIGURES, RELATIONS, REVIEW_FIELDS

    internal = {"table", "value_start", *REVIEW_FIELDS}
    for candidate, table in ((Candidate, FIGURES), (RelationCandidate, RELATIONS)):
        fields = {f.name for f in dataclasses.fields(candidate)} - internal
        assert fields == {c.name for c in table.input_columns}, table.name


# --- who said it (issue 12 §2) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "claimant"),
    [
        ("Local media reported over 40 civilians were killed in the strike.", "en", "local-media"),
        (
            "According to the Syrian Observatory, 31 civilians were killed in the strikes.",
            "en",
            "syrian-observatory",
        ),
        ("At least 12 civilians were killed, local sources said.", "en", "local-sources"),
        ("More than 20 people were wounded, said the Civil Defence.", "en", "civil-defence"),
        ("Des sources locales ont rapporté que 12 civils ont été tués.", "fr", "sources-locales"),
        ("Au moins 12 civils ont été tués, a indiqué la Défense civile.", "fr", "defense-civile"),
        ("Selon des habitants, une vingtaine de civils ont été tués.", "fr", "habitants"),
    ],
)
def test_claimant_is_the_source_the_sentence_names(text: str, language: str, claimant: str) -> None:
    """The named source originates the number; the monitor who writes relays it (speaker)."""
    (figure,) = _figures(extract(text, language=language, published_on=PUBLISHED, author="airwars"))
    assert (figure.claimant_id, figure.speaker_id) == (claimant, "airwars")


def test_author_claims_what_no_one_else_is_credited_with() -> None:
    """An unattributed count is the author's own claim; without an author it stays open."""
    text = "At least 12 civilians were killed in the strike on the market."
    (own,) = _figures(extract(text, language="en", published_on=PUBLISHED, author="airwars"))
    assert (own.claimant_id, own.speaker_id) == ("airwars", None)
    (open_,) = _figures(extract(text, language="en", published_on=PUBLISHED))
    assert (open_.claimant_id, open_.speaker_id) == (None, None)


# --- French counts without digits (issue 12 §3) ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Une femme et ses deux enfants ont été tués lorsque la frappe a touché leur maison.", 3),
        ("Un père et ses quatre fils ont été tués dans la frappe.", 5),
        ("La frappe a tué une femme et son bébé, selon des proches.", 2),
        ("Un homme, sa femme et leurs deux enfants ont été tués dans la frappe aérienne.", 4),
    ],
)
def test_french_enumerations_count_the_people(text: str, count: int) -> None:
    """People listed without a total are counted, as in English, above their parts."""
    figures = _figures(extract(text, language="fr", published_on=PUBLISHED))
    best = max(figures, key=lambda f: f.confidence)
    assert (best.value_low, best.value_high, best.qualifier) == (count, count, "exact")
    assert best.pattern == "implicit:enumeration+killed"
    assert text[best.quote_start : best.quote_end] == best.quote


def test_a_named_source_is_not_a_person_in_an_enumeration() -> None:
    """ "according to the Syrian Observatory for Human Rights, 31 civilians" is 31, not 32."""
    text = "According to the Syrian Observatory for Human Rights, 31 civilians were killed."
    figures = _figures(extract(text, language="en", published_on=PUBLISHED))
    assert [(f.value_low, f.pattern) for f in figures] == [(31, "exact+killed")]
