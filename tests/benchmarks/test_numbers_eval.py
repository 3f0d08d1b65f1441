"""The number reader on the hand-written development sentences (benchmarks/numbers_eval.py)."""

from __future__ import annotations

from collections import Counter

import pytest
from numbers_eval import DEV_SENTENCES, evaluate_sentences, load_sentences

KINDS = {"comparative", "range", "scaled", "dozen", "words", "implicit", "plain"}


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    return evaluate_sentences(DEV_SENTENCES)


def test_development_set_covers_every_kind_in_both_languages() -> None:
    """At least 500 sentences, every kind of the issue's table in English and French."""
    cases = load_sentences(DEV_SENTENCES)
    assert len(cases) >= 500
    counts = Counter((c["language"], c["kind"]) for c in cases)
    assert {(lang, kind) for lang in ("en", "fr") for kind in KINDS} <= set(counts)
    assert all(counts[(lang, kind)] >= 10 for lang in ("en", "fr") for kind in KINDS)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_right_interval_and_qualifier_in_95_percent_per_language(
    result: dict[str, object], language: str
) -> None:
    """The most confident figure has the hand-written interval and qualifier in ≥ 95 %."""
    scores = result["scores"]
    assert isinstance(scores, dict)
    assert scores[language]["share"] >= 0.95, result["misses"]
