"""The README cannot drift: generated sections, examples and commands are checked here.

Regenerate the generated sections with `python -m provenance.cli.reference --write`.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.cli.reference import render_readme
from provenance.storage.views import views_sql
from provenance.validation.orchestrator import validate
from tests.conftest import REPO, copy_bundled

README = REPO / "README.md"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_generated_sections_are_current() -> None:
    """The README's table reference, problem codes and rule kinds equal what the code declares."""
    text = README.read_text(encoding="utf-8")
    assert text == render_readme(text), (
        "run `python -m provenance.cli.reference --write` to regenerate the README"
    )


def test_committed_views_sql_is_generated() -> None:
    """warehouse/views.sql is exactly what provenance.storage.views generates."""
    assert (REPO / "warehouse" / "views.sql").read_text(encoding="utf-8") == views_sql("warehouse")


def test_quickstart_test_command_is_what_ci_runs() -> None:
    """.ci/run checks lint, format and types, then ends with the README's test command."""
    quickstart = code_blocks("sh")[1].strip()
    commands = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == quickstart
    before = commands[:-1]
    for habit in ("ruff check", "ruff format --check", "mypy"):
        assert any(c.startswith(habit) for c in before), f".ci/run does not run {habit}"


def readme_examples() -> dict[str, str]:
    """The README's shell blocks marked `<!-- test: NAME -->`, by name."""
    text = README.read_text(encoding="utf-8")
    found = re.findall(r"<!-- test: (\w+)[^>]*-->\n```sh\n(.*?)```", text, re.S)
    return dict(found)


@pytest.mark.parametrize("name", sorted(readme_examples()))
def test_readme_shell_examples_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command of each tested README example succeeds, from a copy of the repository."""
    copy_bundled(tmp_path)
    shutil.copytree(REPO / "tests" / "fixtures", tmp_path / "tests" / "fixtures")
    monkeypatch.chdir(tmp_path)
    for line in readme_examples()[name].strip().splitlines():
        argv = shlex.split(line)
        assert argv[0] == "provenance"
        assert main(argv[1:]) == 0, (line, capsys.readouterr().err)
    out = capsys.readouterr().out
    expected = {
        "walkthrough": "plus de 35",
        "extract": "validation passed",
        "store": "claimant-gap",
        "desk": "⟦le groupe d’observation britannique Airwars",
        "series": "corrected: 6 deaths counted twice",
    }[name]
    if name == "desk":  # each file the example names was written, and the chart is an SVG
        assert (tmp_path / "mosul.svg").read_text(encoding="utf-8").startswith("<svg")
        assert (tmp_path / "reviews.jsonld").is_file() and (tmp_path / "report.html").is_file()
    assert expected in out


def test_readme_rule_example_is_a_working_rule(bundled: Warehouse, tmp_path: Path) -> None:
    """The README's YAML rule parses and runs on the bundled warehouse."""
    (block,) = code_blocks("yaml")
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("rules:\n" + block, encoding="utf-8")
    report = validate(bundled, rules_file=rules_file, only=["no-round-tolls-from-officials"])
    (result,) = report.results
    assert result.name == "no-round-tolls-from-officials" and result.rows_checked >= 0


@pytest.mark.parametrize("query", code_blocks("sql"))
def test_sql_examples_run_on_the_bundled_warehouse(bundled: Warehouse, query: str) -> None:
    """Each SQL example of the README runs and returns rows."""
    _, rows = bundled.query(query)
    assert rows


def test_help_does_not_import_great_expectations() -> None:
    """`provenance --help` stays fast: the heavy GX import happens only where suites run."""
    probe = "import sys; from provenance.cli import main; main(['--help']) ; print('great_expectations' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip().endswith("False")
