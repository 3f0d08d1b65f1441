"""The columnar path of append stores what the per-cell path stores, and refuses nothing itself."""

from __future__ import annotations

import datetime as dt
import unicodedata
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
from provenance.core.ids import content_id
from provenance.core.schema import STORED_TABLES, TABLES
from provenance.storage import columnar
from provenance.storage.batch_checker import SCAN_BATCH_ROWS, AppendResult, in_batches, on_arrow
from provenance.storage.inputs import read_parquet_columns
from provenance.testing import valid_batches
from tests.conftest import ARTICLE, copy_bundled, figure

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


def _article_quote(around: str) -> tuple[str, int]:
    """A stretch of the bundled article around ``around`` (in NFC), and where it starts."""
    text = unicodedata.normalize("NFC", ARTICLE.read_text(encoding="utf-8"))
    start = text.index(around) - 12
    return text[start : start + 40], start


def test_a_decomposed_quote_is_stored_in_nfc_by_both_paths(
    bundled: Warehouse, tmp_path: Path
) -> None:
    """A quote typed in NFD (e + combining accent) is the article's NFC text: both paths take
    it and store the NFC spelling."""
    quote, start = _article_quote("é")
    decomposed = unicodedata.normalize("NFD", quote)
    assert decomposed != quote
    row = figure("nfd-1", quote=decomposed, quote_start=start, quote_end=start + len(quote))
    stored, taken = [], []
    real = columnar.check_columnar
    for columnar_path in (True, False):
        warehouse = Warehouse(copy_bundled(tmp_path / f"columnar-{columnar_path}"))

        def spy(*args: Any, columnar_path: bool = columnar_path) -> Any:
            checked = real(*args) if columnar_path else None
            taken.append(checked is not None)
            return checked

        with mock.patch("provenance.storage.warehouse.check_columnar", spy):
            assert warehouse.append_rows({"figures": [row]}).written == {"figures": 1}
        stored.append(warehouse.query("SELECT quote FROM figures WHERE figure_id = 'nfd-1'")[1])
    assert taken == [True, False]
    assert stored == [[(quote,)], [(quote,)]]


# Just over one scan batch (SCAN_BATCH_ROWS): the last rows are in a batch of their own.
_MANY = SCAN_BATCH_ROWS + 600


def _many_figures(path: Path, **last: Any) -> Path:
    """_MANY figures of the bundled article without ids, offsets given; ``last`` overrides the
    last row's columns (a problem placed in the last scan batch)."""
    quote, start = _article_quote("Mossoul")
    rows = [
        figure(
            "unused",
            quote=quote,
            quote_start=start,
            quote_end=start + len(quote),
            qualifier="exact",
            value_low=float(i),
            value_high=float(i),
            value_text=None,
        )
        for i in range(_MANY)
    ]
    rows[-1].update(last)
    table = pa.Table.from_pylist(rows).drop_columns(["figure_id"])
    if "figure_id" in last:
        ids = [None] * (_MANY - 1) + [last["figure_id"]]
        table = table.append_column("figure_id", pa.array(ids, pa.string()))
    pq.write_table(table, path)
    return path


def test_a_batch_of_many_scan_batches_is_checked_whole(bundled: Warehouse, tmp_path: Path) -> None:
    """Rows beyond the first scan batch are anchored, held to the contract and given their
    content ids like the first: a good batch is taken by columns with the row-by-row ids; a
    problem in the last rows makes the columnar path hand the batch to the per-cell path."""
    good = _many_figures(tmp_path / "figures.parquet")
    with bundled.connect() as connection:
        checked = columnar.check_columnar(connection, read_parquet_columns(good), _quiet)
    assert checked is not None
    tables, _ = checked
    written = tables["figures"]
    assert written.num_rows == _MANY
    rows = pq.read_table(good).to_pylist()
    for i in (0, SCAN_BATCH_ROWS - 1, SCAN_BATCH_ROWS, _MANY - 1):
        assert written.column("figure_id")[i].as_py() == content_id("figures", rows[i])

    quote, start = _article_quote("Mossoul")
    for name, last in {
        "quote off by one": {"quote_start": start + 1, "quote_end": start + 1 + len(quote)},
        "quote past the text's end": {"quote_start": 10**6, "quote_end": 10**6 + len(quote)},
        "unknown metric": {"metric": "no-such-metric"},
        "unknown subject": {"subject_id": "no-such-subject"},
    }.items():
        path = _many_figures(tmp_path / f"figures-{len(name)}.parquet", **last)
        with bundled.connect() as connection:
            assert (
                columnar.check_columnar(connection, read_parquet_columns(path), _quiet) is None
            ), name


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def test_in_batches_slices_without_copying() -> None:
    """A table as record batches of at most SCAN_BATCH_ROWS rows, the same values, the same
    memory (what DuckDB needs to scan it on every core)."""
    values = pa.array(range(2 * SCAN_BATCH_ROWS + 5), pa.int64())
    table = pa.table({"n": values})
    sliced = in_batches(table)
    assert sliced.equals(table)
    assert [len(c) for c in sliced.column("n").chunks] == [SCAN_BATCH_ROWS, SCAN_BATCH_ROWS, 5]
    assert sliced.column("n").chunk(1).buffers()[1].address == values.buffers()[1].address
    small = table.slice(0, 10)
    assert in_batches(small) is small


def test_text_below_u0300_is_in_nfc_whatever_follows() -> None:
    """The premise that lets _nfc skip such texts: every character below U+0300 is in NFC, and
    no two of them compose (each pair checked)."""
    below = "".join(chr(c) for c in range(0x300) if not 0xD800 <= c <= 0xDFFF)
    assert unicodedata.is_normalized("NFC", below)
    pairs = [a + b for a in below for b in below]
    assert all(unicodedata.is_normalized("NFC", pair) for pair in pairs)


# Pieces around the boundary: a base and a combining mark from U+0300 (they compose), marks
# and singletons beyond it, the last character below it, Hangul jamo (they compose too).
_PIECES = st.sampled_from(
    ["e", "e\u0301", "A\u030a", "\u02ff", "\u0300", "\u0340", "\u212b", "\u1100\u1161", "\u0345"]
)
_TEXTS = st.lists(_PIECES | st.characters(exclude_categories=("Cs",)), max_size=6).map("".join)


@settings(max_examples=80, deadline=None)
@given(
    texts=st.lists(st.none() | _TEXTS, min_size=1, max_size=8),
    start=st.integers(0, 7),
)
def test_nfc_of_a_column_is_each_text_in_nfc(texts: list[str | None], start: int) -> None:
    """Column-wise NFC (texts below U+0300 skipped by their bytes) is unicodedata's, text by
    text, on a slice too (its parent's bytes at an offset)."""
    array = pa.array(texts, pa.string()).slice(min(start, len(texts) - 1))
    expected = [None if t is None else unicodedata.normalize("NFC", t) for t in array.to_pylist()]
    assert columnar._nfc(array).to_pylist() == expected
    chunked = pa.chunked_array([array, array])
    assert columnar._nfc(chunked).to_pylist() == expected + expected


@pytest.mark.parametrize("column", ["claimant_id", "speaker_id", "subject_id"])
def test_a_reference_to_no_row_is_refused_whichever_column_names_it(
    bundled: Warehouse, column: str
) -> None:
    """The claimant and the speaker are looked up in one join: an unknown one in either column
    (the other known) still sends the batch to the per-cell path, which names it."""
    row = {**figure("dangling-1", speaker_id="us-pentagon"), column: "no-such-row"}
    before = bundled.manifests()
    with pytest.raises(BatchRejected) as refused:
        bundled.append_rows({"figures": [row]})
    expected = "unknown-subject" if column == "subject_id" else "unknown-entity"
    assert [p.code for p in refused.value.problems] == [expected]
    assert bundled.manifests() == before


def test_each_mention_of_an_arrow_table_in_a_query_is_its_own_stream(bundled: Warehouse) -> None:
    """DuckDB reads an Arrow stream once: a table named twice in one query (a self-join), or
    in two queries, is still read whole each time, and nothing stays registered after."""
    arrow = pa.table({"v": pa.array([1, 2, 3], pa.int64())})
    with bundled.connect() as connection:
        twice = on_arrow(
            connection,
            "SELECT (SELECT sum(v) FROM t), (SELECT count(*) FROM t a JOIN t b USING (v))",
            {"t": arrow},
            lambda result: result.fetchone(),
        )
        again = on_arrow(connection, "SELECT count(*) FROM t", {"t": arrow}, lambda r: r.fetchone())
        left = connection.execute(
            "SELECT view_name FROM duckdb_views() WHERE starts_with(view_name, 't__scan')"
        ).fetchall()
    assert (twice, again, left) == ((6, 3), (3,), [])


def test_a_correction_of_a_figure_in_the_same_batch_is_stored_and_a_dangling_one_refused(
    bundled: Warehouse,
) -> None:
    """``supersedes`` names a figure: one of the same batch is found (the incoming figures are
    read twice in that lookup), one nowhere refuses the batch and changes nothing."""
    first = figure("f-first-count")
    correction = figure("f-corrected-count", value_low=90, supersedes="f-first-count")
    result = bundled.append_rows({"figures": [first, correction]})
    assert result.written == {"figures": 2}
    before = bundled.manifests()
    dangling = figure("f-corrects-nothing", value_low=95, supersedes="f-no-such-figure")
    with pytest.raises(BatchRejected) as refused:
        bundled.append_rows({"figures": [dangling]})
    assert [p.code for p in refused.value.problems] == ["unknown-figure"]
    assert bundled.manifests() == before
