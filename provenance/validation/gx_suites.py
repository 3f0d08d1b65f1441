"""The default Great Expectations suites, derived from the schema, as JSON files.

One suite per table: required columns are not null, enums are in their set, minimums hold,
keys are unique and intervals are ordered. Nothing here imports great_expectations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from provenance.core.enums import Severity
from provenance.core.schema import TABLES, Table

SUITES_SUBDIR = "gx"  # expectations/gx/<table>.json
COLUMN_ARGUMENTS = ("column", "column_A", "column_B")

# Column pairs that are intervals: the upper end may not be below the lower one.
_ORDERED_PAIRS = (("value_low", "value_high"), ("quote_start", "quote_end"))


# -- the default suites, derived from the schema ----------------------------------------------


def _expectation(type_: str, severity: str = Severity.ERROR, **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": {"severity": severity}}


def suite_for(table: Table) -> dict[str, Any]:
    """The default GX suite of one table, as the JSON ``ExpectationSuite`` serialises to."""
    expectations = [_expectation("expect_column_values_to_be_unique", column=table.key)]
    for column in table.columns:
        if column.required:
            expectations.append(
                _expectation("expect_column_values_to_not_be_null", column=column.name)
            )
        if column.enum:
            expectations.append(
                _expectation(
                    "expect_column_values_to_be_in_set",
                    column=column.name,
                    value_set=list(column.enum),
                )
            )
        minimum = column.minimum
        if minimum is not None:
            expectations.append(
                _expectation(
                    "expect_column_values_to_be_between", column=column.name, min_value=minimum
                )
            )
    for low, high in _ORDERED_PAIRS:
        if low in table.column_names and high in table.column_names:
            expectations.append(
                _expectation(
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    column_A=high,
                    column_B=low,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                )
            )
    return {
        "name": table.name,
        "expectations": expectations,
        "meta": {"provenance": {"table": table.name, "key": table.key}},
        "notes": (
            f"Generated from provenance/core/schema.py ({table.name}): required columns, enums, "
            "minimums, unique key, ordered intervals. Edit freely; meta.severity is error or "
            "warning. References and patterns are checked by the built-in SQL checks."
        ),
    }


def default_suites() -> dict[str, dict[str, Any]]:
    """File name → suite, for every table (the batch log included)."""
    return {f"{name}.json": suite_for(table) for name, table in TABLES.items()}


def render_suite(suite: dict[str, Any]) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def write_default_suites(folder: Path) -> list[Path]:
    """Write the default suites into ``folder`` (overwriting: they are generated files)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in default_suites().items():
        path = folder / name
        path.write_text(render_suite(suite), encoding="utf-8")
        written.append(path)
    return written


def suites_hold_expectations(suites_dir: Path) -> bool:
    """Whether any suite in ``suites_dir`` holds an expectation, read as JSON without GX.

    great_expectations costs seconds to import: a folder of empty suites (or none) must not.
    An unreadable file counts as holding some, so that loading it reports the problem.
    """
    if not suites_dir.is_dir():
        return False
    for path in sorted(suites_dir.glob("*.json")):
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return True
        if not isinstance(suite, dict) or suite.get("expectations") != []:
            return True
    return False


def generated_suite_folders(repository: Path) -> list[Path]:
    """Where the generated suites are committed: the bundled warehouse's and the package's."""
    return [
        repository / "expectations" / SUITES_SUBDIR,
        repository / "provenance" / "defaults" / "expectations" / SUITES_SUBDIR,
    ]


# -- loading suite files ----------------------------------------------------------------------


def expectation_arguments(config: Any, skip: Iterable[str] = ()) -> str:
    # batch_id and result_format are added by GX at run time, not written in the suite.
    hidden = {"batch_id", "result_format", *skip}
    return ", ".join(f"{k}={v!r}" for k, v in config.kwargs.items() if k not in hidden)
