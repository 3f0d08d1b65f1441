"""What looks like a number but counts nothing: years, dates, ages, clock times, percentages,
references, identifiers, and the article "un"/"une"/"one" ("un grand nombre")."""

from __future__ import annotations

import re

from provenance.core.calendar import MONTH_ABBREVIATIONS_EN, MONTHS, alternation
from provenance.text.reading.tokens import Number

_MONTHS_FR = alternation(MONTHS["fr"])
# English month names are matched with their capital, so "may" the verb is not a month.
_MONTHS_EN = alternation([m.capitalize() for m in (*MONTHS["en"], *MONTH_ABBREVIATIONS_EN)])
_MONTH_AFTER = re.compile(
    rf"^(?:er|st|nd|rd|th)?[ \u00a0\u202f]+(?:of[ \u00a0\u202f]+)?"
    rf"(?:(?i:{_MONTHS_FR})|{_MONTHS_EN})\b"
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS_EN}|(?i:{_MONTHS_FR}))\.?[ \u00a0\u202f]+$")
_AGE_AFTER = re.compile(
    r"^[ \u00a0\u202f]*-?[ \u00a0\u202f]*(?:years?|yrs?|months?|weeks?|days?|ans?|mois|jours?)"
    r"(?:[ \u00a0\u202f]*-?[ \u00a0\u202f]*old)?\b",
    re.IGNORECASE,
)
_AGE_BEFORE = re.compile(
    r"(?:\baged?|\bâgée?s?[ \u00a0\u202f]+de|\bage[ \u00a0\u202f]+of|\bâge[ \u00a0\u202f]+de)"
    r"[ \u00a0\u202f]+$",
    re.IGNORECASE,
)
_TIME_AFTER = re.compile(
    r"^(?::\d|h\d|[ \u00a0\u202f]*(?:[ap]\.?m\b\.?|h\b|heures?\b|o'clock))", re.IGNORECASE
)
_TIME_BEFORE = re.compile(r"\d[:h]$")
_PERCENT_AFTER = re.compile(
    r"^[ \u00a0\u202f]*(?:%|per[ \u00a0\u202f]?cent\b|pour[ \u00a0\u202f]?cent\b)", re.IGNORECASE
)
_BARE_PARENTHESES = re.compile(r"^[ \u00a0\u202f]*\)")
_OPEN_PARENTHESIS = re.compile(r"\([ \u00a0\u202f]*$")
_NOT_A_COUNT_BEFORE = re.compile(
    r"(?:\bno\.?|\bn°|#|\bnuméro|\bnumber|\bvol\.?|\bpage|\bp\.)[ \u00a0\u202f]*$", re.IGNORECASE
)
# Digits inside a handle, hashtag, address or identifier: "@az_za98", "#gaza2023", "item_12".
_IDENTIFIER_BEFORE = re.compile(r"(?:[@#/][\w.-]*|_)$")

# "un"/"une"/"one" are articles unless they count a person: "one child was killed".
ARTICLE_WORDS = {"un", "une", "one"}
PERSON_NOUNS = {
    "en": (
        "civilian|civilians|child|children|person|people|man|men|woman|women|boy|boys|girl|girls|"
        "baby|babies|infant|infants|member|members|resident|residents|victim|victims|individual|"
        "individuals|journalist|journalists|worker|workers|relative|relatives|son|sons|daughter|"
        "daughters|brother|brothers|sister|sisters|father|mother|wife|husband|family|families|"
        "toddler|toddlers|teenager|teenagers|minor|minors|elderly|student|students|doctor|doctors|"
        "nurse|nurses|paramedic|paramedics|farmer|farmers|fisherman|fishermen|shepherd|"
        "neighbour|neighbours|neighbor|neighbors|citizen|citizens|soldier|soldiers|fighter|"
        "fighters|militant|militants|others|adult|adults|death|deaths|casualty|casualties|"
        "fatality|fatalities|body|bodies|injured|wounded|dead"
    ),
    "fr": (
        "civil|civile|civils|civiles|enfant|enfants|personne|personnes|homme|hommes|femme|femmes|"
        "garçon|garçons|fille|filles|bébé|bébés|nourrisson|nourrissons|membre|membres|habitant|"
        "habitants|habitante|habitantes|victime|victimes|individu|individus|journaliste|"
        "journalistes|travailleur|travailleurs|proche|proches|fils|frère|frères|sœur|sœurs|père|"
        "mère|épouse|mari|famille|familles|adolescent|adolescents|mineur|mineurs|élève|élèves|"
        "étudiant|étudiants|médecin|médecins|infirmier|infirmiers|soldat|soldats|combattant|"
        "combattants|militaire|militaires|mort|morts|blessé|blessés|blessée|blessées|tué|tués|"
        "corps|autres|adulte|adultes|réfugié|réfugiés|déplacé|déplacés|disparu|disparus"
    ),
}
_PERSON_AFTER = {
    lang: re.compile(
        rf"^[ \u00a0\u202f]+"
        rf"(?:(?:de|d['’]|of|des|more|other|autres?|seul|seule|single)[ \u00a0\u202f]*)?"
        rf"(?:\w+[ \u00a0\u202f]+)?(?:{nouns})\b",
        re.IGNORECASE,
    )
    for lang, nouns in PERSON_NOUNS.items()
}
_ONE_OF = re.compile(r"^[ \u00a0\u202f]+(?:of|d['’]entre|des|de|du)\b", re.IGNORECASE)
_NO_ONE_BEFORE = re.compile(
    r"(?:\bno|\bany|\bevery|\bl['’]|\bthe|\bthis|\bthat|\bce|\bcet)[ \u00a0\u202f]*$", re.IGNORECASE
)
_YEAR_RANGE = (1900, 2100)


def _is_year(number: Number, text: str) -> bool:
    written = text[number.start : number.end]
    return (
        number.kind == "digits"
        and len(written) == 4
        and written.isdigit()
        and _YEAR_RANGE[0] <= number.value <= _YEAR_RANGE[1]
    )


def is_not_a_count(number: Number, text: str, language: str, *, qualified: bool = False) -> bool:
    """Years, dates, ages, times, percentages, references and articles are not counts.

    ``qualified``: a qualifier wording comes with the number ("equal to 2000 or less"), so a
    four-digit number is a count, not a year.
    """
    before = text[max(0, number.start - 40) : number.start]
    after = text[number.end : number.end + 40]
    if number.kind == "collective":
        return False
    if _is_year(number, text) and not qualified and not _PERSON_AFTER[language].match(after):
        return True
    if _MONTH_AFTER.match(after) or (number.value <= 31 and _MONTH_BEFORE.search(before)):
        return True
    if _AGE_AFTER.match(after) or _AGE_BEFORE.search(before):
        return True
    if _TIME_AFTER.match(after) or _TIME_BEFORE.search(before):
        return True
    if _PERCENT_AFTER.match(after) or _NOT_A_COUNT_BEFORE.search(before):
        return True
    if number.kind == "digits" and _IDENTIFIER_BEFORE.search(before):
        return True
    written = text[number.start : number.end]
    if number.kind == "digits" and len(written) > 1 and written[0] == "0" and written[1].isdigit():
        return True  # "0124": a code or reference number, not a count
    # "(41)" after a name is an age; a count in parentheses carries its noun: "(1 man)".
    return bool(_OPEN_PARENTHESIS.search(before) and _BARE_PARENTHESES.match(after))


def is_article(number: Number, text: str, language: str) -> bool:
    """ "un"/"une"/"one" that does not count a person ("un grand nombre", "one source")."""
    if number.kind != "words" or text[number.start : number.end].casefold() not in ARTICLE_WORDS:
        return False
    after = text[number.end : number.end + 40]
    before = text[max(0, number.start - 12) : number.start]
    person = _PERSON_AFTER[language].match(after)
    if _ONE_OF.match(after):
        return True
    determiner = _NO_ONE_BEFORE.search(before)
    # "reported that one civilian died": "that" is a conjunction when a person follows.
    if determiner and not (person and determiner.group().strip().casefold() == "that"):
        return True
    return not person
