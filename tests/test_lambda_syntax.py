"""The package's SQL writes DuckDB's lambdas as ``lambda x: …``, the syntax DuckDB 2.0 requires:
2.0 refuses the arrow (``x -> …``) that the pinned 1.5 still accepts, so an arrow left in the
SQL would break the day the pin moves. Here every connection the package opens refuses the
arrow, as 2.0 does, while the verbs whose SQL holds lambdas run: validate, append, the HTML
report. (A user's own SQL through ``provenance sql`` is theirs: 1.5 still reads arrows there.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from provenance import BatchRejected, Warehouse
from provenance.publish.html_report import render_html_report
from provenance.testing.bundled import bundled_figure
from provenance.validation.orchestrator import validate
from tests.conftest import copy_bundled


@pytest.fixture
def arrows_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    connect = duckdb.connect

    def refusing(database: str = ":memory:", *args: Any, config: Any = None, **kw: Any) -> Any:
        config = {**(config or {}), "lambda_syntax": "DISABLE_SINGLE_ARROW"}
        return connect(database, *args, config=config, **kw)

    monkeypatch.setattr(duckdb, "connect", refusing)
    with pytest.raises(duckdb.BinderException, match="lambda"):
        duckdb.connect().sql("SELECT list_transform([1], x -> x)").fetchall()


def test_validate_append_and_report_use_the_lambda_keyword(
    arrows_refused: None, tmp_path: Path
) -> None:
    warehouse = Warehouse(copy_bundled(tmp_path / "project", with_gx=False))
    # The record contract, the built-in row passes and the relation rules hold lambdas.
    report = validate(warehouse)
    assert int(report.exit_code()) == 0, [r.name for r in report.results if r.failures]
    assert "relation-ratio" in render_html_report(warehouse, report)
    # An append compares incoming rows with the stored rows of the same id (a lambda too).
    new = tmp_path / "figures.jsonl"
    new.write_text(json.dumps(bundled_figure("lambda-check")) + "\n", encoding="utf-8")
    warehouse.append(new)
    new.write_text(json.dumps(bundled_figure("lambda-check", value_low=90)) + "\n", "utf-8")
    with pytest.raises(BatchRejected, match="lambda-check"):
        warehouse.append(new)
