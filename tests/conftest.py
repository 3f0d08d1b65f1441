"""Shared fixtures: temporary copies of the bundled warehouse, and fresh empty warehouses."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from provenance import Warehouse
from provenance.testing.bundled import ARTICLE_ID as ARTICLE_ID  # re-exported for tests
from provenance.testing.bundled import bundled_figure
from provenance.testing.postgres import PG_BIN, PostgresServer, throwaway_postgres
from provenance.testing.postgres import available as postgres_available
from provenance.validation.rules import Rule, load_rules

REPO = Path(__file__).resolve().parent.parent
# The shared data folder next to the clone; PROVENANCE_SHARED points elsewhere (a worktree).
SHARED = Path(os.environ.get("PROVENANCE_SHARED") or REPO.parent / "shared")
ARTICLE = REPO / "warehouse" / "sources" / "zakharova-2017-05-28" / "article.fr.txt"


def copy_bundled(target: Path, *, with_gx: bool = True) -> Path:
    """The repository's warehouse/ and expectations/ copied under ``target``.

    ``with_gx=False`` leaves out the Great Expectations suites, for tests of the other layers
    that should not pay GX's start-up.
    """
    shutil.copytree(
        REPO / "warehouse",
        target / "warehouse",
        ignore=shutil.ignore_patterns(".lock", ".staging", "_runs"),
    )
    skip = shutil.ignore_patterns("gx") if not with_gx else None
    shutil.copytree(REPO / "expectations", target / "expectations", ignore=skip)
    return target


@pytest.fixture
def bundled(tmp_path: Path) -> Warehouse:
    """A private copy of the bundled warehouse, safe to write to."""
    return Warehouse(copy_bundled(tmp_path / "project"))


@pytest.fixture
def empty(tmp_path: Path) -> Warehouse:
    """A new, empty warehouse."""
    return Warehouse.init(tmp_path / "fresh")


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder``, by relative path (lock files aside)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


# A statement (figure or relation) whose every column keeps the record contract, for tests
# that break one column at a time in a bare DuckDB table.
VALID_STATEMENT: dict[str, Any] = {
    "subject_id": "s",
    "metric": "killed",
    "claimant_id": "c",
    "stated_on": "2017-05-01",
    "stated_precision": "day",
    "value_low": 1.0,
    "value_high": 1.0,
    "qualifier": "exact",
    "quote": "q",
    "quote_start": 0,
    "quote_end": 1,
}


def bundled_rule(name: str) -> Rule:
    """The rule of that name in the bundled ``expectations/rules.yaml``."""
    return next(r for r in load_rules(REPO / "expectations" / "rules.yaml") if r.name == name)


def fill_table(
    connection: duckdb.DuckDBPyConnection, table: str, columns: str, rows: list[Any]
) -> None:
    """A table of ``columns`` (SQL column definitions) holding ``rows``."""
    connection.execute(f"CREATE TABLE {table} ({columns})")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def figure(figure_id: str, **overrides: Any) -> dict[str, Any]:
    """A figure of the bundled article, quoting its Mosul sentence unless told otherwise."""
    return bundled_figure(figure_id, **overrides)


def forge_batch(warehouse: Warehouse, table: str, arrow: Any, label: str = "forged") -> Path:
    """A batch whose Parquet file is exactly ``arrow`` (nulls where the store would fill in),
    listed by a well-formed manifest that heads the chain: data written around every check."""
    import json

    import pyarrow.parquet as pq

    from provenance.storage.inputs import file_sha256

    columns = [n for n in arrow.column_names if n not in ("batch_id", "recorded_at")]
    batch_id = warehouse.write_batch({table: arrow.select(columns)}, label=label)
    folder = warehouse.batches_dir / batch_id
    pq.write_table(arrow, folder / f"{table}.parquet")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["file_sha256"] = [file_sha256(folder / f"{table}.parquet")]
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


# -- a throw-away PostgreSQL for lake tests ----------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """PostgreSQL 15 on a free port for the session (as the `postgres` user when we are root)."""
    if not postgres_available():
        pytest.skip(f"PostgreSQL binaries are not installed in {PG_BIN}")
    with throwaway_postgres() as server:
        yield server


DESK = REPO / "tests" / "fixtures" / "desk"


def build_market(target: Path, *, with_gx: bool = False) -> Warehouse:
    """A warehouse of the desk fixture: a live page whose ministry toll rises, jumps, then falls.

    Its revision rules flag two figures (a jump and an unexplained fall), which the history,
    chart, baseline and HTML report tests look for. ``with_gx=False`` drops the GX suites.
    """
    from provenance.storage.inputs import read_text

    warehouse = Warehouse.init(target)
    if not with_gx:
        shutil.rmtree(warehouse.expectations_dir / "gx")
    warehouse.add_document(
        read_text(DESK / "market-live.en.txt"),
        language="en",
        published_on="2024-03-17",
        title="Live: strike on the central market",
        outlet="Example Live",
        retrieved_at="2024-03-17T13:00:00+00:00",
    )
    for table in ("entities", "subjects", "figures"):
        warehouse.append(DESK / f"{table}.csv")
    return warehouse


@pytest.fixture
def market(tmp_path: Path) -> Warehouse:
    """The desk fixture's warehouse, without GX suites."""
    return build_market(tmp_path / "market")
