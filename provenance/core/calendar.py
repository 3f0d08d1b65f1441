"""Month and weekday names in the languages provenance reads, declared once.

The extractor, the number reader (a day of the month is not a figure) and the weekday rule all
derive their patterns from these tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# Weekday names, Monday first (index = date.weekday()).
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
}

# Month names (lower case, with the accent-free spellings people type) → month number.
MONTHS: dict[str, dict[str, int]] = {
    "fr": {
        "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
        "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
        "décembre": 12, "decembre": 12,
    },
    "en": {
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
        "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    },
}  # fmt: skip

# English abbreviations, recognised where a day of the month could be mistaken for a count.
MONTH_ABBREVIATIONS_EN = (
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sept",
    "sep",
    "oct",
    "nov",
    "dec",
)

MONTH_NUMBERS: dict[str, int] = {
    name: n for months in MONTHS.values() for name, n in months.items()
}
WEEKDAY_NUMBERS: dict[str, int] = {
    name: i for names in WEEKDAYS.values() for i, name in enumerate(names)
}


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of names, longest first so that "sept" does not stop "september"."""
    return "|".join(sorted(names, key=len, reverse=True))


# --- dates written without their year ----------------------------------------------------
#
# One rule, used by the extractor (stated dates) and the weekday rule (its SQL twin below):
# a day and month without a year take the year — the publication's, the one before or the one
# after — that puts the date nearest the publication date; a tie goes to the earlier date.
# "le jeudi 25 mai" in an article of 28 May 2017 is 2017-05-25; "Tuesday, October 24th" in a
# report dated 23 October 2023 is 2023-10-24; "28 December" in a report of 2 January 2024 is
# 2023-12-28.


def resolve_date(day: int, month: int, year: int | None, published_on: dt.date) -> dt.date | None:
    """The date meant by a day and month (and maybe a year); None if it does not exist."""
    if year is not None:
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    options = []
    for candidate_year in (published_on.year - 1, published_on.year, published_on.year + 1):
        try:
            options.append(dt.date(candidate_year, month, day))
        except ValueError:
            continue
    if not options:
        return None
    return min(options, key=lambda d: (abs((d - published_on).days), d))


def resolve_date_sql(day: str, month: str, year: str, published_on: str) -> str:
    """The SQL twin of :func:`resolve_date` over DuckDB expressions (NULL year = yearless)."""
    options = [
        f"try(make_date(year({published_on}) + {offset}, {month}, {day}))" for offset in (-1, 0, 1)
    ]
    gaps = [f"coalesce(abs(date_diff('day', {published_on}, {o})), 1000000)" for o in options]
    before, same, after = options
    gap_before, gap_same, gap_after = gaps
    return (
        f"CASE WHEN {year} IS NOT NULL THEN try(make_date({year}, {month}, {day})) "
        f"WHEN {gap_before} <= {gap_same} AND {gap_before} <= {gap_after} THEN {before} "
        f"WHEN {gap_same} <= {gap_after} THEN {same} ELSE {after} END"
    )
