"""THE killed figure of a narrative: the headline toll among its candidates.

A monitor's narrative states its toll up front, then revisits parts of it and cites context
figures. :func:`pick_killed_candidate` chooses the headline figure; :func:`killed_hull` spans
the totals its sources give, as a monitor's "3 – 7" spans its sources' counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from provenance.text.extract import Candidate, extract

_FALLBACK_DATE = dt.date(2000, 1, 1)
KILLED_METRICS = ("civilians_killed", "killed")
SUBSET_METRICS = ("children_killed", "women_killed")


def narrative_killed_candidates(
    text: str, *, language: str = "en", published_on: dt.date = _FALLBACK_DATE
) -> list[Candidate]:
    """Every candidate counting people killed (civilians, people, children, women)."""
    return [
        c
        for c in extract(text, language=language, published_on=published_on)
        if isinstance(c, Candidate) and c.metric in KILLED_METRICS + SUBSET_METRICS
    ]


def pick_killed_candidate(
    candidates: Sequence[Candidate], *, hull: bool = False
) -> Candidate | None:
    """THE civilians-killed figure of a narrative.

    Rule: among candidates counting all the killed (civilians_killed, killed) take the one with
    the highest confidence, and among equals the first in the text — narratives state their
    toll up front and later sentences revisit parts of it. Subsets (children_killed, …) are
    used only when nothing else counts the killed. The maximum is not used: narratives cite
    larger context figures (the Ministry's list of thousands of names, a family of 30).

    With ``hull=True`` the figure is the range spanning the totals the narrative reports from
    its sources (see :func:`killed_hull`), as a monitor's "3 – 7" spans its sources' counts.
    """
    totals = [c for c in candidates if c.metric in KILLED_METRICS]
    pool = totals or [c for c in candidates if c.metric in SUBSET_METRICS]
    if not pool:
        return None
    best = max(c.confidence for c in pool)
    choice = next(c for c in pool if c.confidence == best)
    return killed_hull(choice, totals) if hull and totals else choice


# A total reported by a source: the sentence names who reported, counted or identified it.
_SOURCED = re.compile(
    r"\b(?:reported|reports|according|sources?|claimed|said|stated|posted|told|identified|"
    r"named|listed|counted|documented|confirmed)\b",
    re.IGNORECASE,
)
HULL_MIN_CONFIDENCE = 0.7
HULL_MAX_FACTOR = 2.0


def killed_hull(choice: Candidate, totals: Sequence[Candidate]) -> Candidate:
    """The range from the lowest to the highest total the sources give, around ``choice``.

    A total joins the range when it is a stated count (not an implicit one), held with
    confidence ≥ ``HULL_MIN_CONFIDENCE`` (a head count attached to its harm word, not a listed
    part), attributed to a source (a claimant, or a reporting verb in its sentence) and within a
    factor ``HULL_MAX_FACTOR`` of the chosen figure (context tolls of thousands stay out).
    A figure read from the scraped structured summary is the monitor's own range and is
    returned as is. With no alternative the chosen candidate is returned unchanged; otherwise a copy
    spanning them, with ``pattern`` "hull:…" and a note listing the figures it spans.
    """
    if choice.pattern.startswith("summary+"):
        return choice  # the monitor's own structured toll already spans its sources
    reference = choice.value_low or choice.value_high
    members = [choice]
    for candidate in totals:
        value = candidate.value_low or candidate.value_high
        if (
            candidate is choice
            or candidate.pattern.startswith("implicit:")
            or candidate.confidence < HULL_MIN_CONFIDENCE
            or not value
            or not reference
            or not reference / HULL_MAX_FACTOR <= value <= reference * HULL_MAX_FACTOR
            or not (candidate.claimant_id or _SOURCED.search(candidate.quote))
        ):
            continue
        members.append(candidate)
    if len(members) == 1:
        return choice
    lows = [m.value_low for m in members]
    highs = [m.value_high for m in members]
    low = None if None in lows else min(v for v in lows if v is not None)
    high = None if None in highs else max(v for v in highs if v is not None)
    if (low, high) == (choice.value_low, choice.value_high):
        return choice
    spanned = ", ".join(m.value_text for m in sorted(members, key=lambda m: m.value_start))
    return dataclasses.replace(
        choice,
        value_low=low,
        value_high=high,
        qualifier="range" if low is not None and high is not None else choice.qualifier,
        pattern="hull:" + choice.pattern,
        note=f"range across the sources' totals: {spanned}",
    )
