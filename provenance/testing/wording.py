"""What synthetic documents say: wording tables and sentence helpers, in French and English.

One table per thing said, shared by the vectorised batch builder and by the scalar helpers
that the hypothesis strategies and violation injection use, so all write the same sentences.
"""

from __future__ import annotations

from datetime import date

from provenance.core.enums import LANGUAGES
from provenance.core.qualifiers import QUALIFIERS, range_joiner
from provenance.core.schema import METRICS
from provenance.text.numbers import format_number

# What follows the number: noun and verb, per metric and language.
METRIC_PHRASES: dict[str, dict[str, str]] = {
    "civilians_killed": {"fr": "civils ont été tués", "en": "civilians were killed"},
    "civilians_injured": {"fr": "civils ont été blessés", "en": "civilians were injured"},
    "killed": {"fr": "personnes ont été tuées", "en": "people were killed"},
    "injured": {"fr": "personnes ont été blessées", "en": "people were injured"},
    "combatants_killed": {"fr": "combattants ont été tués", "en": "combatants were killed"},
    "children_killed": {"fr": "enfants ont été tués", "en": "children were killed"},
    "women_killed": {"fr": "femmes ont été tuées", "en": "women were killed"},
    "missing": {"fr": "personnes sont portées disparues", "en": "people are missing"},
    "displaced": {"fr": "personnes ont été déplacées", "en": "people were displaced"},
    "strikes": {"fr": "frappes ont été menées", "en": "strikes were carried out"},
}


def metric_phrase(metric: str, language: str) -> str:
    """How ``metric`` is said after its number; a metric added to the schema gets a neutral one."""
    phrases = METRIC_PHRASES.get(metric)
    if phrases is None:
        return {"fr": "cas ont été recensés", "en": "cases were recorded"}[language]
    return phrases[language]


# The qualifiers the generator states, and their wording before the number: each
# qualifier's plain wording, declared with it in provenance.core.qualifiers ("au moins 3 100").
GENERATED_QUALIFIERS = ("exact", "at_least", "more_than", "approximately", "range")
QUALIFIER_WORDS: dict[str, dict[str, str]] = {
    language: {name: qualifier.written(language) for name, qualifier in QUALIFIERS.items()}
    for language in LANGUAGES
}
RANGE_JOIN = {language: f" {range_joiner(language)} " for language in LANGUAGES}
GROUP_SEPARATOR = {"fr": " ", "en": ","}
LEADS = {
    # (speaker?, correction?) → wording around the claimant; {S} is the speaker.
    "fr": {
        (False, False): "Selon ",
        (True, False): "{S} a déclaré que, selon ",
        (False, True): "Dans un bilan corrigé, selon ",
        (True, True): "{S} a déclaré que, dans un bilan corrigé, selon ",
    },
    "en": {
        (False, False): "According to ",
        (True, False): "{S} said that, according to ",
        (False, True): "In a corrected count, according to ",
        (True, True): "{S} said that, in a corrected count, according to ",
    },
}
PLACE_PREPOSITION = {"fr": " à ", "en": " in "}
FACTOR_WORDS = {
    "fr": ("", "", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"),
    "en": ("", "", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
}
RATIO_SENTENCE = {
    "fr": ("Ce bilan est ", " fois supérieur au bilan officiel"),
    "en": ("This toll is ", " times the official figure"),
}
PART_NOUNS = {"fr": ("civils", "combattants"), "en": ("civilians", "combatants")}
SUM_SENTENCE = {
    # lead + claimant + [0] + total + [1] + place + [2] + part 1 + [3] + part 2 + [4]; the
    # parts' quotes are "101 civils" and "4 combattants".
    "fr": (", au total ", " personnes ont été tuées à ", ", dont ", " civils et ", " combattants"),
    "en": (
        ", ",
        " people were killed in ",
        " in total, including ",
        " civilians and ",
        " combatants",
    ),
}
SUM_METRICS = ("killed", "civilians_killed", "combatants_killed")
WEEKDAY_NAMES = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
PUBLISHED_SENTENCE = {"fr": "Ce bilan a été publié le ", "en": "This report was published on "}
OUTLETS = {
    "fr": ("Agence Kestrel", "Le Courrier de Valmont", "Dépêches du Levant"),
    "en": ("Kestrel Agency", "The Valmont Courier", "Levant Wire"),
}


def count_text(value: float, language: str) -> str:
    """A count as the generator writes it: "3 100" in French, "3,100" in English."""
    return format_number(value, language, GROUP_SEPARATOR[language])


def value_text(qualifier: str, value: float, language: str, high: float | None = None) -> str:
    """The stated number with its qualifier wording ("au moins 3 100", "between 30 and 40")."""
    text = QUALIFIER_WORDS[language][qualifier] + count_text(value, language)
    if qualifier == "range":
        assert high is not None
        text += RANGE_JOIN[language] + count_text(high, language)
    return text


def statement(
    language: str,
    claimant: str,
    stated: str,
    metric: str,
    place: str,
    speaker: str | None = None,
    correction: bool = False,
) -> str:
    """One sentence stating one figure, without its final full stop (the figure's quote)."""
    lead = LEADS[language][(speaker is not None, correction)].replace("{S}", speaker or "")
    return f"{lead}{claimant}, {stated} {metric_phrase(metric, language)}{PLACE_PREPOSITION[language]}{place}"


def published_sentence(day: date, language: str, weekday: int | None = None) -> str:
    """ "Ce bilan a été publié le mardi 14 mars 2017." — ``weekday`` overrides the true one."""
    names = WEEKDAY_NAMES[language]
    wd = names[day.weekday() if weekday is None else weekday]
    return f"{PUBLISHED_SENTENCE[language]}{wd} {day.day} {MONTH_NAMES[language][day.month - 1]} {day.year}."


def ratio_sentence(factor: str, language: str) -> str:
    before, after = RATIO_SENTENCE[language]
    return before + factor + after


# Flat per-language tables for the vectorised builder, in code order.
QUALIFIER_WORDS_TABLE = {
    c: [QUALIFIER_WORDS[c][q] for q in GENERATED_QUALIFIERS] for c in LANGUAGES
}
LEAD_TABLE = {c: [LEADS[c][(bool(k & 1), bool(k & 2))] for k in range(4)] for c in LANGUAGES}
METRIC_TABLE = {c: [metric_phrase(m, c) for m in METRICS] for c in LANGUAGES}
FACTOR_TABLE = {c: list(FACTOR_WORDS[c]) for c in LANGUAGES}
WEEKDAY_TABLE = {c: list(WEEKDAY_NAMES[c]) for c in LANGUAGES}
MONTH_TABLE = {c: list(MONTH_NAMES[c]) for c in LANGUAGES}
