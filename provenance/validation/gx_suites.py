"""The default Great Expectations suites, as JSON files, declared in one place.

They hold what GX is good at and the other layers do not check: the data set as a whole —
volume, distributions (with ``mostly``), wide plausibility bounds, the timeline's anchor to the
append clock. What a single row must satisfy (required columns, enums, keys, minimums, ordered
intervals) is the record contract's (``contract-<table>``), references and quotes are the
built-ins', and statements against each other are the rules': none is repeated here.
Nothing here imports great_expectations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.core.enums import Severity
from provenance.core.schema import TABLES, Table

SUITES_SUBDIR = "gx"  # expectations/gx/<table>.json
COLUMN_ARGUMENTS = ("column", "column_A", "column_B")

# No count of people or strikes reaches a billion (fewer than ten live on Earth): a larger
# value is a misread number — a phone number, an id, two numbers run together.
_IMPLAUSIBLE_COUNT = 1_000_000_000
# A quote is the sentence that states the number; beyond this a reader cannot check it by eye
# and it usually holds several figures. 99 % of quotes are shorter in every data set we hold.
_LONGEST_QUOTE = 600


@dataclass(frozen=True)
class DefaultExpectation:
    """One expectation of the default suites, with why it is there (kept in its meta)."""

    table: str
    type: str
    why: str
    severity: Severity = Severity.WARNING
    kwargs: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "kwargs": self.kwargs,
            "meta": {"severity": str(self.severity), "why": self.why},
        }


DEFAULT_EXPECTATIONS = (
    # -- volume -----------------------------------------------------------------------------
    DefaultExpectation(
        "batches",
        "expect_table_row_count_to_be_between",
        "the batch log starts with the genesis batch init writes: an empty log is no warehouse",
        Severity.ERROR,
        {"min_value": 1},
    ),
    # -- the timeline's anchor ----------------------------------------------------------------
    DefaultExpectation(
        "documents",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "a document is retrieved before it is recorded; a later retrieval is a wrong clock or "
        "date, and would let statements dated in the future pass dates-in-order",
        Severity.ERROR,
        {
            "column_A": "recorded_at",
            "column_B": "retrieved_at",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    ),
    # -- wide plausibility bounds -------------------------------------------------------------
    *(
        DefaultExpectation(
            "figures",
            "expect_column_values_to_be_between",
            "no count of people or strikes reaches a billion: a larger value is a misread number",
            kwargs={"column": column, "max_value": _IMPLAUSIBLE_COUNT},
        )
        for column in ("value_low", "value_high")
    ),
    # -- distributions ------------------------------------------------------------------------
    *(
        DefaultExpectation(
            table,
            "expect_column_value_lengths_to_be_between",
            f"a quote is the sentence that states the number: 1 % of quotes over "
            f"{_LONGEST_QUOTE} characters means quotes are cut too wide",
            kwargs={"column": "quote", "max_value": _LONGEST_QUOTE, "mostly": 0.99},
        )
        for table in ("figures", "relations")
    ),
    DefaultExpectation(
        "figures",
        "expect_column_value_lengths_to_be_between",
        "a number as written is a few words ('plus de 240'): 1 % over 40 characters means the "
        "extraction takes whole clauses",
        kwargs={"column": "value_text", "max_value": 40, "mostly": 0.99},
    ),
    DefaultExpectation(
        "figures",
        "expect_column_values_to_not_be_in_set",
        "over half the figures approximate ('about', 'une centaine') is a drift: a qualifier "
        "wording read too widely",
        kwargs={"column": "qualifier", "value_set": ["approximately"], "mostly": 0.5},
    ),
    DefaultExpectation(
        "entities",
        "expect_column_values_to_be_unique",
        "two entities with one name are likely one claimant under two ids, which splits its "
        "series and hides its revisions from the rules",
        kwargs={"column": "name"},
    ),
    DefaultExpectation(
        "documents",
        "expect_column_value_lengths_to_be_between",
        "an archived text under 50 characters is a failed download or a headline alone: "
        "nothing to read a quote in context in",
        kwargs={"column": "text", "min_value": 50},
    ),
)


def suite_for(table: Table) -> dict[str, Any]:
    """The default GX suite of one table, as the JSON ``ExpectationSuite`` serialises to."""
    expectations = [e.as_json() for e in DEFAULT_EXPECTATIONS if e.table == table.name]
    return {
        "name": table.name,
        "expectations": expectations,
        "meta": {"provenance": {"table": table.name, "key": table.key}},
        "notes": (
            f"Generated by provenance/validation/gx_suites.py ({table.name}): what the data set "
            "as a whole should look like (volume, distributions, plausible bounds), which the "
            "record contract, the built-in checks and the rules do not check. Edit freely; "
            "meta.severity is error or warning, meta.why says what a failure means."
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
