"""Wording one-line messages, in one place: shortening text, counting nouns right."""

from __future__ import annotations

from typing import Any

ELLIPSIS = "…"


def shorten(text: str | None, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut; None is ''."""
    if text is None:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def shorten_value(value: Any, limit: int) -> str:
    """A value as a message shows it: strings quoted (repr), then shortened."""
    return shorten(repr(value) if isinstance(value, str) else str(value), limit)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """The count and its noun, singular for exactly one: 1 document, 2 documents (``nouns``
    for an irregular plural)."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
