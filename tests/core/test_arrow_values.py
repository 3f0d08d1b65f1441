"""Arrow values built from buffers equal what pa.array / pa.scalar build from the same values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.arrow_values import (
    bools,
    floats,
    int64s,
    joined_texts,
    scalar,
    texts,
    valid_mask,
)

# Valid UTF-8 only (no lone surrogate), as every text the batch path builds comes from Arrow.
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | _TEXT, max_size=40))
def test_texts_equal_pa_array(values: list[str | None]) -> None:
    built = texts(values)
    built.validate(full=True)
    assert built.equals(pa.array(values, pa.string()))
    assert built.null_count == sum(v is None for v in values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.none() | _TEXT, max_size=8), min_size=1, max_size=3), st.integers(0, 3))
def test_joined_texts_are_the_values_joined_in_utf8(
    chunks: list[list[str | None]], start: int
) -> None:
    """Chunked or sliced (the buffers then hold more than the values) alike."""
    chunked = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())
    values = [v for c in chunks for v in c]
    assert joined_texts(chunked) == "".join(map(str, values)).encode()
    sliced = chunked.combine_chunks().slice(min(start, len(values)))
    assert joined_texts(sliced) == "".join(map(str, values[start:])).encode()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | _TEXT, max_size=40), st.integers(0, 20))
def test_valid_mask_is_where_values_are_not_null(values: list[str | None], start: int) -> None:
    """From the validity bitmap, at the slice's own offset (bits, not bytes)."""
    sliced = pa.array(values, pa.string()).slice(min(start, len(values)))
    expected = [v is not None for v in values[start:]]
    assert valid_mask(sliced).dtype == np.bool_
    assert valid_mask(sliced).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), max_size=70))
def test_bools_and_int64s_equal_pa_array(values: list[bool]) -> None:
    assert bools(np.array(values, dtype=bool)).equals(pa.array(values, pa.bool_()))
    numbers = [i * (-3) ** (i % 5) for i in range(len(values))]
    assert int64s(np.array(numbers)).equals(pa.array(numbers, pa.int64()))


@pytest.mark.parametrize(
    ("value", "arrow_type"),
    [
        (None, pa.string()),
        (None, pa.float64()),
        ("", pa.string()),
        ("day", pa.string()),
        ("é, \u00e9\u0301", pa.string()),
        (200, pa.int32()),
        (-(2**40), pa.int64()),
        (0.0, pa.float64()),
        (1e16, pa.float64()),
        (False, pa.bool_()),
        (True, pa.bool_()),
        (datetime(2026, 11, 30, 7, 59, 1, 123456, tzinfo=UTC), pa.timestamp("us", tz="UTC")),
        (
            datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC) + timedelta(microseconds=7),
            pa.timestamp("us", tz="UTC"),
        ),
    ],
)
def test_scalar_equals_pa_scalar(value: object, arrow_type: pa.DataType) -> None:
    built = scalar(value, arrow_type)
    assert built.type == arrow_type
    assert built.equals(pa.scalar(value, arrow_type))


def test_scalar_refuses_what_it_cannot_build() -> None:
    with pytest.raises(TypeError):
        scalar(datetime(2026, 1, 1), pa.timestamp("us"))  # naive: no tz to anchor it


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | st.floats(allow_nan=True), max_size=40))
def test_floats_equal_pa_array(values: list[float | None]) -> None:
    built = floats(values)
    built.validate(full=True)
    expected = pa.array(values, pa.float64())
    assert built.type == pa.float64() and built.null_count == expected.null_count
    assert list(map(repr, built.to_pylist())) == list(map(repr, expected.to_pylist()))
