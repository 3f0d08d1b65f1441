"""An Airwars export's toll cells: what they state, what they refuse, where the text says it."""

from __future__ import annotations

import pytest

from provenance.importers import airwars_export as airwars
from provenance.importers.airwars_export import (
    INJURED_COLUMN,
    KILLED_COLUMN,
    NoToll,
    Toll,
    find_statement,
    parse_toll,
)


@pytest.mark.parametrize(
    ("cell", "qualifier", "low", "high"),
    [
        ("1", "exact", 1, 1),
        ("0", "exact", 0, 0),
        ("3 – 7", "range", 3, 7),
        ("3-7", "range", 3, 7),
        ("12–24", "range", 12, 24),
        ("  5 —  8 ", "range", 5, 8),
        ("4 – 4", "exact", 4, 4),
        ("10+", "at_least", 10, None),
        ("1,200", "exact", 1200, 1200),
        ("at least 3", "at_least", 3, None),
        ("more than 3", "more_than", 4, None),
        ("<5", "less_than", None, 4),
    ],
)
def test_parse_toll_reads_numbers(
    cell: str, qualifier: str, low: float | None, high: float | None
) -> None:
    """A toll cell stating a number reads as its qualifier and interval."""
    toll = parse_toll(cell)
    assert isinstance(toll, Toll)
    assert (toll.qualifier, toll.value_low, toll.value_high) == (qualifier, low, high)


def test_parse_toll_approximately_is_a_band() -> None:
    """ "~10" is approximately 10: a band around 10, not exactly 10."""
    toll = parse_toll("~10")
    assert isinstance(toll, Toll) and toll.qualifier == "approximately"
    assert toll.value_low is not None and toll.value_high is not None
    assert toll.value_low < 10 < toll.value_high


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("Unknown", airwars.REASON_UNKNOWN),
        ("unknown", airwars.REASON_UNKNOWN),
        ("NA", airwars.REASON_NA),
        ("N/A", airwars.REASON_NA),
        ("", airwars.REASON_EMPTY),
        ("   ", airwars.REASON_EMPTY),
        (None, airwars.REASON_EMPTY),
        ("many", airwars.REASON_UNREADABLE),
        ("3 – ", airwars.REASON_UNREADABLE),
        ("2.5", airwars.REASON_UNREADABLE),
        ("3 – 7 – 9", airwars.REASON_UNREADABLE),
        ("7 – 3", airwars.REASON_BACKWARDS),
    ],
)
def test_parse_toll_refuses_what_is_not_a_number(cell: str | None, reason: str) -> None:
    """Unknown, NA, empty and malformed cells give no toll and a reason, never a guess."""
    assert parse_toll(cell) == NoToll(reason)


def test_find_statement_needs_the_whole_number() -> None:
    """The value is found after its label, any dash or spacing, never inside a longer number."""
    text = "…Civilians reported killed12(1 man)Civilians reported injured3–7Cause…"
    assert find_statement(text, KILLED_COLUMN, _toll("1")) is None
    start, end = find_statement(text, KILLED_COLUMN, _toll("12")) or (0, 0)
    assert text[start:end] == "Civilians reported killed12"
    start, end = find_statement(text, INJURED_COLUMN, _toll("3 – 7")) or (0, 0)
    assert text[start:end] == "Civilians reported injured3–7"


def _toll(cell: str) -> Toll:
    toll = parse_toll(cell)
    assert isinstance(toll, Toll)
    return toll
