"""Month and weekday names in the languages provenance reads, declared once.

The extractor, the number reader (a day of the month is not a figure) and the weekday rule all
derive their patterns from these tables.
"""

from __future__ import annotations

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
