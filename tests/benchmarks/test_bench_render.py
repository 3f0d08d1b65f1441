"""The bench's ratios: the whole less the GX import, and the cost per figure against 1M."""

from __future__ import annotations

from typing import Any

import pytest
from bench_render import per_figure, render, validate_less_gx_import

GX_IMPORT = {
    "rounds": 5,
    "import_seconds": 4.0,
    "median_seconds": {"import": 4.05, "pass": 0.05},
}


def size_result(size: int, validate_seconds: float, floor_seconds: float) -> dict[str, Any]:
    """One size's measurements as bench_size records them."""
    validate = {
        "seconds": validate_seconds,
        "peak_mb": 800.0,
        "status": "pass",
        "per_check": {"claimant-gap": 2.0, "gx-figures-expect_table_row_count_to_be_between": 0.1},
    }
    less = validate_less_gx_import(validate, GX_IMPORT)
    return {
        "size": size,
        "floor": {"query_seconds": floor_seconds, "peak_mb": 200.0},
        "validate": validate,
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


def test_the_gx_import_is_taken_off_only_when_suites_ran() -> None:
    ran = {"seconds": 10.0, "per_check": {"gx-figures-x": 0.2, "claimant-gap": 1.0}}
    assert validate_less_gx_import(ran, GX_IMPORT) == 6.0
    assert validate_less_gx_import({**ran, "per_check": {"claimant-gap": 1.0}}, GX_IMPORT) == 10.0
    assert validate_less_gx_import(ran, None) == 10.0


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


def test_each_size_names_the_import_its_own_rounds_took_off() -> None:
    result = {**size_result(1_000_000, 14.0, 2.0), "gx_import": {**GX_IMPORT, "rounds": 3}}
    assert "GX import taken off: 4.00 s (median of the 3 rounds beside validate)" in render(
        [result]
    )
    assert "GX import taken off" not in render([size_result(1_000_000, 14.0, 2.0)])
