"""Text → candidate figures and relations, for a person to review before appending.

:func:`extract` reads a French or English text and proposes one :class:`Candidate` per stated
count of harm ("au moins 3 100 victimes tuées", "seven members of the family were killed") and
one :class:`RelationCandidate` per stated ratio or share ("multiplié par huit", "a quarter of").
Every candidate carries its quote with code-point offsets into the NFC-normalised text, a
guessed claimant and speaker, the date it was stated (resolved against the publication date),
a confidence in [0, 1] and the name of the pattern that matched.

The rules are linguistic and deliberately simple: a count is a figure when a harm word
(killed, dead, victims, injured / tués, morts, victimes, blessés) is attached to it in its
clause; everything else a person fixes in review. A head count owns the harm word beyond the
parts listed inside its phrase ("20 members, including eight women and eight children, were
killed" → 20, the parts ranked below it); counts of things ("three generations", "two houses")
are not counts of people.

Some English candidates count people without a number in the quote: enumerations ("a woman
and her infant were killed" → 2, "a father and his four sons" → 5, "A and B were killed" → 2),
one person ("a young man was killed" → 1) and an unstated plural ("several deaths" → at least
2). Their ``pattern`` starts with ``"implicit:"`` (``implicit:enumeration+killed``,
``implicit:one+killed``, ``implicit:plural+killed``): a validation rule that reads the number
back from the quote must skip them, since the value is not written there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.core.calendar import MONTH_NUMBERS, WEEKDAY_NUMBERS
from provenance.core.ids import content_id
from provenance.core.ids import document_id as make_document_id
from provenance.text.numbers import PERSON_NOUNS, Quantity, find_quantities, parse_number

_SP = r"[ \u00a0\u202f]"

# --- sentences and quotations -----------------------------------------------------------

_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "no",
    "gen",
    "col",
    "lt",
    "sgt",
    "m",
    "mme",
    "jr",
    "prof",
    "vs",
    "etc",
    "approx",
    "u.s",
    "u.n",
}
# A sentence ends at . ! ? (and a closing quote mark), before a capital, a digit or an opening
# quote; scraped texts glue sentences ("light.Sources"), so the space is optional.
_SENTENCE_END = re.compile(
    r"[.!?…]+(?:[ \u00a0\u202f]*[»”\"’)])?(?=[ \u00a0\u202f]+[A-ZÀ-Ý«“\"\d(]|[A-ZÀ-Ý«“])"
)
_NEWLINE = re.compile(r"\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed; newlines always end a sentence."""
    spans: list[tuple[int, int]] = []
    for line in _line_spans(text):
        start = line[0]
        for match in _SENTENCE_END.finditer(text, line[0], line[1]):
            if _ends_with_abbreviation(text, match.start()):
                continue
            spans.append((start, match.end()))
            start = match.end()
        spans.append((start, line[1]))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))[0] < trimmed[1]]


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _NEWLINE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 6) : dot])
    if not word:
        return False
    token = word.group(1).casefold()
    # Initials ("J. Smith") and listed abbreviations do not end a sentence.
    return token in _ABBREVIATIONS or (
        len(token) == 1 and token.isalpha() and token.isupper() is False and text[dot - 1].isupper()
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True)
class Quotation:
    """A «…» or “…” span and who says it."""

    start: int
    end: int
    speaker: str | None


_QUOTATION = re.compile(r"«[^«»]*»|“[^“”]*”")

# --- entities, attribution cues -----------------------------------------------------------

_NAME_WORD = r"[A-ZÀ-Ý][\w’'.-]*"
_NAME_LINK = r"(?:de|du|des|d['’]|of|al|el|bin|ben|ibn|abu|the|la|le|van|von)"
_PROPER_NAME = rf"{_NAME_WORD}(?:{_SP}+(?:{_NAME_LINK}{_SP}*)?{_NAME_WORD})*"
_ARTICLE = r"(?:(?:le|la|les|the)" + _SP + r"+|l['’])"
_LEADING_ARTICLE = re.compile(
    r"^(?:(?:le|la|les|the|des|un|une|a|an)[ \u00a0\u202f]+|l['’][ \u00a0\u202f]*)", re.I
)

_CUE_VERBS = {
    "fr": (
        r"a[ \u00a0\u202f]+déclaré|a[ \u00a0\u202f]+indiqué|a[ \u00a0\u202f]+affirmé|"
        r"a[ \u00a0\u202f]+annoncé|a[ \u00a0\u202f]+reconnu|a[ \u00a0\u202f]+précisé|"
        r"a[ \u00a0\u202f]+rapporté|a[ \u00a0\u202f]+estimé|a[ \u00a0\u202f]+fait[ \u00a0\u202f]+"
        r"(?:état|savoir|part)|reconna[iî]tre|reconna[iî]t|évoque|évoquent|fait[ \u00a0\u202f]+"
        r"(?:état|part)|font[ \u00a0\u202f]+(?:état|part)|rapporte|rapportent|affirme|affirment|"
        r"déclare|déclarent|indique|indiquent|annonce|annoncent|estime|estiment|recense|"
        r"recensent|dénombre|comptabilise|avance|admet|a[ \u00a0\u202f]+admis|signale|"
        r"a[ \u00a0\u202f]+signalé"
    ),
    "en": (
        r"said|says|reported|reports|stated|states|announced|claimed|claims|acknowledged|"
        r"acknowledges|admitted|admits|confirmed|confirms|estimated|estimates|recorded|"
        r"documented|counted|posted|wrote|writes|shared|noted|notes|told|tweeted|published|"
        r"identified|listed|put[ \u00a0\u202f]+the[ \u00a0\u202f]+(?:death[ \u00a0\u202f]+)?toll"
    ),
}
_CUE_VERB = {lang: re.compile(rf"\b(?:{verbs})\b") for lang, verbs in _CUE_VERBS.items()}
# A named subject then up to four lower-case words ("a beaucoup tardé à") before the cue verb.
_SUBJECT_BEFORE_VERB = re.compile(
    rf"(?P<name>{_ARTICLE}?{_PROPER_NAME})(?:{_SP}+[a-zà-ÿ’']+){{0,4}}{_SP}+$"
)
_ACCORDING_TO = {
    "fr": re.compile(rf"\b(?:selon|d['’]après){_SP}+(?P<name>[^,.;:«»“”()]+)", re.IGNORECASE),
    "en": re.compile(
        rf"\b(?:according{_SP}+to|cited{_SP}+by|reported{_SP}+by|per){_SP}+(?P<name>[^,.;:«»“”()]+)",
        re.IGNORECASE,
    ),
}
_CLAUSE_BREAK = re.compile(r"[,;:«»“”()]")
# Attribution right after a closing quote mark: "», a indiqué Maria Zakharova", "” said X".
_AFTER_QUOTE = {
    "fr": re.compile(
        rf"{_SP}*,?{_SP}*(?:a|ont){_SP}+(?:\w+{_SP}+)?(?:indiqué|déclaré|affirmé|ajouté|précisé|"
        rf"souligné|expliqué|estimé|poursuivi|conclu|dit|lancé|martelé|insisté)"
        rf"{_SP}+(?P<name>{_ARTICLE}?{_PROPER_NAME})"
    ),
    "en": re.compile(
        rf"{_SP}*,?{_SP}*(?:(?:said|says|added|wrote|posted|stated|explained|noted|told\w*)"
        rf"{_SP}+(?P<name>{_PROPER_NAME})|(?P<name2>{_PROPER_NAME}){_SP}+(?:said|says|added|"
        rf"wrote|posted|stated|explained|noted))"
    ),
}
# Attribution before an opening quote mark: "Maria Zakharova a déclaré : «", "X said: “".
_BEFORE_QUOTE = re.compile(
    rf"(?P<name>{_ARTICLE}?{_PROPER_NAME})(?:{_SP}+[\w’']+){{0,6}}{_SP}*[:,]?{_SP}*$"
)
_CONTINUES_SPEECH = re.compile(r"(?:ajout|added|continu|poursui|went on)", re.IGNORECASE)


def slugify(name: str) -> str:
    """An entity slug: accent-free, lower-case, dashes ("Maria Zakharova" → "maria-zakharova").

    A leading article goes ("Le Pentagone" → "pentagone"), so the same actor gets one slug
    whichever way a sentence introduces it.
    """
    decomposed = unicodedata.normalize("NFKD", name.strip())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _LEADING_ARTICLE.sub("", plain.replace("’", "'"))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-")
    return slug


# --- harm vocabulary -> metric ------------------------------------------------------------

_KILLED = (
    r"killed|killing|kills|kill|dead|deaths?|died|die|dying|fatalit(?:y|ies)|lives|bodies|"
    r"victims?|casualt(?:y|ies)|massacred|slain|perished|martyred|martyrs?|"
    r"tu[ée]e?s?|tuant|tuer|morte?s?|décès|décédée?s?|victimes?|p[ée]ri|périssent|"
    r"massacrée?s?"
)
_INJURED = (
    r"injured|injuries|injury|injuring|wounded|wounding|hurt|bless[ée]e?s?|blessures?|blessant"
)
_MISSING = r"missing|disparue?s?"
_HARM = re.compile(
    rf"(?<![\w-])(?:(?P<killed>{_KILLED})|(?P<injured>{_INJURED})|(?P<missing>{_MISSING}))(?![\w-])",
    re.IGNORECASE,
)
_CIVILIAN = re.compile(r"\bcivil(?:ian|ians|e|s|es)?\b", re.IGNORECASE)
_CHILDREN = re.compile(
    r"^\W*(?:\w+\W+)?(?:child|children|kids|boys|girls|enfants?|mineurs)\b", re.IGNORECASE
)
_WOMEN = re.compile(r"^\W*(?:\w+\W+)?(?:women|woman|femmes?)\b", re.IGNORECASE)
_PERSON_AFTER = {
    lang: re.compile(rf"\W*(?:\w+\W+)?(?:{nouns})\b", re.IGNORECASE)
    for lang, nouns in PERSON_NOUNS.items()
}
# A subset introduced inside the head count's phrase ("15 members, including seven children,
# were killed"): the head's harm word lies beyond it.
_SUBSET_BEFORE = re.compile(
    r"(?:including|includes|among(?:\s+them|\s+whom)?|of\s+whom|dont|parmi\s+eux|notamment|"
    r"y\s+compris)\W*$",
    re.IGNORECASE,
)
# Only these words may stand between a harm word and the number it precedes ("killed at least",
# "la mort de plus de", "bilan des victimes s'élève à").
_TIGHT_GAP = re.compile(
    rf"^(?:{_SP}|['’]|\b(?:of|de|d|du|des|at|least|au|moins|plus|more|than|up|to|a|an|the|"
    r"le|la|les|s|élève|eleve|est|was|is|were|be|been|toll|of|some|about|around|nearly|"
    r"avoir|ont|fait|made|environ|près|pres|quelque|totalling|totaling|total|reached|"
    r"atteint|à|between|entre|to|rose|risen|stands|stood|at)\b)*$",
    re.IGNORECASE,
)
# ", including seven children," inside a head count's phrase: skipped when measuring how
# directly the harm word governs the head count.
_SUBSET_PARENTHETICAL = re.compile(
    r",\s*(?:including|among\s+them|of\s+whom|dont|parmi\s+eux|notamment|y\s+compris)[^,.;]*,"
    r"|\([^()]*\)",
    re.IGNORECASE,
)
_HEAD_OF_SUBSET = re.compile(
    r"[^,.;]{0,80},\s*(?:including|among\s+them|of\s+whom|dont|parmi\s+eux|y\s+compris)\b",
    re.IGNORECASE,
)
# Counts of things, not people: they qualify a head count ("15 civilians from three
# generations") or the strike ("hit three ambulances").
_MODIFIER_AFTER = re.compile(
    r"\W*(?:[\w-]+\s+)?(?:generations?|houses?|homes?|buildings?|ambulances?|families|floors?|"
    r"stor(?:e)?ys?|missiles?|strikes?|airstrikes?|rockets?|bombs?|shells?|days?|hours?|"
    r"minutes?|weeks?|months?|years?|times|sources?|posts?|videos?|images?|photos?|pictures?|"
    r"vehicles?|cars?|apartments?|mosques?|schools?|hospitals?|neighbou?rhoods?|areas?|"
    r"locations?|incidents?|attacks?|raids?|separate|different|maisons?|immeubles?|frappes?|"
    r"jours?|heures?|semaines?|générations?|bâtiments?|véhicules?)\b",
    re.IGNORECASE,
)
# "members of one family", "three families": a count of households, not of people.
_FAMILIES_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:famil(?:y|ies)|familles?)\b(?!\s+members?\b)", re.IGNORECASE
)
_PERSON_NEAR_AFTER = re.compile(
    r"\W*(?:[\w’'-]+\W+){0,2}?(?:"
    + PERSON_NOUNS["en"]
    + "|"
    + PERSON_NOUNS["fr"]
    + r"|martyrs?|persons|grandchildren|siblings|cousins|nephews|nieces|parents)\b",
    re.IGNORECASE,
)
# A part named by its relation to the head: "two of whom were pregnant", "three of them".
_PART_OF_AFTER = re.compile(
    r"\s+(?:of\s+(?:whom|them|those|which)|d['’]entre\s+(?:eux|elles))\b", re.IGNORECASE
)
# Between a head count and a listed part: "including", "among them", a dash, a colon, "(".
_PART_CUE = re.compile(
    r"\b(?:including|includes|included|among\s+(?:them|whom|those|which)|of\s+whom|namely|"
    r"comprising|dont|parmi\s+(?:eux|elles|lesquels|lesquelles)|notamment|y\s+compris)\b"
    r"|[–—(:]|\s-\s",
    re.IGNORECASE,
)
# "six members of the family, four children and two women, were killed": a comma apposition
# lists parts when the head is a collective (members, people, civilians) and the part a person.
_APPOSITION_GAP = re.compile(r",\s*(?:at\s+least\s+|about\s+|some\s+)?$", re.IGNORECASE)
_COLLECTIVE_HEAD = re.compile(
    r"\W*(?:[\w’'-]+\s+){0,2}?(?:members|people|persons|civilians|individuals|relatives|"
    r"victims|residents|personnes|civils|membres|victimes)\b",
    re.IGNORECASE,
)
_PART_REACH = 220
_LIST_CONTINUES = re.compile(
    r"^[^,.;:\d]{0,40}?(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)(?:at\s+least\s+|about\s+)?$",
    re.IGNORECASE,
)
_HEAD_AFTER_WINDOW = 320
_TOTAL_CUE = re.compile(
    r"\b(?:in\s+total|a\s+total\s+of|total(?:ling|ing)?|altogether|in\s+all|overall|"
    r"across\s+all\s+sources|au\s+total|en\s+tout|bilan\s+total)\b",
    re.IGNORECASE,
)
_PARTIAL_CUE = re.compile(
    r"\b(?:initial(?:ly)?|first\s+reports?|earlier|preliminary|another\s+source|one\s+source|"
    r"some\s+sources|other\s+sources|(?:a|one)\s+(?:local\s+)?(?:source|report|post)|"
    r"initialement|premier\s+bilan|selon\s+une\s+source)\b",
    re.IGNORECASE,
)
_POSSESSIVE_AFTER = re.compile(r"['’]s?\s+\w", re.IGNORECASE)
_NOT_HARM_AFTER = re.compile(
    r"\W*(?:names?|list|lists|ministry|families|family|relatives|homes?|funerals?|bodies\s+were\s+recovered)\b",
    re.IGNORECASE,
)
_SUMMARY_BEFORE = re.compile(r"(?i)civilians\s+reported\s+killed\s*$")
_AFTER_WINDOW = 120
_BEFORE_WINDOW = 70

# --- relations ----------------------------------------------------------------------------

_NUM = r"(?P<num>\d+(?:[.,]\d+)?|[a-zà-ÿ-]+)"
_RATIOS = {
    "fr": [
        re.compile(rf"\bmultipliée?s?{_SP}+par{_SP}+{_NUM}", re.IGNORECASE),
        re.compile(
            rf"\b{_NUM}{_SP}+fois{_SP}+(?:plus|moins|supérieure?s?|inférieure?s?|le|la|les)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?P<word>le double|le triple|le quadruple)\b", re.IGNORECASE),
    ],
    "en": [
        re.compile(
            rf"\b{_NUM}{_SP}+times{_SP}+(?:more|higher|greater|as|the|larger|bigger|that)\b",
            re.IGNORECASE,
        ),
        re.compile(rf"\b{_NUM}-fold\b", re.IGNORECASE),
        re.compile(rf"\bmultiplied{_SP}+by{_SP}+{_NUM}", re.IGNORECASE),
        re.compile(
            r"\b(?P<word>twice|double|triple|thrice|quadruple)\b(?=\W+(?:as|the|that|what))",
            re.IGNORECASE,
        ),
    ],
}
_RATIO_WORDS = {
    "twice": 2.0,
    "double": 2.0,
    "le double": 2.0,
    "triple": 3.0,
    "le triple": 3.0,
    "thrice": 3.0,
    "quadruple": 4.0,
    "le quadruple": 4.0,
}
_SHARES = {
    "fr": re.compile(
        rf"\b(?P<approx>environ{_SP}+|près{_SP}+d['’]{_SP}*|presque{_SP}+)?(?:un|le|la){_SP}+"
        rf"(?P<word>quart|tiers|moitié|cinquième|dixième){_SP}+(?:de|des|du|d['’])",
        re.IGNORECASE,
    ),
    "en": re.compile(
        rf"\b(?P<approx>about{_SP}+|around{_SP}+|nearly{_SP}+|roughly{_SP}+|almost{_SP}+)?"
        rf"(?:a|one){_SP}+(?P<word>quarter|third|half|fifth|tenth){_SP}+of\b|\b(?P<half>half){_SP}+of\b",
        re.IGNORECASE,
    ),
}
_SHARE_VALUES = {
    "quart": 0.25,
    "quarter": 0.25,
    "tiers": 1 / 3,
    "third": 1 / 3,
    "moitié": 0.5,
    "half": 0.5,
    "cinquième": 0.2,
    "fifth": 0.2,
    "dixième": 0.1,
    "tenth": 0.1,
}

# --- dates --------------------------------------------------------------------------------

_MONTH_NUMBERS = MONTH_NUMBERS
_WEEKDAYS = WEEKDAY_NUMBERS
_WEEKDAY = (
    r"(?P<weekday>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_DATES = [
    # "le jeudi 25 mai", "ce dimanche 28 mai 2017", "Sunday 15 October", "the 22nd of October"
    re.compile(
        rf"(?:{_WEEKDAY},?{_SP}+)?(?:the{_SP}+)?(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?{_SP}+"
        rf"(?:of{_SP}+)?(?P<month>janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|"
        rf"septembre|octobre|novembre|décembre|decembre|January|February|March|April|May|June|"
        rf"July|August|September|October|November|December)(?:,?{_SP}+(?P<year>\d{{4}}))?\b"
    ),
    # "Thursday, October 19th 2023", "May 25"
    re.compile(
        rf"(?:{_WEEKDAY},?{_SP}+)?(?P<month>January|February|March|April|May|June|July|August|"
        rf"September|October|November|December){_SP}+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?:,?{_SP}+(?P<year>\d{{4}}))?"
    ),
]
_DATE_NEAR_CUE = 45


@dataclass(frozen=True)
class StatedDate:
    start: int
    end: int
    date: dt.date
    weekday_mismatch: str | None


def resolve_date(day: int, month: int, year: int | None, published_on: dt.date) -> dt.date | None:
    """The date meant: the given year, else the most recent such day not after publication."""
    candidates = [year] if year else [published_on.year, published_on.year - 1]
    for candidate_year in candidates:
        try:
            date = dt.date(candidate_year, month, day)
        except ValueError:
            continue
        if year or date <= published_on:
            return date
    return None


def find_dates(text: str, published_on: dt.date) -> list[StatedDate]:
    """Day-and-month dates in the text, resolved against the publication date."""
    found: list[StatedDate] = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            year = int(match.group("year")) if match.group("year") else None
            month = _MONTH_NUMBERS[match.group("month").casefold()]
            date = resolve_date(int(match.group("day")), month, year, published_on)
            if date is None or any(d.start <= match.start() < d.end for d in found):
                continue
            found.append(
                StatedDate(match.start(), match.end(), date, _weekday_mismatch(match, date))
            )
    return sorted(found, key=lambda d: d.start)


def _weekday_mismatch(match: re.Match[str], date: dt.date) -> str | None:
    weekday = match.group("weekday")
    if weekday and _WEEKDAYS[weekday.casefold()] != date.weekday():
        actual = date.strftime("%A")
        return f"weekday mismatch: {match.group()!r} but {date.isoformat()} is a {actual}"
    return None


# --- candidates ---------------------------------------------------------------------------


@dataclass
class Candidate:
    """A proposed row of the ``figures`` table, with how sure the extractor is.

    ``pattern`` names the rule that matched; it starts with ``"implicit:"`` when the value is
    not written as a number in the quote (people enumerated or described), so checks that read
    the number back from the quote must skip such candidates.
    """

    figure_id: str
    document_id: str | None
    subject_id: str | None
    metric: str
    claimant_id: str | None
    speaker_id: str | None
    stated_on: dt.date
    stated_precision: str
    value_low: float | None
    value_high: float | None
    qualifier: str
    value_text: str
    quote: str
    quote_start: int
    quote_end: int
    supersedes: str | None = None
    note: str | None = None
    confidence: float = 0.5
    pattern: str = ""
    source_file: str | None = None
    table: str = "figures"
    # Where value_text sits in the text; not a figures column, kept for relations and review.
    value_start: int = field(default=0, repr=False)

    def to_record(self) -> dict[str, Any]:
        return _record(self)


@dataclass
class RelationCandidate:
    """A proposed row of the ``relations`` table ("multiplié par huit")."""

    relation_id: str
    kind: str
    figure_id: str
    reference_ids: list[str]
    document_id: str | None
    claimant_id: str | None
    speaker_id: str | None
    stated_on: dt.date
    stated_precision: str
    value_low: float | None
    value_high: float | None
    qualifier: str
    value_text: str
    quote: str
    quote_start: int
    quote_end: int
    note: str | None = None
    confidence: float = 0.5
    pattern: str = ""
    source_file: str | None = None
    table: str = "relations"

    def to_record(self) -> dict[str, Any]:
        return _record(self)


def _record(candidate: Candidate | RelationCandidate) -> dict[str, Any]:
    record = dataclasses.asdict(candidate)
    record.pop("value_start", None)
    for key, value in record.items():
        if isinstance(value, dt.date):
            record[key] = value.isoformat()
    return record


# --- the extractor ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    text: str
    language: str
    published_on: dt.date
    document_id: str | None
    source_file: str | None
    sentences: list[tuple[int, int]]
    quotations: list[Quotation]
    dates: list[StatedDate]


@dataclass(frozen=True)
class _Harm:
    metric_base: str  # killed | injured | missing
    word: str
    start: int
    end: int
    tight: bool  # the harm word directly governs the number ("killed at least 25")


@dataclass(frozen=True)
class _Attribution:
    claimant: str | None
    speaker: str | None
    cue_end: int | None  # where the claim verb ends, for the stated date


def extract(
    text: str,
    *,
    language: str,
    published_on: dt.date,
    document_id: str | None = None,
    source_file: str | None = None,
) -> list[Candidate | RelationCandidate]:
    """Candidate figures and relations stated in ``text``.

    The text is NFC-normalised first; every offset (quote_start, quote_end) is into that NFC
    text. ``document_id`` defaults to the sha256 of the NFC text, as in the documents table.
    """
    text = unicodedata.normalize("NFC", text)
    if document_id is None:
        document_id = make_document_id(text)
    context = _Context(
        text=text,
        language=language,
        published_on=published_on,
        document_id=document_id,
        source_file=source_file,
        sentences=sentence_spans(text),
        quotations=_quotations(text, language),
        dates=find_dates(text, published_on),
    )
    relation_spans = _relation_matches(context)
    quantities = [
        q
        for q in find_quantities(text, language)
        if not any(start <= q.start < end for start, end, *_ in relation_spans)
    ]
    figures = _figures(context, quantities)
    figures = sorted(figures + _implicit_counts(context, figures), key=lambda f: f.value_start)
    relations = _relations(context, relation_spans, figures)
    return [*figures, *relations]


def _quotations(text: str, language: str) -> list[Quotation]:
    """Quoted spans with their speaker; an unattributed quote continues the last speaker."""
    quotations: list[Quotation] = []
    last_speaker: str | None = None
    for match in _QUOTATION.finditer(text):
        speaker = _speaker_after(text, match.end(), language) or _speaker_before(
            text, match.start()
        )
        if speaker is None and len(match.group()) > 40:
            # News convention: an unattributed quotation (or "Et d'ajouter :") belongs to the
            # last quoted speaker. Short quotes are words being cited, not speech.
            speaker = last_speaker
        if speaker is not None and len(match.group()) > 40:
            last_speaker = speaker
        quotations.append(Quotation(match.start(), match.end(), speaker))
    return quotations


def _speaker_after(text: str, end: int, language: str) -> str | None:
    match = _AFTER_QUOTE[language].match(text, end, min(len(text), end + 80))
    if not match:
        return None
    name = match.groupdict().get("name") or match.groupdict().get("name2")
    return slugify(name) if name else None


def _speaker_before(text: str, start: int) -> str | None:
    line_start = text.rfind("\n", 0, start) + 1
    window = text[max(line_start, start - 80) : start]
    if _CONTINUES_SPEECH.search(window) and not re.search(_NAME_WORD + r"\w*\s+\w", window[1:]):
        return None
    sentence_start = max(window.rfind(". "), window.rfind(".\u00a0"))
    window = window[sentence_start + 1 :]
    match = _BEFORE_QUOTE.search(window)
    if not match or not re.search(r"[:,]\s*$", window):
        return None
    return slugify(match.group("name"))


def _sentence_of(context: _Context, position: int) -> tuple[int, int]:
    for start, end in context.sentences:
        if start <= position < end:
            return start, end
    return position, position


def _quotation_of(context: _Context, position: int) -> Quotation | None:
    for quotation in context.quotations:
        if quotation.start <= position < quotation.end:
            return quotation
    return None


def _figures(context: _Context, quantities: Sequence[Quantity]) -> list[Candidate]:
    text = context.text
    roles = _roles(context, quantities)
    candidates = []
    for index, quantity in enumerate(quantities):
        if roles[index] == "modifier":
            continue
        sentence = _sentence_of(context, quantity.start)
        previous_end = max(
            [sentence[0]] + [q.end for q in quantities[:index] if q.end <= quantity.start]
        )
        next_start = _next_head_boundary(text, quantities, roles, index, sentence[1])
        reach = _HEAD_AFTER_WINDOW if roles[index] == "head" else _AFTER_WINDOW
        harm = _harm_for(text, quantity, previous_end, next_start, reach)
        if harm is None:
            continue
        candidates.append(_candidate(context, quantity, harm, sentence, role=roles[index]))
    return candidates


def _roles(context: _Context, quantities: Sequence[Quantity]) -> list[str]:
    """What each count is in its phrase: "count", "head" (of listed parts), "part" or "modifier".

    * a modifier counts things, not people: "15 civilians from three generations", "hit three
      ambulances"; it neither takes a harm word nor ends the head count's phrase;
    * a part is listed inside a head count's phrase before the harm word: "20 members,
      including eight women and eight children, were killed", "17 civilians – five women and
      four children – were killed", "six members of the family, four children and two women,
      were killed", "two of whom"; the harm word beyond the parts belongs to the head.
    """
    text = context.text
    roles = [
        "modifier"
        if _FAMILIES_AFTER.match(text, q.end)
        or (_MODIFIER_AFTER.match(text, q.end) and not _person_after(text, q))
        else "count"
        for q in quantities
    ]
    for index, quantity in enumerate(quantities):
        if roles[index] == "modifier":
            continue
        if _PART_OF_AFTER.match(text, quantity.end):
            roles[index] = "part"
            continue
        if index and roles[index - 1] == "part":
            previous = quantities[index - 1]
            if _LIST_CONTINUES.match(text[previous.end : quantity.start]):
                roles[index] = "part"  # "… four children and two women, were killed"
                continue
        sentence_start = _sentence_of(context, quantity.start)[0]
        for head_index in range(index - 1, -1, -1):
            head = quantities[head_index]
            if head.end <= sentence_start or quantity.start - head.end > _PART_REACH:
                break
            if roles[head_index] in ("modifier", "part"):
                continue
            gap = text[head.end : quantity.start]
            if _HARM.search(gap) or not _person_after(text, head):
                break
            listed = _PART_CUE.search(gap) or (
                _APPOSITION_GAP.search(gap)
                and _COLLECTIVE_HEAD.match(text, head.end)
                and _person_after(text, quantity)
            )
            if listed:
                roles[index] = "part"
                roles[head_index] = "head"
            break
    return roles


def _person_after(text: str, quantity: Quantity) -> bool:
    return bool(_PERSON_NEAR_AFTER.match(text, quantity.end))


def _next_head_boundary(
    text: str, quantities: Sequence[Quantity], roles: Sequence[str], index: int, limit: int
) -> int:
    """Where the number's own phrase stops: the next count, unless that count is a part of
    this one's phrase (a listed subset) or a modifier ("three generations")."""
    for following_index in range(index + 1, len(quantities)):
        following = quantities[following_index]
        if following.start >= limit:
            break
        if roles[following_index] in ("part", "modifier"):
            continue
        if not _SUBSET_BEFORE.search(text[max(0, following.start - 25) : following.start]):
            return following.start
    return limit


def _harm_for(
    text: str,
    quantity: Quantity,
    previous_end: int,
    next_start: int,
    reach: int = _AFTER_WINDOW,
) -> _Harm | None:
    """The harm word attached to the number, if any.

    A harm word right before it ("killed at least 25", "la mort de plus de 35") wins; else the
    first harm word after it in its phrase ("352 victimes", "seven ... were killed"); else a
    looser one before it in the clause ("le bilan des victimes s'élève à plus de 240").
    """
    before_start = max(previous_end, quantity.start - _BEFORE_WINDOW)
    before = list(_HARM.finditer(text, before_start, quantity.start))
    if before and _TIGHT_GAP.match(text[before[-1].end() : quantity.start]):
        return _harm_from(before[-1], tight=True)
    after_end = min(next_start, quantity.end + reach)
    for match in _HARM.finditer(text, quantity.end, after_end):
        if _NOT_HARM_AFTER.match(text, match.end()) or _POSSESSIVE_AFTER.match(text, match.end()):
            return _harm_from(match, tight=False, weak=True)
        gap = _SUBSET_PARENTHETICAL.sub("", text[quantity.end : match.start()])
        return _harm_from(match, tight=len(gap) < 60 and not _CLAUSE_BREAK.search(gap))
    if before and not _CLAUSE_BREAK.search(text, before[-1].end(), quantity.start):
        return _harm_from(before[-1], tight=False)
    return None


def _harm_from(match: re.Match[str], *, tight: bool, weak: bool = False) -> _Harm:
    base = match.lastgroup or "killed"
    return _Harm(base, match.group() + ("?" if weak else ""), match.start(), match.end(), tight)


def _metric(context: _Context, quantity: Quantity, harm: _Harm, sentence: tuple[int, int]) -> str:
    text = context.text
    phrase_end = max(harm.end, quantity.end)
    after = text[quantity.end : phrase_end + 20]
    if harm.metric_base == "missing":
        return "missing"
    if harm.metric_base == "killed" and _CHILDREN.match(after):
        return "children_killed"
    if harm.metric_base == "killed" and _WOMEN.match(after):
        return "women_killed"
    # Civilians: named in the counted phrase, or anywhere in the sentence (the article is about
    # civilian harm and the reviewer can narrow it).
    civilian = _CIVILIAN.search(
        text, min(harm.start, quantity.start), phrase_end + 20
    ) or _CIVILIAN.search(text, *sentence)
    prefix = "civilians_" if civilian else ""
    return prefix + harm.metric_base


def _candidate(
    context: _Context,
    quantity: Quantity,
    harm: _Harm,
    sentence: tuple[int, int],
    *,
    role: str = "count",
) -> Candidate:
    text = context.text
    metric = _metric(context, quantity, harm, sentence)
    attribution = _attribution(context, quantity.start, sentence)
    stated = _stated_date(context, attribution, sentence, quantity.start)
    notes = []
    confidence = _confidence(context, quantity, harm, metric, role)
    if stated is not None and stated.weekday_mismatch:
        notes.append(stated.weekday_mismatch)
        confidence -= 0.25
    stated_on = stated.date if stated else context.published_on
    quote_start, quote_end = sentence
    figure_id = content_id(
        "figures",
        {
            "document_id": context.document_id,
            "metric": metric,
            "claimant_id": attribution.claimant,
            "speaker_id": attribution.speaker,
            "stated_on": stated_on,
            "value_low": quantity.low,
            "value_high": quantity.high,
            "qualifier": quantity.qualifier,
            "quote_start": quote_start,
            "quote_end": quote_end,
        },
    )
    return Candidate(
        figure_id=figure_id,
        document_id=context.document_id,
        subject_id=None,
        metric=metric,
        claimant_id=attribution.claimant,
        speaker_id=attribution.speaker,
        stated_on=stated_on,
        stated_precision="day",
        value_low=quantity.low,
        value_high=quantity.high,
        qualifier=quantity.qualifier,
        value_text=quantity.value_text,
        quote=text[quote_start:quote_end],
        quote_start=quote_start,
        quote_end=quote_end,
        note="; ".join(notes) or None,
        confidence=round(min(0.99, max(0.05, confidence)), 2),
        pattern=_pattern_name(context, quantity, harm),
        source_file=context.source_file,
        value_start=quantity.start,
    )


def _pattern_name(context: _Context, quantity: Quantity, harm: _Harm) -> str:
    if _SUMMARY_BEFORE.search(context.text, max(0, quantity.start - 40), quantity.start):
        return "summary+" + harm.word.casefold()
    kind = {
        "exact": "exact",
        "range": "range",
        "approximately": "approx",
    }.get(quantity.qualifier, "bound")
    wording = quantity.value_text
    if quantity.qualifier not in ("exact", "range"):
        words = re.sub(r"[\d\s\u00a0\u202f.,]+$", "", wording).strip()
        wording = words.casefold() or wording
        return f"{kind}:{wording}+{harm.word.casefold()}"
    return f"{kind}+{harm.word.casefold()}"


def _confidence(
    context: _Context, quantity: Quantity, harm: _Harm, metric: str, role: str = "count"
) -> float:
    text = context.text
    score = 0.45
    if harm.tight:
        score += 0.2
    if harm.word.endswith("?"):
        score -= 0.3
    if _PERSON_AFTER[context.language].match(text, quantity.end):
        score += 0.1
    if metric.startswith("civilians_"):
        score += 0.05
    if quantity.qualifier != "exact":
        score += 0.05
    if harm.word.casefold().rstrip("?") in {"casualty", "casualties", "bilan", "lives", "bodies"}:
        score -= 0.1
    if quantity.value_text.casefold() in {"un", "une", "one"}:
        score -= 0.15
    # A count that opens a list of its parts is the total; a listed part is not.
    if role == "head" or _HEAD_OF_SUBSET.match(text, quantity.end):
        score += 0.1
    if role == "part":
        score -= 0.2
    elif _SUBSET_BEFORE.search(text, max(0, quantity.start - 25), quantity.start):
        score -= 0.15
    sentence = _sentence_of(context, quantity.start)
    clause = text[sentence[0] : quantity.start]
    # "in total", "altogether", "across all sources": the sentence sums up; "initial reports",
    # "one source", "another source": a partial or superseded count.
    if _TOTAL_CUE.search(text, sentence[0], sentence[1]):
        score += 0.1
    if _PARTIAL_CUE.search(clause):
        score -= 0.1
    # Inverted pyramid: the lead sentence states the main figure.
    if context.sentences and quantity.start < context.sentences[0][1]:
        score += 0.15
    elif len(context.sentences) > 1 and quantity.start < context.sentences[1][1]:
        score += 0.08
    score = min(score, 0.9)  # the scraped structured summary stays above any sentence
    if _SUMMARY_BEFORE.search(text, max(0, quantity.start - 40), quantity.start):
        score = 0.95
    return score


# --- counts stated without a number ------------------------------------------------------
#
# Every candidate below carries a ``pattern`` starting with "implicit:": its value is not
# written as a number in its quote (it counts the people named or described), so a check that
# reads the number back from the quote must skip it.

_SINGULAR_PERSON = (
    r"civilian|child|person|man|woman|boy|girl|baby|infant|toddler|teenager|resident|"
    r"journalist|paramedic|doctor|nurse|worker|farmer|student|father|mother|son|daughter|"
    r"elderly\s+\w+|member|victim|individual|volunteer|photographer|teacher"
)
_SINGULAR_KIN = (
    r"wife|husband|brother|sister|grandson|granddaughter|grandchild|nephew|niece|cousin|uncle|"
    r"aunt|grandfather|grandmother|fianc[ée]e?|newborn|neighbou?r|friend|colleague|relative|"
    r"sibling|in-law|son-in-law|daughter-in-law|mother-in-law|father-in-law"
)
_PLURAL_PERSON = (
    r"sons|daughters|children|kids|brothers|sisters|grandchildren|grandsons|granddaughters|"
    r"nephews|nieces|cousins|relatives|women|men|boys|girls|infants|babies|siblings|members|"
    r"parents|uncles|aunts|wives|people|civilians|friends|neighbou?rs|colleagues|persons"
)
_NOT_A_NAME = (
    r"(?:On|In|At|During|After|Before|When|While|The|This|That|These|Those|It|He|She|They|His|"
    r"Her|Their|According|Following|Airwars|Sources|Local|Among|Also|Both|All|An?|One|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_PERSON_NAME = (
    rf"(?!{_NOT_A_NAME})[A-ZÀ-Ý][\w’'-]*\*?(?:[ \u00a0]+(?:(?:bin|bint|ben|ibn|abu|abou|de|van|"
    rf"von)[ \u00a0]+)?(?:[A-ZÀ-Ý][\w’'-]*|(?:al|el|ad|as|ash|an|at|az)-[\w’'-]+)\*?)*"
)
_AGE_PREFIX = r"(?:(?:an?\s+)?(?:\d{1,3}|[a-z]+(?:-[a-z]+)?)[\s-]+(?:years?|months?|weeks?|days?)[\s-]*old\s+)"
_DETERMINER = r"(?:[Aa]n?|[Oo]ne|[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)"
_COUNT_WORD = (
    r"(?:\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|"
    r"(?:twenty|thirty|forty|fifty)(?:-[a-z]+)?)"
)
_CONJUNCT = (
    rf"(?:{_DETERMINER}\s+(?:[\w-]+\s+){{0,4}}?(?:{_SINGULAR_PERSON}|{_SINGULAR_KIN})\b"
    rf"(?:,?\s+{_PERSON_NAME})?"
    rf"|(?:{_DETERMINER}\s+)?(?i:{_COUNT_WORD})\s+(?:[\w-]+\s+)?(?:{_PLURAL_PERSON})\b"
    rf"|{_AGE_PREFIX}?{_PERSON_NAME})"
    rf"(?:\s*\([^()]{{0,80}}\))?"
)
_LIST = rf"{_CONJUNCT}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_CONJUNCT})+"
_KILLED_AFTER_LIST = (
    r"\s+(?:were|have\s+been|had\s+been)\s+(?:\w+\s+){0,2}?(?:killed|shot\s+dead|dead)\b"
    r"|\s+(?:both\s+|all\s+)?died\b"
)
# Enumerations are searched only just before or after a harm verb, which keeps them fast.
_KILLED_AFTER_LIST_RE = re.compile(_KILLED_AFTER_LIST)
_LIST_AT_END = re.compile(rf"(?<![\w-])(?P<list>{_LIST})$")
_KILLED_BEFORE_LIST = re.compile(
    r"\bkill(?:ed|ing)\s+(?P<skip>(?:both|all|reportedly|allegedly)\s+)?"
)
_LIST_AT_START = re.compile(rf"(?P<list>{_LIST})")
_WITH_COMPANIONS = re.compile(
    r",?\s+(?:was|were)\s+(?:\w+\s+){0,2}?(?:killed|died)(?:\s+[\w-]+){0,3}?,?\s+"
    r"(?:together\s+with|along\s+with|alongside|with)\s+"
)
_CONJUNCT_AT_END = re.compile(rf"(?<![\w-])(?P<list>{_CONJUNCT})$")
_COMPANIONS_AT_START = re.compile(
    rf"(?P<list>{_CONJUNCT}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_CONJUNCT})*)"
)
_ENUMERATION_REACH = 400
_ENUMERATION_LANGUAGES = ("en",)

# (start, end) of the subject listed first ("X was killed with …") or None, then of the list.
_Enumeration = tuple[tuple[int, int] | None, tuple[int, int]]


def _enumerations(context: _Context) -> list[_Enumeration]:
    """ "A, B and C were killed", "killed a woman and her son", "X was killed with his wife"."""
    text = context.text
    found: list[_Enumeration] = []
    for trigger in _KILLED_AFTER_LIST_RE.finditer(text):
        floor = max(_sentence_of(context, trigger.start())[0], trigger.start() - _ENUMERATION_REACH)
        listed = _LIST_AT_END.search(text, floor, trigger.start())
        if listed:
            found.append((None, listed.span("list")))
    for trigger in _KILLED_BEFORE_LIST.finditer(text):
        listed = _LIST_AT_START.match(text, trigger.end(), trigger.end() + _ENUMERATION_REACH)
        if not listed and trigger.group("skip"):
            start = trigger.start("skip")
            listed = _LIST_AT_START.match(text, start, start + _ENUMERATION_REACH)
        if listed:
            found.append((None, listed.span("list")))
    for trigger in _WITH_COMPANIONS.finditer(text):
        floor = max(_sentence_of(context, trigger.start())[0], trigger.start() - 200)
        first = _CONJUNCT_AT_END.search(text, floor, trigger.start())
        listed = _COMPANIONS_AT_START.match(text, trigger.end(), trigger.end() + _ENUMERATION_REACH)
        if first and listed:
            found.append((first.span("list"), listed.span("list")))
    return sorted(found, key=lambda e: (e[0] or e[1])[0])


_LIST_SEPARATOR_KEPT = re.compile(r"(\s*,\s*(?:and\s+)?|\s+and\s+)")
_PLURAL_CONJUNCT = re.compile(
    rf"^(?:{_DETERMINER}\s+)?(?P<n>{_COUNT_WORD})\s+(?:[\w-]+\s+)?(?:{_PLURAL_PERSON})\b",
    re.IGNORECASE,
)
_BARE_NAME = re.compile(rf"^{_PERSON_NAME}$")
_INDEFINITE_COMMON = re.compile(
    rf"^(?:[Aa]n?|[Oo]ne)\s+(?:[\w-]+\s+){{0,4}}?(?:{_SINGULAR_PERSON}|{_SINGULAR_KIN})$"
)
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")

_HARM_VERB = r"(?:killed|shot\s+dead|died|dead)"
_NOT_BEFORE_NAME = (
    r"(?!(?:with|in|on|at|by|along|alongside|during|near|after|before|when|while|as|and|the|"
    r"from|for|to|of|inside|outside|west|east|north|south)\b)"
)
_IMPLIED_ONE = {
    "en": [
        # "a young man was killed", "a civilian was reported killed"
        re.compile(
            rf"\b(?P<np>(?:[Aa]n?|[Oo]ne)\s+(?:[\w-]+\s+){{0,3}}?(?:{_SINGULAR_PERSON}))\b"
            rf"[^.;]{{0,80}}?\b(?:was|has\s+been)\s+(?:\w+\s+){{0,2}}?{_HARM_VERB}\b"
        ),
        # "killed journalist Ahmed Fatima", "killing 28 year old Nour El-Din"
        re.compile(
            rf"\bkill(?:ed|ing)\s+(?P<np>(?:an?\s+)?(?:{_NOT_BEFORE_NAME}[\w-]+\s+){{0,4}}?"
            rf"{_PROPER_NAME})"
        ),
        # "Abdullah Ahmed Abu Saif was killed", "Nouruddin Kahil (24 years old), …, was killed"
        re.compile(
            rf"(?P<np>{_PROPER_NAME})(?:\s*\([^)]*\))*(?:,[^.;]{{0,160}}?,)?\s+was\s+"
            rf"(?:\w+\s+){{0,2}}?{_HARM_VERB}\b"
        ),
    ],
    "fr": [],
}
_IMPLIED_NOT_NAMES = re.compile(r"^(?:On|In|At|During|The|This|It|He|She|His|Her|An?)$")
# More than one killed, number unstated: "several deaths", "killing a number of civilians",
# "multiple people were reported killed", "martyrs and wounded". Monitors such as Airwars
# record such an unknown plural as 2, its least value.
_VAGUE_PLURAL = {
    "en": re.compile(
        r"\b(?P<np>(?:several|a\s+number\s+of|multiple|many|numerous|a\s+few)\s+"
        r"(?:[\w-]+\s+){0,2}?(?P<noun>people|civilians|persons|victims|martyrs|deaths|fatalities|"
        r"dead|children|members|residents|family\s+members))\b"
        r"|\b(?P<np2>martyrs)\b"
        r"|\b(?P<np3>(?:people|civilians|persons|residents|(?:crew|family)\s+members))\s+"
        r"(?:were|had\s+been|have\s+been)\s+(?:\w+\s+){0,2}?killed\b",
        re.IGNORECASE,
    ),
}
_HARM_NOUN = re.compile(r"(?i)martyrs|deaths|fatalities|dead")
_WERE_KILLED = re.compile(r"\s+(?:were|had\s+been|have\s+been)\s+(?:\w+\s+){0,2}?killed\b")
_KILLING_NEAR = re.compile(r"(?i)\b(?:kill(?:ed|ing)|died|dead)\b")


def _implicit_counts(context: _Context, figures: Sequence[Candidate]) -> list[Candidate]:
    """People killed, counted without a number in the quote.

    * enumerations: "a woman and her infant were killed" (2), "a father and his four sons"
      (5), "A, B and C were killed" (3 named people), "X was killed with his wife" (2); a
      number inside the enumeration ("his four sons") becomes one of its parts;
    * one person: "a young man was killed", "X was killed" (1);
    * an unstated plural: "several deaths", "a number of martyrs" (at least 2).

    Each kind is proposed only in sentences where nothing more explicit counts the killed, and
    below the stated counts in confidence except where an enumeration contains them.
    """
    if context.language not in _ENUMERATION_LANGUAGES:
        return []
    killed = [f for f in figures if f.metric.endswith("killed")]
    counted = {_sentence_of(context, f.value_start) for f in killed}
    found: list[Candidate] = []
    enumerated: set[tuple[int, int]] = set()
    for enumeration in _enumerations(context):
        sentence = _sentence_of(context, enumeration[1][0])
        if sentence in enumerated:
            continue
        candidate = _enumeration_candidate(context, enumeration, sentence, killed)
        if candidate is not None:
            enumerated.add(sentence)
            found.append(candidate)
    counted |= enumerated
    for pattern in _IMPLIED_ONE.get(context.language, []):
        for match in pattern.finditer(context.text):
            np_start, np_end = match.span("np")
            words = context.text[np_start:np_end].split()
            if not words or (_IMPLIED_NOT_NAMES.match(words[0]) and len(words) == 1):
                continue
            sentence = _sentence_of(context, np_start)
            if sentence in counted:
                continue
            counted.add(sentence)
            found.append(_implied_candidate(context, match, sentence))
    vague = _VAGUE_PLURAL.get(context.language)
    if vague is not None:
        for match in vague.finditer(context.text):
            sentence = _sentence_of(context, match.start())
            if sentence in counted:
                continue
            group = next(g for g in ("np", "np2", "np3") if match.group(g))
            if group == "np" and not _HARM_NOUN.fullmatch(match.group("noun").split()[-1]):
                clause_end = min(sentence[1], match.end() + 60)
                before = context.text[max(sentence[0], match.start() - 12) : match.start()]
                after = context.text[match.end() : clause_end]
                attached = (
                    _KILLING_NEAR.search(before)
                    or _KILLING_NEAR.match(after.lstrip())
                    or _WERE_KILLED.match(after)
                )
                if not attached:
                    continue
            counted.add(sentence)
            found.append(_vague_candidate(context, match, group, sentence))
    return found


def _enumeration_candidate(
    context: _Context,
    enumeration: _Enumeration,
    sentence: tuple[int, int],
    killed: Sequence[Candidate],
) -> Candidate | None:
    first, (start, end) = enumeration
    total = _count_conjuncts(context.text[start:end])
    if first is not None:
        head = _count_conjuncts(context.text[first[0] : first[1]])
        total = None if total is None or head is None else total + head
        start = first[0]
    if total is None or total < 2:
        return None
    inside = [f for f in killed if start <= f.value_start < end]
    for part in inside:  # "his four sons" is a part of "a father and his four sons"
        part.confidence = round(max(0.05, part.confidence - 0.2), 2)
    value_text = context.text[start:end]
    quantity = Quantity(float(total), float(total), "exact", value_text, start, end)
    harm = _Harm("killed", "killed", start, end, tight=False)
    candidate = _candidate(context, quantity, harm, sentence)
    lead = 0.15 if context.sentences and start < context.sentences[0][1] else 0.0
    confidence = max([0.45 + lead] + [p.confidence + 0.25 for p in inside])
    candidate.confidence = round(min(0.9, confidence), 2)
    candidate.pattern = "implicit:enumeration+killed"
    candidate.note = f"implicit count: {total} people enumerated, the total is not written"
    return candidate


def _count_conjuncts(listed: str) -> int | None:
    """People in "a woman, Ola X, and her four sons" (5); None when a part is uncounted.

    A name after "a woman," (or "a 45 year old civilian" after "X,") joined by a bare comma is
    an apposition naming the same person.
    """
    plain = _PARENTHETICAL.sub("", listed)
    pieces = _LIST_SEPARATOR_KEPT.split(plain)
    total, previous, separator = 0, "", ""
    for index, raw in enumerate(pieces):
        if index % 2:
            separator = raw
            continue
        piece = raw.strip()
        if not piece:
            continue
        bare_comma = separator.strip() == ","
        apposition = bare_comma and (
            (_BARE_NAME.match(piece) and _INDEFINITE_COMMON.match(previous))
            or (_INDEFINITE_COMMON.match(piece) and _BARE_NAME.match(previous))
        )
        previous = piece
        if apposition:
            continue
        plural = _PLURAL_CONJUNCT.match(piece)
        if plural:
            try:
                count = parse_number(plural.group("n"), "en")
            except ValueError:
                return None  # "her children": how many is not said
            if not count.is_integer() or count < 1:
                return None
            total += int(count)
        else:
            total += 1
    return total


def _vague_candidate(
    context: _Context, match: re.Match[str], group: str, sentence: tuple[int, int]
) -> Candidate:
    np_start, np_end = match.span(group)
    quantity = Quantity(2.0, None, "at_least", context.text[np_start:np_end], np_start, np_end)
    harm = _Harm("killed", "killed", match.start(), match.end(), tight=False)
    candidate = _candidate(context, quantity, harm, sentence)
    lead = 0.05 if context.sentences and np_start < context.sentences[0][1] else 0.0
    candidate.confidence = round(0.2 + lead, 2)
    candidate.pattern = "implicit:plural+killed"
    candidate.note = "implicit count: more than one killed, number unstated (at least 2)"
    return candidate


def _implied_candidate(
    context: _Context, match: re.Match[str], sentence: tuple[int, int]
) -> Candidate:
    np_start, np_end = match.span("np")
    quantity = Quantity(1.0, 1.0, "exact", context.text[np_start:np_end], np_start, np_end)
    harm = _Harm("killed", "killed", match.start(), match.end(), tight=False)
    candidate = _candidate(context, quantity, harm, sentence)
    lead = 0.15 if context.sentences and np_start < context.sentences[0][1] else 0.0
    candidate.confidence = round(0.3 + lead, 2)
    candidate.pattern = "implicit:one+killed"
    candidate.note = "implicit count: one person named or described, no number in the quote"
    return candidate


# --- attribution --------------------------------------------------------------------------


def _attribution(context: _Context, position: int, sentence: tuple[int, int]) -> _Attribution:
    quotation = _quotation_of(context, position)
    speaker = quotation.speaker if quotation else None
    scope = (
        (max(sentence[0], quotation.start), min(sentence[1], quotation.end))
        if quotation
        else sentence
    )
    claimant, cue_end = _claimant(context, position, scope)
    return _Attribution(claimant, speaker, cue_end)


def _claimant(
    context: _Context, position: int, scope: tuple[int, int]
) -> tuple[str | None, int | None]:
    """Who originated the number: the nearest cue in its clause ("Airwars fait part d'au
    moins…", "selon les responsables locaux…", "according to the Ministry")."""
    text = context.text
    options: list[tuple[int, str, int]] = []  # (distance, slug, cue end)
    for verb in _CUE_VERB[context.language].finditer(text, scope[0], position):
        if _CLAUSE_BREAK.search(text, verb.end(), position):
            continue
        subject = _SUBJECT_BEFORE_VERB.search(text, max(scope[0], verb.start() - 90), verb.start())
        if subject:
            options.append((position - verb.end(), slugify(subject.group("name")), verb.end()))
    for cue in _ACCORDING_TO[context.language].finditer(text, *scope):
        name = _trim_name(cue.group("name"))
        if name:
            distance = abs(cue.start() - position)
            options.append((distance, slugify(name), cue.end()))
    if not options:
        return None, None
    _, slug, cue_end = min(options)
    return (slug or None), cue_end


def _trim_name(name: str) -> str:
    """The name in "selon les responsables locaux et les témoins oculaires qui…": stop at a
    relative pronoun or verb-like connector, keep at most eight words."""
    cut = re.split(
        r"\b(?:qui|que|who|which|that|when|on|in|at|dans|le\s+\d|was|were|is|are)\b", name
    )[0]
    return " ".join(cut.split()[:8])


def _stated_date(
    context: _Context, attribution: _Attribution, sentence: tuple[int, int], position: int
) -> StatedDate | None:
    """The date attached to the claim verb ("a reconnu le jeudi 25 mai"), if any."""
    if attribution.cue_end is None:
        return None
    for date in context.dates:
        if not (sentence[0] <= date.start < sentence[1]) or date.start > position:
            continue
        if abs(date.start - attribution.cue_end) <= _DATE_NEAR_CUE:
            return date
    return None


# --- relations ----------------------------------------------------------------------------

_RelationMatch = tuple[int, int, str, float, str, str]  # start, end, kind, value, text, qualifier


def _relation_matches(context: _Context) -> list[_RelationMatch]:
    text, language = context.text, context.language
    found: list[_RelationMatch] = []
    for pattern in _RATIOS[language]:
        for match in pattern.finditer(text):
            value = _relation_value(match, language)
            if value is not None and value > 1:
                written = match.group("word" if match.groupdict().get("word") else "num")
                found.append((match.start(), match.end(), "ratio", value, written, "exact"))
    for match in _SHARES[language].finditer(text):
        word = (match.group("word") or match.group("half")).casefold()
        qualifier = "approximately" if match.group("approx") else "exact"
        written = match.group().strip()
        found.append((match.start(), match.end(), "share", _SHARE_VALUES[word], written, qualifier))
    return sorted(found)


def _relation_value(match: re.Match[str], language: str) -> float | None:
    groups = match.groupdict()
    if groups.get("word"):
        return _RATIO_WORDS.get(groups["word"].casefold())
    try:
        return parse_number(groups["num"], language)
    except ValueError:
        return None


def _relations(
    context: _Context, matches: Sequence[_RelationMatch], figures: Sequence[Candidate]
) -> list[RelationCandidate]:
    relations = []
    for start, _end, kind, value, value_text, qualifier in matches:
        sentence = _sentence_of(context, start)
        preceding = [f for f in figures if f.value_start < start]
        if not preceding:
            continue
        subject = preceding[-1]
        family = subject.metric.rsplit("_", 1)[-1]
        references = [f for f in preceding[:-1] if f.metric.endswith(family)][-1:]
        attribution = _attribution(context, start, sentence)
        claimant = attribution.claimant or attribution.speaker
        if qualifier == "approximately":
            low, high = value * 0.9, value * 1.1
        else:
            low = high = value
        reference_ids = [f.figure_id for f in references]
        relation_id = content_id(
            "relations",
            {
                "kind": kind,
                "figure_id": subject.figure_id,
                "reference_ids": reference_ids,
                "document_id": context.document_id,
                "claimant_id": claimant,
                "speaker_id": attribution.speaker,
                "value_low": low,
                "value_high": high,
                "qualifier": qualifier,
                "quote_start": sentence[0],
                "quote_end": sentence[1],
            },
        )
        relations.append(
            RelationCandidate(
                relation_id=relation_id,
                kind=kind,
                figure_id=subject.figure_id,
                reference_ids=reference_ids,
                document_id=context.document_id,
                claimant_id=claimant,
                speaker_id=attribution.speaker,
                stated_on=context.published_on,
                stated_precision="day",
                value_low=low,
                value_high=high,
                qualifier=qualifier,
                value_text=value_text,
                quote=context.text[sentence[0] : sentence[1]],
                quote_start=sentence[0],
                quote_end=sentence[1],
                note=None if reference_ids else "no reference figure found",
                confidence=0.7 if reference_ids else 0.4,
                pattern=f"{kind}:{value_text.casefold()}",
                source_file=context.source_file,
            )
        )
    return relations


# --- review files -------------------------------------------------------------------------


def write_review_file(
    candidates: Iterable[Candidate | RelationCandidate], path: str | Path
) -> None:
    """One JSON object per line, in the order given."""
    with Path(path).open("w", encoding="utf-8") as handle:
        for candidate in candidates:
            handle.write(json.dumps(candidate.to_record(), ensure_ascii=False) + "\n")


def read_review_file(path: str | Path) -> list[dict[str, Any]]:
    """The records of a review file; blank lines are skipped."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
