"""The metric vocabulary is data: the schema's enum, the README table and the rules' defaults
follow expectations/metrics.yaml; a warehouse may re-declare what is cumulative."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provenance.core.errors import ConfigError
from provenance.core.metrics import (
    cumulative_names,
    load_vocabulary,
    markdown_table,
    packaged_vocabulary_path,
    parse_vocabulary,
)
from provenance.core.schema import FIGURES, METRICS, VOCABULARY
from provenance.storage.warehouse import Warehouse
from provenance.validation.orchestrator import validate
from tests.conftest import REPO, figure


def test_the_repository_vocabulary_is_the_packaged_one() -> None:
    repository = REPO / "expectations" / "metrics.yaml"
    assert repository.read_bytes() == packaged_vocabulary_path().read_bytes()
    assert load_vocabulary(repository) == VOCABULARY


def test_schema_enum_and_readme_table_derive_from_it() -> None:
    assert FIGURES.column("metric").enum == METRICS == tuple(m.name for m in VOCABULARY)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- metrics:start -->\n(.*?)<!-- metrics:end -->", readme, re.S)
    assert block is not None and block.group(1) == markdown_table(VOCABULARY)


def test_vocabulary_covers_what_users_count() -> None:
    for who in ("civilians", "children", "women", "combatants"):
        for what in ("killed", "injured", "missing", "displaced"):
            assert f"{who}_{what}" in METRICS
    assert {"killed", "injured", "missing", "displaced", "deaths", "casualties"} <= set(METRICS)
    cumulative = cumulative_names(VOCABULARY)
    assert {"children_killed", "women_killed", "combatants_killed", "deaths"} <= set(cumulative)
    assert "displaced" not in cumulative and "strikes" not in cumulative


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"metrics": {"x": {"counts": "sometimes", "description": "d"}}}, "counts must be one of"),
        ({"metrics": {"x": {"counts": "period"}}}, "needs a description"),
        ({"metrics": {"Bad Name": {"counts": "period", "description": "d"}}}, "lower-case"),
        ({"metrics": {"x": {"counts": "period", "description": "d", "unit": 1}}}, "unit"),
        ({"rules": []}, "expected a mapping of metrics"),
    ],
)
def test_malformed_vocabulary_is_one_line_per_problem(document: object, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_vocabulary(document, "metrics.yaml")
    assert expected in str(caught.value) and "metrics.yaml: " in str(caught.value)


def test_a_warehouse_re_declares_what_is_cumulative(bundled: Warehouse) -> None:
    bundled.append_rows(
        {
            "figures": [
                figure(
                    "missing-30",
                    metric="missing",
                    stated_on="2017-05-25",
                    value_low=30,
                    value_high=30,
                    qualifier="exact",
                    value_text=None,
                ),
                figure(
                    "missing-12",
                    metric="missing",
                    value_low=12,
                    value_high=12,
                    qualifier="exact",
                    value_text=None,
                ),
            ]
        }
    )
    falls = "revision-lower-bound-falls"
    assert validate(bundled, only=[falls]).results[0].failures == []  # missing: a period count
    vocabulary = bundled.expectations_dir / "metrics.yaml"
    vocabulary.write_text(
        "metrics:\n  missing: {counts: cumulative, description: people never found}\n",
        encoding="utf-8",
    )
    assert [f.record_id for f in validate(bundled, only=[falls]).results[0].failures] == [
        "missing-12"
    ]
    vocabulary.write_text(
        "metrics:\n  looted: {counts: cumulative, description: shops looted}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="metric looted: not in the package's vocabulary"):
        validate(bundled, only=[falls])


def test_a_vocabulary_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """A metrics.yaml in another encoding: a config error naming the file, not an internal error."""
    path = tmp_path / "metrics.yaml"
    path.write_bytes(b"\xff\xfe metrics")
    with pytest.raises(ConfigError, match=r"metrics\.yaml: cannot read the metric vocabulary"):
        load_vocabulary(path, "metrics.yaml")
