"""Start-up: what `--help`, `sql`, `init`, `validate` and `append` import (the modules, never
the time they take)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_bundled, figure

# Each costs tens of milliseconds to seconds to import; a command loads one only if it uses it.
HEAVY = (
    "pyarrow",
    "pandas",
    "numpy",
    "duckdb",
    "pandera",
    "great_expectations",
    "sqlalchemy",
    "rich",
    "pygments",
    # typer 0.29 imports it to coerce every option of every command but --help (typer is
    # bounded below 0.29 in pyproject.toml for that).
    "pydantic",
)


def _imported(argv: list[str], cwd: Path) -> tuple[list[str], str]:
    """Run `provenance ARGV` in a fresh interpreter: the heavy modules it loaded, its output."""
    probe = (
        "import sys\n"
        "from provenance.cli import main\n"
        f"code = main({argv!r})\n"
        "sys.stdout.flush()\n"
        f"print('\\nLOADED', sorted(m for m in {HEAVY!r} if m in sys.modules), code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=cwd
    )
    output, _, last = result.stdout.rpartition("\nLOADED ")
    assert last, result.stderr[-600:]
    loaded, code = last.strip().rsplit(" ", 1)
    assert code == "0", result.stderr[-600:]
    return [m.strip("'") for m in loaded.strip("[]").split(", ") if m], output


def test_help_loads_no_heavy_library() -> None:
    """`provenance --help` parses and prints with typer alone: no Arrow, DuckDB, GX or rich."""
    loaded, output = _imported(["--help"], REPO)
    assert "Usage: provenance" in output and "validate" in output
    assert loaded == []


def test_sql_loads_duckdb_only(tmp_path: Path) -> None:
    """`provenance sql` needs DuckDB (and rich for its table), never Arrow, pandas or numpy."""
    root = copy_bundled(tmp_path / "project", with_gx=False)
    loaded, output = _imported(
        ["--root", str(root), "sql", "select count(*) as n from figures"], REPO
    )
    assert "7" in output
    assert loaded == ["duckdb", "rich"]
    loaded, output = _imported(
        ["--root", str(root), "sql", "select 1 as x", "--format", "csv"], REPO
    )
    assert output.strip() == "x\n1"
    assert loaded == ["duckdb"]


def test_init_loads_neither_duckdb_nor_validation_libraries(tmp_path: Path) -> None:
    """`provenance init` writes the first (empty) Parquet files, so it needs pyarrow (which
    brings numpy and pandas), but no DuckDB, pandera, GX or rich."""
    loaded, _ = _imported(["init", str(tmp_path / "new")], tmp_path)
    assert (tmp_path / "new" / "warehouse" / "batches").is_dir()
    assert not {"duckdb", "pandera", "great_expectations", "sqlalchemy", "rich"} & set(loaded)
    assert "pyarrow" in loaded


def test_validate_without_gx_suites_loads_neither_arrow_nor_pandas(tmp_path: Path) -> None:
    """`provenance validate` on the bundled warehouse, no suite holding GX expectations, runs
    every check in DuckDB: the quantities it reads reach DuckDB without pyarrow, and nothing
    brings pandas, numpy, pandera or Great Expectations."""
    root = copy_bundled(tmp_path / "project", with_gx=False)
    loaded, output = _imported(["--root", str(root), "validate"], REPO)
    assert "validation passed: 24 checks, 0 failed (0 error rows), 1 warned" in output
    assert "claimant-gap: figures zakharova-airwars-3100 vs zakharova-washington-352" in output
    assert not {"pyarrow", "pandas", "numpy", "pandera", "great_expectations"} & set(loaded)
    assert "duckdb" in loaded


def test_validate_that_spills_failing_rows_loads_no_pandas(tmp_path: Path) -> None:
    """A check flagging more rows than are held in memory spills them to an Arrow file and the
    JSON report reads them back: pyarrow and numpy come, pandas does not (pyarrow imports it
    the first time it meets a Python value; the rows go from DuckDB to Arrow as batches)."""
    from provenance.validation.failure_rows import IN_MEMORY_ROWS

    rows = IN_MEMORY_ROWS + 1  # past what a run holds in memory
    root = copy_bundled(tmp_path / "project", with_gx=False)
    rules = root / "expectations" / "rules.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + "\n  - name: every-number-flagged\n    kind: sql\n    severity: warning\n"
        "    description: a check flagging more rows than are held in memory\n"
        "    sql: |\n"
        "      select 'n-' || range as record_id, 'numbers' as table_name,\n"
        f"             'flagged' as message, range / 7 as measured from range({rows})\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    argv = ["--root", str(root), "validate", "--format", "json", "--output", str(report)]
    loaded, _ = _imported(argv, REPO)
    [flagged] = [
        r for r in json.loads(report.read_text())["rules"] if r["name"] == "every-number-flagged"
    ]
    assert flagged["failure_count"] == len(flagged["failures"]) == rows
    assert flagged["failures"][-1]["record_id"] == "n-9999" and flagged["worst"] == (rows - 1) / 7
    assert "pandas" not in loaded and {"duckdb", "pyarrow"} <= set(loaded)


def test_append_loads_no_pydantic_pandera_or_gx(tmp_path: Path) -> None:
    """`provenance append` reads and checks with Arrow and DuckDB: its options are coerced
    without pydantic, and the columnar path needs neither pandera nor Great Expectations."""
    root = copy_bundled(tmp_path / "project", with_gx=False)
    batch = tmp_path / "figures.jsonl"
    batch.write_text(json.dumps(figure("f-start-path")) + "\n", encoding="utf-8")
    batches = root / "warehouse" / "batches"
    before = {p.name for p in batches.iterdir()}
    loaded, _ = _imported(["--root", str(root), "append", str(batch)], REPO)
    (new,) = {p.name for p in batches.iterdir()} - before
    assert (batches / new / "figures.parquet").is_file()
    assert not {"pydantic", "pandera", "great_expectations", "rich"} & set(loaded)
    assert {"duckdb", "pyarrow"} <= set(loaded)


def test_append_of_a_parquet_file_loads_no_pandas(tmp_path: Path) -> None:
    """A Parquet batch goes from file to warehouse in Arrow and DuckDB without pandas (which
    pyarrow imports the first time it meets a Python value, and DuckDB through pyarrow.dataset
    when it scans a pyarrow Table): ids derived, a quote searched for, offsets checked."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    root = copy_bundled(tmp_path / "project", with_gx=False)
    rows = [
        figure(None, stated_on=dt.date(2017, 5, 28), value_low=80.0, value_high=120.0),
        figure("f-parquet-given", metric="civilians_injured", stated_on=dt.date(2017, 5, 29)),
    ]
    batch = tmp_path / "figures.parquet"
    pq.write_table(pa.Table.from_pylist(rows), batch)
    batches = root / "warehouse" / "batches"
    before = {p.name for p in batches.iterdir()}
    loaded, _ = _imported(["--root", str(root), "append", str(batch)], REPO)
    assert "pandas" not in loaded and {"duckdb", "pyarrow"} <= set(loaded)
    (new,) = {p.name for p in batches.iterdir()} - before
    stored = pq.read_table(batches / new / "figures.parquet").to_pylist()
    assert len(stored) == 2 and "f-parquet-given" in {r["figure_id"] for r in stored}
    assert {r["figure_id"][:2] for r in stored} == {"f-"}
    assert all(r["quote_start"] is not None and r["quote_end"] for r in stored)


@pytest.mark.parametrize("argv", [["validate", "--nosuch"], ["sql", "--help"]])
def test_usage_errors_and_command_help_stay_plain(argv: list[str]) -> None:
    """A usage error or a command's help is plain text, without rich's boxes."""
    result = subprocess.run(
        [sys.executable, "-m", "provenance", *argv], capture_output=True, text=True, check=False
    )
    shown = result.stdout + result.stderr
    assert "Usage: provenance" in shown
    assert "╭" not in shown and "─" not in shown
