"""Sentence boundaries in French and English news and monitors' narratives."""

from __future__ import annotations

import re

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
