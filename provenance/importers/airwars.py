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

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.calendar import MONTHS
from provenance.core.errors import ConfigError, Problem, ProvenanceError
from provenance.core.intervals import interval_for, interval_matches
from provenance.core.schema import FIGURES
from provenance.core.wording import plural

if TYPE_CHECKING:
    from provenance.storage.warehouse import AppendResult, Progress, Warehouse
    from provenance.text.extract import Candidate

# --- the export's columns ------------------------------------------------------------------

ID_COLUMN = "Incidence_id"
URL_COLUMN = "Incidence_url"
DATE_COLUMN = "Incidence_date"
TEXT_COLUMN = "Airwars_assessment"
KILLED_COLUMN = "Civilians reported killed"
INJURED_COLUMN = "Civilians reported injured"
# Structured toll column → metric. The column name is also the label the scraped summary
# puts right before the value, which is how the value is found in the text.
TOLL_COLUMNS: dict[str, str] = {
    KILLED_COLUMN: "civilians_killed",
    INJURED_COLUMN: "civilians_injured",
}
REQUIRED_COLUMNS = (ID_COLUMN, TEXT_COLUMN, KILLED_COLUMN)
# Structured fields that make the subject's description, in this order, with their label.
DESCRIPTION_COLUMNS = (
    ("Strike type", ""),
    ("Strike status", ""),
    ("Civilian infrastructure", "civilian infrastructure: "),
    ("Suspected belligerent", "suspected belligerent: "),
    ("Known belligerent", "known belligerent: "),
)

CLAIMANT_ID = "airwars"
CLAIMANT = {"entity_id": CLAIMANT_ID, "name": "Airwars", "kind": "monitor", "aliases": None}
OUTLET = "Airwars"
LANGUAGE = "en"

# Candidates below this confidence are left out (see the module docstring for the measure).
NARRATIVE_MIN_CONFIDENCE = 0.8
NARRATIVE_METRICS = ("civilians_killed", "civilians_injured")
NARRATIVE_NOTE = "extracted from the narrative: {pattern}, confidence {confidence:.2f}"
STRUCTURED_NOTE = "Airwars structured field {column!r}: {value!r}"

# Where the scraped structured summary starts: everything after it restates the toll.
_SUMMARY_START = re.compile(r"(?:,\s*)?Summary\s*Strike status")

# --- reading a toll cell ---------------------------------------------------------------------

# Skipped-cell reasons, fixed strings so that reports can tally them.
REASON_EMPTY = "empty cell"
REASON_UNKNOWN = "toll reported as unknown"
REASON_NA = "no toll reported (NA)"
REASON_UNREADABLE = "unreadable toll"
REASON_BACKWARDS = "unreadable toll: range runs backwards"
REASON_NOT_IN_TEXT = "toll not stated in the archived text"
REASON_NO_TEXT = "no assessment text to archive"
REASON_NO_ID = "no incident id"
REASON_NO_DATE = "no readable incident date"
REASON_DUPLICATE = "incident id already imported from an earlier row"

_NOT_STATED = {
    "": REASON_EMPTY,
    "unknown": REASON_UNKNOWN,
    "unk": REASON_UNKNOWN,
    "?": REASON_UNKNOWN,
    "na": REASON_NA,
    "n/a": REASON_NA,
    "none": REASON_NA,
    "-": REASON_NA,
    "–": REASON_NA,
    "—": REASON_NA,
}
_DASHES = "-–—‑−"  # hyphen, en dash, em dash, non-breaking hyphen, minus
_COUNT = r"\d{1,3}(?:,\d{3})+|\d+"  # "12", "1,200"; decimals are not counts
_RANGE = re.compile(rf"^(?P<low>{_COUNT})\s*(?:[{_DASHES}]|to)\s*(?P<high>{_COUNT})$")
_PLUS = re.compile(rf"^(?P<value>{_COUNT})\s*\+$")
# Wordings before a single count → qualifier. Longest first, so "at least" is tried before "<".
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("more than", "more_than"),
    ("fewer than", "less_than"),
    ("less than", "less_than"),
    ("at least", "at_least"),
    ("at most", "at_most"),
    ("approx.", "approximately"),
    ("approx", "approximately"),
    ("around", "approximately"),
    ("about", "approximately"),
    ("up to", "at_most"),
    ("over", "more_than"),
    ("ca.", "approximately"),
    ("c.", "approximately"),
    (">=", "at_least"),
    ("<=", "at_most"),
    ("≥", "at_least"),
    ("≤", "at_most"),
    (">", "more_than"),
    ("<", "less_than"),
    ("~", "approximately"),
    ("≈", "approximately"),
)
_SINGLE = re.compile(rf"^(?P<prefix>.*?)\s*(?P<value>{_COUNT})$")


@dataclass(frozen=True)
class Toll:
    """A structured toll cell read as a qualified count: its interval and how it was written."""

    qualifier: str
    value_low: float | None
    value_high: float | None
    text: str  # the cell as written (whitespace-trimmed)


@dataclass(frozen=True)
class NoToll:
    """A cell that states no number, and why."""

    reason: str


def parse_toll(cell: str | None) -> Toll | NoToll:
    """Read an Airwars toll cell: "1", "3 – 7", "3-7", "10+", "~10" → Toll; else NoToll(reason)."""
    text = " ".join(unicodedata.normalize("NFC", cell or "").split())
    not_stated = _NOT_STATED.get(text.casefold())
    if not_stated is not None:
        return NoToll(not_stated)
    if match := _RANGE.match(text):
        low, high = _count(match["low"]), _count(match["high"])
        if low > high:
            return NoToll(REASON_BACKWARDS)
        if low == high:  # "3 – 3": the schema wants a range to be wider than one number
            return _toll("exact", low, text)
        return _toll("range", low, text, high=high)
    if match := _PLUS.match(text):
        return _toll("at_least", _count(match["value"]), text)
    if match := _SINGLE.match(text):
        prefix = match["prefix"].casefold().strip()
        qualifier = "exact" if not prefix else dict(_PREFIXES).get(prefix)
        if qualifier is not None:
            return _toll(qualifier, _count(match["value"]), text, expression=prefix or None)
    return NoToll(REASON_UNREADABLE)


def _count(digits: str) -> float:
    return float(digits.replace(",", ""))


def _toll(
    qualifier: str,
    value: float,
    text: str,
    *,
    high: float | None = None,
    expression: str | None = None,
) -> Toll:
    interval = interval_for(qualifier, value, high=high, expression=expression)
    return Toll(qualifier, interval.low, interval.high, text)


def find_statement(text: str, label: str, toll: Toll) -> tuple[int, int] | None:
    """(start, end) of the first "<label><value>" in ``text``, or None if not stated there.

    The value may be written with other spacing or another dash than the cell ("3 – 7" in the
    CSV, "3–7" in the text); a following digit rules a match out ("1" must not match "12").
    """
    value = "".join(
        rf"\s*[{_DASHES}]\s*" if ch in _DASHES else r"\s*" if ch == " " else re.escape(ch)
        for ch in toll.text
    )
    match = re.search(rf"{re.escape(label)}\s*{value}(?![\d,])", text)
    return (match.start(), match.end()) if match else None


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedCell:
    """One cell that gave no figure (or one row that gave nothing), and why."""

    row: int  # 1-based data row (the header is not counted)
    incident_id: str
    column: str
    value: str
    reason: str

    def line(self) -> str:
        where = f"row {self.row} {self.incident_id or '?'} column {self.column!r}"
        return f"{where}: {self.reason} (value: {_short(self.value)})"


@dataclass
class ImportReport:
    """What an import read, built and appended."""

    source: str
    rows: int = 0  # data rows in the file
    rows_imported: int = 0  # rows that gave a document and a subject
    documents: int = 0  # distinct documents built (before de-duplication against the warehouse)
    subjects: int = 0
    structured_figures: int = 0
    narrative_figures: int = 0
    anchored_quotes: int = 0  # figures whose quote was checked equal to text[start:end]
    skipped: list[SkippedCell] = field(default_factory=list)
    # Narrative candidates left out, by reason (not cells, so not in ``skipped``).
    narrative_left_out: Counter[str] = field(default_factory=Counter)
    append: AppendResult | None = None

    @property
    def figures(self) -> int:
        return self.structured_figures + self.narrative_figures

    def skipped_reasons(self) -> Counter[str]:
        return Counter(cell.reason for cell in self.skipped)

    def skipped_lines(self) -> list[str]:
        return [cell.line() for cell in self.skipped]

    def summary(self) -> str:
        lines = [
            f"{self.source}: {plural(self.rows, 'row')}, {plural(self.rows_imported, 'incident')} imported",
            f"built {plural(self.documents, 'document')}, {plural(self.subjects, 'subject')}, "
            f"{plural(self.figures, 'figure')} "
            f"({self.structured_figures} structured, {self.narrative_figures} from narratives), "
            f"{self.anchored_quotes} quotes anchored",
        ]
        if self.skipped:
            tally = ", ".join(f"{n} {reason}" for reason, n in self.skipped_reasons().most_common())
            lines.append(f"{plural(len(self.skipped), 'cell')} skipped: {tally}")
        if self.narrative_left_out:
            tally = ", ".join(
                f"{n} {reason}" for reason, n in self.narrative_left_out.most_common()
            )
            lines.append(f"narrative candidates left out: {tally}")
        if self.append is not None:
            lines.append(self.append.summary())
        return "\n".join(lines)


# --- one row ---------------------------------------------------------------------------------


@dataclass
class _Incident:
    """The rows built from one CSV row."""

    position: int
    incident_id: str
    document: dict[str, Any]
    subject: dict[str, Any]
    figures: list[dict[str, Any]]

    @property
    def document_id(self) -> str:
        return str(self.document["document_id"])

    @property
    def text(self) -> str:
        return str(self.document["text"])

    @property
    def published_on(self) -> dt.date:
        value = self.document["published_on"]
        assert isinstance(value, dt.date)
        return value


_SLUG_DATE = re.compile(r"(?P<month>[a-z]+)-(?P<day>\d{1,2})-(?P<year>\d{4})")


def parse_incident_date(*values: str | None) -> dt.date | None:
    """The first readable "october-7-2023"-style date among ``values`` (column, then URL)."""
    for value in values:
        # Month names are matched by hand: strptime's %B follows the process locale.
        for match in _SLUG_DATE.finditer((value or "").casefold()):
            month = MONTHS["en"].get(match["month"])
            if month is None:
                continue
            try:
                return dt.date(int(match["year"]), month, int(match["day"]))
            except ValueError:
                continue
    return None


def incident_slug(incident_id: str) -> str:
    """The subject id of an incident: "ISPT0102j" → "airwars-ispt0102j"."""
    return "airwars-" + re.sub(r"[^a-z0-9]+", "-", incident_id.casefold()).strip("-")


def _present(value: str | None) -> str | None:
    """A structured cell's value, or None for the export's placeholders ("NA", empty)."""
    value = " ".join((value or "").split())
    return None if value.casefold() in ("", "na", "n/a", "unknown") else value


def _title(incident_id: str, date: dt.date) -> str:
    return f"{incident_id.upper()} – {date:%B} {date.day}, {date.year}"


def _description(row: dict[str, str], incident_id: str, date: dt.date) -> str:
    parts = [
        f"{label}{value}"
        for column, label in DESCRIPTION_COLUMNS
        if (value := _present(row.get(column)))
    ]
    head = f"Civilian harm in Airwars incident {incident_id.upper()} ({date.isoformat()})"
    return head + (": " + "; ".join(parts) if parts else "")


def _place(row: dict[str, str]) -> str | None:
    # The export has coordinates but no place name; "lon" is an empty twin of "long".
    lat, long = _present(row.get("lat")), _present(row.get("long")) or _present(row.get("lon"))
    try:
        return f"{float(lat):.6f}, {float(long):.6f} (lat, long)" if lat and long else None
    except ValueError:
        return None


def _document_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _incident(position: int, row: dict[str, str], skipped: list[SkippedCell]) -> _Incident | None:
    """Document, subject and structured figures of one row; skipped cells are appended."""
    incident_id = (row.get(ID_COLUMN) or "").strip()

    def skip(column: str, reason: str) -> None:
        skipped.append(SkippedCell(position, incident_id, column, row.get(column) or "", reason))

    if not incident_id or incident_slug(incident_id) == "airwars-":
        skip(ID_COLUMN, REASON_NO_ID)
        return None
    text = unicodedata.normalize("NFC", row.get(TEXT_COLUMN) or "")
    if not text.strip():
        skip(TEXT_COLUMN, REASON_NO_TEXT)
        return None
    date = parse_incident_date(row.get(DATE_COLUMN), row.get(URL_COLUMN))
    if date is None:
        skip(DATE_COLUMN, REASON_NO_DATE)
        return None
    subject_id = incident_slug(incident_id)
    document: dict[str, Any] = {
        "document_id": _document_id(text),
        "url": _present(row.get(URL_COLUMN)),
        "title": _title(incident_id, date),
        "outlet": OUTLET,
        "language": LANGUAGE,
        "published_on": date,
        "published_precision": "day",
        "retrieved_at": dt.datetime.now(dt.UTC),
        "text": text,
    }
    subject = {
        "subject_id": subject_id,
        "description": _description(row, incident_id, date),
        "place": _place(row),
        "period_start": date,
        "period_end": date,
        "parent_subject_id": None,
    }
    figures = []
    for column, metric in TOLL_COLUMNS.items():
        if column not in row:
            continue  # an export without the injured column: nothing to skip
        toll = parse_toll(row[column])
        if isinstance(toll, NoToll):
            skip(column, toll.reason)
            continue
        span = find_statement(text, column, toll)
        if span is None:
            skip(column, REASON_NOT_IN_TEXT)
            continue
        figures.append(
            _structured_figure(
                document["document_id"], subject_id, date, metric, column, toll, text, span
            )
        )
    return _Incident(position, incident_id, document, subject, figures)


def _structured_figure(
    document_id: str,
    subject_id: str,
    date: dt.date,
    metric: str,
    column: str,
    toll: Toll,
    text: str,
    span: tuple[int, int],
) -> dict[str, Any]:
    start, end = span
    return {
        "document_id": document_id,
        "subject_id": subject_id,
        "metric": metric,
        "claimant_id": CLAIMANT_ID,
        "speaker_id": None,
        "stated_on": date,
        "stated_precision": "day",
        "value_low": toll.value_low,
        "value_high": toll.value_high,
        "qualifier": toll.qualifier,
        # As written in the text, which may differ in spacing from the cell.
        "value_text": text[start + len(column) : end].strip(),
        "quote": text[start:end],
        "quote_start": start,
        "quote_end": end,
        "supersedes": None,
        "note": STRUCTURED_NOTE.format(column=column, value=toll.text),
    }


# --- narratives ------------------------------------------------------------------------------


def _extractor() -> Any:
    """provenance.text.extract.extract, or a clear error if that module is not usable."""
    try:
        from provenance.text.extract import extract
    except ImportError as e:  # being written concurrently; say what to do instead of crashing
        raise ConfigError(
            f"narrative extraction needs provenance.text.extract, which cannot be imported ({e}); "
            "import with extract_narratives=False (CLI: --no-narratives)"
        ) from e
    return extract


def _narrative_end(text: str) -> int:
    """Where the narrative stops: at the scraped summary, or at the end of the text."""
    summary = _SUMMARY_START.search(text)
    return summary.start() if summary else len(text)


def _protected_spans(incident: _Incident) -> list[tuple[int, int]]:
    """Where candidates only restate the structured toll: the summary and the toll quotes."""
    spans = [(int(f["quote_start"]), int(f["quote_end"])) for f in incident.figures]
    spans.append((_narrative_end(incident.text), len(incident.text)))
    return spans


def _narrative_figures(
    incident: _Incident, candidates: Iterable[Any], left_out: Counter[str]
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


def _narrative_figure(incident: _Incident, candidate: Candidate) -> dict[str, Any]:
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


def read_rows(csv_path: Path) -> Iterator[dict[str, str]]:
    """The export's rows as dicts; a missing required column is a usage error."""
    # Assessments run to tens of thousands of characters; raise csv's 128 KiB cell limit.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    try:
        handle = csv_path.open(encoding="utf-8-sig", newline="")
    except OSError as e:
        raise ConfigError(Problem("unreadable-file", f"{csv_path}: {e.strerror}")) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(
                    Problem(
                        "unreadable-file",
                        f"{csv_path.name} is not an Airwars export: "
                        f"no column {', '.join(map(repr, missing))}",
                    )
                )
            yield from reader
        except UnicodeDecodeError as e:
            raise ProvenanceError(
                Problem("not-utf8", f"{csv_path.name}: byte {e.start} is not UTF-8")
            ) from None


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
    report_progress = progress or (lambda stage, done, total: None)
    extract = _extractor() if extract_narratives else None  # fail before any work
    rows = list(read_rows(path))
    report = ImportReport(source=str(csv_path), rows=len(rows))
    incidents = _incidents(rows, report, report_progress)
    figures = [f for incident in incidents for f in incident.figures]
    if extract is not None:
        narrative = _all_narrative_figures(incidents, extract, report, report_progress)
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
) -> list[_Incident]:
    incidents: list[_Incident] = []
    seen: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        progress("reading rows", position, len(rows))
        incident = _incident(position, row, report.skipped)
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
    incidents: list[_Incident], extract: Any, report: ImportReport, progress: Progress
) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    for done, incident in enumerate(incidents, start=1):
        progress("reading narratives", done, len(incidents))
        # The extractor reads the narrative alone: the summary is glued to the last sentence
        # ("…is unknown., SummaryStrike status…"), which would otherwise run into it. A prefix
        # keeps every offset valid in the archived text.
        candidates = extract(
            incident.text[: _narrative_end(incident.text)],
            language=LANGUAGE,
            published_on=incident.published_on,
            document_id=incident.document_id,
        )
        figures += _narrative_figures(incident, candidates, report.narrative_left_out)
    return figures


def _is_narrative(figure: dict[str, Any]) -> bool:
    return str(figure.get("note") or "").startswith("extracted from the narrative")


def _identity(figure: dict[str, Any]) -> tuple[Any, ...]:
    """The columns the store hashes into figure_id, in comparable form."""
    return tuple(
        float(figure[c])
        if c in ("value_low", "value_high") and figure[c] is not None
        else figure[c]
        for c in FIGURES.identity
    )


def _unique_figures(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One figure per identity: the same statement read twice must not become two rows with
    different notes (the store would reject the batch for a duplicate id)."""
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
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


def _unique_documents(incidents: list[_Incident]) -> list[dict[str, Any]]:
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


def _short(value: str, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…'"
