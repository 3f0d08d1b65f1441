"""One row of an Airwars export: its document, its subject and its structured toll figures."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from provenance.core.calendar import MONTHS
from provenance.core.ids import document_id
from provenance.importers.airwars_export import (
    CLAIMANT_ID,
    DATE_COLUMN,
    DESCRIPTION_COLUMNS,
    ID_COLUMN,
    LANGUAGE,
    OUTLET,
    REASON_NO_DATE,
    REASON_NO_ID,
    REASON_NO_TEXT,
    REASON_NOT_IN_TEXT,
    STRUCTURED_NOTE,
    TEXT_COLUMN,
    TOLL_COLUMNS,
    URL_COLUMN,
    NoToll,
    SkippedCell,
    Toll,
    find_statement,
    parse_toll,
)

# --- one row ---------------------------------------------------------------------------------


@dataclass
class Incident:
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


def read_incident(
    position: int, row: dict[str, str], skipped: list[SkippedCell]
) -> Incident | None:
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
        "document_id": document_id(text),
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
    return Incident(position, incident_id, document, subject, figures)


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
