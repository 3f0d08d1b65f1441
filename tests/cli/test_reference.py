"""Generated references: docs/cli.md, the README's tables and the rules.yaml headers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from provenance.cli import reference
from provenance.validation.catalogue import parameters
from provenance.validation.rules import RULE_KINDS, load_rules
from tests.conftest import REPO


def test_generated_files_are_current() -> None:
    """docs/cli.md, README.md's generated tables and both rules.yaml headers are up to date."""
    stale = [p.as_posix() for p in reference.stale_files(REPO)]
    assert stale == [], "run `python -m provenance.cli.reference --write`"


def test_every_command_argument_and_option_is_documented() -> None:
    """Each has help text, and docs/cli.md lists it under its command."""
    text = (REPO / reference.CLI_REFERENCE).read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `([^`]+)`\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    names = [name for name, _ in reference.commands()]
    assert "provenance import airwars" in names and "provenance validate" in names
    for name, command in reference.commands():
        assert command.help, f"{name} has no help text"
        assert name in sections, f"{name} is missing from docs/cli.md"
        for param in command.params:
            if getattr(param, "hidden", False):  # an old name kept working, not advertised
                continue
            label = reference.parameter_label(param)
            assert param.help, f"{name} {label} has no help text"
            assert f"`{label}`" in sections[name], f"{name} {label} is not in docs/cli.md"


def test_rule_kinds_and_parameters_are_in_both_references() -> None:
    """The README table and the rules.yaml header name every kind and each of its parameters."""
    readme = (REPO / reference.README).read_text(encoding="utf-8")
    table = readme.split("<!-- rule-kinds:start -->")[1].split("<!-- rule-kinds:end -->")[0]
    header = "".join(
        line
        for line in (REPO / reference.RULES_FILES[0]).read_text(encoding="utf-8").splitlines(True)
        if line.startswith("#")
    )
    rows = {
        row.split("|")[1].strip(" `"): row for row in table.splitlines() if row.startswith("| `")
    }
    assert list(rows) == list(RULE_KINDS)
    for kind, declared in RULE_KINDS.items():
        assert f"  {kind}: " in header
        for param, _values, _default in parameters(declared):
            assert f"`{param}`" in rows[kind]
            assert f"- {param}: " in header


@pytest.mark.parametrize("relative", reference.RULES_FILES, ids=lambda p: p.parent.parent.name)
def test_rules_files_keep_their_rules(relative: Path) -> None:
    """Regenerating a header leaves the rules as they were, and does so once."""
    path = REPO / relative
    text = path.read_text(encoding="utf-8")
    rendered = reference.render_rules_file(text)
    assert reference.render_rules_file(rendered) == rendered
    assert yaml.safe_load(rendered) == yaml.safe_load(text)
    assert [r.name for r in load_rules(path)]


def test_check_names_a_stale_file_and_write_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` exits 1 naming what is stale; `--write` regenerates it; then `--check` is 0."""
    root = tmp_path / "clone"
    for relative in (reference.README, *reference.RULES_FILES):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, root / relative)
    readme = (root / reference.README).read_text(encoding="utf-8")
    (root / reference.README).write_text(
        readme.replace("| `sql` |", "| `sequel` |"), encoding="utf-8"
    )
    args = ["--root", str(root)]

    assert reference.main(["--check", *args]) == 1
    err = capsys.readouterr().err
    assert "stale: README.md" in err and "stale: docs/cli.md" in err
    assert "rules.yaml" not in err
    assert reference.main(["--write", *args]) == 0
    assert reference.main(["--check", *args]) == 0
    assert (root / reference.README).read_text(encoding="utf-8") == readme
    assert reference.main(["--check", "--root", str(tmp_path)]) == 2
