"""An Airwars export as it comes: its columns, its toll cells, and the import report.

"1" → exact 1, "3 – 7" → range [3, 7], "10+" → at least 10, "~10" → approximately 10;
"Unknown", "NA", empty and unreadable cells give no figure and a :class:`SkippedCell`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.core.errors import ConfigError, Problem, ProvenanceError
from provenance.core.intervals import interval_for
from provenance.core.text import plural, shorten_value

if TYPE_CHECKING:
    from provenance.storage.warehouse import AppendResult


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

STRUCTURED_NOTE = "Airwars structured field {column!r}: {value!r}"

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
        return f"{where}: {self.reason} (value: {shorten_value(self.value, 60)})"


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
