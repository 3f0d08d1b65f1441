"""Import an Airwars incident export (CSV) as sourced figures.

One CSV row is one Airwars incident assessment. It becomes:

- a **document**: the ``Airwars_assessment`` text (NFC), archived as the text every quote is
  anchored in; url = ``Incidence_url``, outlet "Airwars", language "en", title = the incident
  code and date. ``published_on`` is the incident date (``Incidence_date``, else the date in
  the URL slug): the export carries no publication date, and the assessment cannot predate
  the incident, so this is the best date available — a lower bound, precision "day".
- a **subject**: the incident, ``airwars-<incident id>``, described from the structured columns
  (strike type, status, infrastructure, belligerent), place = the coordinates when given,
  period = the incident date.
- the claimant **entity** ``airwars`` (kind monitor), reused if the warehouse already has it.
- **figures** for ``Civilians reported killed`` (civilians_killed) and ``Civilians reported
  injured`` (civilians_injured), read by :func:`parse_toll`: "1" → exact 1, "3 – 7" → range
  [3, 7], "10+" → at least 10, "~10" → approximately 10. Claimant airwars, stated on the
  document date.

Where each figure's quote comes from. The scraped assessment ends with Airwars' summary
("…Civilians reported killed3 – 7(2 children)Civilians reported injured12–24…", repeated up
to three times); the figure quotes the first place where the label is directly followed by
the structured value ("Civilians reported killed3 – 7"), with exact code-point offsets. When
the value is *not* stated in the archived text, the importer stores **no figure** and reports
the cell ("toll not stated in the archived text"): a figure must quote the document it cites,
and fabricating a document from the structured fields would quote the importer, not Airwars.

Cells that state no number — "Unknown", "NA", empty — and unreadable cells become no figure and
one :class:`SkippedCell` line each (row, incident id, column, value, reason); nothing is
guessed and nothing crashes.

Narratives. With ``extract_narratives=True`` the extractor (:func:`provenance.text.extract.extract`)
runs over each archived text up to the scraped summary (a prefix, so offsets stay valid), and
its civilians_killed / civilians_injured candidates become figures too (same document, subject
and claimant, note "extracted from the narrative: <pattern>, confidence <c>"). Candidates of
other metrics ("seven members of the family were killed" is ``killed``: the extractor does not
say they were civilians) are not stored. Left out as well are candidates that

- overlap a structured toll quote or the summary (they restate the toll, not the narrative),
- have a confidence below :data:`NARRATIVE_MIN_CONFIDENCE` (measured on the 305-row dev
  export: below 0.8, 56 of 100 candidates disagree with the structured toll, mostly numbers
  that count something else — a subset, a family, an earlier report; at 0.8 and above, 30 of
  259 do, and those are the disagreements worth a warning),
- are not anchored, break their qualifier's interval (an extractor bug must not reject the
  whole batch) or whose value_text does not read back, alone, to their interval ("one",
  "dozens": the quote-number-reads-back rule would fail them).

A narrative figure whose interval does not overlap the structured one is what the
``narrative-vs-structured`` rule reports (e.g. "initially seven civilians were killed" vs a
final toll of 20).

Re-importing a file adds nothing: document ids are text hashes, subject ids come from the
incident id, figure ids are content hashes, and a narrative figure already stored (possibly
with the note of an older extractor) is offered as stored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.ids import content_id
from provenance.core.intervals import interval_matches
from provenance.core.schema import FIGURES
from provenance.importers.airwars_export import (
    CLAIMANT,
    CLAIMANT_ID,
    ID_COLUMN,
    LANGUAGE,
    REASON_BACKWARDS,
    REASON_DUPLICATE,
    REASON_EMPTY,
    REASON_NA,
    REASON_NOT_IN_TEXT,
    REASON_UNKNOWN,
    REASON_UNREADABLE,
    ImportReport,
    NoToll,
    SkippedCell,
    Toll,
    find_statement,
    parse_toll,
    read_rows,
)
from provenance.importers.airwars_rows import Incident, read_incident
from provenance.storage.batch_checker import no_progress

if TYPE_CHECKING:
    from provenance.storage.warehouse import Progress, Warehouse
    from provenance.text.extract import Candidate


# Candidates below this confidence are left out (see the module docstring for the measure).
NARRATIVE_MIN_CONFIDENCE = 0.8
NARRATIVE_METRICS = ("civilians_killed", "civilians_injured")
NARRATIVE_NOTE = "extracted from the narrative: {pattern}, confidence {confidence:.2f}"

# Where the scraped structured summary starts: everything after it restates the toll.
_SUMMARY_START = re.compile(r"(?:,\s*)?Summary\s*Strike status")


# --- narratives ------------------------------------------------------------------------------


def narrative_end(text: str) -> int:
    """Where the narrative stops: at the scraped summary, or at the end of the text."""
    summary = _SUMMARY_START.search(text)
    return summary.start() if summary else len(text)


def _protected_spans(incident: Incident) -> list[tuple[int, int]]:
    """Where candidates only restate the structured toll: the summary and the toll quotes."""
    spans = [(int(f["quote_start"]), int(f["quote_end"])) for f in incident.figures]
    spans.append((narrative_end(incident.text), len(incident.text)))
    return spans


def _narrative_figures(
    incident: Incident, candidates: Iterable[Any], left_out: Counter[str]
) -> list[dict[str, Any]]:
    from provenance.text.extract import Candidate

    protected = _protected_spans(incident)
    figures = []
    for candidate in candidates:
        if not isinstance(candidate, Candidate) or candidate.metric not in NARRATIVE_METRICS:
            continue
        reason = _leave_out_reason(candidate, incident.text, protected)
        if reason:
            left_out[reason] += 1
            continue
        figures.append(_narrative_figure(incident, candidate))
    return figures


def _leave_out_reason(
    candidate: Candidate, text: str, protected: list[tuple[int, int]]
) -> str | None:
    start, end = candidate.quote_start, candidate.quote_end
    if any(start < p_end and p_start < end for p_start, p_end in protected):
        return "restates the structured summary"
    if candidate.confidence < NARRATIVE_MIN_CONFIDENCE:
        return f"confidence below {NARRATIVE_MIN_CONFIDENCE}"
    if text[start:end] != candidate.quote:
        return "quote not anchored in the text"
    if interval_matches(candidate.qualifier, candidate.value_low, candidate.value_high) is not None:
        return "interval does not fit its qualifier"
    if not _reads_back(candidate):
        return "value_text does not read back to its interval"
    return None


def _reads_back(candidate: Candidate) -> bool:
    """Whether value_text, read alone, gives the candidate's qualifier and bounds.

    The quote-number-reads-back rule reads value_text out of context; the extractor reads it
    in its sentence ("one civilian", "dozens of injured"). A figure the warehouse's own rule
    would fail is left out rather than stored.
    """
    from provenance.text.numbers import read_quantity

    if candidate.value_text not in candidate.quote:
        return False
    quantity = read_quantity(candidate.value_text, LANGUAGE)
    return quantity is not None and (quantity.qualifier, quantity.low, quantity.high) == (
        candidate.qualifier,
        candidate.value_low,
        candidate.value_high,
    )


def _narrative_figure(incident: Incident, candidate: Candidate) -> dict[str, Any]:
    note = NARRATIVE_NOTE.format(pattern=candidate.pattern, confidence=candidate.confidence)
    if candidate.claimant_id and candidate.claimant_id != CLAIMANT_ID:
        # Airwars relays it; who the narrative credits is worth keeping for review.
        note += f"; attributed in the text to {candidate.claimant_id}"
    return {
        "document_id": incident.document_id,
        "subject_id": incident.subject["subject_id"],
        "metric": candidate.metric,
        "claimant_id": CLAIMANT_ID,
        "speaker_id": None,
        # Airwars states the whole assessment on the document's date; a date the sentence
        # mentions ("initially, on the 12th…") is when the source spoke, not Airwars.
        "stated_on": incident.published_on,
        "stated_precision": "day",
        "value_low": candidate.value_low,
        "value_high": candidate.value_high,
        "qualifier": candidate.qualifier,
        "value_text": candidate.value_text,
        "quote": candidate.quote,
        "quote_start": candidate.quote_start,
        "quote_end": candidate.quote_end,
        "supersedes": None,
        "note": note,
    }


# --- the import ------------------------------------------------------------------------------


def import_airwars(
    warehouse: Warehouse,
    csv_path: Path | str,
    *,
    progress: Progress | None = None,
    extract_narratives: bool = True,
) -> ImportReport:
    """Import an Airwars incident CSV as one atomic, idempotent batch; see the module docstring.

    Raises :class:`provenance.core.errors.BatchRejected` if the batch fails its checks (nothing is
    written) and :class:`provenance.core.errors.ConfigError` for a file that is not an export.
    """
    path = Path(csv_path)
    report_progress = progress or no_progress
    rows = list(read_rows(path))
    report = ImportReport(source=str(csv_path), rows=len(rows))
    incidents = _incidents(rows, report, report_progress)
    figures = [f for incident in incidents for f in incident.figures]
    if extract_narratives:
        narrative = _all_narrative_figures(incidents, report, report_progress)
        figures += _reuse_stored(warehouse, narrative)
    figures = _unique_figures(figures)
    report.structured_figures = sum(1 for f in figures if not _is_narrative(f))
    report.narrative_figures = len(figures) - report.structured_figures
    documents = _unique_documents(incidents)
    report.documents, report.subjects = len(documents), len(incidents)
    report.anchored_quotes = _count_anchored(figures, documents)
    batch: dict[str, list[dict[str, Any]]] = {
        "documents": documents,
        "entities": [] if _has_claimant(warehouse) else [dict(CLAIMANT)],
        "subjects": [incident.subject for incident in incidents],
        "figures": figures,
    }
    report.append = warehouse.append_rows(
        {name: table_rows for name, table_rows in batch.items() if table_rows},
        source=str(csv_path),
        progress=progress,
    )
    return report


def _incidents(
    rows: list[dict[str, str]], report: ImportReport, progress: Progress
) -> list[Incident]:
    incidents: list[Incident] = []
    seen: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        progress("reading rows", position, len(rows))
        incident = read_incident(position, row, report.skipped)
        if incident is None:
            continue
        subject_id = incident.subject["subject_id"]
        if subject_id in seen:
            # Two rows for one incident would be two different subjects under one id.
            report.skipped.append(
                SkippedCell(
                    position,
                    incident.incident_id,
                    ID_COLUMN,
                    incident.incident_id,
                    f"{REASON_DUPLICATE} (row {seen[subject_id]})",
                )
            )
            continue
        seen[subject_id] = position
        incidents.append(incident)
    report.rows_imported = len(incidents)
    return incidents


def _all_narrative_figures(
    incidents: list[Incident], report: ImportReport, progress: Progress
) -> list[dict[str, Any]]:
    from provenance.text.extract import extract

    figures: list[dict[str, Any]] = []
    for done, incident in enumerate(incidents, start=1):
        progress("reading narratives", done, len(incidents))
        # The extractor reads the narrative alone: the summary is glued to the last sentence
        # ("…is unknown., SummaryStrike status…"), which would otherwise run into it. A prefix
        # keeps every offset valid in the archived text.
        candidates = extract(
            incident.text[: narrative_end(incident.text)],
            language=LANGUAGE,
            published_on=incident.published_on,
            document_id=incident.document_id,
        )
        figures += _narrative_figures(incident, candidates, report.narrative_left_out)
    return figures


def _is_narrative(figure: dict[str, Any]) -> bool:
    return str(figure.get("note") or "").startswith("extracted from the narrative")


def _identity(figure: dict[str, Any]) -> str:
    """The figure_id the store derives for this row."""
    return content_id("figures", figure)


def _unique_figures(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One figure per identity: the same statement read twice must not become two rows with
    different notes (the store would reject the batch for a duplicate id)."""
    kept: dict[str, dict[str, Any]] = {}
    for figure in figures:
        kept.setdefault(_identity(figure), figure)
    return list(kept.values())


def _reuse_stored(warehouse: Warehouse, figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Narrative figures, with those already in the warehouse replaced by the stored row.

    The store skips a row it already holds only when every column is equal; re-extracted by a
    newer extractor, the same statement (same figure_id) may differ in its note or value_text
    alone, which the store would reject as an id conflict. The stored row is the record.
    """
    if not figures:
        return figures
    columns = [c.name for c in FIGURES.input_columns if c.name != FIGURES.key]
    ids = sorted({f["document_id"] for f in figures})
    _, rows = warehouse.query(
        f"SELECT {', '.join(columns)} FROM figures WHERE list_contains(?, document_id)", [ids]
    )
    stored = {_identity(row): row for row in (dict(zip(columns, r, strict=True)) for r in rows)}
    return [stored.get(_identity(f), f) for f in figures]


def _unique_documents(incidents: list[Incident]) -> list[dict[str, Any]]:
    # Two incidents with the very same assessment text share one document (same id); the
    # first row's url and title are kept.
    documents: dict[str, dict[str, Any]] = {}
    for incident in incidents:
        documents.setdefault(incident.document_id, incident.document)
    return list(documents.values())


def _count_anchored(figures: list[dict[str, Any]], documents: list[dict[str, Any]]) -> int:
    texts = {d["document_id"]: d["text"] for d in documents}
    return sum(
        1
        for f in figures
        if texts[f["document_id"]][f["quote_start"] : f["quote_end"]] == f["quote"]
    )


def _has_claimant(warehouse: Warehouse) -> bool:
    # Reuse an airwars entity already there, even if described differently, rather than
    # have the batch rejected for an id conflict.
    _, rows = warehouse.query("SELECT 1 FROM entities WHERE entity_id = ?", [CLAIMANT_ID])
    return bool(rows)


__all__ = [
    "REASON_BACKWARDS",
    "REASON_EMPTY",
    "REASON_NA",
    "REASON_NOT_IN_TEXT",
    "REASON_UNKNOWN",
    "REASON_UNREADABLE",
    "ImportReport",
    "NoToll",
    "SkippedCell",
    "Toll",
    "find_statement",
    "import_airwars",
    "parse_toll",
]
