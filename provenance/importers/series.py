"""Published series (a ministry's daily tolls, a dataset release) as sourced figures.

``provenance import series FILE…`` reads long-format CSV (or JSON Lines, one object a line):
one row per statement, with a date and a value, and the claimant, subject and metric either as columns or fixed by options. The file
itself is the archived document (a release is what was published), and each figure quotes its
row exactly as written, anchored at the row's offsets in the file's NFC text.

Re-importing, or importing a later release of the same series, appends only what is new:

- a (claimant, subject, metric, date) the warehouse does not hold → a new figure;
- the same value as the live figure for that date → nothing (the earlier release stays the
  source);
- another value for a known date → a new figure quoting the new release, with ``supersedes``
  naming the figure it corrects: history is kept, current views show the correction, and the
  revision rules list a lowering correction as explained.

A release with nothing new archives nothing. Files are read in the order given, all in ONE batch
with their documents, claimants and subjects; a row without a readable date or value is skipped
with one line of the report, never guessed.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from provenance.core.errors import ConfigError, Problem
from provenance.core.ids import content_id, document_id
from provenance.core.schema import ENTITY_KINDS, METRICS
from provenance.storage.inputs import read_text
from provenance.storage.warehouse import Warehouse

DATE_COLUMNS = ("stated_on", "date")
JSON_LINES = (".jsonl", ".ndjson")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class SeriesOptions:
    """Where each field comes from: a column, or one value for every row (``claimant`` etc.)."""

    date_column: str | None = None  # default: stated_on, else date
    value_column: str = "value"
    claimant_column: str = "claimant"
    subject_column: str = "subject"
    metric_column: str = "metric"
    note_column: str = "note"
    claimant: str | None = None  # a name for every row, instead of a column
    subject: str | None = None
    metric: str | None = None
    metric_map: dict[str, str] = field(default_factory=dict)  # the file's name → vocabulary
    claimant_kind: str = "monitor"
    subject_prefix: str = ""
    language: str = "en"
    published_on: str | None = None  # default: the latest date in the file
    url: str | None = None
    outlet: str | None = None


@dataclass
class SeriesReport:
    """What an import did, for the CLI and tests."""

    rows: int = 0
    new: int = 0
    corrected: int = 0
    unchanged: int = 0
    documents: int = 0
    batch_id: str | None = None
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = f"batch {self.batch_id}" if self.batch_id else "nothing appended"
        return (
            f"{self.rows} rows: {self.new} new figures, {self.corrected} corrections "
            f"(supersedes), {self.unchanged} already known, {len(self.skipped)} skipped; "
            f"{self.documents} documents archived; {where}"
        )


def slug(name: str) -> str:
    """An entity or subject id from a name: "Australia/New South Wales" → australia-new-south-wales."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "unnamed"


@dataclass
class _Row:
    file: str
    line: int
    start: int
    end: int
    cells: dict[str, str]


def _rows(text: str) -> Iterator[_Row]:
    """CSV rows with the code-point span of each row as written (a quoted cell may hold a
    newline: the row spans the lines the reader consumed)."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    consumed = [0, 0]  # offset after the last line handed to the reader, lines handed

    def feed() -> Iterator[str]:
        for line in lines:
            consumed[0] += len(line)
            consumed[1] += 1
            yield line

    reader = csv.reader(feed())
    header = next(reader, None)
    if header is None:
        return
    start = consumed[0]
    for cells in reader:
        end, line = consumed[0], consumed[1]
        if cells:
            quote_end = len(text[start:end].rstrip("\r\n")) + start
            yield _Row("", line, start, quote_end, dict(zip(header, cells, strict=False)))
        start = end


def _json_lines(text: str) -> Iterator[_Row]:
    """JSON Lines rows (one object a line), each spanning its line; a line that is not an
    object becomes a row without cells, skipped with a line of the report."""
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        written = line.rstrip("\r")
        if written.strip():
            try:
                value = json.loads(written)
            except json.JSONDecodeError:
                value = None
            cells = (
                {str(k): "" if v is None else str(v) for k, v in value.items()}
                if isinstance(value, dict)
                else {}
            )
            yield _Row("", number, offset, offset + len(written), cells)
        offset += len(line) + 1


def _release_rows(path: Path, text: str) -> Iterator[_Row]:
    return _json_lines(text) if path.suffix.lower() in JSON_LINES else _rows(text)


def import_series(
    warehouse: Warehouse, files: Sequence[Path], options: SeriesOptions
) -> SeriesReport:
    """Import one or more releases of published series as one batch (see the module doc)."""
    _check_options(options)
    report = SeriesReport()
    releases = []
    for path in files:
        text = unicodedata.normalize("NFC", read_text(path))
        doc_id = document_id(text)
        parsed = []
        for row in _release_rows(path, text):
            row.file = str(path)
            report.rows += 1
            figure = _figure(row, options, doc_id, text, report)
            if figure is not None:
                parsed.append((row, figure))
        releases.append((path, text, parsed))
    # Only the series these releases speak of are looked up, not the whole warehouse.
    series = {(f["claimant_id"], f["subject_id"], f["metric"]) for *_, p in releases for _, f in p}
    known = _live_figures(warehouse, series)
    known_entities = _known_ids(warehouse, "entities", "entity_id", {c for c, _, _ in series})
    known_subjects = _known_ids(warehouse, "subjects", "subject_id", {s for _, s, _ in series})
    tables: dict[str, list[dict[str, Any]]] = {
        "documents": [],
        "entities": [],
        "subjects": [],
        "figures": [],
    }
    for path, text, parsed in releases:
        figures = []
        for row, figure in parsed:
            key = (
                figure["claimant_id"],
                figure["subject_id"],
                figure["metric"],
                figure["stated_on"],
            )
            current = known.get(key)
            if current is not None and current[1] == figure["value_low"]:
                report.unchanged += 1
                continue
            if current is not None:
                figure["supersedes"] = current[0]
                report.corrected += 1
            else:
                report.new += 1
            figure["figure_id"] = content_id("figures", figure)
            known[key] = (figure["figure_id"], figure["value_low"])
            figures.append(figure)
            tables["entities"] += _new_entity(row, options, known_entities)
            tables["subjects"] += _new_subject(row, options, known_subjects)
        if figures:
            # A release is published no earlier than its last row: the default date.
            latest = max(f["stated_on"] for _, f in parsed)
            tables["figures"] += figures
            tables["documents"].append(_document(path, text, options, latest))
    if not tables["figures"]:
        return report
    result = warehouse.append_rows(
        {name: rows for name, rows in tables.items() if rows}, source=_source(files)
    )
    report.batch_id = result.batch_id
    report.documents = result.written.get("documents", 0)
    return report


def _check_options(options: SeriesOptions) -> None:
    problems = []
    targets = ([options.metric] if options.metric else []) + list(options.metric_map.values())
    problems += [
        f"metric {m!r} is not in the vocabulary ({', '.join(METRICS)})"
        for m in targets
        if m not in METRICS
    ]
    if options.claimant_kind not in ENTITY_KINDS:
        problems.append(
            f"claimant kind {options.claimant_kind!r}: one of {', '.join(ENTITY_KINDS)}"
        )
    if problems:
        raise ConfigError([Problem("config-error", p) for p in problems])


def _cell(row: _Row, column: str, fixed: str | None) -> str | None:
    if fixed is not None:
        return fixed
    value = row.cells.get(column)
    return value.strip() if value and value.strip() else None


def _figure(
    row: _Row, options: SeriesOptions, doc_id: str, text: str, report: SeriesReport
) -> dict[str, Any] | None:
    def skip(reason: str) -> None:
        report.skipped.append(f"{row.file} line {row.line}: {reason}")

    if not row.cells:
        skip("not a JSON object")
        return None

    date_column = options.date_column or next(
        (c for c in DATE_COLUMNS if c in row.cells), DATE_COLUMNS[0]
    )
    written_date = _cell(row, date_column, None)
    stated = _parse_date(written_date)
    if stated is None:
        skip(f"no readable date in column {date_column!r} ({written_date!r})")
        return None
    written_value = _cell(row, options.value_column, None)
    if written_value is None or not _NUMBER.match(written_value):
        skip(f"no count in column {options.value_column!r} ({written_value!r})")
        return None
    claimant = _cell(row, options.claimant_column, options.claimant)
    subject = _cell(row, options.subject_column, options.subject)
    source_metric = _cell(row, options.metric_column, options.metric)
    if claimant is None or subject is None or source_metric is None:
        skip("no claimant, subject or metric (give a column or --claimant/--subject/--metric)")
        return None
    metric = options.metric or options.metric_map.get(source_metric, source_metric)
    if metric not in METRICS:
        raise ConfigError(
            f"{row.file} line {row.line}: metric {source_metric!r} is not in the vocabulary; "
            f"map it with --metric NAME or --metric-map {source_metric}=NAME"
        )
    value = float(written_value)
    return {
        "document_id": doc_id,
        "subject_id": options.subject_prefix + slug(subject),
        "metric": metric,
        "claimant_id": slug(claimant),
        "speaker_id": None,
        "stated_on": stated[0],
        "stated_precision": stated[1],
        "value_low": value,
        "value_high": value,
        "qualifier": "exact",
        "value_text": written_value,
        "quote": text[row.start : row.end],
        "quote_start": row.start,
        "quote_end": row.end,
        "supersedes": None,
        "note": _cell(row, options.note_column, None),
    }


def _parse_date(written: str | None) -> tuple[date, str] | None:
    match = _DATE.match(written or "")
    if not match:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1)), (
            "day" if day else "month" if month else "year"
        )
    except ValueError:
        return None


def _new_entity(row: _Row, options: SeriesOptions, known: set[str]) -> list[dict[str, Any]]:
    name = _cell(row, options.claimant_column, options.claimant)
    if name is None or slug(name) in known:
        return []
    known.add(slug(name))
    return [{"entity_id": slug(name), "name": name, "kind": options.claimant_kind}]


def _new_subject(row: _Row, options: SeriesOptions, known: set[str]) -> list[dict[str, Any]]:
    name = _cell(row, options.subject_column, options.subject)
    if name is None:
        return []
    subject_id = options.subject_prefix + slug(name)
    if subject_id in known:
        return []
    known.add(subject_id)
    return [{"subject_id": subject_id, "description": name}]


def _document(path: Path, text: str, options: SeriesOptions, latest: date | None) -> dict[str, Any]:
    # A release is published no earlier than its last row: the default publication date.
    published = options.published_on or (latest.isoformat() if latest else None)
    return {
        "url": options.url,
        "title": path.name,
        "outlet": options.outlet,
        "language": options.language,
        "published_on": published,
        "retrieved_at": datetime.now(UTC),
        "text": text,
    }


def _live_figures(
    warehouse: Warehouse, series: set[tuple[str, str, str]]
) -> dict[tuple[Any, ...], tuple[str, float | None]]:
    """The live figure per (claimant, subject, metric, date) of ``series``; ties: the larger id."""
    import pyarrow as pa

    if not series:
        return {}
    claimants, subjects, metrics = (list(column) for column in zip(*sorted(series), strict=True))
    wanted = pa.table({"claimant_id": claimants, "subject_id": subjects, "metric": metrics})
    with warehouse.connect() as connection:
        connection.register("wanted_series", wanted)
        rows = connection.execute(
            """
            SELECT claimant_id, subject_id, metric, stated_on,
                   arg_max(figure_id, figure_id), arg_max(value_low, figure_id)
            FROM current_figures JOIN wanted_series USING (claimant_id, subject_id, metric)
            GROUP BY ALL
            """
        ).fetchall()
    return {(c, s, m, d): (f, v) for c, s, m, d, f, v in rows}


def _known_ids(warehouse: Warehouse, table: str, key: str, among: set[str]) -> set[str]:
    """Those of ``among`` that ``table`` already holds as its ``key``."""
    if not among:
        return set()
    with warehouse.connect() as connection:
        rows = connection.execute(
            f"SELECT {key} FROM {table} WHERE list_contains(?::VARCHAR[], {key})", [sorted(among)]
        ).fetchall()
    return {r[0] for r in rows}


def _source(files: Sequence[Path]) -> str:
    return str(files[0]) if len(files) == 1 else f"{len(files)} files"
