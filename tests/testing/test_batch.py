"""Batches of a synthetic warehouse: vectorised text is what the scalar writers write."""

from __future__ import annotations

import numpy as np

from provenance.core.enums import LANGUAGES
from provenance.testing.batch import _counts_text
from provenance.testing.wording import count_text


def test_vectorised_counts_follow_format_number() -> None:
    """The generator's vectorised "3 100" / "3,100" is numbers.format_number's writing."""
    values = np.array([2, 999, 1000, 3100, 12_000, 999_999, 1_000_000, 123_456_789])
    for code, language in enumerate(LANGUAGES):
        written = _counts_text(values, np.full(len(values), code)).to_pylist()
        assert written == [count_text(float(v), language) for v in values]
