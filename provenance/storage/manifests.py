"""The batch log: one manifest per batch, chained to its predecessors by hash.

Each ``batches/<batch_id>/manifest.json`` lists the batch's Parquet files with their sha256 and
names the batches that were the log's *head* when it was appended (those no other manifest
names): their ids in ``parents`` and the sha256 of their manifests in ``parent_sha256``. The log is a DAG as in git: two branches
that append from the same head each name it, and the next append after a merge names both
heads. So deleting, altering or re-ordering any batch breaks a hash some later manifest holds;
removing the newest batches is caught against a head pinned elsewhere (``--expect-head``).

Only the files that readable manifests list are ever read (:mod:`provenance.storage.views`).
Manifests written before the chain existed have no ``parent_sha256`` ("legacy"): they are accepted
as the oldest part of the log, and :func:`migrate_legacy` rewrites them into a chain once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from provenance.core.errors import Problem
from provenance.core.schema import BATCHES, STORED_TABLES
from provenance.storage.views import BATCH_ID_PATTERN

MANIFEST = "manifest.json"
_HASH = re.compile(r"[0-9a-f]{64}")
_BATCH_ID = re.compile(BATCH_ID_PATTERN)
_TABLE_NAMES = {t.name for t in STORED_TABLES}
# The shortest head prefix --expect-head accepts (as git accepts short hashes).
MIN_HEAD_PREFIX = 12


@dataclass(frozen=True)
class Manifest:
    """One readable manifest and the sha256 of its bytes (the hash successors name)."""

    folder: str
    sha256: str
    data: dict[str, Any]

    @property
    def batch_id(self) -> str:
        return str(self.data["batch_id"])

    @property
    def parents(self) -> list[str] | None:
        """The sha256 of the predecessors' manifests; None for a legacy manifest."""
        return self.data.get("parent_sha256")

    @property
    def parent_ids(self) -> list[str]:
        return list(self.data.get("parents") or [])

    @property
    def files(self) -> dict[str, str]:
        return dict(zip(self.data["files"], self.data["file_sha256"], strict=True))


@dataclass
class BatchLog:
    """Every readable manifest under ``batches/`` and what is wrong with the rest."""

    manifests: list[Manifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def heads(self) -> list[str]:
        """Hashes of the manifests no other manifest names as a parent, sorted."""
        return sorted(m.sha256 for m in self.head_manifests())

    def head_manifests(self) -> list[Manifest]:
        named = {p for m in self.manifests for p in m.parents or ()}
        return [m for m in self.manifests if m.sha256 not in named]

    def listed_files(self) -> dict[str, str]:
        """Every file a readable manifest lists (relative to warehouse/) → its recorded sha256."""
        return {path: digest for m in self.manifests for path, digest in m.files.items()}


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """How a manifest is written: the hash successors name is over exactly these bytes."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_log(batches_dir: Path) -> BatchLog:
    """Read every manifest, keeping those that describe their own folder; never raises on data."""
    log = BatchLog()
    for entry in sorted(batches_dir.iterdir()):
        where = f"batches/{entry.name}"
        if not _BATCH_ID.fullmatch(entry.name):
            # Paths are handed to DuckDB, which reads * ? [ as a glob: only plain names pass.
            log.problems.append(
                Problem(
                    "unlisted-file",
                    f"batches/{entry.name[:80]} is not named like a batch; it is not read",
                    record_id=entry.name[:80],
                )
            )
            continue
        if not entry.is_dir():
            log.problems.append(
                Problem("unlisted-file", f"{where} is not a batch folder", record_id=entry.name)
            )
            continue
        path = entry / MANIFEST
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            log.problems.append(
                Problem(
                    "bad-manifest",
                    f"{where} has no {MANIFEST} (deleted, or a folder added by hand); "
                    "its files are not read",
                    record_id=entry.name,
                )
            )
            continue
        except OSError as e:
            log.problems.append(
                Problem("bad-manifest", f"{where}/{MANIFEST}: {e.strerror}", record_id=entry.name)
            )
            continue
        reason = _manifest_error(raw, entry.name)
        if reason:
            log.problems.append(
                Problem(
                    "bad-manifest",
                    f"{where}/{MANIFEST}: {reason}; its files are not read",
                    record_id=entry.name,
                )
            )
            continue
        data = json.loads(raw.decode("utf-8"))
        log.manifests.append(Manifest(entry.name, hashlib.sha256(raw).hexdigest(), data))
    return log


def _manifest_error(raw: bytes, folder: str) -> str | None:
    """Why these bytes are not the manifest of batch ``folder``, or None."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        return f"not JSON ({type(e).__name__})"
    if not isinstance(data, dict):
        return "not a JSON object"
    missing = [c.name for c in BATCHES.columns if c.required and c.name not in data]
    if missing:
        return "lacks " + ", ".join(missing)
    if data["batch_id"] != folder:
        return f"is the manifest of batch {str(data['batch_id'])[:80]!r}, not of its folder (moved or renamed?)"
    files, digests, rows = data["files"], data["file_sha256"], data["file_rows"]
    if not (isinstance(files, list) and isinstance(digests, list) and isinstance(rows, list)):
        return "files, file_sha256 and file_rows must be lists"
    if not len(files) == len(digests) == len(rows):
        return "files, file_sha256 and file_rows differ in length"
    allowed = {f"batches/{folder}/{t}.parquet" for t in _TABLE_NAMES}
    for path, digest, count in zip(files, digests, rows, strict=True):
        if path not in allowed:
            return f"lists {str(path)[:120]!r}, not one of its own table files"
        if not (isinstance(digest, str) and _HASH.fullmatch(digest)):
            return f"the sha256 of {path} is not a sha256"
        if not isinstance(count, int) or isinstance(count, bool):
            return f"the row count of {path} is not an integer"
    if len(set(files)) != len(files):
        return "lists a file twice"
    parents, hashes = data.get("parents"), data.get("parent_sha256")
    if (parents is None) != (hashes is None):
        return "parents and parent_sha256 go together"
    if hashes is not None and not (
        isinstance(hashes, list)
        and isinstance(parents, list)
        and len(parents) == len(hashes)
        and all(isinstance(p, str) and _HASH.fullmatch(p) for p in hashes)
        and all(isinstance(p, str) for p in parents)
    ):
        return "parent_sha256 must be a list of sha256, one per parent"
    for name in ("recorded_by", "batch_id"):
        if not isinstance(data[name], str):
            return f"{name} is not text"
    if not isinstance(data["row_count"], int) or not isinstance(data["tables"], list):
        return "row_count or tables has the wrong type"
    try:
        datetime.fromisoformat(str(data["recorded_at"]))
    except ValueError:
        return "recorded_at is not a timestamp"
    return None


def chain_problems(log: BatchLog) -> list[Problem]:
    """What breaks the hash chain: unknown parents, time running backwards, extra roots."""
    problems: list[Problem] = []
    by_hash = {m.sha256: m for m in log.manifests}
    chained = [m for m in log.manifests if m.parents is not None]
    legacy = [m for m in log.manifests if m.parents is None]
    broken = False
    for m in chained:
        for parent_id, parent in zip(m.parent_ids, m.parents or (), strict=True):
            before = by_hash.get(parent)
            if before is None:
                broken = True
                still_there = parent_id in {x.batch_id for x in log.manifests}
                problems.append(
                    Problem(
                        "broken-chain",
                        f"batches/{m.folder} was appended after batch {parent_id[:80]} "
                        f"(manifest sha256 {parent[:16]}…), which is "
                        + (
                            "not the same any more: altered or replaced"
                            if still_there
                            else "missing: deleted, moved or renamed"
                        ),
                        record_id=parent_id[:80],
                    )
                )
            elif _recorded(before) > _recorded(m) or before.batch_id >= m.batch_id:
                problems.append(
                    Problem(
                        "broken-chain",
                        f"batches/{m.folder} names batches/{before.folder} as its predecessor "
                        "but is not later than it: re-ordered batches",
                        record_id=m.folder,
                    )
                )
    if broken:
        # A batch altered after its append is no longer named by its successor: a head that
        # is not the newest is where to look.
        newest = max((m.batch_id for m in log.manifests), default="")
        for m in log.head_manifests():
            if m.batch_id != newest and m.parents is not None:
                problems.append(
                    Problem(
                        "broken-chain",
                        f"batches/{m.folder} is named by no later batch: its manifest was "
                        "altered, or the batches after it removed",
                        record_id=m.folder,
                    )
                )
    roots = [m for m in chained if not m.parents]
    if len(roots) + (1 if legacy else 0) > 1:
        for m in roots[1:] if not legacy else roots:
            problems.append(
                Problem(
                    "broken-chain",
                    f"batches/{m.folder} starts a second log (no predecessor): "
                    "a batch added by hand or copied from another warehouse",
                    record_id=m.folder,
                )
            )
    if legacy and chained:
        first_chained = min(m.batch_id for m in chained)
        for m in legacy:
            if m.batch_id > first_chained:
                problems.append(
                    Problem(
                        "broken-chain",
                        f"batches/{m.folder} has no predecessor hashes but is newer than "
                        "chained batches: added by hand",
                        record_id=m.folder,
                    )
                )
    return problems


def head_problems(log: BatchLog, expected: list[str]) -> list[Problem]:
    """Each pinned head must still be a manifest of the log (appends after it are fine)."""
    problems = []
    hashes = [m.sha256 for m in log.manifests]
    for pin in expected:
        pin = pin.strip().lower()
        matches = [h for h in hashes if h.startswith(pin)] if len(pin) >= MIN_HEAD_PREFIX else []
        if len(matches) != 1:
            reason = (
                f"give at least {MIN_HEAD_PREFIX} hex digits"
                if len(pin) < MIN_HEAD_PREFIX
                else "no manifest has that hash: the newest batches were removed or rewritten"
            )
            problems.append(
                Problem("head-mismatch", f"expected head {pin[:64]}: {reason}", record_id="head")
            )
    return problems


def _recorded(m: Manifest) -> datetime:
    return datetime.fromisoformat(str(m.data["recorded_at"]))


def migrate_legacy(batches_dir: Path) -> int:
    """Chain manifests written before ``parents`` existed, oldest first; returns how many.

    Deterministic (the same log gives the same bytes), so a repository's bundled warehouse can
    be migrated once and committed. Already chained manifests are left as they are.
    """
    log = read_log(batches_dir)
    if any(m.parents is not None for m in log.manifests):
        return 0
    previous: tuple[str, str] | None = None
    for m in sorted(log.manifests, key=lambda m: m.batch_id):
        data = {name: m.data.get(name) for name in BATCHES.column_names}
        data["parents"] = [previous[0]] if previous else []
        data["parent_sha256"] = [previous[1]] if previous else []
        raw = manifest_bytes(data)
        (batches_dir / m.folder / MANIFEST).write_bytes(raw)
        previous = (m.batch_id, hashlib.sha256(raw).hexdigest())
    return len(log.manifests)
