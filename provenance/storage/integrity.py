"""Checking the files under ``batches/`` against the batch log, and naming what is wrong.

:func:`verify` is what ``validate``'s ``file-integrity`` reports: every listed file present,
with its recorded sha256 and a readable Parquet footer; nothing under ``batches/`` that no
manifest lists; the hash chain whole; the pinned head present. It also returns the files that
passed, so that the rest of ``validate`` can run on them and never read a damaged one.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from provenance.core.errors import Problem
from provenance.storage.inputs import file_sha256
from provenance.storage.manifests import (
    MANIFEST,
    BatchLog,
    chain_problems,
    head_problems,
    read_log,
)


@dataclass
class Verification:
    log: BatchLog
    problems: list[Problem] = field(default_factory=list)
    good_files: set[str] = field(default_factory=set)  # relative to warehouse/
    files_checked: int = 0


def verify(data_dir: Path, expect_heads: list[str] | None = None) -> Verification:
    batches_dir = data_dir / "batches"
    log = read_log(batches_dir)
    result = Verification(log, list(log.problems))
    readable = {m.folder: m for m in log.manifests}
    files = [
        (m.folder, relative, expected)
        for m in log.manifests
        for relative, expected in m.files.items()
    ]
    # Every file is hashed on every run (a tenth of the floor's time, or less). hashlib and
    # file reads release the GIL, so the files are hashed on every core at once; the problems
    # keep the manifests' order.
    result.files_checked = len(files)
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        found = pool.map(lambda f: _file_problem(data_dir / f[1], f[1], f[2]), files)
        for (batch, relative, _), problem in zip(files, found, strict=True):
            if problem is None:
                result.good_files.add(relative)
            else:
                result.problems.append(Problem(problem[0], problem[1], record_id=batch))
    for folder in sorted(p for p in batches_dir.iterdir() if p.is_dir()):
        manifest = readable.get(folder.name)
        listed = set(manifest.files) if manifest else set()
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(data_dir).as_posix()
            if path.name == MANIFEST and path.parent == folder:
                continue
            if relative in listed or (path.is_dir() and not path.is_symlink()):
                continue
            result.problems.append(
                Problem(
                    "unlisted-file",
                    f"{relative} is in no batch manifest; it is not read",
                    record_id=folder.name,
                )
            )
    result.problems += chain_problems(log)
    if expect_heads:
        result.problems += head_problems(log, expect_heads)
    return result


def _file_problem(path: Path, relative: str, expected: str) -> tuple[str, str] | None:
    if path.is_symlink() or not path.is_file():
        return "missing-file", f"{relative} is missing"
    try:
        actual = file_sha256(path)
    except OSError as e:
        return "missing-file", f"{relative} cannot be read: {e.strerror}"
    if actual != expected:
        return (
            "file-hash-mismatch",
            f"{relative} was changed after its append: sha256 {actual[:12]}…, manifest says {expected[:12]}…",
        )
    damage = _parquet_frame_damage(path)
    if damage is not None:
        return "unreadable-file", f"{relative} is not readable Parquet: {damage}"
    return None


def _parquet_frame_damage(path: Path) -> str | None:
    """What is wrong with the file's Parquet frame (magic bytes, footer length), or None.

    The sha256 already matched its manifest, so the bytes are those the append wrote; this
    catches a manifest written over a truncated or foreign file. It reads eight bytes at each
    end instead of the footer through pyarrow, which validate would import for this alone.
    """
    magic = b"PAR1"
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(4)
            file.seek(max(size - 8, 0))
            tail = file.read(8)
    except OSError as e:
        return str(e.strerror)
    if size < 12 or head != magic or tail[4:] != magic:
        return "no Parquet magic bytes at both ends"
    if int.from_bytes(tail[:4], "little") > size - 12:
        return "its footer is longer than the file"
    return None
