"""The plan of a synthetic warehouse: its vectorised bounds are the schema's intervals."""

from __future__ import annotations

import numpy as np

from provenance.core.enums import LANGUAGES
from provenance.core.intervals import interval_for
from provenance.testing.plan import bounds
from provenance.testing.wording import GENERATED_QUALIFIERS, QUALIFIER_WORDS


def test_vectorised_bounds_follow_interval_for() -> None:
    """The generator's vectorised bounds equal intervals.interval_for, row for row."""
    rng = np.random.default_rng(0)
    qualifier = rng.integers(0, len(GENERATED_QUALIFIERS), 500)
    value = rng.integers(2, 100_000, 500) // 10 * 10 + 10
    high = value + rng.integers(1, 1000, 500)
    language = rng.integers(0, len(LANGUAGES), 500)
    low_v, high_v = bounds(qualifier, value, high, language)
    for i in range(500):
        name = GENERATED_QUALIFIERS[qualifier[i]]
        expected = interval_for(
            name,
            float(value[i]),
            float(high[i]) if name == "range" else None,
            QUALIFIER_WORDS[LANGUAGES[language[i]]][name],
        )
        assert (low_v[i], None if np.isnan(high_v[i]) else high_v[i]) == (
            expected.low,
            expected.high,
        )
