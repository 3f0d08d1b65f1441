"""The public API has the CLI's verbs, and the CLI starts without the heavy libraries."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

import provenance
from provenance.cli import app as cli_app
from provenance.cli import desk as cli_desk
from provenance.cli import importing as cli_importing

HEAVY = ("pyarrow", "pandas", "numpy", "duckdb", "great_expectations")


def test_public_names_import() -> None:
    """`from provenance import Warehouse, validate, extract, import_airwars` works."""
    from provenance import Warehouse, extract, import_airwars, validate

    assert Warehouse.__name__ == "Warehouse"
    assert [f.__name__ for f in (validate, extract, import_airwars)] == [
        "validate",
        "extract",
        "import_airwars",
    ]
    assert set(provenance.__all__) >= {"Warehouse", "validate", "extract", "import_airwars"}
    from provenance import export, history, show

    assert [f.__name__ for f in (show, history, export)] == ["show", "history", "export"]


def test_help_imports_none_of_the_heavy_libraries() -> None:
    """`python -m provenance --help` loads neither pyarrow, pandas, numpy, duckdb nor GX."""
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['provenance', '--help']\n"
        "try:\n"
        "    runpy.run_module('provenance', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert "Usage" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout[-400:]


def _called_names(function: object) -> set[str]:
    """Names of the functions and methods a CLI command's body calls, imports unaliased."""
    tree = ast.parse(inspect.getsource(function))  # type: ignore[arg-type]
    aliases = {
        alias.asname: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname
    }
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Attribute):
                names.add(target.attr)
            elif isinstance(target, ast.Name):
                names.add(aliases.get(target.id, target.id))
    return names


def test_each_command_calls_the_api_function_of_its_verb() -> None:
    """init → Warehouse.init, append → Warehouse.append, validate → validate, and so on."""
    verbs = {
        cli_app.init: "init",
        cli_app.add_document: "add_document",
        cli_app.append: "append",
        cli_app.validate: "validate",
        cli_importing.import_airwars: "import_airwars",
        cli_desk.show: "show",
        cli_desk.history: "history",
        cli_desk.export: "export",
        cli_importing.import_series: "import_series",
    }
    for command, api in verbs.items():
        assert api in _called_names(command), f"{command.__name__} does not call {api}"
