"""Writing values into SQL text, in one place."""

from __future__ import annotations


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal: single quotes around it, inner quotes doubled."""
    return "'" + text.replace("'", "''") + "'"
