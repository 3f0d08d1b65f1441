"""Day-and-month dates in a text, resolved against the publication date (one calendar rule)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from provenance.core.calendar import MONTH_NUMBERS, WEEKDAY_NUMBERS, resolve_date
from provenance.text.reading.tokens import SPACE as _SP

_MONTH_NUMBERS = MONTH_NUMBERS
_WEEKDAYS = WEEKDAY_NUMBERS
_WEEKDAY = (
    r"(?P<weekday>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_DATES = [
    # "le jeudi 25 mai", "ce dimanche 28 mai 2017", "Sunday 15 October", "the 22nd of October"
    re.compile(
        rf"(?:{_WEEKDAY},?{_SP}+)?(?:the{_SP}+)?(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?{_SP}+"
        rf"(?:of{_SP}+)?(?P<month>janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|"
        rf"septembre|octobre|novembre|décembre|decembre|January|February|March|April|May|June|"
        rf"July|August|September|October|November|December)(?:,?{_SP}+(?P<year>\d{{4}}))?\b"
    ),
    # "Thursday, October 19th 2023", "May 25"
    re.compile(
        rf"(?:{_WEEKDAY},?{_SP}+)?(?P<month>January|February|March|April|May|June|July|August|"
        rf"September|October|November|December){_SP}+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?:,?{_SP}+(?P<year>\d{{4}}))?"
    ),
]
_DATE_NEAR_CUE = 45


@dataclass(frozen=True)
class StatedDate:
    start: int
    end: int
    date: dt.date
    weekday_mismatch: str | None


def find_dates(text: str, published_on: dt.date) -> list[StatedDate]:
    """Day-and-month dates in the text, resolved against the publication date."""
    found: list[StatedDate] = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            year = int(match.group("year")) if match.group("year") else None
            month = _MONTH_NUMBERS[match.group("month").casefold()]
            date = resolve_date(int(match.group("day")), month, year, published_on)
            if date is None or any(d.start <= match.start() < d.end for d in found):
                continue
            found.append(
                StatedDate(match.start(), match.end(), date, _weekday_mismatch(match, date))
            )
    return sorted(found, key=lambda d: d.start)


def _weekday_mismatch(match: re.Match[str], date: dt.date) -> str | None:
    weekday = match.group("weekday")
    if weekday and _WEEKDAYS[weekday.casefold()] != date.weekday():
        actual = date.strftime("%A")
        return f"weekday mismatch: {match.group()!r} but {date.isoformat()} is a {actual}"
    return None
