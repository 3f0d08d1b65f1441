"""Shortening text for one-line messages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.text import ELLIPSIS, first_line, shorten, shorten_value


@settings(max_examples=100, deadline=None)
@given(text=st.text(), limit=st.integers(min_value=1, max_value=50))
def test_shorten_keeps_a_prefix_within_the_limit(text: str, limit: int) -> None:
    """Short text is unchanged; longer text is its prefix and an ellipsis, `limit` long."""
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert short.endswith(ELLIPSIS) and text.startswith(short[:-1])


def test_shorten_value_quotes_strings_only() -> None:
    """A string shows as its repr (the problem line says where it starts and ends)."""
    assert shorten_value("roughly", 80) == "'roughly'"
    assert shorten_value(3100.0, 80) == "3100.0"
    assert shorten_value("x" * 100, 10) == "'xxxxxxxx" + ELLIPSIS
    assert shorten(None, 5) == ""


def test_first_line_of_an_error() -> None:
    """An exception's first non-blank line, or its type when it says nothing."""
    assert first_line(ValueError("\n  bad value\nLINE 1: select")) == "bad value"
    assert first_line(KeyError()) == "KeyError"
