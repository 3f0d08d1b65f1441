"""Tampering with a warehouse is detected: exit 1, the damaged place named, nothing foreign read.

Each case damages a private copy of the bundled warehouse (plus one appended batch, so that
the newest batch holds figures) the way a hostile or unlucky hand would, then runs
`provenance validate` through the CLI.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.storage.manifests import migrate_legacy
from provenance.validation.orchestrator import validate
from tests.conftest import REPO, copy_bundled, figure, tree_digest


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """The bundled warehouse (without GX suites, for speed) and one more batch of figures."""
    wh = Warehouse(copy_bundled(tmp_path / "project", with_gx=False))
    wh.append_rows({"figures": [figure("tamper-probe", stated_on="2017-05-27")]})
    return wh


def test_the_untampered_warehouse_validates(warehouse: Warehouse) -> None:
    """So that every exit 1 below comes from the damage."""
    assert validate(warehouse).exit_code() == 0


def batches(wh: Warehouse) -> list[Path]:
    return sorted(p for p in wh.batches_dir.iterdir() if p.is_dir())


def with_file(wh: Warehouse, name: str) -> Path:
    """The oldest non-genesis batch folder holding ``name``."""
    return next(b for b in batches(wh)[1:] if (b / name).is_file())


def flip(path: Path, at: float) -> None:
    data = bytearray(path.read_bytes())
    data[min(int(len(data) * at), len(data) - 1)] ^= 0x55
    path.write_bytes(bytes(data))


def rel(wh: Warehouse, path: Path) -> str:
    return path.relative_to(wh.data_dir).as_posix()


# Each tamper damages the warehouse and returns what the report must name.
Tamper = Callable[[Warehouse], str]


def flip_parquet(at: float) -> Tamper:
    def tamper(wh: Warehouse) -> str:
        victim = with_file(wh, "figures.parquet") / "figures.parquet"
        flip(victim, at)
        return rel(wh, victim)

    return tamper


def flip_manifest(at: float) -> Tamper:
    def tamper(wh: Warehouse) -> str:
        folder = batches(wh)[2]
        flip(folder / "manifest.json", at)
        return folder.name

    return tamper


def truncate_manifest(wh: Warehouse) -> str:
    path = batches(wh)[1] / "manifest.json"
    path.write_bytes(path.read_bytes()[:40])
    return batches(wh)[1].name


def empty_manifest(wh: Warehouse) -> str:
    (batches(wh)[3] / "manifest.json").write_bytes(b"")
    return batches(wh)[3].name


def delete_parquet(wh: Warehouse) -> str:
    victim = with_file(wh, "entities.parquet") / "entities.parquet"
    victim.unlink()
    return rel(wh, victim)


def delete_manifest(wh: Warehouse) -> str:
    folder = with_file(wh, "figures.parquet")
    (folder / "manifest.json").unlink()
    return folder.name


def delete_batch(index: int) -> Tamper:
    def tamper(wh: Warehouse) -> str:
        folder = batches(wh)[index]
        shutil.rmtree(folder)
        return folder.name

    return tamper


def foreign_parquet_in_batch(wh: Warehouse) -> str:
    source = with_file(wh, "figures.parquet") / "figures.parquet"
    target = batches(wh)[1] / "figures.parquet"
    shutil.copy(source, target)
    return rel(wh, target)


def foreign_folder(wh: Warehouse) -> str:
    source = with_file(wh, "figures.parquet")
    target = wh.batches_dir / "29990101T000000000000Z-foreign"
    target.mkdir()
    shutil.copy(source / "figures.parquet", target / "figures.parquet")
    return target.name


def foreign_batch_from_another_warehouse(wh: Warehouse) -> str:
    other = Warehouse.init(wh.root.parent / "other")
    other.append_rows({"entities": [{"entity_id": "intruder", "name": "X", "kind": "ngo"}]})
    source = batches(other)[-1]
    shutil.copytree(source, wh.batches_dir / source.name)
    return source.name


def foreign_glob_named_batch(wh: Warehouse) -> str:
    """A forged batch named like a glob, whose manifest lists its own files: never read."""
    source = batches(wh)[-1]
    target = wh.batches_dir / "2*"
    shutil.copytree(source, target)
    data = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    data["files"] = [f.replace(source.name, target.name) for f in data["files"]]
    data["batch_id"] = target.name
    (target / "manifest.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return target.name


def rename_batch(wh: Warehouse) -> str:
    folder = batches(wh)[2]
    folder.rename(folder.with_name(folder.name.replace("Z-", "Z-renamed-")))
    return folder.name


def swap_batches(wh: Warehouse) -> str:
    a, b = batches(wh)[2], batches(wh)[3]
    a.rename(a.with_name("swap"))
    b.rename(a)
    (a.with_name("swap")).rename(b)
    return a.name


def swap_parquet_files(wh: Warehouse) -> str:
    """Two batches' figures exchanged: each file is valid Parquet, in the wrong place."""
    a, b = [f / "figures.parquet" for f in batches(wh)[1:] if (f / "figures.parquet").is_file()]
    data = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(data)
    return rel(wh, a)


def rename_parquet(wh: Warehouse) -> str:
    victim = with_file(wh, "subjects.parquet") / "subjects.parquet"
    victim.rename(victim.with_name("figures.parquet"))
    return rel(wh, victim)


def duplicate_batch(wh: Warehouse) -> str:
    folder = batches(wh)[-1]
    copy = wh.batches_dir / (folder.name + "-copy")
    shutil.copytree(folder, copy)
    return copy.name


def reorder_batch(wh: Warehouse) -> str:
    """Move a middle batch after its successors: new id and time, consistent files."""
    folder = batches(wh)[2]
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    later = "29990101T000000000000Z-" + data["batch_id"].split("-", 1)[1]
    data["files"] = [f.replace(data["batch_id"], later) for f in data["files"]]
    data["batch_id"], data["recorded_at"] = later, "2999-01-01T00:00:00+00:00"
    (folder / "manifest.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    folder.rename(folder.with_name(later))
    return folder.name


def forge_newest(wh: Warehouse) -> str:
    """Replace the newest batch's figures and fix its manifest's hash: only the head can tell."""
    folder = batches(wh)[-1]
    other = with_file(wh, "figures.parquet") / "figures.parquet"
    shutil.copy(other, folder / "figures.parquet")
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    from provenance.storage.inputs import file_sha256

    data["file_sha256"] = [file_sha256(folder / "figures.parquet")]
    (folder / "manifest.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return "head"


TAMPERS: dict[str, Tamper] = {
    "parquet byte flip, start": flip_parquet(0.0),
    "parquet byte flip, middle": flip_parquet(0.5),
    "parquet byte flip, footer": flip_parquet(0.999),
    "manifest byte flip, start": flip_manifest(0.0),
    "manifest byte flip, middle": flip_manifest(0.5),
    "manifest byte flip, end": flip_manifest(0.97),
    "truncated manifest": truncate_manifest,
    "empty manifest": empty_manifest,
    "deleted parquet": delete_parquet,
    "deleted manifest": delete_manifest,
    "deleted genesis batch": delete_batch(0),
    "deleted middle batch": delete_batch(3),
    "foreign parquet in a batch": foreign_parquet_in_batch,
    "foreign folder": foreign_folder,
    "batch from another warehouse": foreign_batch_from_another_warehouse,
    "foreign glob-named batch": foreign_glob_named_batch,
    "renamed batch": rename_batch,
    "swapped batches": swap_batches,
    "renamed parquet": rename_parquet,
    "swapped parquet files": swap_parquet_files,
    "duplicated batch": duplicate_batch,
    "re-ordered batch": reorder_batch,
}
PINNED = {"deleted newest batch": delete_batch(-1), "forged newest batch": forge_newest}


def run_validate(wh: Warehouse, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["--root", str(wh.root), "validate", *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    return code, captured.out


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampering_fails_validation_naming_the_place(
    warehouse: Warehouse, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every damage is an error of file-integrity naming the batch or file, exit 1."""
    _, before = warehouse.query("select count(*) from figures")
    place = TAMPERS[name](warehouse)
    code, out = run_validate(warehouse, capsys)
    assert code == 1, out
    failures = [line for line in out.splitlines() if line.startswith("ERROR file-integrity")]
    assert any(place in line for line in failures), (place, failures)
    if "foreign" in name:  # a file no manifest lists is never read
        assert warehouse.query("select count(*) from figures")[1] == before


@pytest.mark.parametrize("name", list(PINNED))
def test_removing_or_forging_the_newest_batch_fails_against_the_pinned_head(
    warehouse: Warehouse, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The newest batch has no successor to hold its hash: CI pins the head instead."""
    (head,) = warehouse.head()
    assert run_validate(warehouse, capsys, "--expect-head", head)[0] == 0
    PINNED[name](warehouse)
    code, out = run_validate(warehouse, capsys, "--expect-head", head[:16])
    assert code == 1 and f"head-mismatch: expected head {head[:16]}" in out


@pytest.mark.parametrize("pin", ["", "abc", "z" * 16, "0123456789abcdef 1", "a" * 65])
def test_a_malformed_head_pin_is_a_usage_error(
    warehouse: Warehouse, pin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--expect-head takes a hash prefix; anything else exits 2 with one line, nothing checked."""
    code = main(["--root", str(warehouse.root), "validate", "--expect-head", pin])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "not a head hash" in lines[0], lines


def test_damaged_file_is_reported_and_every_other_check_still_runs(warehouse: Warehouse) -> None:
    """A corrupted Parquet file fails file-integrity; rules and contracts run on the rest (here
    the newest batch's figures, which nothing refers to: every other check passes)."""
    flip(batches(warehouse)[-1] / "figures.parquet", 0.999)
    report = validate(warehouse)
    names = {r.name for r in report.results}
    assert report.exit_code() == 1
    assert {"file-integrity", "contract-figures", "quote-number-reads-back"} <= names
    integrity = next(r for r in report.results if r.name == "file-integrity")
    others = [r for r in report.results if r is not integrity and r.severity == "error"]
    assert others and all(r.status == "pass" for r in others)


def test_damage_is_reported_even_when_file_integrity_is_not_asked_for(
    warehouse: Warehouse,
) -> None:
    """--rule picks checks, but never hides a damaged file."""
    delete_parquet(warehouse)
    report = validate(warehouse, only=["relation-*"])
    assert report.exit_code() == 1
    assert report.results[0].name == "file-integrity"


def test_branches_that_append_merge_into_a_valid_log(tmp_path: Path) -> None:
    """Two copies append from the same head; their batch folders merged validate, and the next
    append names both heads."""
    a = Warehouse(copy_bundled(tmp_path / "a", with_gx=False))
    b = Warehouse(copy_bundled(tmp_path / "b", with_gx=False))
    a.append_rows({"entities": [{"entity_id": "branch-a", "name": "A", "kind": "ngo"}]})
    b.append_rows({"entities": [{"entity_id": "branch-b", "name": "B", "kind": "ngo"}]})
    for folder in b.batches_dir.iterdir():
        if not (a.batches_dir / folder.name).exists():
            shutil.copytree(folder, a.batches_dir / folder.name)
    assert len(a.head()) == 2
    assert validate(a, only=["file-integrity"]).exit_code() == 0
    merged = a.append_rows({"entities": [{"entity_id": "after-merge", "name": "M", "kind": "ngo"}]})
    assert merged.head == a.head() and len(a.head()) == 1
    _, rows = a.query(
        "select len(parent_sha256) from batches where batch_id = ?", [merged.batch_id]
    )
    assert rows == [(2,)]
    assert validate(a, only=["file-integrity"]).exit_code() == 0


def strip_chain(folder: Path) -> None:
    for manifest in folder.glob("*/manifest.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data.pop("parents"), data.pop("parent_sha256")
        manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def test_legacy_manifests_are_accepted_and_chained_by_the_next_append(tmp_path: Path) -> None:
    """Manifests from before the chain validate; the next append names every one of them."""
    wh = Warehouse(copy_bundled(tmp_path / "legacy", with_gx=False))
    strip_chain(wh.batches_dir)
    assert validate(wh, only=["file-integrity"]).exit_code() == 0
    legacy = len(wh.head())
    wh.append_rows({"entities": [{"entity_id": "new-one", "name": "N", "kind": "ngo"}]})
    assert len(wh.head()) == 1
    shutil.rmtree(batches(wh)[2])
    assert validate(wh, only=["file-integrity"]).exit_code() == 1
    assert legacy == len(batches(wh))  # six legacy heads, one of them now deleted


def test_bundled_manifests_are_the_deterministic_migration(tmp_path: Path) -> None:
    """Migrating the legacy form of the bundled log gives exactly the committed manifests."""
    wh = Warehouse(copy_bundled(tmp_path / "again", with_gx=False))
    strip_chain(wh.batches_dir)
    assert migrate_legacy(wh.batches_dir) == len(batches(wh))
    assert tree_digest(wh.batches_dir) == tree_digest(REPO / "warehouse" / "batches")
    assert migrate_legacy(wh.batches_dir) == 0  # once chained, left alone


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda data: data[: len(data) // 2], "no Parquet magic bytes"),
        (lambda data: b"PAR1" + b"\0" * 8 + b"\xff\xff\x00\x00PAR1", "footer is longer"),
    ],
)
def test_unreadable_parquet_under_a_matching_hash_is_reported(
    warehouse: Warehouse, damage: Callable[[bytes], bytes], reason: str
) -> None:
    """A manifest re-hashed over a truncated or foreign file: the hash matches, the file is no
    Parquet; file-integrity names it and the rest still runs."""
    from provenance.storage.inputs import file_sha256

    folder = batches(warehouse)[-1]
    victim = folder / "figures.parquet"
    victim.write_bytes(damage(victim.read_bytes()))
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data["file_sha256"] = [file_sha256(victim)]
    (folder / "manifest.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    report = validate(warehouse)
    integrity = next(r for r in report.results if r.name == "file-integrity")
    (failure,) = integrity.failures
    assert failure.message.startswith(f"unreadable-file: {rel(warehouse, victim)} is not readable")
    assert reason in failure.message and report.exit_code() == 1
