"""Properties over generated warehouses: every figure has a card with its quote in place, and
the exports carry every figure exactly once."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings

from provenance import Warehouse
from provenance.publish.card import show
from provenance.publish.export import export
from provenance.testing import valid_batches

PROPERTY = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(batch=valid_batches())
@PROPERTY
def test_cards_and_exports_cover_every_generated_figure(
    batch: dict[str, list[dict[str, Any]]],
) -> None:
    """For any valid batch: each card's paragraph holds its quote at the stated place; CSV
    carries each figure once, PROV-JSON one entity per figure."""
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse.init(Path(folder) / "w")
        warehouse.append_rows(batch)
        _, found = warehouse.query("select figure_id from figures order by 1")
        figure_ids = [r[0] for r in found]
        for figure_id in figure_ids:
            quote = show(warehouse, figure_id)["quote"]
            assert (
                quote["paragraph"][quote["paragraph_start"] : quote["paragraph_end"]]
                == quote["text"]
            )
        csv_path = Path(folder) / "f.csv"
        assert export(warehouse, "csv", csv_path) == len(figure_ids)
        exported = duckdb.sql(f"select figure_id from read_csv('{csv_path}') order by 1").fetchall()
        assert [r[0] for r in exported] == figure_ids
        prov_path = Path(folder) / "p.json"
        export(warehouse, "prov-json", prov_path)
        entities = json.loads(prov_path.read_text(encoding="utf-8"))["entity"]
        assert (
            sorted(k.removeprefix("fig:") for k in entities if k.startswith("fig:")) == figure_ids
        )
