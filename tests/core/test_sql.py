"""SQL string literals: whatever the text, DuckDB reads back exactly that text."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.sql import sql_literal


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_a_literal_reads_back_as_its_text(text: str) -> None:
    """Quotes, backslashes, newlines and non-ASCII survive; nothing is interpreted."""
    (value,) = duckdb.sql(f"SELECT {sql_literal(text)}").fetchone() or (None,)
    assert value == text


def test_an_inner_quote_is_doubled() -> None:
    """O'Brien cannot end the literal early (the injection a path or a slug could carry)."""
    assert sql_literal("O'Brien") == "'O''Brien'"
    assert sql_literal("x'; DROP TABLE figures; --") == "'x''; DROP TABLE figures; --'"
