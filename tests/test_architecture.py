"""The package's shape: wings in layers, no import cycle, no upward import, small modules.

The layers, lowest first (a wing may import its own modules and any wing below it):

    core → storage → text → validation → importers → publish → testing → cli

The top-level ``provenance/__init__.py`` (the public API) sits above them all and is never
imported by the package itself.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "provenance"
LAYERS = ["core", "storage", "text", "validation", "importers", "publish", "testing", "cli"]
MAX_LINES = 520


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports, outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("provenance"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("provenance")
        ):
            found.add(node.module)
            # `from provenance.storage import contracts` imports a module, not a name
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if _path_of(candidate) is not None:
                    found.add(candidate)
    return found


def _path_of(module: str) -> Path | None:
    base = REPO.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_belongs_to_a_wing() -> None:
    loose = [
        m for m in _graph() if _wing(m) is None and m not in ("provenance", "provenance.__main__")
    ]
    assert loose == [], f"modules outside the wings {LAYERS}: {loose}"


def test_no_upward_import() -> None:
    upward = []
    for module, imported in _graph().items():
        wing = _wing(module)
        if wing is None:
            continue
        for target in imported:
            target_wing = _wing(target)
            if target_wing is None or LAYERS.index(target_wing) > LAYERS.index(wing):
                upward.append(f"{module} imports {target}")
    assert upward == [], "\n".join(upward)


def test_no_import_cycle() -> None:
    graph = _graph()
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imported in graph.items():
        # importing a.b.c also runs a and a.b: count those edges only for real modules
        edges[module].update(t for t in imported if t in graph and t != module)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            pytest.fail("import cycle: " + " → ".join(cycle))


def test_modules_stay_small() -> None:
    large = {
        _module_name(p): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert large == {}, f"modules over {MAX_LINES} lines: {large}"
