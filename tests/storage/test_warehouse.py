"""The warehouse's write path: contracts before writing, atomic and idempotent batches."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance import BatchRejected, Warehouse
from provenance.cli import main
from provenance.validation.orchestrator import validate
from tests.conftest import ARTICLE, ARTICLE_ID, tree_digest

FIGURE_HEADER = [
    "subject_id", "document_id", "metric", "claimant_id", "speaker_id", "stated_on",
    "value_low", "value_high", "qualifier", "value_text", "quote",
]  # fmt: skip


def good_figure(**changes: str) -> dict[str, str]:
    row = {
        "subject_id": "mayadin-strike",
        "document_id": ARTICLE_ID,
        "metric": "civilians_killed",
        "claimant_id": "russia-mfa",
        "speaker_id": "maria-zakharova",
        "stated_on": "2017-05-28",
        "value_low": "36",
        "value_high": "",
        "qualifier": "more_than",
        "value_text": "plus de 35",
        "quote": "la mort de plus de 35 civils syriens",
    }
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def count(warehouse: Warehouse, table: str) -> int:
    return warehouse.query(f"select count(*) from {table}")[1][0][0]


def test_append_derives_offsets_and_content_id(bundled: Warehouse, tmp_path: Path) -> None:
    """A figure without offsets or id gets the quote's unique offsets and a content-hash id."""
    result = bundled.append(write_csv(tmp_path / "figures.csv", [good_figure()]))
    (figure_id,) = result.ids["figures"]
    assert figure_id.startswith("f-")
    _, rows = bundled.query(
        "select quote_start, quote_end, quote from figures where figure_id = ?", [figure_id]
    )
    start, end, quote = rows[0]
    assert ARTICLE.read_text(encoding="utf-8")[start:end] == quote


def test_same_batch_twice_adds_nothing(bundled: Warehouse, tmp_path: Path) -> None:
    """Re-appending a batch writes no new batch and says all rows were present."""
    path = write_csv(tmp_path / "figures.csv", [good_figure()])
    bundled.append(path)
    before = tree_digest(bundled.data_dir)
    again = bundled.append(path)
    assert again.batch_id is None and again.already_present == {"figures": 1}
    assert "already in the warehouse" in again.summary()
    assert tree_digest(bundled.data_dir) == before


def test_same_file_again_is_recognised_before_the_contract(
    bundled: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The very file appended before is a no-op without coercing or checking a single row."""
    path = write_csv(
        tmp_path / "figures.csv",
        [good_figure(), good_figure(value_low="35", qualifier="at_least")],
    )
    first = bundled.append(path)
    assert first.written == {"figures": 2}
    before = tree_digest(bundled.data_dir)

    def no_coercion(*args: object) -> None:
        raise AssertionError("a known file was coerced row by row")

    monkeypatch.setattr("provenance.storage.contracts.coerce", no_coercion)
    monkeypatch.setattr("provenance.storage.columnar.typed_table", no_coercion)
    again = bundled.append(path)
    assert again.batch_id is None and again.already_present == {"figures": 2}
    assert tree_digest(bundled.data_dir) == before
    # One more row makes other bytes: the file is checked in full, and only the new row written.
    monkeypatch.undo()
    grown = write_csv(
        path,
        [
            good_figure(),
            good_figure(value_low="35", qualifier="at_least"),
            good_figure(value_low="40"),
        ],
    )
    assert bundled.append(grown).written == {"figures": 1}


def test_known_parquet_file_is_recognised_without_reading_its_rows(
    bundled: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet file appended before is known from its footer and bytes: no row is read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "figures.parquet"
    pq.write_table(pa.Table.from_pylist([good_figure(), good_figure(value_low="40")]), path)
    assert bundled.append(path).written == {"figures": 2}

    def no_reading(*args: object) -> None:
        raise AssertionError("a known Parquet file was read row by row")

    monkeypatch.setattr("provenance.storage.warehouse.read_batch", no_reading)
    monkeypatch.setattr("provenance.storage.inputs.read_parquet_columns", no_reading)
    again = bundled.append(path)
    assert again.batch_id is None and again.already_present == {"figures": 2}
    with pytest.raises(AssertionError, match="row by row"):
        bundled.append(path, table="relations")


def test_same_file_into_another_table_is_still_checked(bundled: Warehouse, tmp_path: Path) -> None:
    """Same bytes, other table: not the append recorded in the manifest, so every row is checked."""
    path = write_csv(tmp_path / "figures.csv", [good_figure()])
    bundled.append(path)
    with pytest.raises(BatchRejected):
        bundled.append(path, table="relations")


def test_changed_row_with_existing_id_is_a_conflict(bundled: Warehouse, tmp_path: Path) -> None:
    """An existing id with other content is refused: history is never rewritten."""
    path = write_csv(
        tmp_path / "entities.csv", [{"entity_id": "airwars", "name": "Airwars", "kind": "ngo"}]
    )
    with pytest.raises(BatchRejected) as refused:
        bundled.append(path)
    assert [p.code for p in refused.value.problems] == ["id-conflict"]
    assert "kind" in refused.value.problems[0].message


BAD_ROWS = {
    "missing-value": good_figure(quote=""),
    "quote-not-found": good_figure(quote="trois mille morts à Paris"),
    "bad-interval": good_figure(
        qualifier="range", value_low="50", value_high="40", value_text="40 à 50"
    ),
    "unknown-enum": good_figure(qualifier="roughly"),
    "unknown-document": good_figure(document_id="0" * 64),
    "bad-date": good_figure(stated_on="28/05/2017"),
}


def test_bad_batch_lists_every_problem_and_writes_nothing(
    bundled: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad row gets one line naming its file line, column and reason; nothing changes."""
    path = write_csv(tmp_path / "figures.csv", [good_figure(), *BAD_ROWS.values()])
    before = tree_digest(bundled.data_dir)
    code = main(["--root", str(bundled.root), "append", str(path)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    problem_lines = [line for line in err if not line.endswith("nothing was written")]
    assert len(problem_lines) == len(BAD_ROWS)
    for line_number, expected in enumerate(BAD_ROWS, start=3):  # header, then the good row
        assert any(
            line.startswith(f"{expected}: figures.csv line {line_number} ")
            for line in problem_lines
        ), (expected, err)
    assert err[-1] == f"{len(BAD_ROWS)} problems; nothing was written"
    assert tree_digest(bundled.data_dir) == before


def test_non_utf8_file_is_refused(
    bundled: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Latin-1 file is refused with the byte and line, not decoded by guess."""
    path = tmp_path / "figures.csv"
    write_csv(path, [good_figure(note="vérifié")])
    path.write_bytes(path.read_bytes().replace("é".encode(), "é".encode("latin-1")))
    before = tree_digest(bundled.data_dir)
    assert main(["--root", str(bundled.root), "append", str(path)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("not-utf8: figures.csv: byte ") and "line 2" in line
    assert tree_digest(bundled.data_dir) == before


def test_quote_at_wrong_offsets_is_refused(bundled: Warehouse, tmp_path: Path) -> None:
    """Given offsets must point at the quote itself."""
    row = good_figure(quote_start="10", quote_end="46")
    with pytest.raises(BatchRejected) as refused:
        bundled.append(write_csv(tmp_path / "figures.csv", [row]))
    assert [p.code for p in refused.value.problems] == ["quote-mismatch"]


def test_edited_parquet_fails_validation_naming_the_file(bundled: Warehouse) -> None:
    """A Parquet file changed after its append is caught by its manifest hash."""
    (victim,) = [
        p for p in bundled.batches_dir.glob("*/figures.parquet") if p.stat().st_size > 4000
    ]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    report = validate(bundled)
    assert report.exit_code() == 1
    failures = [f for r in report.results if r.name == "file-integrity" for f in r.failures]
    assert (
        len(failures) == 1
        and victim.relative_to(bundled.data_dir).as_posix() in failures[0].message
    )


def test_bundled_quotes_equal_document_text_at_offsets(bundled: Warehouse) -> None:
    """Every figure and relation of the founding article is anchored exactly."""
    text = ARTICLE.read_text(encoding="utf-8")
    for table in ("figures", "relations"):
        _, rows = bundled.query(f"select quote, quote_start, quote_end, document_id from {table}")
        assert rows
        for quote, start, end, document_id in rows:
            assert document_id == ARTICLE_ID
            assert text[start:end] == quote


INTEGRITY_CHECKS = ["file-integrity", "contract-*", "references-*", "quote-anchored-*"]


def big_batch(path: Path, rows: int) -> Path:
    text = ARTICLE.read_text(encoding="utf-8")
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*FIGURE_HEADER, "quote_start", "quote_end"])
        for i in range(rows):
            start = (i * 7) % (len(text) - 60)
            value = str(i + 1)
            writer.writerow(
                ["mayadin-strike", ARTICLE_ID, "civilians_killed", "airwars", "", "2017-05-28",
                 value, value, "exact", value, text[start : start + 40], start, start + 40]
            )  # fmt: skip
    return path


@pytest.mark.slow
def test_killed_append_leaves_all_or_nothing(bundled: Warehouse, tmp_path: Path) -> None:
    """SIGKILL at any moment of a large append: the warehouse validates and has 0 or all rows."""
    rows = 60_000
    path = big_batch(tmp_path / "figures.csv", rows)
    before = count(bundled, "figures")
    outcomes = set()
    for delay in (0.3, 1.0, 1.8, 2.6, 3.4):
        process = subprocess.Popen(
            [sys.executable, "-m", "provenance", "--root", str(bundled.root), "append", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        after = count(bundled, "figures")
        assert after in (before, before + rows)
        # The batch's synthetic quotes are arbitrary slices of the article, so only the
        # integrity checks apply (the consistency rules would rightly object to the content).
        assert validate(bundled, only=INTEGRITY_CHECKS).exit_code() == 0
        outcomes.add(after - before)
        if after != before:
            break
    assert outcomes  # at least one kill happened; typically both outcomes are seen
    # A later append completes the batch idempotently whatever the kills left.
    bundled.append(path)
    assert count(bundled, "figures") == before + rows
    assert not any(bundled.staging_dir.iterdir())


@pytest.mark.slow
def test_parallel_appenders_lose_nothing_and_keep_the_chain(
    bundled: Warehouse, tmp_path: Path
) -> None:
    """Eight processes appending at once: every row lands once and the log stays one chain."""
    paths = []
    for n in range(8):
        rows = [
            {"entity_id": f"parallel-{n}-{i}", "name": f"P{n}.{i}", "kind": "ngo"} for i in range(5)
        ]
        path = tmp_path / f"entities-{n}.csv"
        write_csv(path, rows)
        paths.append(path)
    before = count(bundled, "entities")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "provenance", "--root", str(bundled.root), "append", str(p)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for p in paths
    ]
    assert [p.wait() for p in processes] == [0] * 8
    assert count(bundled, "entities") == before + 40
    assert len(bundled.head()) == 1
    assert validate(bundled, only=INTEGRITY_CHECKS).exit_code() == 0


def test_batch_files_are_cut_into_row_groups_that_duckdb_reads_in_parallel(
    bundled: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's Parquet holds row groups of at most ROW_GROUP_ROWS rows (DuckDB reads a row
    group on one thread), and reads back whole, in order."""
    import pyarrow.parquet as pq

    import provenance.storage.warehouse as warehouse_module

    monkeypatch.setattr(warehouse_module, "ROW_GROUP_ROWS", 3)
    rows = [{"entity_id": f"group-{i}", "name": f"Group {i}", "kind": "ngo"} for i in range(7)]
    batch_id = bundled.append_rows({"entities": rows}).batch_id
    stored = pq.ParquetFile(bundled.batches_dir / str(batch_id) / "entities.parquet")
    sizes = [stored.metadata.row_group(i).num_rows for i in range(stored.num_row_groups)]
    assert sizes == [3, 3, 1]
    assert stored.read().column("entity_id").to_pylist() == [r["entity_id"] for r in rows]
    _, found = bundled.query("SELECT count(*) FROM entities WHERE entity_id LIKE 'group-%'")
    assert found == [(7,)]


def test_documents_are_cut_into_smaller_row_groups(
    bundled: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Texts are long: the documents' files get row groups of DOCUMENT_ROW_GROUP_ROWS rows."""
    import pyarrow.parquet as pq

    import provenance.storage.warehouse as warehouse_module

    monkeypatch.setattr(warehouse_module, "DOCUMENT_ROW_GROUP_ROWS", 2)
    texts = [f"Document {i}: a text long enough to be archived, number {i}." for i in range(5)]
    rows = [
        {"text": text, "language": "en", "published_on": "2020-01-0" + str(i + 1)}
        for i, text in enumerate(texts)
    ]
    batch_id = bundled.append_rows({"documents": rows}).batch_id
    stored = pq.ParquetFile(bundled.batches_dir / str(batch_id) / "documents.parquet")
    sizes = [stored.metadata.row_group(i).num_rows for i in range(stored.num_row_groups)]
    assert sizes == [2, 2, 1]
    assert sorted(stored.read().column("text").to_pylist()) == texts
