"""Stated ratios and shares between figures ("multiplié par huit", "a quarter of")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from provenance.core.ids import content_id
from provenance.core.qualifiers import QUALIFIERS
from provenance.text.extraction.attribution import attribution_of
from provenance.text.extraction.candidates import (
    Candidate,
    Context,
    RelationCandidate,
    sentence_of,
)
from provenance.text.numbers import parse_number
from provenance.text.reading.tokens import SPACE as _SP

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
# Words each pattern cannot match without, in the same order as _RATIOS.
_RATIO_KEYWORDS = {
    "fr": [("multipli",), ("fois",), ("double", "triple", "quadruple")],
    "en": [
        ("times",),
        ("fold",),
        ("multiplied",),
        ("twice", "double", "triple", "thrice", "quadruple"),
    ],
}
_SHARE_KEYWORDS = {
    "fr": ("quart", "tiers", "moitié", "cinquième", "dixième"),
    "en": ("quarter", "third", "half", "fifth", "tenth"),
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
        rf"(?P<word>quart|tiers|moitié|cinquième|dixième){_SP}+(?:de|des|du|d['’])"
        rf"(?!{_SP}*(?:millions?|milliards?)\b)",  # "un quart de million" is a number
        re.IGNORECASE,
    ),
    "en": re.compile(
        rf"\b(?P<approx>about{_SP}+|around{_SP}+|nearly{_SP}+|roughly{_SP}+|almost{_SP}+)?"
        rf"(?:(?:a|one){_SP}+(?P<word>quarter|third|half|fifth|tenth){_SP}+of\b|\b(?P<half>half){_SP}+of\b)"
        rf"(?!{_SP}+(?:a|one){_SP}+(?:hundred|thousand|million|billion)\b)",  # a number
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


_RelationMatch = tuple[int, int, str, float, str, str]  # start, end, kind, value, text, qualifier


def relation_matches(context: Context) -> list[_RelationMatch]:
    text, language = context.text, context.language
    lowered = text.casefold()
    found: list[_RelationMatch] = []
    for pattern, keywords in zip(_RATIOS[language], _RATIO_KEYWORDS[language], strict=True):
        if not any(k in lowered for k in keywords):
            continue  # a substring test is much cheaper than the pattern on long narratives
        for match in pattern.finditer(text):
            value = _relation_value(match, language)
            if value is not None and value > 1:
                written = match.group("word" if match.groupdict().get("word") else "num")
                found.append((match.start(), match.end(), "ratio", value, written, "exact"))
    shares = _SHARES[language] if any(k in lowered for k in _SHARE_KEYWORDS[language]) else None
    for match in shares.finditer(text) if shares else ():
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


def relations_for(
    context: Context, matches: Sequence[_RelationMatch], figures: Sequence[Candidate]
) -> list[RelationCandidate]:
    relations = []
    for start, _end, kind, value, value_text, qualifier in matches:
        sentence = sentence_of(context, start)
        preceding = [f for f in figures if f.value_start < start]
        if not preceding:
            continue
        subject = preceding[-1]
        family = subject.metric.rsplit("_", 1)[-1]
        references = [f for f in preceding[:-1] if f.metric.endswith(family)][-1:]
        attribution = attribution_of(context, start, sentence)
        claimant = attribution.claimant or attribution.speaker
        # "environ un quart de": the approximation band of its wording, as for any figure
        low, high = QUALIFIERS[qualifier].bounds(value, expression=value_text)
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
