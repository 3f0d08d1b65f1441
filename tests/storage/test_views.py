"""The SQL face: views, macros and `provenance sql` agree with the API."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from provenance import Warehouse
from provenance.cli import main
from tests.conftest import ARTICLE_ID


def add_revision(
    warehouse: Warehouse, tmp_path: Path, low: int, stated_on: str, supersedes: str | None = None
) -> str:
    row = {
        "document_id": ARTICLE_ID,
        "subject_id": "mosul-residential-strike",
        "metric": "civilians_killed",
        "claimant_id": "us-pentagon",
        "stated_on": stated_on,
        "value_low": low,
        "value_high": low,
        "qualifier": "exact",
        "value_text": str(low),
        "quote": "Le Pentagone a reconnu le jeudi 25 mai",
        "supersedes": supersedes,
    }
    return warehouse.append_rows({"figures": [row]}).ids["figures"][0]


def test_figures_as_of_takes_the_latest_statement(bundled: Warehouse, tmp_path: Path) -> None:
    """figures_as_of(d) gives each claimant's latest figure stated by d, not later ones."""
    later = add_revision(bundled, tmp_path, 105, "2017-06-02")
    _, before = bundled.query(
        "select value_low from figures_as_of('2017-05-30') where claimant_id = 'us-pentagon'"
    )
    _, after = bundled.query(
        "select figure_id from figures_as_of('2017-06-30') where claimant_id = 'us-pentagon'"
    )
    assert before == [(80.0,)]
    assert after == [(later,)]


def test_superseded_figures_leave_current_state(bundled: Warehouse, tmp_path: Path) -> None:
    """A correction hides the figure it supersedes from current_figures and figures_as_of."""
    correction = add_revision(
        bundled, tmp_path, 101, "2017-05-25", supersedes="article-pentagon-mosul-100"
    )
    _, current = bundled.query(
        "select figure_id from current_figures where claimant_id = 'us-pentagon' order by 1"
    )
    assert ("article-pentagon-mosul-100",) not in current and (correction,) in current


def test_revision_history_orders_and_diffs(bundled: Warehouse, tmp_path: Path) -> None:
    """revision_history lists a claimant's figures in order with the change in lower bound."""
    add_revision(bundled, tmp_path, 105, "2017-06-02")
    _, rows = bundled.query(
        "select stated_on::varchar, value_low, change_low from revision_history('mosul-residential-strike', 'civilians_killed') "
        "where claimant_id = 'us-pentagon'"
    )
    assert rows[-1] == ("2017-06-02", 105.0, 25.0)


@pytest.mark.parametrize("output", ["csv", "json", "table"])
def test_sql_command_matches_the_api(
    bundled: Warehouse, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`provenance sql` prints what Warehouse.query returns, in each format."""
    query = "select figure_id, value_low, stated_on from figures order by figure_id"
    columns, rows = bundled.query(query)
    assert main(["sql", query, "--format", output, "--root", str(bundled.root)]) == 0
    out = capsys.readouterr().out
    if output == "csv":
        parsed = list(csv.reader(io.StringIO(out)))
        assert parsed[0] == columns and [r[0] for r in parsed[1:]] == [r[0] for r in rows]
    elif output == "json":
        assert [r["figure_id"] for r in json.loads(out)] == [r[0] for r in rows]
    else:
        assert all(r[0] in out for r in rows) and out.rstrip().endswith(f"({len(rows)} rows)")


def test_bad_sql_is_one_line_and_exit_2(
    bundled: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """A query error is a usage error: one line on stderr, no traceback."""
    assert main(["sql", "select nope from figures", "--root", str(bundled.root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]


def test_missing_warehouse_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pointing at a folder without a warehouse says so and exits 2."""
    assert main(["--root", str(tmp_path), "validate"]) == 2
    assert "provenance init" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which("duckdb") is None, reason="the DuckDB CLI is not installed (pip install '.[cli]')"
)
def test_duckdb_cli_sees_the_same_views_and_macros(tmp_path: Path) -> None:
    """`duckdb -init warehouse/views.sql` from the repository root answers like `provenance sql`."""
    from tests.conftest import copy_bundled

    root = copy_bundled(tmp_path)
    result = subprocess.run(
        [
            "duckdb",
            "-init",
            "warehouse/views.sql",
            "-csv",
            "-c",
            "select figure_id from figures_as_of('2017-05-26')",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    _, rows = Warehouse(root).query("select figure_id from figures_as_of('2017-05-26')")
    assert result.stdout.split()[1:] == [r[0] for r in rows]
