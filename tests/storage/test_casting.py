"""Vectorised casts read every cell as the per-cell reader does, or hand the column to it."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.schema import TABLES, Kind
from provenance.storage.casting import typed_table
from provenance.storage.contracts import read_cell

FIGURES = TABLES["figures"]

# Cells as CSV, JSONL and Parquet give them: plain forms the casts read, and odd ones only the
# per-cell reader may judge (padding, separators, impossible dates, huge or non-finite numbers).
_NUMBERS = ["3100", "-2", "2.5", "1e3", " 5", "5 ", "1_000", "+4", "0012", "9" * 25, "nan", "inf"]
_DATES = ["2024-02-29", "2023-02-29", "0000-01-01", "2024-13-01", "2024-01", "2024", "2024-1-5"]
_OTHERS = ["2024-W01-1", "", "   ", "\x1c", "\u00a0", "texte", "a|b", '["a", "b"]', "\ud800"]
_TEXTS = st.sampled_from([*_NUMBERS, *_DATES, *_OTHERS])
_CELLS = st.one_of(
    st.none(),
    _TEXTS,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.lists(st.sampled_from(["a", "b", "\u00e9"]), max_size=2),
)
_COLUMNS = [
    FIGURES.column(name)
    for name in ("quote_start", "value_low", "stated_on", "note", "qualifier", "supersedes")
] + [TABLES["relations"].column("reference_ids")]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_COLUMNS), st.lists(_CELLS, min_size=1, max_size=6), st.booleans())
def test_a_column_reads_as_cell_by_cell_or_not_at_all(column, cells, as_arrow) -> None:
    """Whatever the cells, the typed column equals reading each cell alone; a cell the reader
    refuses makes the whole table unreadable here (the per-cell path then names it)."""
    table = TABLES["relations"] if column.name == "reference_ids" else FIGURES
    values: Any = cells
    # As a Parquet column holds them: one type per column (Arrow's inference would make
    # [0, 0.0] two doubles, which no file holds as such).
    if as_arrow and len({type(c) for c in cells if c is not None}) <= 1:
        try:
            values = pa.array(cells)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            values = cells
    typed = typed_table(table, {column.name: values})
    expected = []
    for cell in cells:
        try:
            expected.append(read_cell(column, cell)[0])
        except (ValueError, OverflowError):
            assert typed is None
            return
    if typed is None:
        return  # a cell only the per-cell reader reads, and a neighbour too long or so
    got = typed.column(column.name).to_pylist()
    assert len(got) == len(expected)
    assert all(_same(g, e) for g, e in zip(got, expected, strict=True)), (got, expected)


def test_dates_say_how_precise_they_were() -> None:
    typed = typed_table(
        FIGURES,
        {
            "stated_on": pa.array(["2024-05-28", "2024-05", "2024", None]),
            "stated_precision": pa.array([None, None, "day", None], pa.string()),
        },
    )
    assert typed is not None
    assert typed.column("stated_on").to_pylist() == [
        dt.date(2024, 5, 28),
        dt.date(2024, 5, 1),
        dt.date(2024, 1, 1),
        None,
    ]
    # A precision given wins over the one the date's form implies.
    assert typed.column("stated_precision").to_pylist() == ["day", "month", "day", None]


def test_unknown_columns_and_long_keys_go_cell_by_cell() -> None:
    assert typed_table(FIGURES, {"metric_name": ["killed"]}) is None
    assert typed_table(FIGURES, {"supersedes": ["f-" + "a" * 300]}) is None
    assert typed_table(FIGURES, {"supersedes": ["f-" + "a" * 100]}) is not None


def test_kinds_are_all_covered() -> None:
    """Every kind an input column has is cast here (a new kind needs a cast or a test)."""
    kinds = {c.kind for t in TABLES.values() if t.stored for c in t.input_columns}
    assert kinds == {
        Kind.STRING,
        Kind.INTEGER,
        Kind.NUMBER,
        Kind.DATE,
        Kind.TIMESTAMP,
        Kind.STRING_LIST,
    }


# Every character str.strip() removes, a few that it keeps, and one that only follows them.
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.none() | st.text(alphabet=_SPACES + "a\u00e9!", max_size=4), min_size=1, max_size=6
    ),
    st.integers(min_value=0, max_value=2),
)
def test_a_required_text_of_separators_is_read_as_the_per_cell_reader_reads_it(
    cells: list[str | None], start: int
) -> None:
    """Blank texts (empty, or only whitespace and separators) of a required column read as
    each cell alone reads, however they start, in a sliced array too (its buffers are shared)."""
    column = FIGURES.column("quote")
    array = pa.array([*["x"] * start, *cells], pa.string()).slice(start)
    typed = typed_table(FIGURES, {"quote": array})
    assert typed is not None
    expected = [read_cell(column, cell)[0] for cell in cells]
    assert typed.column("quote").to_pylist() == expected
