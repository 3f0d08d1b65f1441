"""A full disk during append: exit 2, one line, nothing appended, nothing left in .staging/;
a damaged or full lake: a finding or a refusal, never an internal error."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance import Warehouse
from provenance.cli import main
from tests.conftest import tree_digest


def documents_csv(path: Path, characters: int) -> Path:
    """A document whose text does not compress (random hex), so that it fills a small disk."""
    text = secrets.token_hex(characters // 2)
    path.write_text(
        f"language,published_on,text\nen,2024-01-01,{text}\n", encoding="utf-8", newline=""
    )
    return path


def assert_refused_cleanly(
    warehouse: Warehouse, before: dict[str, str], code: int, err: str
) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("write-failed:"), lines
    assert "No space left on device" in lines[0]
    assert not warehouse.staging_dir.exists() or not any(warehouse.staging_dir.iterdir())
    after = {k: v for k, v in tree_digest(warehouse.data_dir).items()}
    assert after == before


def no_space(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    "target", ["pyarrow.parquet.write_table", "provenance.storage.warehouse._fsync"]
)
def test_no_space_while_writing_a_batch(
    empty: Warehouse,
    tmp_path: Path,
    target: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ENOSPC from a Parquet write or an fsync: the half-built batch is removed."""
    path = documents_csv(tmp_path / "documents.csv", 2000)
    before = tree_digest(empty.data_dir)
    monkeypatch.setattr(target, no_space)
    code = main(["--root", str(empty.root), "append", str(path)])
    assert_refused_cleanly(empty, before, code, capsys.readouterr().err)


@contextlib.contextmanager
def small_tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_real_full_disk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On a real 3 MB filesystem, nearly full: the append fails cleanly and a later one works."""
    with small_tmpfs(tmp_path / "disk", "3m") as disk:
        warehouse = Warehouse.init(disk / "project")
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * max(free - 200_000, 0))
        big = documents_csv(tmp_path / "documents.csv", 1_000_000)
        before = tree_digest(warehouse.data_dir)
        code = main(["--root", str(warehouse.root), "append", str(big)])
        assert_refused_cleanly(warehouse, before, code, capsys.readouterr().err)
        (disk / "filler").unlink()
        assert main(["--root", str(warehouse.root), "append", str(big)]) == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_real_full_disk_under_a_lake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lake whose data path is full: exit 2 and one write-failed line, not an internal error."""
    with small_tmpfs(tmp_path / "disk", "3m") as disk:
        lake = Warehouse.init(
            tmp_path / "lake",
            catalog=f"duckdb:{tmp_path / 'catalog.ducklake'}",
            data_path=disk / "data",
        )
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * max(free - 200_000, 0))
        big = documents_csv(tmp_path / "documents.csv", 1_000_000)
        code = main(["--root", str(lake.root), "append", str(big)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2, err
        assert len(err) == 1 and err[0].startswith("write-failed:"), err
        assert "No space left on device" in err[0]
        (disk / "filler").unlink()
        assert main(["--root", str(lake.root), "append", str(big)]) == 0


def test_damaged_lake_file_is_a_finding_not_a_bug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lake data file overwritten with junk: sql and validate exit 1 with a finding."""
    lake = Warehouse.init(
        tmp_path / "lake",
        catalog=f"duckdb:{tmp_path / 'catalog.ducklake'}",
        data_path=tmp_path / "data",
    )
    assert (
        main(
            ["--root", str(lake.root), "append", str(documents_csv(tmp_path / "documents.csv", 64))]
        )
        == 0
    )
    for file in (tmp_path / "data").rglob("*.parquet"):
        file.write_bytes(b"xx")
    capsys.readouterr()
    for argv, finding in (
        (["sql", "SELECT count(*) FROM documents"], "unreadable-file"),
        (["validate"], "file-hash-mismatch"),
    ):
        code = main(["--root", str(lake.root), *argv])
        out, err = capsys.readouterr()
        assert code == 1, (argv, err)
        assert finding in out + err and "internal error" not in err, (argv, out, err)
