"""What every command shares: the typer app, the registering decorator, the --root option, the
warehouse the command works on, and one line to stderr.

Commands live in :mod:`provenance.cli.app` (warehouse, validation, extraction, import) and
:mod:`provenance.cli.desk` (show, history, export); both register on :data:`app` here.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from provenance.core.errors import ExitCode

# Plain help and usage errors (rich_markup_mode=None): rendering them with rich imports rich,
# pygments and markdown-it, which alone took longer than the rest of `provenance --help`.
app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Sourced figures in Parquet: append, query and validate a warehouse of quoted numbers.",
)
import_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Import a monitor's export as sourced figures.",
)
app.add_typer(import_app, name="import")


def command(
    target: typer.Typer = app, name: str | None = None
) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Register a command whose return value is its exit code."""

    def register(function: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> int:
            try:
                code = int(function(*args, **kwargs))
            except KeyboardInterrupt:
                code = interrupted()
            except RuntimeError as e:
                if str(e) != DUCKDB_INTERRUPTED:
                    raise
                code = interrupted()  # Ctrl-C during a query, in DuckDB's words: not a bug
            raise typer.Exit(code)

        target.command(name)(run)
        return function

    return register


# What DuckDB's Python client raises, a plain RuntimeError, when Ctrl-C stops a query.
DUCKDB_INTERRUPTED = "Query interrupted"


def interrupted() -> int:
    err("interrupted")
    return int(ExitCode.INTERRUPTED)


state: dict[str, Any] = {"debug": False, "root": None}

RootOption = typer.Option(
    None,
    "--root",
    help="Folder holding warehouse/ and expectations/ (default: nearest parent of the working directory).",
    file_okay=False,
)


def _flags_take_no_value() -> None:
    """Show flags without a value placeholder: typer prints `<bool>` after every flag, --help
    included, as if `--store true` were the syntax. One patch here, for every command. (typer
    0.29 shows them so; the typer this package allows, below 0.29, has no such method.)"""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None:
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag and self.metavar is None else shown(self, ctx)

    setattr(TyperOption, "display_type_rich", display_type_rich)  # noqa: B010 (both typers)


_flags_take_no_value()


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def open_warehouse(root: Path | None = None) -> Any:
    from provenance.storage.warehouse import Warehouse

    return Warehouse.open(root or state["root"])


def err(line: str) -> None:
    print(line, file=sys.stderr)
