"""The bench's ratios: the whole, the run with GX imported first, and the cost per figure
against 1M."""

from __future__ import annotations

from typing import Any

import pytest
from bench_render import per_figure, render, round_ratios

GX_IMPORT = {
    "rounds": 5,
    "import_seconds": 4.0,
    "median_seconds": {"import": 4.05, "pass": 0.05},
}


def size_result(size: int, validate_seconds: float, floor_seconds: float) -> dict[str, Any]:
    """One size's measurements as bench_size records them; validate with GX imported first
    takes the whole's time less 4 s."""
    validate = {
        "seconds": validate_seconds,
        "peak_mb": 800.0,
        "status": "pass",
        "per_check": {"claimant-gap": 2.0, "gx-figures-expect_table_row_count_to_be_between": 0.1},
    }
    less = validate_seconds - 4.0
    return {
        "size": size,
        "floor": {"query_seconds": floor_seconds, "peak_mb": 200.0},
        "validate": validate,
        "validate_gx_imported": {"run_seconds": less, "peak_mb": 700.0},
        "validate_less_gx_import_seconds": less,
        "validate_over_floor": {
            "whole": validate_seconds / floor_seconds,
            "less_gx_import": less / floor_seconds,
            "without_gx": 3.5,
            "builtin": 1.0,
            "rules": 2.0,
            "gx": 0.1,
        },
        "pyarrow_copy": {"seconds": 1.0},
        "append": {"seconds": 3.0 * size / 1_000_000, "peak_mb": 600.0, "exit_code": 0},
        "reappend": {"seconds": 0.5},
        "append_over_copy": 3.0,
        "reappend_over_copy": 0.5,
        "reappend_over_append": 0.17,
        "load_before": (1.0, 1.0, 1.0),
        "load_after": (1.0, 1.0, 1.0),
    }


def test_cost_per_figure_is_relative_to_the_million() -> None:
    results = [
        size_result(100_000, 5.0, 0.2),
        size_result(1_000_000, 14.0, 2.0),
        size_result(10_000_000, 154.0, 20.0),
    ]
    scaling = per_figure(results)
    assert scaling is not None and scaling["reference_size"] == 1_000_000
    # (154 - 4) / 10M ÷ (14 - 4) / 1M = 1.5; (5 - 4) / 100k ÷ 10 / 1M = 1.0
    assert scaling["validate"]["10000000"] == pytest.approx(1.5)
    assert scaling["validate"]["100000"] == pytest.approx(1.0)
    assert scaling["floor"]["10000000"] == pytest.approx(1.0)
    text = render(results, GX_IMPORT)
    assert "less GX import" in text and "cost per figure ÷ that at 1,000,000 figures" in text
    assert "1.50×" in text and "fixed import of great_expectations: 4.00 s" in text
    # The checks alone (validate with no GX suite), beside the whole less the import.
    assert "no GX" in text.splitlines()[0] and "3.5×" in text.splitlines()[1]


def test_one_size_has_no_scaling_and_without_the_million_the_smallest_is_the_reference() -> None:
    assert per_figure([size_result(1_000_000, 14.0, 2.0)]) is None
    assert "cost per figure" not in render([size_result(1_000_000, 14.0, 2.0)])
    scaling = per_figure([size_result(10_000_000, 154.0, 20.0), size_result(100_000, 5.0, 0.2)])
    assert scaling is not None and scaling["reference_size"] == 100_000
    assert scaling["validate"]["10000000"] == pytest.approx(1.5)  # 15 µs ÷ 10 µs


def test_less_gx_import_is_the_run_with_gx_imported_not_a_subtraction() -> None:
    """The whole hides the import behind the checks: the column shows the measured run."""
    result = size_result(1_000_000, 14.0, 2.0)
    result["validate_over_floor"]["less_gx_import"] = 6.5
    row = render([result]).splitlines()[1]
    assert "7.0×" in row and "6.5×" in row  # the whole 14 / 2, and the measured run
    assert "imported great_expectations before its clock started" in render([result])


def test_each_rounds_ratio_is_to_its_own_rounds_yardstick() -> None:
    """A machine slowing down between rounds moves the floor and the run beside it alike: the
    round-by-round ratios stay put where the medians' ratio would not."""
    floors, runs = [1.0, 2.0, 1.0], [6.0, 12.0, 5.0]
    assert round_ratios(runs, floors) == [6.0, 6.0, 5.0]
    with pytest.raises(ValueError):
        round_ratios(runs, floors[:2])
    result = size_result(1_000_000, 14.0, 2.0)
    result["validate_over_floor_by_round"] = {
        "less_gx_import": round_ratios(runs, floors),
        "without_gx": [5.0, 5.5, 4.5],
    }
    result["append_over_copy_by_round"] = [1.5, 2.2, 1.7]
    text = render([result])
    assert (
        "1,000,000 figures, round by round (each ÷ its own round's yardstick): "
        "validate less GX import 5.00–6.00× (median 6.00×), no GX 4.50–5.50× (median 5.00×), "
        "append ÷ copy 1.50–2.20× (median 1.70×)"
    ) in text
    assert "round by round" not in render([size_result(1_000_000, 14.0, 2.0)])
