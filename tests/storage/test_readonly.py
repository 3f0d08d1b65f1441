"""`provenance sql` reads the warehouse and can change nothing under the root."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from provenance import Warehouse
from provenance.cli import main
from tests.conftest import tree_digest

WRITES = [
    "COPY (SELECT 'rules: []' AS x) TO 'expectations/rules.yaml' (HEADER false)",
    "COPY (SELECT 1 AS a) TO 'warehouse/views.sql'",
    "COPY (SELECT * FROM figures) TO 'warehouse/batches/x' (FORMAT parquet, PARTITION_BY (metric))",
    "COPY (SELECT * FROM figures) TO 'warehouse/batches/y' (FORMAT parquet, PER_THREAD_OUTPUT)",
    "COPY figures TO 'warehouse/batches/{batch}/manifest.json'",
    "COPY (SELECT 1) TO '{root}/warehouse/batches/{batch}/figures.parquet' (FORMAT parquet, USE_TMP_FILE false)",
    "ATTACH 'warehouse/new.duckdb' AS w",
    "ATTACH '{root}/expectations/x.db'; CREATE TABLE x.t AS SELECT 1",
    "CREATE TABLE t AS SELECT 1; COPY t TO 'warehouse/t.csv'",
    "SELECT 1; COPY (SELECT 1) TO 'expectations/one.csv'",
    "EXPORT DATABASE 'warehouse/export'",
    "INSTALL httpfs",
    "LOAD sqlite",
    "SET enable_external_access = true",
    "SET allowed_directories = ['{root}']",
    "RESET lock_configuration",
    "PRAGMA enable_profiling = 'json'",
    "SET profiling_output = '{root}/warehouse/profile.json'",
    "CALL checkpoint()",
    "SELECT * FROM query('COPY (SELECT 1) TO ''warehouse/q.csv''')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_parquet('warehouse/batches/*/*.parquet')",
]


@pytest.fixture
def root_digest(bundled: Warehouse) -> dict[str, str]:
    return tree_digest(bundled.root)


@pytest.mark.parametrize("statement", WRITES)
def test_writing_statements_change_nothing(
    bundled: Warehouse,
    root_digest: dict[str, str],
    statement: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the statement: exit 2, one line, no file created or changed under the root."""
    monkeypatch.chdir(bundled.root)  # relative paths in the statements land under the root
    batch = sorted(p.name for p in bundled.batches_dir.iterdir())[-1]
    sql = statement.format(root=bundled.root.as_posix(), batch=batch)
    assert main(["sql", sql]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].split(":")[0] in {"not-allowed", "bad-query"}, err
    assert tree_digest(bundled.root) == root_digest


def test_reading_still_works_with_validation_runs(
    bundled: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every view, the macros and stored runs are readable under the locks."""
    from provenance.validation.orchestrator import validate

    validate(bundled, only=["contract-*"], store=True)
    for sql in (
        "select count(*) from figures",
        "select count(*) from batches",
        "select count(*) from figures_as_of('2017-05-30')",
        "select count(*) from validation_runs",
        "describe figures",
        "explain select * from relations",
        "with x as (select * from documents) select count(*) from x",
    ):
        assert main(["--root", str(bundled.root), "sql", sql]) == 0, sql
    capsys.readouterr()


@pytest.mark.parametrize("query", ["", "   ", "/* only a comment */", ";"])
def test_empty_query_is_one_line_exit_2(
    bundled: Warehouse, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(bundled.root), "sql", query]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("bad-query:")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_output_writes_the_result_outside_the_warehouse(
    bundled: Warehouse, root_digest: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    """--output FILE is how results leave: written by Python after the query."""
    out = tmp_path / "exports" / f"figures.{fmt}"
    out.parent.mkdir()
    query = "select figure_id, value_low from figures order by figure_id"
    assert (
        main(["--root", str(bundled.root), "sql", query, "--format", fmt, "--output", str(out)])
        == 0
    )
    _, rows = bundled.query(query)
    text = out.read_text(encoding="utf-8")
    ids = (
        [r["figure_id"] for r in json.loads(text)]
        if fmt == "json"
        else [r[0] for r in list(csv.reader(text.splitlines()))[1:]]
    )
    assert ids == [r[0] for r in rows]
    assert tree_digest(bundled.root) == root_digest


@pytest.mark.parametrize(
    "inside",
    ["warehouse/out.csv", "expectations/rules.yaml", "warehouse/batches/x/figures.parquet"],
)
def test_output_under_the_root_is_refused(
    bundled: Warehouse, root_digest: dict[str, str], inside: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = bundled.root / inside
    assert main(["--root", str(bundled.root), "sql", "select 1", "--output", str(target)]) == 2
    assert capsys.readouterr().err.startswith("not-allowed:")
    assert tree_digest(bundled.root) == root_digest
