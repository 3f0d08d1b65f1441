"""Bulk archiving: many files, one batch, metadata per file; a known text keeps its stored row."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.cli.app import main
from provenance.storage.warehouse import Warehouse
from tests.conftest import tree_digest


def daily_reports(folder: Path, count: int) -> list[Path]:
    """A ministry's daily bulletins, one file a day."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for day in range(1, count + 1):
        path = folder / f"bulletin-2024-01-{day:02d}.txt"
        path.write_text(
            f"Daily bulletin of 2024-01-{day:02d}: the toll rises to {100 + 7 * day} killed "
            f"and {250 + 11 * day} injured since the start of the escalation.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def add(warehouse: Warehouse, *args: str | Path) -> int:
    return main(["--root", str(warehouse.root), "add-document", *map(str, args)])


def test_many_files_one_batch_with_a_sidecar(
    empty: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = daily_reports(tmp_path / "bulletins", 20)
    sidecar = tmp_path / "bulletins.csv"
    sidecar.write_text(
        "file,published,url\n"
        + "".join(
            f"{p.name},2024-01-{i:02d},https://moh.example/{i}\n" for i, p in enumerate(files, 1)
        ),
        encoding="utf-8",
    )
    batches = len(empty.manifests())
    assert add(empty, *files, "--metadata", sidecar, "--language", "en", "--outlet", "MoH") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 20 and out[0].endswith("\t" + str(files[0]))
    assert len(empty.manifests()) == batches + 1
    rows = empty.query(
        "SELECT published_on::VARCHAR, url, outlet FROM documents ORDER BY published_on"
    )[1]
    assert rows[0] == ("2024-01-01", "https://moh.example/1", "MoH")
    assert rows[-1] == ("2024-01-20", "https://moh.example/20", "MoH")


def test_a_known_text_keeps_its_row_and_says_so(
    empty: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (path,) = daily_reports(tmp_path / "b", 1)
    assert add(empty, path, "--language", "en", "--published", "2024-01-01") == 0
    before = tree_digest(empty.data_dir)
    capsys.readouterr()
    assert add(empty, path, "--language", "en", "--published", "2024-01-02", "--url", "u") == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith(f"{path}: already archived as ")
    assert err[0].endswith("its stored metadata is kept (published_on, url differ)")
    assert tree_digest(empty.data_dir) == before
    # The same text given twice in one call is archived once, with the first metadata.
    copy = tmp_path / "copy.txt"
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (other,) = daily_reports(tmp_path / "c", 2)[1:]
    assert add(empty, other, copy, "--language", "en", "--published", "2024-01-02") == 0
    assert empty.query("SELECT count(*) FROM documents")[1] == [(2,)]


def test_missing_metadata_refuses_the_whole_call(
    empty: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = daily_reports(tmp_path / "d", 3)
    sidecar = tmp_path / "meta.jsonl"
    sidecar.write_text(
        '{"file": "bulletin-2024-01-01.txt", "published": "2024-01-01"}\n', encoding="utf-8"
    )
    before = tree_digest(empty.data_dir)
    assert add(empty, *files, "--metadata", sidecar, "--language", "en") == 1
    err = capsys.readouterr().err
    assert err.count("missing-value") == 2 and "bulletin-2024-01-03.txt: no published_on" in err
    assert tree_digest(empty.data_dir) == before
