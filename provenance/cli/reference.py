"""References generated from the code, never copied by hand.

- ``docs/cli.md``: every command, argument and option of the ``provenance`` typer app;
- the README's generated sections: the table reference (:mod:`provenance.core.schema`), the
  problem codes (:mod:`provenance.core.errors`), the rule kinds
  (:mod:`provenance.validation.catalogue`) and the metric vocabulary
  (:mod:`provenance.core.metrics`);
- the header comment of ``expectations/rules.yaml`` and of the packaged default, from the same
  rule declarations.

``python -m provenance.cli.reference --write`` regenerates them all from a clone of the
repository; ``--check`` exits 1 and names the stale files (the tests run the same check).
"""

from __future__ import annotations

import argparse
import enum
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# The generated files, relative to the root of a clone.
README = Path("README.md")
CLI_REFERENCE = Path("docs", "cli.md")
RULES_FILES = (
    Path("expectations", "rules.yaml"),
    Path("provenance", "defaults", "expectations", "rules.yaml"),
)
PROGRAM = "provenance"


# --- the command line -------------------------------------------------------------------------


def _root_command() -> Any:
    import typer.main

    from provenance.cli.app import app

    return typer.main.get_command(app)


def commands() -> Iterator[tuple[str, Any]]:
    """Every command of the app with its full name ("provenance import airwars"), groups first."""

    def walk(name: str, command: Any) -> Iterator[tuple[str, Any]]:
        yield name, command
        for sub_name, sub in getattr(command, "commands", {}).items():
            yield from walk(f"{name} {sub_name}", sub)

    yield from walk(PROGRAM, _root_command())


def parameter_label(param: Any) -> str:
    """How a parameter is written on the command line: ``--format, -f`` or ``FILE``."""
    if getattr(param, "param_type_name", "") == "argument":
        name = str(param.name).upper()
        return f"{name}..." if param.nargs == -1 else name
    return ", ".join([*param.opts, *param.secondary_opts])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _default(param: Any) -> str:
    if param.required or param.default is None or getattr(param, "multiple", False):
        return ""
    value = param.default
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        if not param.secondary_opts:
            return "" if value is False else "on"
        return f"`{param.opts[0] if value else param.secondary_opts[0]}`"
    return f"`{value}`"


def _values(param: Any) -> str:
    """The allowed values of an option typed with an enum."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = [m.value for m in annotation]
    else:  # typer < 0.29 gives an enum option a Choice of its values
        values = list(getattr(param.type, "choices", None) or ())
    if not values:
        return ""
    return " One of: " + ", ".join(f"`{v}`" for v in values) + "."


def _usage(name: str, command: Any) -> str:
    pieces = [name, "[OPTIONS]"]
    for param in command.params:
        if getattr(param, "param_type_name", "") == "argument":
            label = parameter_label(param)
            pieces.append(label if param.required else f"[{label}]")
    if getattr(command, "commands", None):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def cli_reference() -> str:
    """docs/cli.md: one section per command, with a table of its arguments and options."""
    lines = [
        "# Command reference",
        "",
        "<!-- Generated from the typer app (provenance/cli/app.py) by",
        "     `python -m provenance.cli.reference --write`: do not edit by hand. -->",
        "",
        "Exit codes: `0` clean (warnings allowed), `1` problems found, `2` usage or "
        "configuration error, `3` an internal error.",
    ]
    for name, command in commands():
        lines += ["", f"## `{name}`", ""]
        lines.append(command.help.strip() if command.help else "")
        lines += ["", "```text", _usage(name, command), "```"]
        params = [p for p in command.params if not getattr(p, "hidden", False)]
        if params:
            lines += ["", "| argument or option | meaning | default |", "|---|---|---|"]
            for param in params:
                meaning = _cell((param.help or "") + _values(param))
                required = " (required)" if param.required else ""
                lines.append(
                    f"| `{parameter_label(param)}`{required} | {meaning} | {_default(param)} |"
                )
        if getattr(command, "commands", None):
            lines += ["", "Commands: " + ", ".join(f"`{c}`" for c in command.commands) + "."]
    return "\n".join(lines) + "\n"


# --- the README's generated sections -----------------------------------------------------------


def codes_table() -> str:
    from provenance.core.errors import CODES

    lines = ["| code | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(lines) + "\n"


def _schema_reference() -> str:
    from provenance.core.schema import markdown_reference

    return markdown_reference()


def _rule_kinds() -> str:
    from provenance.validation.catalogue import markdown_table

    return markdown_table()


def _metrics() -> str:
    from provenance.core.metrics import markdown_table
    from provenance.core.schema import VOCABULARY

    return markdown_table(VOCABULARY)


README_SECTIONS: dict[str, Callable[[], str]] = {
    "schema": _schema_reference,
    "codes": codes_table,
    "rule-kinds": _rule_kinds,
    "metrics": _metrics,
}


def render_readme(text: str) -> str:
    """``text`` with every ``<!-- NAME:start -->…<!-- NAME:end -->`` section regenerated."""
    for marker, generate in README_SECTIONS.items():
        pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md has no <!-- {marker}:start --> … :end section")
        content = generate()
        # Called at once, while ``content`` is this section's text.
        text = pattern.sub(lambda m: m.group(1) + content + m.group(2), text)  # noqa: B023
    return text


def render_rules_file(text: str) -> str:
    """A rules file with its header comment (the leading ``#`` lines) regenerated."""
    from provenance.validation.catalogue import yaml_header

    lines = text.splitlines(keepends=True)
    body = 0
    while body < len(lines) and (lines[body].startswith("#") or not lines[body].strip()):
        body += 1
    return yaml_header() + "".join(lines[body:])


# --- writing and checking ----------------------------------------------------------------------


def expected_files(root: Path) -> dict[Path, str]:
    """Every generated file of the clone at ``root`` (relative path) and its content now."""
    files = {
        README: render_readme((root / README).read_text(encoding="utf-8")),
        CLI_REFERENCE: cli_reference(),
    }
    for path in RULES_FILES:
        files[path] = render_rules_file((root / path).read_text(encoding="utf-8"))
    return files


def stale_files(root: Path) -> list[Path]:
    """The generated files of the clone at ``root`` that differ from what the code says."""
    return [
        path
        for path, content in expected_files(root).items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != content
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m provenance.cli.reference", description=__doc__.splitlines()[0]
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the files")
    mode.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the clone's root (default: here)"
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    if not (root / README).exists():
        print(f"no {root / README}: run this from the root of a clone", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_files(root)
        for path in stale:
            print(f"stale: {path.as_posix()}", file=sys.stderr)
        return 1 if stale else 0
    for path, content in expected_files(root).items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            print(f"wrote {path.as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
