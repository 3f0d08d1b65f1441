"""The README cannot drift: generated sections, examples and commands are checked here.

Regenerate the generated sections with `python -m tests.test_docs`.
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
from provenance.errors import CODES
from provenance.schema import markdown_reference
from provenance.views import views_sql

from .conftest import REPO, copy_bundled

README = REPO / "README.md"


def codes_table() -> str:
    lines = ["| code | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(lines) + "\n"


GENERATED = {"schema": markdown_reference, "codes": codes_table}


def render(text: str) -> str:
    for marker, generate in GENERATED.items():
        pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + generate() + m.group(2), text)  # noqa: B023
    return text


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_generated_sections_are_current() -> None:
    """The README's table reference and problem codes equal what the code declares."""
    text = README.read_text(encoding="utf-8")
    assert text == render(text), "run `python -m tests.test_docs` to regenerate the README"


def test_committed_views_sql_is_generated() -> None:
    """warehouse/views.sql is exactly what provenance.views generates."""
    assert (REPO / "warehouse" / "views.sql").read_text(encoding="utf-8") == views_sql("warehouse")


def test_quickstart_test_command_is_what_ci_runs() -> None:
    """.ci/run runs the README's second quickstart command."""
    quickstart = code_blocks("sh")[1].strip()
    assert quickstart in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_walkthrough_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command of the README walkthrough succeeds, from a copy of the repository."""
    copy_bundled(tmp_path)
    shutil.copytree(REPO / "tests" / "fixtures", tmp_path / "tests" / "fixtures")
    monkeypatch.chdir(tmp_path)
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- test: walkthrough")[1].split("```sh\n")[1].split("```")[0]
    for line in block.strip().splitlines():
        argv = shlex.split(line)
        assert argv[0] == "provenance"
        assert main(argv[1:]) == 0, (line, capsys.readouterr().err)
    out = capsys.readouterr().out
    assert "plus de 35" in out and "validation passed" in out


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


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
