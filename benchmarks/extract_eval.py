"""Measuring the extractor against Airwars' structured tolls.

Each Airwars incident has an English narrative (``Airwars_assessment``) and a structured toll
(``Civilians reported killed``: "1", "3 – 7", "Unknown"). :func:`evaluate_airwars` runs
:func:`provenance.text.extract.extract` on every narrative whose toll is a number or a range and
compares THE civilians-killed candidate of the narrative (see :func:`pick_killed_candidate`)
with the toll.

Narratives end with a scraped summary ("Civilians reported killed3 – 7") that repeats the
toll; the evaluation is also run on the narrative with that summary cut off, which measures
what the linguistic rules find in the sentences alone.

The picked figure is scored as the hull of the totals the narrative's sources give (Airwars
tolls are ranges from the lowest to the highest source count; see :func:`killed_hull`);
``single_*`` keys score the single best candidate. Exact scores compare intervals, so a hull
"7 – 9" is exact only against a "7 – 9" toll.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provenance.importers.airwars import narrative_end
from provenance.importers.airwars_export import (
    DATE_COLUMN,
    ID_COLUMN,
    KILLED_COLUMN,
    TEXT_COLUMN,
    Toll,
)
from provenance.importers.airwars_export import parse_toll as read_toll_cell
from provenance.importers.airwars_rows import parse_incident_date as read_incident_date
from provenance.text.extract import Candidate
from provenance.text.headline import (
    killed_hull,
    narrative_killed_candidates,
    pick_killed_candidate,
)

_FALLBACK_DATE = dt.date(2000, 1, 1)


def parse_toll(toll: str) -> tuple[float, float] | None:
    """The structured toll as an interval, read as the importer reads it: "3" → (3, 3),
    "3 – 7" → (3, 7); open ("10+"), approximate or no number → None."""
    read = read_toll_cell(toll)
    if not isinstance(read, Toll) or read.value_low is None or read.value_high is None:
        return None
    if read.qualifier not in ("exact", "range"):
        return None
    return read.value_low, read.value_high


def parse_incident_date(value: str) -> dt.date:
    """ "october-7-2023" → 2023-10-07; anything unreadable → a fixed fallback date."""
    return read_incident_date(value) or _FALLBACK_DATE


def strip_summary(text: str) -> str:
    """The narrative without the scraped structured summary at its end."""
    return text[: narrative_end(text)]


def _overlaps(candidate: Candidate, toll: tuple[float, float]) -> bool:
    low = candidate.value_low if candidate.value_low is not None else 0.0
    high = candidate.value_high if candidate.value_high is not None else float("inf")
    return low <= toll[1] and toll[0] <= high


def _exact(candidate: Candidate, toll: tuple[float, float]) -> bool:
    return (candidate.value_low, candidate.value_high) == toll


def _score(rows: list[dict[str, str]], *, narrative_only: bool) -> dict[str, Any]:
    """Scores of the picked candidate (the hull of the sources' totals, see
    :func:`killed_hull`); ``single_*`` keys score the single best candidate instead."""
    scored = picked = exact = overlap = any_overlap = single_exact = single_overlap = 0
    misses: list[dict[str, Any]] = []
    started = time.perf_counter()
    for row in rows:
        toll = parse_toll(row.get(KILLED_COLUMN, ""))
        text = row.get(TEXT_COLUMN) or ""
        if narrative_only:
            text = strip_summary(text)
        published = parse_incident_date(row.get(DATE_COLUMN, ""))
        candidates = narrative_killed_candidates(text, published_on=published)
        if toll is None:
            continue
        scored += 1
        single = pick_killed_candidate(candidates)
        choice = pick_killed_candidate(candidates, hull=True)
        any_overlap += any(_overlaps(c, toll) for c in candidates)
        if choice is None or single is None:
            misses.append(_miss(row, toll, None, "no killed candidate"))
            continue
        picked += 1
        single_exact += _exact(single, toll)
        single_overlap += _overlaps(single, toll)
        exact += _exact(choice, toll)
        overlap += _overlaps(choice, toll)
        if not _overlaps(choice, toll):
            misses.append(_miss(row, toll, choice, _miss_category(choice, toll, candidates)))
    elapsed = time.perf_counter() - started
    return {
        "documents": len(rows),
        "scored": scored,
        "picked": picked,
        "recall_exact": _ratio(exact, scored),
        "recall_overlap": _ratio(overlap, scored),
        "precision_exact": _ratio(exact, picked),
        "precision_overlap": _ratio(overlap, picked),
        "single_recall_exact": _ratio(single_exact, scored),
        "single_recall_overlap": _ratio(single_overlap, scored),
        "single_precision_exact": _ratio(single_exact, picked),
        "single_precision_overlap": _ratio(single_overlap, picked),
        "recall_any_candidate_overlap": _ratio(any_overlap, scored),
        "documents_per_second": round(len(rows) / elapsed, 1) if elapsed else None,
        "miss_categories": dict(Counter(m["category"] for m in misses).most_common()),
        "misses": misses,
    }


def _miss_category(
    choice: Candidate, toll: tuple[float, float], candidates: Sequence[Candidate]
) -> str:
    if any(_overlaps(c, toll) for c in candidates):
        return "right figure present, another picked"
    high = choice.value_high if choice.value_high is not None else float("inf")
    return (
        "picked figure too high"
        if (choice.value_low or 0) > toll[1] or high > toll[1]
        else "picked figure too low"
    )


def _miss(
    row: dict[str, str], toll: tuple[float, float], choice: Candidate | None, category: str
) -> dict[str, Any]:
    return {
        "incident": row.get(ID_COLUMN),
        "toll": toll,
        "picked": None if choice is None else (choice.value_low, choice.value_high),
        "value_text": None if choice is None else choice.value_text,
        "pattern": None if choice is None else choice.pattern,
        "category": category,
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def evaluate_airwars(csv_path: str | Path) -> dict[str, Any]:
    """Recall, precision, misses and throughput of the civilians-killed candidate.

    ``with_summary`` runs on the full narrative; ``narrative_only`` cuts the scraped summary
    first. ``narrative_only_even`` and ``narrative_only_odd`` score the two halves of the rows:
    the rules were developed looking at the even rows only, so the odd half is the held-out
    measure. Top-level keys repeat ``with_summary`` for convenience.
    """
    with Path(csv_path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with_summary = _score(rows, narrative_only=False)
    narrative_only = _score(rows, narrative_only=True)
    return {
        **with_summary,
        "with_summary": with_summary,
        "narrative_only": narrative_only,
        "narrative_only_even": _score(rows[0::2], narrative_only=True),
        "narrative_only_odd": _score(rows[1::2], narrative_only=True),
    }


def _print_report(result: dict[str, Any]) -> None:
    for name in ("with_summary", "narrative_only", "narrative_only_even", "narrative_only_odd"):
        part = result[name]
        summary = {k: v for k, v in part.items() if k != "misses"}
        print(name, summary)


if __name__ == "__main__":
    import sys

    _print_report(
        evaluate_airwars(
            sys.argv[1] if len(sys.argv) > 1 else "../shared/data/airwars/incidents-dev.csv"
        )
    )


__all__ = [
    "evaluate_airwars",
    "killed_hull",
    "narrative_killed_candidates",
    "parse_incident_date",
    "parse_toll",
    "pick_killed_candidate",
    "strip_summary",
]
