"""Scoring the number reader on hand-written English and French casualty sentences.

``tests/fixtures/numbers/dev-sentences.jsonl`` holds one sentence per line with the interval
and qualifier a careful reader gives it, written by hand from the phrasing (never by running
the reader): ``{"language", "kind", "sentence", "qualifier", "low", "high"}`` (null = open).
Kinds: comparative, range, scaled (digits with scale words or suffixes), dozen (dozens and
fractions), words (written numbers), implicit (people counted without a number), plain.

A sentence is right when :func:`provenance.text.extract.extract`'s most confident figure
has the expected qualifier and bounds. Run ``python benchmarks/numbers_eval.py`` for the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from provenance.text.extract import Candidate, extract

DEV_SENTENCES = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "numbers" / "dev-sentences.jsonl"
)
_PUBLISHED = dt.date(2024, 1, 15)


def load_sentences(path: Path = DEV_SENTENCES) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_sentence(sentence: str, language: str) -> tuple[str, float | None, float | None] | None:
    """(qualifier, low, high) of the most confident figure in the sentence, or None."""
    figures = [
        c
        for c in extract(sentence, language=language, published_on=_PUBLISHED)
        if isinstance(c, Candidate)
    ]
    if not figures:
        return None
    best = max(figures, key=lambda f: f.confidence)  # max keeps the first of equals
    return best.qualifier, best.value_low, best.value_high


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def evaluate_sentences(path: Path = DEV_SENTENCES) -> dict[str, Any]:
    """Share right per language and per (language, kind), with the misses listed."""
    cases = load_sentences(path)
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[dict[str, Any]] = []
    started = time.perf_counter()
    for case in cases:
        got = read_sentence(case["sentence"], case["language"])
        ok = got is not None and (
            got[0] == case["qualifier"]
            and _same(got[1], case["low"])
            and _same(got[2], case["high"])
        )
        for key in (case["language"], f"{case['language']}/{case['kind']}"):
            right[key][0] += ok
            right[key][1] += 1
        if not ok:
            misses.append({**case, "got": got})
    seconds = time.perf_counter() - started
    scores = {
        key: {"right": r, "total": t, "share": r / t} for key, (r, t) in sorted(right.items())
    }
    return {"scores": scores, "misses": misses, "sentences_per_second": len(cases) / seconds}


def render(result: dict[str, Any]) -> str:
    lines = [f"{'language/kind':<22} {'right':>6} {'total':>6} {'share':>7}"]
    for key, score in result["scores"].items():
        lines.append(f"{key:<22} {score['right']:>6} {score['total']:>6} {score['share']:>7.1%}")
    lines.append(f"{result['sentences_per_second']:.0f} sentences/s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, nargs="?", default=DEV_SENTENCES)
    parser.add_argument("--misses", action="store_true", help="Also print every miss.")
    args = parser.parse_args(argv)
    result = evaluate_sentences(args.path)
    print(render(result))
    if args.misses:
        for miss in result["misses"]:
            print(
                f"{miss['language']} {miss['kind']}: {miss['sentence']}\n"
                f"    want {miss['qualifier']} [{miss['low']}, {miss['high']}], got {miss['got']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
