"""Number tokens: one number as people write it, in digits, words or both.

* digits with their language's grouping and decimals ("3 100", "3,100", "1,5"), a decimal in
  the other convention before a scale word ("1.5 million" in French, "1,5 million" in English);
* a glued suffix or scale words, chained: "12k", "3mil", "1.2M", "250 mille", "1.5 million",
  "3 thousand 2 hundred", "2 douzaines";
* words, valued by text2num ("twenty-one", "quatre-vingt-dix-neuf", "one million two hundred
  thousand"), times a dozen when one follows ("two dozen", "deux douzaines");
* set phrases for halves, quarters and dozens ("half a dozen" = 6, "une demi-douzaine" = 6,
  "a couple of dozen" = 24, "a quarter of a million", "un million et demi", "a hundred");
* collective nouns, which are approximate ("une centaine", "dozens of", "des milliers").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from text_to_num import find_numbers, text2num

from provenance.core.qualifiers import LANGUAGES

GROUP_SPACES = " \u00a0\u202f"  # plain space, no-break space, narrow no-break space
SPACE = f"[{GROUP_SPACES}]"  # one space of any of these kinds, in a pattern
_S = SPACE
DECIMAL_MARK = {"fr": ",", "en": "."}
# Separators a language may use between groups of three digits, besides the spaces.
GROUP_MARKS = {"fr": ".", "en": ","}

SCALES: dict[str, float] = {
    "hundred": 1e2,
    "hundreds": 1e2,
    "thousand": 1e3,
    "thousands": 1e3,
    "mille": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "milliard": 1e9,
    "milliards": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "dozen": 12,
    "douzaine": 12,
    "douzaines": 12,
}
# Suffixes glued to digits in tweets and summaries: "12k", "3mil", "1.2M", "4bn".
SUFFIXES: dict[str, float] = {
    "k": 1e3,
    "K": 1e3,
    "mil": 1e6,
    "M": 1e6,
    "m": 1e6,  # only after a decimal ("1.5m"): "5m" is a length
    "mn": 1e6,
    "bn": 1e9,
}
_SCALE_WORDS = {
    "en": "hundred|thousand|millions?|billions?|dozen",
    "fr": "mille|millions?|milliards?|douzaines?",
}


def check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; one of {', '.join(LANGUAGES)}")


def _digits_pattern(language: str) -> re.Pattern[str]:
    """Digits, then an optional glued suffix and chained scale words.

    Digits glued after a lower-case letter are accepted ("killed3" in scraped summaries);
    digits followed by a lower-case letter that is not a suffix are not ("12th", "5km", "7e").
    """
    group = re.escape(GROUP_MARKS[language])
    decimal = re.escape(DECIMAL_MARK[language])
    scale = _SCALE_WORDS[language]
    grouped = rf"\d{{1,3}}(?P<sep>[{GROUP_SPACES}]|{group})\d{{3}}(?:(?P=sep)\d{{3}})*(?!\d)"
    other_decimal = rf"\d+[.,]\d{{1,3}}(?={_S}+(?:{scale})\b)"
    suffix = "|".join(sorted(SUFFIXES, key=len, reverse=True))
    return re.compile(
        rf"(?<![\d.,])(?P<digits>{other_decimal}|{grouped}(?:{decimal}\d+)?|\d+(?:{decimal}\d+)?)"
        rf"(?![\d])(?![.,]\d)(?:(?P<suffix>{suffix})(?![^\W\d_])|(?![^\W\dA-Z_]))"
        # scale words right after the digits ("250 thousand"), further parts with their own
        # scale ("3 thousand 2 hundred"), then maybe a bare remainder ("3 mille 200")
        rf"(?P<scales>(?:(?:{_S}+(?:{scale})\b)+"
        rf"(?:{_S}+\d{{1,3}}(?:{_S}+(?:{scale})\b)+)*"
        rf"(?:{_S}+\d{{1,3}}(?:[{GROUP_SPACES}]\d{{3}})*(?![\d.,]\d)(?![^\W\d_])"
        rf"(?!{_S}+(?:{scale})\b))?)?)"
    )


_DIGITS = {lang: _digits_pattern(lang) for lang in LANGUAGES}
_SCALE_PART = re.compile(
    r"(?:(?P<n>\d+)\W+)?(?P<scale>[^\W\d_]+)|(?P<bare>\d+(?:[ \u00a0\u202f]\d{3})*)"
)


def digits_value(digits: str, language: str) -> float:
    """Value of a digit string already matched by the language's pattern."""
    plain = digits
    for space in GROUP_SPACES:
        plain = plain.replace(space, "")
    group, decimal = GROUP_MARKS[language], DECIMAL_MARK[language]
    other = re.fullmatch(r"\d+(?P<mark>[.,])(?P<fraction>\d{1,3})", plain)
    if other and not (other.group("mark") == group and len(other.group("fraction")) == 3):
        return float(plain.replace(",", "."))  # a decimal, in either convention
    integer, _, fraction = plain.partition(decimal)
    integer = integer.replace(group, "")
    return float(f"{integer}.{fraction}" if fraction else integer)


@dataclass(frozen=True)
class Number:
    """One number token; ``scale`` is what a scale word or suffix multiplied (1 if none)."""

    start: int
    end: int
    value: float
    kind: str  # "digits" | "words" | "collective"
    expression: str = ""  # the collective wording, for the approximation band
    scale: float = 1.0


def _scaled(match: re.Match[str], language: str) -> tuple[float, float]:
    """(value, scale of the first part) of a digits match with its suffix and scale words."""
    value = digits_value(match.group("digits"), language)
    suffix = match.group("suffix")
    first_scale = SUFFIXES[suffix] if suffix else 1.0
    value *= first_scale
    total, current = 0.0, value
    for part in _SCALE_PART.finditer(match.group("scales")):
        if part.group("bare"):
            total, current = total + current, float(re.sub(r"\D", "", part.group("bare")))
            continue
        word = part.group("scale").casefold()
        if word in ("and", "et"):
            continue
        factor = SCALES[word]
        if part.group("n"):  # "3 thousand 2 hundred": a new part with its own number
            total, current = total + current, float(part.group("n")) * factor
        else:
            current *= factor
            if first_scale == 1.0:
                first_scale = factor
    return total + current, first_scale


def digit_numbers(text: str, language: str) -> list[Number]:
    numbers = []
    for match in _DIGITS[language].finditer(text):
        if match.group("suffix") == "m" and not re.search(r"[.,]", match.group("digits")):
            continue
        value, scale = _scaled(match, language)
        numbers.append(Number(match.start(), match.end(), value, "digits", scale=scale))
    return numbers


def parse_number(text: str, language: str) -> float:
    """A number written in digits or words; ``ValueError`` on anything else."""
    check_language(language)
    stripped = text.strip()
    match = _DIGITS[language].fullmatch(stripped)
    if match:
        return _scaled(match, language)[0]
    phrase = _phrase_value(stripped, language)
    if phrase is not None:
        return phrase
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
    check_language(language)
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


# --- set phrases: halves, quarters, dozens --------------------------------------------------

_N = r"(?P<n>\d+(?:[.,]\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*)"
_BIG = {
    "en": r"(?P<scale>dozen|hundred|thousand|million|billion)",
    "fr": r"(?P<scale>douzaines?|millions?|milliards?)",
}


def _word_value(word: str, language: str) -> float | None:
    if word.casefold() in ("a", "an", "un", "une"):
        return 1.0
    try:
        return parse_number(word, language)
    except ValueError:
        return None


def _scale(match: re.Match[str]) -> float:
    return SCALES[match.group("scale").casefold()]


_UNITS_EN = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_DEMI = {
    "douzaine": 12.0,
    "dizaine": 10.0,
    "centaine": 100.0,
    "millier": 1e3,
    "million": 1e6,
    "milliard": 1e9,
}
_Phrase = tuple[re.Pattern[str], Callable[[re.Match[str], str], float | None]]


def _phrase(pattern: str) -> re.Pattern[str]:
    spaced = pattern.replace(" ", r"[\s-]+")  # "one-and-a-half million" too
    return re.compile(rf"(?<![\w-])(?:{spaced})(?![\w-])", re.IGNORECASE)


def _plus_half(m: re.Match[str], language: str) -> float | None:
    n = _word_value(m.group("n"), language)
    return None if n is None else (n + 0.5) * _scale(m)


_PHRASES: dict[str, list[_Phrase]] = {
    "en": [
        (_phrase(rf"{_N} and a half {_BIG['en']}"), _plus_half),
        (_phrase(r"(?:a )?half[\s-]a[\s-]dozen|a half[\s-]dozen"), lambda m, lang: 6.0),
        (
            _phrase(r"a couple(?: of)? (?P<scale>dozen|hundred|thousand)"),
            lambda m, lang: 2.0 * _scale(m),
        ),
        (_phrase(rf"(?:a|one) {_BIG['en']} and a half"), lambda m, lang: 1.5 * _scale(m)),
        (_phrase(rf"half a {_BIG['en']}"), lambda m, lang: 0.5 * _scale(m)),
        (_phrase(rf"(?:a|one) quarter(?: of a)? {_BIG['en']}"), lambda m, lang: 0.25 * _scale(m)),
        (
            _phrase(rf"three[\s-]quarters(?: of a)? {_BIG['en']}"),
            lambda m, lang: 0.75 * _scale(m),
        ),
        (
            _phrase(rf"a (?P<scale>hundred|thousand) and (?P<rest>{_UNITS_EN})"),
            lambda m, lang: _scale(m) + parse_number(m.group("rest"), lang),
        ),
        (_phrase(r"a (?P<scale>hundred|thousand|million|billion)"), lambda m, lang: _scale(m)),
    ],
    "fr": [
        (
            _phrase(r"une? demi[\s-](?P<noun>douzaine|dizaine|centaine|millier|million|milliard)"),
            lambda m, lang: 0.5 * _DEMI[m.group("noun").casefold()],
        ),
        (_phrase(rf"{_N} {_BIG['fr']} et demie?"), _plus_half),
        (_phrase(rf"un quart de {_BIG['fr']}"), lambda m, lang: 0.25 * _scale(m)),
        (_phrase(rf"trois quarts de {_BIG['fr']}"), lambda m, lang: 0.75 * _scale(m)),
    ],
}


# Cheap pre-check: most texts hold none of the words a set phrase needs.
_PHRASE_HINT = {
    "en": re.compile(
        r"(?i)\b(?:half|quarters?|dozen|couple|an?\s+(?:hundred|thousand|million|billion))\b"
    ),
    "fr": re.compile(r"(?i)(?:demi|quarts?\s+de|\bet\s+demie?\b)"),
}


def phrase_numbers(text: str, language: str) -> list[Number]:
    numbers: list[Number] = []
    if not _PHRASE_HINT[language].search(text):
        return numbers
    for pattern, value_of in _PHRASES[language]:
        for match in pattern.finditer(text):
            if any(n.start <= match.start() < n.end for n in numbers):
                continue
            value = value_of(match, language)
            if value is not None:
                numbers.append(Number(match.start(), match.end(), value, "words"))
    return numbers


def _phrase_value(text: str, language: str) -> float | None:
    for number in phrase_numbers(text, language):
        if number.start == 0 and number.end == len(text):
            return number.value
    return None


# --- collective nouns ----------------------------------------------------------------------

# "une centaine", "des dizaines", "dozens of": approximate counts with their own band.
COLLECTIVE_NOMINAL: dict[str, float] = {
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
        r"|(?:des|plusieurs|quelques)\s+(?P<pl>dizaines|centaines|milliers))(?!\w)",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"(?<!\w)(?:an?\s+(?P<sg>dozen)|(?P<pl>dozens|hundreds|thousands)(?=\s+of\b)"
        r"|(?:several|a\s+few)\s+(?P<pl2>dozen|hundred|thousand))(?!\w)",
        re.IGNORECASE,
    ),
}
_PLURAL_OF = {"dozen": "dozens", "hundred": "hundreds", "thousand": "thousands"}


def collective_numbers(text: str, language: str) -> list[Number]:
    numbers = []
    for match in _COLLECTIVE[language].finditer(text):
        groups = match.groupdict()
        noun = (groups["sg"] or groups.get("sg2") or groups["pl"] or groups["pl2"]).casefold()
        noun = _PLURAL_OF.get(noun, noun) if groups.get("pl2") else noun
        # "plusieurs centaines", "several hundred": the band of "des centaines", "hundreds"
        expression = f"des {noun}" if groups["pl"] and language == "fr" else match.group()
        if groups.get("pl2"):
            expression = noun
        numbers.append(
            Number(match.start(), match.end(), COLLECTIVE_NOMINAL[noun], "collective", expression)
        )
    return numbers


# --- numbers in words ----------------------------------------------------------------------


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
# Words that start or end a number in words: text2num only runs in windows around them.
_HINT_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve hundred thousand million "
    "un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize vingt trente quarante cinquante soixante cent cents mille"
)
_NUMBER_WORD_HINTS = frozenset(_HINT_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+")
# Words text2num values but that count nothing: "their loved ones", "the little ones".
_NOT_NUMBERS = {"ones", "Ones"}
_DOZEN_AFTER = re.compile(rf"{_S}+(?:dozen|douzaines?)(?![\w-])", re.IGNORECASE)


def word_numbers(text: str, language: str) -> list[Number]:
    """Cardinal numbers written in words, valued by text2num; "two dozen" is 24."""
    numbers = []
    for start, end in _word_windows(text):
        tokens = [
            _Token(m.group(), m.start(), m.end()) for m in _WORD_TOKEN.finditer(text, start, end)
        ]
        for occurrence in find_numbers(tokens, language, threshold=0):
            if occurrence.is_ordinal:
                continue
            first, last = tokens[occurrence.start], tokens[occurrence.end - 1]
            if occurrence.end - occurrence.start == 1 and first.word in _NOT_NUMBERS:
                continue
            numbers.append(Number(first.start, last.end, float(occurrence.value), "words"))
    return numbers


_WINDOW_REACH = 80


def _word_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of text around number words, whole words only: tokenising and valuing them
    there, not the whole text, keeps long narratives fast."""
    windows: list[tuple[int, int]] = []
    for word in _WORD.finditer(text):
        folded = word.group().casefold()
        if folded not in _NUMBER_WORD_HINTS and not folded.endswith(("teen", "ty")):
            continue
        start, end = max(0, word.start() - _WINDOW_REACH), word.end() + _WINDOW_REACH
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    snapped = []
    for start, end in windows:
        while 0 < start < len(text) and text[start - 1].isalnum():
            start += 1
        while end < len(text) and text[end].isalnum():
            end += 1
        snapped.append((start, min(end, len(text))))
    return snapped


def with_dozens(numbers: list[Number], text: str) -> list[Number]:
    """ "two dozen", "deux douzaines": a counted number followed by a dozen is twelve times it."""
    out = []
    for number in numbers:
        dozen = _DOZEN_AFTER.match(text, number.end)
        if dozen and number.kind == "words" and number.scale == 1.0:
            number = Number(number.start, dozen.end(), number.value * 12, "words", scale=12)
        out.append(number)
    return out


def number_tokens(text: str, language: str) -> list[Number]:
    """All number tokens, in order; a set phrase or a collective hides the words inside it."""
    covered = bytearray(len(text))  # 1 where a stronger token already reads the text
    kept: list[Number] = []
    for found in (
        phrase_numbers(text, language),
        collective_numbers(text, language),
        digit_numbers(text, language),
        with_dozens(word_numbers(text, language), text),
    ):
        fresh = [n for n in found if not any(covered[n.start : n.end])]
        for number in fresh:
            covered[number.start : number.end] = b"\x01" * (number.end - number.start)
        kept += fresh
    return sorted(kept, key=lambda n: n.start)
