"""Command-line conventions: --version, flags without placeholders, sql input, output option
names, plurals, and refusals that point at the file's own lines and delimiter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.cli.app import app
from provenance.validation.report import Failure, Report, RuleResult
from tests.conftest import ARTICLE, REPO

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version names the command, its version and the distribution to install."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "provenance 0.1.0 (provenance-figures)"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_flags_without_placeholders(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flag takes no value: no `<bool>` after --store, --debug or --help."""
    assert main([command, "--help"] if command else ["--help"]) == 0
    assert "<bool>" not in capsys.readouterr().out


def test_sql_reads_a_file_or_standard_input(
    bundled: Warehouse,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A query that starts with a `--` comment runs from -f FILE and from `-` (stdin)."""
    query = "-- how many figures?\nselect count(*) as n from figures\n"
    path = tmp_path / "count.sql"
    path.write_text(query, encoding="utf-8")
    root = ["--root", str(bundled.root)]
    assert main([*root, "sql", "-f", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out == "n\n7\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(query))
    assert main([*root, "sql", "-", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "n\n7\n"
    assert main([*root, "sql"]) == 2  # no query at all
    assert main([*root, "sql", "select 1", "-f", str(path)]) == 2  # two queries
    assert main([*root, "sql", "-f", str(tmp_path / "missing.sql")]) == 2


def test_output_option_has_one_name(tmp_path: Path) -> None:
    """extract writes with --output / -o, like validate and export; --out still works."""
    for option in ("--output", "-o", "--out"):
        target = tmp_path / f"review{option}.jsonl"
        argv = ["extract", str(ARTICLE), "--language", "fr", "--published", "2017-05-28"]
        assert main([*argv, option, str(target)]) == 0
        assert target.read_text(encoding="utf-8").count('"table": "figures"') == 7
    assert "`--out`" not in (REPO / "docs" / "cli.md").read_text(encoding="utf-8")


def test_counts_are_in_the_singular_for_one(empty: Warehouse) -> None:
    """ "1 document" and "1 error row", never "1 documents" or "1 error rows"."""
    added = empty.add_document(
        ARTICLE.read_text(encoding="utf-8"), language="fr", published_on="2017-05-28"
    )
    assert ": 1 document;" in added.summary()  # then the new head of the batch log
    report = Report([RuleResult("r", "sql", "error", "d", 1, [Failure("r", "x", "m")])])
    assert report.verdict() == (
        "validation FAILED: 1 check, 1 failed (1 error row), 0 warned (0 warning rows)"
    )
    assert "1 failing row:" in report.render_junit()


def test_semicolon_csv_names_its_delimiter(
    empty: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spreadsheet's `;` export is refused in one line that says so, not a dozen puzzles."""
    source = REPO / "warehouse" / "sources" / "zakharova-2017-05-28" / "entities.csv"
    path = tmp_path / "entities.csv"
    path.write_text(source.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert main(["--root", str(empty.root), "append", str(path)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("unreadable-file: entities.csv: the header has no comma but 3 ';'")
    assert "the delimiter looks like ';'" in line


def test_refusals_name_lines_of_the_file(
    empty: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quoted field spanning two lines moves the next row down: lines, as an editor counts."""
    path = tmp_path / "entities.csv"
    path.write_text(
        'entity_id,name,kind\nok,"Two\nlines",robot\nbad id,X,monitor\n', encoding="utf-8"
    )
    assert main(["--root", str(empty.root), "append", str(path)]) == 1
    err = capsys.readouterr().err
    assert "unknown-enum: entities.csv line 2 column kind" in err
    assert "bad-pattern: entities.csv line 4 column entity_id" in err


def test_a_report_the_environment_refuses_is_one_line_exit_2(
    bundled: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unwritable report path (here: under a regular file) is exit 2, not an internal error."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    code = main(
        [
            "--root",
            str(bundled.root),
            "validate",
            "--rule",
            "relation-ratio",
            "--html",
            str(blocker / "report.html"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "internal error" not in err
    assert [line for line in err.splitlines() if line.startswith("write-failed:")]


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (RuntimeError("Query interrupted"), 130, "interrupted"),
        (KeyboardInterrupt(), 130, "interrupted"),
        (RuntimeError("something else"), 3, "internal error: RuntimeError: something else"),
    ],
    ids=["duckdb-query", "python", "a-bug"],
)
def test_ctrl_c_is_interrupted_not_an_internal_error(
    bundled: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    code: int,
    said: str,
) -> None:
    """Ctrl-C during a DuckDB query reaches Python as a plain RuntimeError: exit 130, one
    line, like Ctrl-C anywhere else; any other RuntimeError is still a bug (exit 3)."""
    import provenance.validation.orchestrator as orchestrator

    def stopped(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(orchestrator, "validate", stopped)
    assert main(["--root", str(bundled.root), "validate"]) == code
    assert capsys.readouterr().err.strip().startswith(said)
