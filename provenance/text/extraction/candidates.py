"""What the extractor proposes (:class:`Candidate`, :class:`RelationCandidate`) and the
per-document context every step reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from provenance.text.extraction.dates import StatedDate


@dataclass(frozen=True)
class Quotation:
    """A «…» or “…” span and who says it."""

    start: int
    end: int
    speaker: str | None


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


@dataclass(frozen=True)
class Context:
    text: str
    language: str
    published_on: dt.date
    document_id: str | None
    source_file: str | None
    sentences: list[tuple[int, int]]
    quotations: list[Quotation]
    dates: list[StatedDate]
    author: str | None = None  # who wrote or publishes the text: the speaker when it relays


@dataclass(frozen=True)
class Harm:
    metric_base: str  # killed | injured | missing
    word: str
    start: int
    end: int
    tight: bool  # the harm word directly governs the number ("killed at least 25")


@dataclass(frozen=True)
class Attribution:
    claimant: str | None
    speaker: str | None
    cue_end: int | None  # where the claim verb ends, for the stated date


def sentence_of(context: Context, position: int) -> tuple[int, int]:
    for start, end in context.sentences:
        if start <= position < end:
            return start, end
    return position, position


def quotation_of(context: Context, position: int) -> Quotation | None:
    for quotation in context.quotations:
        if quotation.start <= position < quotation.end:
            return quotation
    return None
