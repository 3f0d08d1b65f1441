"""Reading numbers and qualified quantities in French and English text.

Two layers:

* :func:`parse_number` / :func:`format_number` read and write one number ("3 100", "3,100",
  "1,5 million", "trois cents", "twenty-one").
* :func:`find_quantities` finds every *count* in a text with its qualifier ("au moins 3 100",
  "une centaine", "between 3 and 7") and turns it into an interval through
  :func:`provenance.core.intervals.interval_for`, the single source of truth for what a qualifier
  means. Things that look like numbers but are not counts (years, days of the month, ages,
  clock times, ordinals, percentages, articles) are left out.

Number *words* are recognised and valued by text2num (``text_to_num.find_numbers``), so there
is no number lexicon here; digits are read by the regular expressions below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import find_numbers, text2num

from provenance.core.calendar import MONTH_ABBREVIATIONS_EN, MONTHS, alternation
from provenance.core.enums import LANGUAGES
from provenance.core.intervals import interval_for

GROUP_SPACES = " \u00a0\u202f"  # plain space, no-break space, narrow no-break space
DECIMAL_MARK = {"fr": ",", "en": "."}
# Separators a language may use between groups of three digits, besides the spaces.
GROUP_MARKS = {"fr": ".", "en": ","}

_SCALE_WORDS = {
    "thousand": 1e3,
    "thousands": 1e3,
    "mille": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "milliard": 1e9,
    "milliards": 1e9,
    "billion": 1e9,
    "billions": 1e9,
}
_SCALE = r"(?:[ \u00a0\u202f]+(?P<scale>thousand|millions?|milliards?|billions?))?"


def _digits_pattern(language: str) -> re.Pattern[str]:
    """Digits with optional grouping and decimals, as the language writes them.

    Digits glued after a lower-case letter are accepted ("killed3" in scraped summaries);
    digits followed by a lower-case letter are not ("12th", "5km", "7e").
    """
    group = re.escape(GROUP_MARKS[language])
    decimal = re.escape(DECIMAL_MARK[language])
    grouped = rf"\d{{1,3}}(?P<sep>[{GROUP_SPACES}]|{group})\d{{3}}(?:(?P=sep)\d{{3}})*(?!\d)"
    return re.compile(
        rf"(?<![\d.,])(?P<digits>{grouped}(?:{decimal}\d+)?|\d+(?:{decimal}\d+)?)"
        rf"(?![\d])(?![^\W\dA-Z_])" + _SCALE
    )


_DIGITS = {lang: _digits_pattern(lang) for lang in LANGUAGES}


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; one of {', '.join(LANGUAGES)}")


def _digits_value(digits: str, language: str) -> float:
    """Value of a digit string already matched by the language's pattern."""
    plain = digits
    for space in GROUP_SPACES:
        plain = plain.replace(space, "")
    group, decimal = GROUP_MARKS[language], DECIMAL_MARK[language]
    integer, _, fraction = plain.partition(decimal)
    integer = integer.replace(group, "")
    return float(f"{integer}.{fraction}" if fraction else integer)


def parse_number(text: str, language: str) -> float:
    """A number written in digits or words; ``ValueError`` on anything else."""
    _check_language(language)
    stripped = text.strip()
    match = _DIGITS[language].fullmatch(stripped)
    if match:
        value = _digits_value(match.group("digits"), language)
        scale = match.group("scale")
        return value * _SCALE_WORDS[scale.casefold()] if scale else value
    if not stripped or any(ch.isdigit() for ch in stripped):
        raise ValueError(f"not a number in {language}: {text!r}")
    try:
        return float(text2num(stripped.casefold(), language))
    except Exception as error:  # text2num raises ValueError or its own parse errors
        raise ValueError(f"not a number in {language}: {text!r}") from error


def format_number(value: float, language: str, separator: str = " ") -> str:
    """Render a number the way :func:`parse_number` reads it back.

    ``separator`` groups thousands ("" for none); it cannot be the language's decimal mark.
    """
    _check_language(language)
    decimal = DECIMAL_MARK[language]
    if separator == decimal:
        raise ValueError(f"{separator!r} is the decimal mark in {language}")
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if float(magnitude).is_integer():
        integer, fraction = str(int(magnitude)), ""
    else:
        integer, _, fraction = repr(float(magnitude)).partition(".")
    if separator:
        groups: list[str] = []
        while len(integer) > 3:
            groups.insert(0, integer[-3:])
            integer = integer[:-3]
        integer = separator.join([integer, *groups])
    return sign + integer + (decimal + fraction if fraction else "")


# --- quantities -------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A qualified count found in a text; ``text[start:end] == value_text``."""

    low: float | None
    high: float | None
    qualifier: str
    value_text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Number:
    """One number token: digits, words, or a collective noun ("une centaine")."""

    start: int
    end: int
    value: float
    kind: str  # "digits" | "words" | "collective"
    expression: str = ""  # the collective wording, for the approximation band


# Qualifier wordings before a number, longest first so "pas moins de" beats "moins de".
_PREFIXES: dict[str, str] = {
    # at_least
    "au moins": "at_least",
    "au minimum": "at_least",
    "pas moins de": "at_least",
    "pas moins d'": "at_least",
    "at least": "at_least",
    "no fewer than": "at_least",
    "no less than": "at_least",
    "a minimum of": "at_least",
    "a minimum": "at_least",
    "minimum of": "at_least",
    # more_than
    "plus de": "more_than",
    "plus d'": "more_than",
    "more than": "more_than",
    "over": "more_than",
    "upwards of": "more_than",
    "in excess of": "more_than",
    # less_than
    "moins de": "less_than",
    "moins d'": "less_than",
    "fewer than": "less_than",
    "less than": "less_than",
    # at_most
    "jusqu'à": "at_most",
    "up to": "at_most",
    "as many as": "at_most",
    "at most": "at_most",
    "au plus": "at_most",
    "no more than": "at_most",
    "pas plus de": "at_most",
    "a maximum of": "at_most",
    # approximately (the wording is passed on as the band expression)
    "about": "approximately",
    "around": "approximately",
    "approximately": "approximately",
    "roughly": "approximately",
    "some": "approximately",
    "nearly": "approximately",
    "almost": "approximately",
    "close to": "approximately",
    "an estimated": "approximately",
    "près de": "approximately",
    "près d'": "approximately",
    "environ": "approximately",
    "quelque": "approximately",
    "approximativement": "approximately",
    "presque": "approximately",
    "quasiment": "approximately",
    # range openers: only meaningful when a range follows
    "between": "range",
    "entre": "range",
    "from": "range",
    "de": "range",
    "d'": "range",
}
_RANGE_OPENERS = {"between": "and", "entre": "et", "from": "to", "de": "à", "d'": "à"}


def _prefix_alternation() -> str:
    wordings = sorted(_PREFIXES, key=len, reverse=True)
    # An apostrophe in a wording matches both ' and ’; spaces match any space.
    escaped = [
        re.escape(w).replace("'", "['’]").replace(r"\ ", r"[ \u00a0\u202f]+") for w in wordings
    ]
    return "|".join(escaped)


_PREFIX_BEFORE = re.compile(
    rf"(?:^|(?<=[\W]))(?P<wording>{_prefix_alternation()})(?:(?<=['’])|[ \u00a0\u202f]+)$",
    re.IGNORECASE,
)
_PREFIX_WINDOW = 32

# Collective nouns for counts: "une centaine", "des dizaines", "dozens of".
_COLLECTIVE_NOMINAL: dict[str, float] = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
    "millier": 1000,
    "dizaines": 10,
    "centaines": 100,
    "milliers": 1000,
    "dozen": 12,
    "dozens": 12,
    "hundreds": 100,
    "thousands": 1000,
}
_COLLECTIVE = {
    "fr": re.compile(
        r"(?<!\w)(?:(?:une|la)\s+(?P<sg>dizaine|douzaine|quinzaine|vingtaine|trentaine|quarantaine|"
        r"cinquantaine|soixantaine|centaine)|un\s+(?P<sg2>millier)"
        r"|(?:des|plusieurs)\s+(?P<pl>dizaines|centaines|milliers))(?!\w)",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"(?<!\w)(?:an?\s+(?P<sg>dozen)|(?P<pl>dozens|hundreds|thousands)(?=\s+of\b))(?!\w)",
        re.IGNORECASE,
    ),
}

# Range connectors between two numbers: "3 – 7", "3-7", "3 to 7", "six or seven".
_DASH_CONNECTOR = re.compile(r"[ \u00a0\u202f]*[–—-][ \u00a0\u202f]*")
_WORD_CONNECTOR = {
    "fr": re.compile(r"[ \u00a0\u202f]+(?P<word>à|a|ou|et)[ \u00a0\u202f]+", re.IGNORECASE),
    "en": re.compile(r"[ \u00a0\u202f]+(?P<word>to|or|and)[ \u00a0\u202f]+", re.IGNORECASE),
}
# "and"/"et" only join a range opened by "between"/"entre"; "to"/"à" after "from"/"de" or alone.
_FREE_CONNECTORS = {"to", "à", "a", "or", "ou"}

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
_ARTICLE_WORDS = {"un", "une", "one"}
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


class _Token:
    """The token shape ``text_to_num.find_numbers`` expects."""

    __slots__ = ("end", "start", "word")

    def __init__(self, word: str, start: int, end: int) -> None:
        self.word, self.start, self.end = word, start, end

    def text(self) -> str:
        return self.word

    def nt_separated(self, previous: object) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


_WORD_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]")
# Cheap pre-check so texts without any number word skip the text2num call on each chunk.
_NUMBER_WORD_HINT = re.compile(
    r"(?i)\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty|"
    r"hundred|thousand|million|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|"
    r"treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|cents|mille)\b"
)


# Words text2num values but that count nothing: "their loved ones", "the little ones".
_NOT_NUMBERS = {"ones", "Ones"}


def _word_numbers(text: str, language: str) -> list[_Number]:
    """Cardinal numbers written in words, valued by text2num."""
    if not _NUMBER_WORD_HINT.search(text):
        return []
    tokens = [_Token(m.group(), m.start(), m.end()) for m in _WORD_TOKEN.finditer(text)]
    numbers = []
    for occurrence in find_numbers(tokens, language, threshold=0):
        if occurrence.is_ordinal:
            continue
        if occurrence.end - occurrence.start == 1 and tokens[occurrence.start].word in _NOT_NUMBERS:
            continue
        first, last = tokens[occurrence.start], tokens[occurrence.end - 1]
        numbers.append(_Number(first.start, last.end, float(occurrence.value), "words"))
    return numbers


def _digit_numbers(text: str, language: str) -> list[_Number]:
    numbers = []
    for match in _DIGITS[language].finditer(text):
        value = _digits_value(match.group("digits"), language)
        scale = match.group("scale")
        if scale:
            value *= _SCALE_WORDS[scale.casefold()]
        numbers.append(_Number(match.start(), match.end(), value, "digits"))
    return numbers


def _collective_numbers(text: str, language: str) -> list[_Number]:
    numbers = []
    for match in _COLLECTIVE[language].finditer(text):
        noun = (match.group("sg") or match.groupdict().get("sg2") or match.group("pl")).casefold()
        numbers.append(
            _Number(
                match.start(),
                match.end(),
                _COLLECTIVE_NOMINAL[noun],
                "collective",
                expression=match.group(),
            )
        )
    return numbers


def _number_tokens(text: str, language: str) -> list[_Number]:
    """All number tokens, in order; a collective noun hides the article or word inside it."""
    collectives = _collective_numbers(text, language)
    others = _digit_numbers(text, language) + _word_numbers(text, language)
    kept = [n for n in others if not any(c.start <= n.start < c.end for c in collectives)]
    return sorted(collectives + kept, key=lambda n: n.start)


def _is_year(number: _Number, text: str) -> bool:
    written = text[number.start : number.end]
    return (
        number.kind == "digits"
        and len(written) == 4
        and written.isdigit()
        and _YEAR_RANGE[0] <= number.value <= _YEAR_RANGE[1]
    )


def _is_not_a_count(number: _Number, text: str, language: str) -> bool:
    """Years, dates, ages, times, percentages, references and articles are not counts."""
    before = text[max(0, number.start - 40) : number.start]
    after = text[number.end : number.end + 40]
    if number.kind == "collective":
        return False
    if _is_year(number, text) and not _PERSON_AFTER[language].match(after):
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


def _is_article(number: _Number, text: str, language: str) -> bool:
    """ "un"/"une"/"one" that does not count a person ("un grand nombre", "one source")."""
    if number.kind != "words" or text[number.start : number.end].casefold() not in _ARTICLE_WORDS:
        return False
    after = text[number.end : number.end + 40]
    before = text[max(0, number.start - 12) : number.start]
    if _ONE_OF.match(after) or _NO_ONE_BEFORE.search(before):
        return True
    return not _PERSON_AFTER[language].match(after)


def _prefix_before(text: str, start: int) -> re.Match[str] | None:
    return _PREFIX_BEFORE.search(text, max(0, start - _PREFIX_WINDOW), start)


def _range_end(
    text: str, first: _Number, following: _Number | None, opener: str | None, language: str
) -> _Number | None:
    """The second number of a range starting at ``first``, if the text joins them."""
    if following is None or following.kind == "collective" or first.kind == "collective":
        return None
    gap = text[first.end : following.start]
    if _DASH_CONNECTOR.fullmatch(gap):
        return following
    connector = _WORD_CONNECTOR[language].fullmatch(gap)
    if not connector:
        return None
    word = connector.group("word").casefold()
    if opener is not None and _RANGE_OPENERS.get(opener) == word:
        return following
    return following if word in _FREE_CONNECTORS and word not in {"et", "and"} else None


def _normalise_wording(wording: str) -> str:
    return " ".join(wording.casefold().replace("’", "'").split())


def find_quantities(text: str, language: str) -> list[Quantity]:
    """Every count in the text, in order, with ``text[q.start:q.end] == q.value_text``."""
    _check_language(language)
    numbers = _number_tokens(text, language)
    quantities: list[Quantity] = []
    index = 0
    while index < len(numbers):
        number = numbers[index]
        following = numbers[index + 1] if index + 1 < len(numbers) else None
        prefix = _prefix_before(text, number.start)
        wording = _normalise_wording(prefix.group("wording")) if prefix else None
        opener = wording if wording in _RANGE_OPENERS else None
        second = _range_end(text, number, following, opener, language)
        index += 2 if second else 1
        if _is_not_a_count(number, text, language) or (
            second and _is_not_a_count(second, text, language)
        ):
            continue
        if (
            second is None
            and _is_article(number, text, language)
            and not (prefix and _PREFIXES[wording or ""] != "range")
        ):
            continue
        quantity = _quantity(text, number, second, prefix, wording)
        if quantity is not None:
            quantities.append(quantity)
    return quantities


def _quantity(
    text: str,
    number: _Number,
    second: _Number | None,
    prefix: re.Match[str] | None,
    wording: str | None,
) -> Quantity | None:
    """Assemble the qualified quantity; ``None`` for a backwards "range" such as "7-3"."""
    qualifier = _PREFIXES.get(wording or "", "exact")
    start = number.start
    expression = number.expression or None
    if second is not None:
        if second.value < number.value:
            return None
        if qualifier == "range" and prefix:
            start = prefix.start()
        qualifier = "range" if second.value > number.value else "exact"
        interval = interval_for(qualifier, number.value, high=second.value)
        end = second.end
    else:
        if qualifier == "range":  # "de 3 civils": an opener without a range is no qualifier
            qualifier = "exact"
        elif prefix:
            start = prefix.start()
        if number.kind == "collective" and qualifier == "exact":
            qualifier = "approximately"
        if qualifier == "approximately":
            expression = text[start : number.end]
        interval = interval_for(qualifier, number.value, expression=expression)
        end = number.end
    return Quantity(interval.low, interval.high, qualifier, text[start:end], start, end)


def read_quantity(text: str, language: str) -> Quantity | None:
    """The first quantity in a short text such as a quote, or ``None``."""
    quantities = find_quantities(text, language)
    return quantities[0] if quantities else None
