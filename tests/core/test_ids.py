"""One document id and one content id, whichever way a row comes in."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import Warehouse, import_airwars
from provenance.cli import main
from provenance.core.ids import content_id, content_ids, document_id
from provenance.core.schema import FIGURES, RELATIONS
from tests.conftest import ARTICLE, ARTICLE_ID, REPO

MINI = REPO / "tests" / "fixtures" / "airwars-mini.csv"


def _stored(warehouse: Warehouse, table: str) -> list[dict[str, Any]]:
    columns, rows = warehouse.query(f"SELECT * FROM {table}")
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _input_row(row: dict[str, Any], table: str) -> dict[str, Any]:
    """A stored row as an input file would give it: no key, no batch columns."""
    declared = FIGURES if table == "figures" else RELATIONS
    keep = {c.name for c in declared.input_columns} - {declared.key}
    return {k: v for k, v in row.items() if k in keep}


def test_document_id_is_the_sha256_of_the_nfc_text() -> None:
    """The bundled article's id, and the same id for its decomposed (NFD) spelling."""
    text = ARTICLE.read_text(encoding="utf-8")
    assert document_id(text) == ARTICLE_ID
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert document_id(decomposed) == ARTICLE_ID
    assert document_id("é") == hashlib.sha256("é".encode()).hexdigest()


@settings(max_examples=40, deadline=None)
@given(
    low=st.integers(min_value=0, max_value=10**6),
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_content_id_reads_values_as_their_column_types(low: int, day: dt.date) -> None:
    """36 and 36.0, a date and its ISO string, a missing column and None: one id."""
    as_read = {"metric": "killed", "value_low": float(low), "stated_on": day, "speaker_id": None}
    as_written = {"metric": "killed", "value_low": low, "stated_on": day.isoformat()}
    assert content_id("figures", as_read) == content_id(FIGURES, as_written)
    assert content_id("figures", as_read).startswith("f-")
    assert content_id("figures", as_read) != content_id("figures", {**as_read, "value_low": -1.0})


def test_content_id_is_stable() -> None:
    """The algorithm is part of the data: changing it re-identifies every derived row."""
    row = {
        "document_id": ARTICLE_ID,
        "subject_id": "mayadin-strike",
        "metric": "civilians_killed",
        "claimant_id": "russia-mfa",
        "speaker_id": "maria-zakharova",
        "stated_on": "2017-05-28",
        "value_low": 36,
        "qualifier": "more_than",
    }
    identity = [row.get(c) for c in FIGURES.identity]
    identity[FIGURES.identity.index("value_low")] = 36.0
    expected = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()
    assert content_id("figures", row) == "f-" + expected[:16]


def test_extract_and_append_give_a_figure_the_same_id(tmp_path: Path) -> None:
    """A review file's ids are those `append` derives from the same rows."""
    warehouse = Warehouse.init(tmp_path / "project")
    review = tmp_path / "review.jsonl"
    assert main(["--root", str(warehouse.root), "extract", str(ARTICLE), "--language", "fr",
                 "--published", "2017-05-28", "--out", str(review)]) == 0  # fmt: skip
    records = [json.loads(line) for line in review.read_text(encoding="utf-8").splitlines()]
    figures = [r for r in records if r["table"] == "figures"]
    relations = [r for r in records if r["table"] == "relations"]
    assert len(figures) >= 7 and relations
    for row in figures:
        assert row["figure_id"] == content_id("figures", row)
    for row in relations:
        assert row["relation_id"] == content_id("relations", row)
        assert {row["figure_id"], *row["reference_ids"]} <= {f["figure_id"] for f in figures}

    written = warehouse.append(review)
    assert sorted(written.ids["figures"]) == sorted(f["figure_id"] for f in figures)
    # The same figures without their ids: append derives the very same ones, so adds nothing.
    again = warehouse.append_rows({"figures": [_input_row(f, "figures") for f in figures]})
    assert again.batch_id is None
    assert again.already_present["figures"] == len(figures)


def test_import_airwars_and_append_give_a_figure_the_same_id(tmp_path: Path) -> None:
    """Every imported figure's id is its content id; appending the row again adds nothing."""
    warehouse = Warehouse.init(tmp_path / "project")
    import_airwars(warehouse, MINI)
    stored = _stored(warehouse, "figures")
    assert stored
    for row in stored:
        assert row["figure_id"] == content_id("figures", row)
    again = warehouse.append_rows({"figures": [_input_row(f, "figures") for f in stored]})
    assert again.batch_id is None


@pytest.mark.parametrize("table", ["documents", "entities", "subjects", "batches"])
def test_tables_without_identity_have_no_content_id(table: str) -> None:
    """Their keys are given (slugs) or derived otherwise (document_id from the text)."""
    with pytest.raises(ValueError, match="no content id"):
        content_id(table, {})


_IDENTITY_VALUES = {
    "document_id": st.none()
    | st.sampled_from(["d", 'quote " and \\ back', "é\n\x01\u2028", "\x00", "\x7f\x1f"])
    | st.text(max_size=4),
    "stated_on": st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    # Integral floats are written as digits and ".0" up to 1e16, by repr beyond (and -0.0).
    "value_low": st.none()
    | st.sampled_from([0.0, -0.0, 36.0, -36.0, 1e15, 9999999999999998.0, 1e16, 1e17, 0.5])
    | st.floats(allow_nan=False, allow_infinity=False),
    "value_high": st.none() | st.integers(-(2**53), 2**53).map(float),
    "quote_start": st.none() | st.integers(0, 2**63 - 1),
    "reference_ids": st.lists(st.text(max_size=3), max_size=3),
}


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(["figures", "relations"]),
    data=st.data(),
)
def test_content_ids_column_wise_are_content_id_row_by_row(name: str, data: st.DataObject) -> None:
    """The batch path's ids (Arrow columns) are the row-by-row ids, byte for byte."""
    import pyarrow as pa

    table = FIGURES if name == "figures" else RELATIONS
    present = [c for c in table.identity if c in _IDENTITY_VALUES or c in ("metric", "kind")]
    strategies = {
        c: _IDENTITY_VALUES.get(c, st.none() | st.sampled_from(["killed", "ratio", "x"]))
        for c in present
    }
    rows = data.draw(st.lists(st.fixed_dictionaries(strategies), min_size=1, max_size=5))
    schema = pa.schema([table.input_arrow_schema().field(c) for c in present])
    arrow = pa.Table.from_pylist(rows, schema=schema)
    assert content_ids(table, arrow) == [content_id(table, row) for row in rows]
    # A slice shares its parent's buffers at an offset: only its own bytes count.
    start = data.draw(st.integers(0, len(rows) - 1))
    expected = [content_id(table, row) for row in rows[start:]]
    assert content_ids(table, arrow.slice(start)) == expected
