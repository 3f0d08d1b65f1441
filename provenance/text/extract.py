"""Text → candidate figures and relations, for a person to review before appending.

:func:`extract` reads a French or English text and proposes one :class:`Candidate` per stated
count of harm ("au moins 3 100 victimes tuées", "seven members of the family were killed") and
one :class:`RelationCandidate` per stated ratio or share ("multiplié par huit", "a quarter of").
Every candidate carries its quote with code-point offsets into the NFC-normalised text, a
guessed claimant and speaker, the date it was stated (resolved against the publication date),
a confidence in [0, 1] and the name of the pattern that matched.

The parts live in :mod:`provenance.text.extraction` (sentences, dates, attribution, harm
lexicon, figures, counts without digits, relations); numbers are read by
:mod:`provenance.text.numbers`.

The rules are linguistic and deliberately simple: a count is a figure when a harm word
(killed, dead, victims, injured / tués, morts, victimes, blessés) is attached to it in its
clause; everything else a person fixes in review. A head count owns the harm word beyond the
parts listed inside its phrase ("20 members, including eight women and eight children, were
killed" → 20, the parts ranked below it); counts of things ("three generations", "two houses")
are not counts of people.

Some candidates count people without a number in the quote: enumerations ("a woman and her
infant were killed" → 2, "une femme et ses deux enfants ont été tués" → 3, "A and B were
killed" → 2), one person ("a young man was killed", "un jeune homme a été tué" → 1) and, in
English, an unstated plural ("several deaths" → at least 2). Their ``pattern`` starts with ``"implicit:"`` (``implicit:enumeration+killed``,
``implicit:one+killed``, ``implicit:plural+killed``): a validation rule that reads the number
back from the quote must skip them, since the value is not written there.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from provenance.core.ids import document_id as make_document_id
from provenance.text.extraction.attribution import find_quotations, slugify
from provenance.text.extraction.candidates import Candidate, Context, RelationCandidate
from provenance.text.extraction.dates import find_dates
from provenance.text.extraction.figures import find_figures
from provenance.text.extraction.implicit import implicit_counts
from provenance.text.extraction.relations import relation_matches, relations_for
from provenance.text.extraction.sentences import sentence_spans
from provenance.text.numbers import find_quantities

__all__ = ["Candidate", "RelationCandidate", "extract", "slugify"]


def extract(
    text: str,
    *,
    language: str,
    published_on: dt.date,
    document_id: str | None = None,
    source_file: str | None = None,
    author: str | None = None,
) -> list[Candidate | RelationCandidate]:
    """Candidate figures and relations stated in ``text``.

    The text is NFC-normalised first; every offset (quote_start, quote_end) is into that NFC
    text. ``document_id`` defaults to the sha256 of the NFC text, as in the documents table.

    ``author`` is the entity slug of who wrote or publishes the text (an outlet, a monitor).
    The claimant is the source a sentence names ("local media reported…", "according to the
    Syrian Observatory…"); the author is then the speaker who relays it, or the claimant of
    a count no one else is credited with. Without an author those stay empty for review.
    """
    text = unicodedata.normalize("NFC", text)
    if document_id is None:
        document_id = make_document_id(text)
    context = Context(
        text=text,
        language=language,
        published_on=published_on,
        document_id=document_id,
        source_file=source_file,
        sentences=sentence_spans(text),
        quotations=find_quotations(text, language),
        dates=find_dates(text, published_on),
        author=author,
    )
    relation_spans = relation_matches(context)
    quantities = [
        q
        for q in find_quantities(text, language)
        if not any(start <= q.start < end for start, end, *_ in relation_spans)
    ]
    figures = find_figures(context, quantities)
    figures = sorted(figures + implicit_counts(context, figures), key=lambda f: f.value_start)
    relations = relations_for(context, relation_spans, figures)
    return [*figures, *relations]
