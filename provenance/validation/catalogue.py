"""The catalogue of rule kinds, written out from their declarations in :mod:`.rules`.

The README's rule-kind table and the header comment of every ``rules.yaml`` are generated
from here (``python -m provenance.cli.reference --write``), so a new kind or parameter is
documented the moment it is declared.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

from provenance.core.enums import LANGUAGES, SEVERITIES
from provenance.validation.rules import (
    RELATIONS,
    RULE_KINDS,
    SCOPES,
    WHOLE_NUMBERS,
    Rule,
    whole_number,
)

WIDTH = 96  # columns of the YAML header, after "# "

# How each parameter type (the ``_param`` kind in rules.py) reads in a reference.
PARAMETER_VALUES: dict[str, str] = {
    "tables": "list of figures, relations",
    "languages": "list of " + ", ".join(LANGUAGES),
    "scope": "|".join(SCOPES),
    "relation": "|".join(RELATIONS),
    "fraction": "a fraction: 0.15 = 15 %",
    "factor": "a factor ≥ 1",
    "metrics": "list of metrics",
    **{param: whole_number(param) for param in WHOLE_NUMBERS},
    "sql": "a SQL query",
}


def summary(kind: type[Rule]) -> str:
    """What a kind checks: its docstring, on one line, in Markdown's code quoting."""
    return " ".join((kind.__doc__ or "").split()).replace("``", "`")


def _default(field: dataclasses.Field[Any]) -> str | None:
    if field.default is dataclasses.MISSING:
        return None
    value = field.default
    if value is None:
        if field.metadata.get("help"):
            return str(field.metadata["help"])
        return "all" if field.metadata["param"] == "metrics" else "none"
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def parameters(kind: type[Rule]) -> list[tuple[str, str, str | None]]:
    """Each parameter of a kind: its name, what it takes, its default (None: required)."""
    return [(f.name, PARAMETER_VALUES[f.metadata["param"]], _default(f)) for f in kind.parameters()]


def markdown_table() -> str:
    """The README's table: kind, parameters, what it checks."""
    lines = ["| kind | parameters | checks |", "|---|---|---|"]
    for name, kind in RULE_KINDS.items():
        cells = []
        for param, values, default in parameters(kind):
            detail = values if default is None else f"{values}; default {default}"
            cells.append(f"`{param}` ({detail})")
        params = ("<br>".join(cells) or "—").replace("|", "\\|")
        lines.append(f"| `{name}` | {params} | {summary(kind).replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def yaml_header() -> str:
    """The comment that opens a rules file: the fields of a rule and every kind."""
    lines = [
        "Consistency and revision rules for this warehouse, run by `provenance validate`.",
        "(This header is generated from provenance/validation/rules.py; edit the rules below.)",
        "",
        *textwrap.wrap(
            "Each rule: name (a slug; reports and `--rule NAME` use it), kind, severity ("
            + " or ".join(SEVERITIES)
            + ": error fails CI, warning only reports), description, the kind's parameters, "
            "and optionally warn_above / fail_above (tolerated failure counts). Kinds and "
            "their parameters (a parameter without a default is required):",
            WIDTH,
        ),
    ]
    for name, kind in RULE_KINDS.items():
        lines += textwrap.wrap(
            f"{name}: {summary(kind)}", WIDTH, initial_indent="  ", subsequent_indent="      "
        )
        for param, values, default in parameters(kind):
            suffix = "" if default is None else f" (default {default})"
            lines += textwrap.wrap(
                f"{param}: {values}{suffix}",
                WIDTH,
                initial_indent="      - ",
                subsequent_indent="        ",
            )
    return "".join(f"# {line}".rstrip() + "\n" for line in lines) + "\n"
