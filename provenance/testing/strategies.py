"""Hypothesis strategies for valid warehouse rows, derived from :mod:`provenance.core.schema`.

For users testing code that writes or reads a warehouse, and for our own property tests::

    from hypothesis import given
    from provenance.testing import valid_batches

    @given(valid_batches())
    def test_my_importer_round_trips(batch): ...

Column values come from the schema's declarations (kinds, enums, patterns, minimums,
required or not): :func:`column_values` and :func:`rows` know no column by name. What the
schema cannot say — a quote is a passage of its document, a stated ratio holds, dates are in
order — is added on top, with the wording of :mod:`provenance.testing.wording` so that the project's
number reader (:mod:`provenance.text.numbers`) reads every stated number back to its interval.

Needs hypothesis (the ``test`` extra).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import strategies as st

from provenance.core.ids import document_id
from provenance.core.schema import METRICS, TABLES, Column, Kind
from provenance.testing import wording
from provenance.text.numbers import find_quantities

Row = dict[str, Any]

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2030, 12, 31)

# Letters and spaces: free text that cannot be mistaken for a number or a date.
_WORDS = st.text(
    alphabet=st.characters(categories=["L"]) | st.just(" "), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")
# Invented claimants and places for the sentences documents state (no digits, NFC).
_CLAIMANT_NAMES = (
    "l'Observatoire Kalomir",
    "le ministère de la Santé de Tavenor",
    "Airwatch Vel",
    "les autorités de Morin",
)
_PLACES = ("Tavenor", "Kalomir", "Esnora", "Velmorin", "Dorantes")

_KIND_VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.STRING: _WORDS,
    Kind.INTEGER: st.integers(min_value=0, max_value=10**6),
    Kind.NUMBER: st.integers(min_value=0, max_value=10**6).map(float),
    Kind.DATE: st.dates(MIN_DATE, MAX_DATE),
    Kind.TIMESTAMP: st.datetimes(
        datetime(2000, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    Kind.STRING_LIST: st.lists(_WORDS, max_size=3),
    Kind.INTEGER_LIST: st.lists(st.integers(min_value=0, max_value=10**6), max_size=3),
}


def column_values(column: Column) -> st.SearchStrategy[Any]:
    """Values ``column`` accepts, from its declaration alone (None included when optional)."""
    strategy: st.SearchStrategy[Any]
    if column.enum:
        strategy = st.sampled_from(column.enum)
    elif column.pattern:
        strategy = st.from_regex(column.pattern, fullmatch=True)
    elif column.minimum is not None and column.kind in (Kind.INTEGER, Kind.NUMBER):
        numbers = st.integers(min_value=int(column.minimum), max_value=10**6)
        strategy = numbers.map(float) if column.kind is Kind.NUMBER else numbers
    else:
        strategy = _KIND_VALUES[column.kind]
    return strategy if column.required else st.none() | strategy


def rows(table: str, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Row]:
    """Rows of ``table``: every input column from :func:`column_values`, unless overridden."""
    declared = TABLES[table]
    unknown = set(overrides) - {c.name for c in declared.input_columns}
    if unknown:
        raise KeyError(f"{table} has no input column {', '.join(sorted(unknown))}")
    return st.fixed_dictionaries(
        {c.name: overrides.get(c.name, column_values(c)) for c in declared.input_columns}
    )


def entities() -> st.SearchStrategy[Row]:
    """Claimants and speakers."""
    return rows("entities")


@st.composite
def subjects(draw: st.DrawFn, before: date = MAX_DATE) -> Row:
    """A subject without parent whose period (when given) ends no later than ``before``."""
    start = draw(st.none() | st.dates(MIN_DATE, before))
    end = draw(st.none() | st.dates(start or MIN_DATE, before))
    return draw(
        rows(
            "subjects",
            period_start=st.just(start),
            period_end=st.just(end),
            parent_subject_id=st.none(),
        )
    )


@st.composite
def documents(draw: st.DrawFn, after: date = MIN_DATE) -> Row:
    """A French or English document published after ``after`` that states 1–4 figures.

    Each figure is one sentence ("Selon X, au moins 3 100 civils ont été tués à Y."); the
    text ends with its publication day, weekday included and right.
    """
    language = draw(st.sampled_from(wording.LANGUAGES))
    published = draw(
        st.dates(after + timedelta(days=1), min(after + timedelta(days=400), MAX_DATE))
    )
    sentences = draw(st.lists(_sentences(language), min_size=1, max_size=4))
    text = _nfc(
        " ".join(s + "." for s in sentences) + " " + wording.published_sentence(published, language)
    )
    retrieved = datetime.combine(published, time(), UTC) + timedelta(
        seconds=draw(st.integers(0, 90 * 86_400))
    )
    return draw(
        rows(
            "documents",
            document_id=st.just(document_id(text)),
            language=st.just(language),
            published_on=st.just(published),
            published_precision=st.just("day"),
            retrieved_at=st.just(retrieved),
            text=st.just(text),
        )
    )


@st.composite
def _sentences(draw: st.DrawFn, language: str) -> str:
    qualifier = draw(st.sampled_from(wording.GENERATED_QUALIFIERS))
    value = draw(st.integers(2, 200_000))
    if qualifier == "approximately":
        value = max(20, value // 10 * 10)  # "environ 50", not "environ 37"
    high = value + draw(st.integers(1, 1000)) if qualifier == "range" else None
    return wording.statement(
        language,
        draw(st.sampled_from(_CLAIMANT_NAMES)),
        wording.value_text(qualifier, value, language, high),
        draw(st.sampled_from(METRICS)),
        draw(st.sampled_from(_PLACES)),
        speaker=draw(st.none() | st.just("Amina Dorval")),
    )


@st.composite
def figure_rows(
    draw: st.DrawFn,
    document: Row,
    subject_ids: list[str] | None = None,
    entity_ids: list[str] | None = None,
) -> list[Row]:
    """Figures stated by ``document``: one per chosen count in its text, quote anchored.

    The counts are found by :func:`provenance.text.numbers.find_quantities`, the reader the
    quote-number-reads-back rule uses, so value_text, qualifier and interval agree by
    construction (the reader takes intervals from :func:`provenance.core.intervals.interval_for`).
    Only sentences stating a single count are used. Subjects and claimants are drawn from the
    given ids (else from the schema's slug pattern); stated_on is on or before publication.
    """
    text, language = document["text"], document["language"]
    candidates = []
    for quantity in find_quantities(text, language):
        start = text.rfind(". ", 0, quantity.start)
        start = 0 if start < 0 else start + 2
        end = text.find(".", quantity.end)
        quote = text[start:end]
        if len(find_quantities(quote, language)) == 1:
            candidates.append((quantity, start, end, quote))
    if not candidates:
        return []
    chosen = draw(
        st.lists(
            st.sampled_from(range(len(candidates))),
            min_size=1,
            max_size=len(candidates),
            unique=True,
        )
    )
    subject = (
        st.sampled_from(subject_ids)
        if subject_ids
        else column_values(TABLES["figures"].column("figure_id"))
    )
    entity = (
        st.sampled_from(entity_ids)
        if entity_ids
        else column_values(TABLES["entities"].column("entity_id"))
    )
    published: date = document["published_on"]
    figures = []
    for index in chosen:
        quantity, start, end, quote = candidates[index]
        stated = draw(st.dates(published - timedelta(days=30), published))
        figures.append(
            draw(
                rows(
                    "figures",
                    figure_id=st.none(),  # derived by the store: the content hash
                    document_id=st.just(document["document_id"]),
                    subject_id=subject,
                    metric=st.just(_metric_of(quote, language))
                    if _metric_of(quote, language)
                    else st.sampled_from(METRICS),
                    claimant_id=entity,
                    speaker_id=st.none() | entity,
                    stated_on=st.just(stated),
                    stated_precision=st.just("day"),
                    value_low=st.just(quantity.low),
                    value_high=st.just(quantity.high),
                    qualifier=st.just(quantity.qualifier),
                    value_text=st.just(quantity.value_text),
                    quote=st.just(quote),
                    quote_start=st.just(start),
                    quote_end=st.just(end),
                    supersedes=st.none(),
                )
            )
        )
    return figures


@st.composite
def valid_batches(draw: st.DrawFn) -> dict[str, list[Row]]:
    """A batch ``Warehouse.append_rows`` accepts and every error-level rule passes on.

    Documents with figures, plus 0–2 small articles with a relation: a ratio ("huit fois
    supérieur au bilan officiel", which holds) or a total and its two parts (which add up).
    Each figure has its own claimant, so no revision series can fall; subjects' periods end
    before any statement; stated_on ≤ published_on ≤ retrieved_at.
    """
    floor = draw(st.dates(date(2001, 1, 1), date(2025, 1, 1)))
    docs = draw(
        st.lists(
            documents(after=floor), min_size=1, max_size=3, unique_by=lambda d: d["document_id"]
        )
    )
    articles = draw(st.lists(_relation_articles(floor), max_size=2))
    subject_rows = draw(
        st.lists(
            # figure_rows states a figure up to 30 days before its document, which is after floor
            subjects(before=floor - timedelta(days=31)),
            min_size=1,
            max_size=3,
            unique_by=lambda s: s["subject_id"],
        )
    )
    subject_ids = [s["subject_id"] for s in subject_rows]
    figures: list[Row] = []
    for doc in docs:
        figures += draw(figure_rows(doc, subject_ids=subject_ids, entity_ids=["-"]))
    relations: list[Row] = []
    for number, (article_doc, article_figures, relation) in enumerate(articles):
        # Ids are unique within an article; the article's number makes them unique in the batch.
        rename = {f["figure_id"]: f"a{number}-{f['figure_id']}" for f in article_figures}
        for figure in article_figures:
            figure["figure_id"] = rename[figure["figure_id"]]
        relation["figure_id"] = rename[relation["figure_id"]]
        relation["reference_ids"] = [rename[r] for r in relation["reference_ids"]]
        docs.append(article_doc)
        figures += article_figures
        relations.append(relation)
    # One claimant per figure (and relation): no (subject, metric, claimant) series to order.
    n_entities = len(figures) + 1
    entity_rows = draw(
        st.lists(
            entities(), min_size=n_entities, max_size=n_entities, unique_by=lambda e: e["entity_id"]
        )
    )
    entity_ids = [e["entity_id"] for e in entity_rows]
    for figure, claimant in zip(figures, entity_ids, strict=False):
        figure["claimant_id"] = claimant
        figure["speaker_id"] = draw(st.none() | st.sampled_from(entity_ids))
        figure["subject_id"] = draw(st.sampled_from(subject_ids))
    for relation in relations:
        relation["claimant_id"] = entity_ids[-1]
    # The same article drawn twice is one document; keep one copy of identical rows.
    unique_docs = list({d["document_id"]: d for d in docs}.values())
    return {
        "documents": unique_docs,
        "entities": entity_rows,
        "subjects": subject_rows,
        "figures": figures,
        "relations": relations,
    }


@st.composite
def _relation_articles(draw: st.DrawFn, floor: date) -> tuple[Row, list[Row], Row]:
    """A document, its figures (with ids) and one relation among them that holds."""
    language = draw(st.sampled_from(wording.LANGUAGES))
    published = draw(st.dates(floor + timedelta(days=1), floor + timedelta(days=400)))
    place = draw(st.sampled_from(_PLACES))
    figure_id = column_values(TABLES["figures"].column("figure_id"))
    ids = draw(
        st.lists(figure_id, min_size=3, max_size=3, unique=True).map(
            lambda xs: [f"t-{x}" for x in xs]
        )
    )
    if draw(st.booleans()):
        factor = draw(st.integers(2, 10))
        reference = draw(st.integers(10, 500))
        larger = reference * factor
        qualifier = draw(st.sampled_from(("exact", "at_least")))
        official = wording.statement(
            language,
            _CLAIMANT_NAMES[1],
            wording.count_text(reference, language),
            "civilians_killed",
            place,
        )
        claimed = wording.statement(
            language,
            _CLAIMANT_NAMES[0],
            wording.value_text(qualifier, larger, language),
            "civilians_killed",
            place,
        )
        word = wording.FACTOR_WORDS[language][factor]
        ratio = wording.ratio_sentence(word, language)
        text = _nfc(
            f"{official}. {claimed}. {ratio}. {wording.published_sentence(published, language)}"
        )
        doc = _article_document(draw, text, language, published)
        figures = [
            _figure(
                ids[0],
                doc,
                text,
                official,
                wording.count_text(reference, language),
                "civilians_killed",
                "exact",
                reference,
                reference,
            ),
            _figure(
                ids[1],
                doc,
                text,
                claimed,
                wording.value_text(qualifier, larger, language),
                "civilians_killed",
                qualifier,
                larger,
                larger if qualifier == "exact" else None,
            ),
        ]
        relation = _relation(doc, text, ratio, "ratio", ids[1], [ids[0]], word, float(factor))
        return doc, figures, relation
    part1, part2 = draw(st.integers(2, 400)), draw(st.integers(2, 60))
    total = part1 + part2
    words = wording.SUM_SENTENCE[language]
    lead = wording.LEADS[language][(False, False)] + _CLAIMANT_NAMES[2]
    total_quote = f"{lead}{words[0]}{total}{words[1]}{place}"
    part_quotes = [
        f"{part1} {wording.PART_NOUNS[language][0]}",
        f"{part2} {wording.PART_NOUNS[language][1]}",
    ]
    sentence = f"{total_quote}{words[2]}{part1}{words[3]}{part2}{words[4]}"
    text = _nfc(f"{sentence}. {wording.published_sentence(published, language)}")
    doc = _article_document(draw, text, language, published)
    figures = [
        _figure(ids[0], doc, text, total_quote, str(total), "killed", "exact", total, total),
        _figure(
            ids[1], doc, text, part_quotes[0], str(part1), "civilians_killed", "exact", part1, part1
        ),
        _figure(
            ids[2],
            doc,
            text,
            part_quotes[1],
            str(part2),
            "combatants_killed",
            "exact",
            part2,
            part2,
        ),
    ]
    relation = _relation(doc, text, sentence, "sum", ids[0], ids[1:], str(total), float(total))
    return doc, figures, relation


def _article_document(draw: st.DrawFn, text: str, language: str, published: date) -> Row:
    return {
        "document_id": document_id(text),
        "url": None,
        "title": None,
        "outlet": draw(st.sampled_from(wording.OUTLETS[language])),
        "language": language,
        "published_on": published,
        "published_precision": "day",
        "retrieved_at": datetime.combine(published, time(), UTC) + timedelta(days=1),
        "text": text,
    }


def _figure(
    figure_id: str,
    doc: Row,
    text: str,
    quote: str,
    stated: str,
    metric: str,
    qualifier: str,
    low: float,
    high: float | None,
) -> Row:
    start = text.index(quote)
    return {
        "figure_id": figure_id,
        "document_id": doc["document_id"],
        "subject_id": None,  # set by valid_batches
        "metric": metric,
        "claimant_id": None,
        "speaker_id": None,
        "stated_on": doc["published_on"],
        "stated_precision": "day",
        "value_low": float(low),
        "value_high": None if high is None else float(high),
        "qualifier": qualifier,
        "value_text": stated,
        "quote": quote,
        "quote_start": start,
        "quote_end": start + len(quote),
        "supersedes": None,
        "note": None,
    }


def _relation(
    doc: Row,
    text: str,
    quote: str,
    kind: str,
    figure_id: str,
    references: list[str],
    stated: str,
    value: float,
) -> Row:
    start = text.index(quote)
    return {
        "relation_id": None,  # derived by the store
        "kind": kind,
        "figure_id": figure_id,
        "reference_ids": references,
        "document_id": doc["document_id"],
        "claimant_id": None,
        "speaker_id": None,
        "stated_on": doc["published_on"],
        "stated_precision": "day",
        "value_low": value,
        "value_high": value,
        "qualifier": "exact",
        "value_text": stated,
        "quote": quote,
        "quote_start": start,
        "quote_end": start + len(quote),
        "note": None,
    }


def _metric_of(quote: str, language: str) -> str | None:
    """The metric whose wording the quote uses ("civils ont été tués" → civilians_killed)."""
    for metric in METRICS:
        if wording.metric_phrase(metric, language) in quote:
            return metric
    return None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


__all__ = [
    "column_values",
    "documents",
    "entities",
    "figure_rows",
    "rows",
    "subjects",
    "valid_batches",
]
