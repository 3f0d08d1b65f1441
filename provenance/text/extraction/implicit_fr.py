"""French people counted without a number: "une femme et ses deux enfants ont été tués" (3),
"la frappe a tué un homme et son épouse" (2), "un jeune homme a été tué" (1)."""

from __future__ import annotations

import re

from provenance.text.extraction.candidates import Context, sentence_of
from provenance.text.numbers import parse_number

_SINGULAR = (
    r"civile?|enfant|personne|homme|femme|garçon|fille|bébé|nourrisson|adolescente?|habitante?|"
    r"journaliste|secouriste|médecin|infirmière?|travailleur|travailleuse|agriculteur|"
    r"agricultrice|berger|étudiante?|élève|père|mère|fils|membre|victime|individu|voisine?|"
    r"amie?|époux|épouse|mari|frère|sœur|soeur|grand-père|grand-mère|petit-fils|petite-fille|"
    r"neveu|nièce|cousine?|oncle|tante|beau-frère|belle-sœur|beau-père|belle-mère|gendre|"
    r"belle-fille|fiancée?|nouveau-né|collègue|proche"
)
_PLURAL = (
    r"fils|filles|enfants|frères|sœurs|soeurs|petits-enfants|neveux|nièces|cousins|cousines|"
    r"proches|femmes|hommes|garçons|bébés|nourrissons|membres|parents|oncles|tantes|"
    r"personnes|civils|amis|voisins|collègues|épouses|proches"
)
_SINGULAR_DETERMINER = r"(?:[Uu]ne?|[Ll]e|[Ll]a|[Ll]['’]|[Ss]on|[Ss]a|[Ll]eur)"
_PLURAL_DETERMINER = r"(?:[Ss]es|[Ll]eurs|[Ll]es)"
_COUNT_WORD = (
    r"(?:\d{1,3}|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
    r"quinze|seize)"
)
_AGED = r"(?:\s+(?:âgée?|jeune|enceinte))?"
_CONJUNCT = (
    rf"(?:{_SINGULAR_DETERMINER}\s*(?:[\w-]+\s+){{0,2}}?(?:{_SINGULAR})\b{_AGED}"
    rf"|(?:{_PLURAL_DETERMINER}\s+)?(?i:{_COUNT_WORD})\s+(?:[\w-]+\s+)?(?:{_PLURAL})\b)"
)
_SEPARATOR = r"\s*,\s*(?:et\s+)?|\s+et\s+"
_LIST = rf"{_CONJUNCT}(?:(?:{_SEPARATOR}){_CONJUNCT})+"
_KILLED_AFTER_LIST = re.compile(
    r"\s+(?:ont|avaient|auraient|sont)\s+(?:été\s+)?(?:\w+\s+){0,2}?"
    r"(?:tuée?s?|morte?s?|décédée?s?|péri)\b"
)
_LIST_AT_END = re.compile(rf"(?<![\w-])(?P<list>{_LIST})$")
_KILLED_BEFORE_LIST = re.compile(r"\b(?:(?:a|ont|avait|aurait|auraient)\s+tué|tuant)\s+")
_LIST_AT_START = re.compile(rf"(?P<list>{_LIST})")
_PLURAL_CONJUNCT = re.compile(
    rf"^(?:{_PLURAL_DETERMINER}\s+)?(?P<n>{_COUNT_WORD})\s+(?:[\w-]+\s+)?(?:{_PLURAL})\b",
    re.IGNORECASE,
)
_SEPARATOR_KEPT = re.compile(rf"({_SEPARATOR})")
_REACH = 300

# "un jeune homme a été tué", "une femme âgée a été tuée"
IMPLIED_ONE = [
    re.compile(
        rf"\b(?P<np>(?:[Uu]ne?)\s+(?:[\w-]+\s+){{0,2}}?(?:{_SINGULAR}){_AGED})\b"
        r"[^.;]{0,80}?\b(?:a\s+été|est)\s+(?:\w+\s+){0,2}?(?:tuée?|morte?|décédée?)\b"
    )
]

# (start, end) of the subject listed first or None, then of the list.
Enumeration = tuple[tuple[int, int] | None, tuple[int, int]]


def enumerations(context: Context) -> list[Enumeration]:
    """ "A et B ont été tués", "la frappe a tué une femme et son bébé"."""
    text = context.text
    found: list[Enumeration] = []
    for trigger in _KILLED_AFTER_LIST.finditer(text):
        floor = max(sentence_of(context, trigger.start())[0], trigger.start() - _REACH)
        listed = _LIST_AT_END.search(text, floor, trigger.start())
        if listed:
            found.append((None, listed.span("list")))
    for trigger in _KILLED_BEFORE_LIST.finditer(text):
        listed = _LIST_AT_START.match(text, trigger.end(), trigger.end() + _REACH)
        if listed:
            found.append((None, listed.span("list")))
    return sorted(found, key=lambda e: e[1][0])


def count_conjuncts(listed: str) -> int | None:
    """People in "un homme, sa femme et leurs deux enfants" (4); None when one is uncounted."""
    total = 0
    for index, piece in enumerate(_SEPARATOR_KEPT.split(listed)):
        if index % 2 or not piece.strip():
            continue
        plural = _PLURAL_CONJUNCT.match(piece.strip())
        if plural:
            try:
                count = parse_number(plural.group("n"), "fr")
            except ValueError:
                return None
            if not count.is_integer() or count < 1:
                return None
            total += int(count)
        else:
            total += 1
    return total
