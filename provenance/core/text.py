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
    """A value as a message shows it: strings quoted (repr), then shortened.

    A 1 MB cell is cut before repr (which would copy it whole); an integer of thousands of
    digits is described, not printed (str() refuses beyond 4 300 digits).
    """
    if isinstance(value, str):
        shown = repr(value[: limit + 1])
        return shown if len(value) <= limit and len(shown) <= limit else shorten(shown, limit)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = str(value)
    except (ValueError, RecursionError):
        text = f"a {type(value).__name__}"
    return shorten(text, limit)


# Everything str.splitlines() breaks on: a message line must stay one line for any reader.
_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
_LINE_BREAKS.update({ord("\n"): "\\n", ord("\r"): "\\r"})


def one_line(text: str) -> str:
    """``text`` as one printable line: line breaks escaped, lone surrogates shown as escapes."""
    text = text.translate(_LINE_BREAKS)
    # Lone surrogates (from JSON "\ud800") cannot be printed or encoded: show them escaped.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def first_line(error: BaseException) -> str:
    """An exception's first line of text, for a one-line message (its type when it has none)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """The count and its noun, singular for exactly one: 1 document, 2 documents (``nouns``
    for an irregular plural)."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
