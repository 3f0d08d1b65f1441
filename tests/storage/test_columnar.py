"""The columnar path of append stores what the per-cell path stores, and refuses nothing itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance import Warehouse
from provenance.core.errors import BatchRejected
from provenance.core.schema import STORED_TABLES, TABLES
from provenance.storage import columnar
from provenance.storage.batch_checker import AppendResult
from provenance.testing import valid_batches
from tests.conftest import figure

Batch = dict[str, list[dict[str, Any]]]


def _as_text(value: Any) -> Any:
    """A value as a CSV cell holds it."""
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, (dt.date, int, float)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _variant(batch: Batch, variant: str) -> Batch:
    referenced = {f for r in batch["relations"] for f in [r["figure_id"], *r["reference_ids"]]}
    out: Batch = {}
    for name, rows in batch.items():
        out[name] = []
        for row in rows:
            row = dict(row)
            if variant == "derived":  # what the store fills in (a quote's start may be ambiguous)
                row.pop("quote_end", None)
                row.pop("relation_id", None)
                if name == "documents" or (
                    name == "figures" and row["figure_id"] not in referenced
                ):
                    row.pop(TABLES[name].key)
            elif variant == "text":
                row = {k: _as_text(v) for k, v in row.items()}
            out[name].append(row)
    return out


def _stored(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    with warehouse.connect() as connection:
        return {
            t.name: connection.execute(
                f'SELECT * EXCLUDE (batch_id, recorded_at) FROM {t.name} ORDER BY "{t.key}"'
            ).fetchall()
            for t in STORED_TABLES
        }


def _append(
    root: Path, batches: list[Batch], columnar_path: bool
) -> tuple[list[AppendResult], Any]:
    warehouse = Warehouse.init(root)
    accepted = []
    real = columnar.check_columnar

    def spy(*args: Any) -> Any:
        checked = real(*args) if columnar_path else None
        accepted.append(checked is not None)
        return checked

    with mock.patch("provenance.storage.warehouse.check_columnar", spy):
        results = [warehouse.append_rows(batch) for batch in batches]
    return results, (_stored(warehouse), accepted)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=valid_batches(), variant=st.sampled_from(["given", "derived", "text"]))
def test_both_paths_store_the_same_rows(
    tmp_path_factory: pytest.TempPathFactory, batch: Batch, variant: str
) -> None:
    """A valid batch (its ids and offsets given, left to derive, or written as CSV text) is
    accepted by the columnar path, and stored, then recognised, as the per-cell path does."""
    batch = _variant(batch, variant)
    folder = tmp_path_factory.mktemp("paths")
    fast, (fast_rows, fast_taken) = _append(folder / "columnar", [batch, batch], True)
    slow, (slow_rows, _) = _append(folder / "per-cell", [batch, batch], False)
    assert fast_taken == [True, True]
    assert fast_rows == slow_rows
    for a, b in zip(fast, slow, strict=True):
        assert (a.written, a.already_present, a.keys, a.ids) == (
            b.written,
            b.already_present,
            b.keys,
            b.ids,
        )


def test_a_parquet_file_goes_by_columns_and_its_errors_by_rows(
    bundled: Warehouse, tmp_path: Path
) -> None:
    """A good Parquet file is taken by columns; a bad one is named row by row, as ever."""
    good = tmp_path / "figures.parquet"
    pq.write_table(
        pa.Table.from_pylist([figure("col-1"), figure("col-2", note="the same, noted")]), good
    )
    taken = []
    real = columnar.check_columnar

    def spy(*args: Any) -> Any:
        taken.append(real(*args))
        return taken[-1]

    with mock.patch("provenance.storage.warehouse.check_columnar", spy):
        assert bundled.append(good).written == {"figures": 2}
        bad = tmp_path / "figures-bad.parquet"
        pq.write_table(pa.Table.from_pylist([figure("col-3", quote_start=0)]), bad)
        with pytest.raises(BatchRejected, match="quote-mismatch: figures row 1"):
            bundled.append(bad)
    assert taken[0] is not None and taken[1] is None
