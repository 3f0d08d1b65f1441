"""The `provenance` command: a thin layer over the library API.

Each command opens the warehouse, calls one API function and prints its result. Known
problems print one line each to stderr and map to an exit code (see provenance.errors.ExitCode);
a traceback only with --debug.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from provenance.errors import ExitCode, ProvenanceError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Sourced figures in Parquet: append, query and validate a warehouse of quoted numbers.",
)
import_app = typer.Typer(no_args_is_help=True, help="Import a monitor's export as sourced figures.")
app.add_typer(import_app, name="import")


def command(target: typer.Typer = app, name: str | None = None) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Register a command whose return value is its exit code."""

    def register(function: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> int:
            raise typer.Exit(int(function(*args, **kwargs)))

        target.command(name)(run)
        return function

    return register

_state: dict[str, Any] = {"debug": False, "root": None}

RootOption = typer.Option(
    None,
    "--root",
    help="Folder holding warehouse/ and expectations/ (default: nearest parent of the working directory).",
    file_okay=False,
)


@app.callback()
def _options(
    root: Path | None = RootOption,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
) -> None:
    _state["debug"] = debug
    _state["root"] = root


def _warehouse(root: Path | None = None) -> Any:
    from provenance.store import Warehouse

    return Warehouse.open(root or _state["root"])


def _err(line: str) -> None:
    print(line, file=sys.stderr)


@command()
def init(directory: Path = typer.Argument(Path("."), help="Where to create warehouse/ and expectations/.")) -> int:
    """Create an empty warehouse and default expectations in DIRECTORY."""
    from provenance.store import Warehouse

    warehouse = Warehouse.init(directory)
    _err(f"created {warehouse.data_dir} and {warehouse.expectations_dir}")
    return ExitCode.OK


@command(name="add-document")
def add_document(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="UTF-8 text of the document."),
    language: str = typer.Option(..., "--language", help="ISO 639 code, e.g. fr, en."),
    published: str = typer.Option(..., "--published", help="Publication date, YYYY-MM-DD (or YYYY-MM, YYYY)."),
    url: str | None = typer.Option(None, "--url"),
    outlet: str | None = typer.Option(None, "--outlet"),
    title: str | None = typer.Option(None, "--title"),
    root: Path | None = RootOption,
) -> int:
    """Archive a document's NFC text; its id is the sha256 of that text."""
    from provenance.inputs import read_text

    result = _warehouse(root).add_document(
        read_text(file), language=language, published_on=published, url=url, outlet=outlet, title=title, source=str(file)
    )
    document_id = result.ids.get("documents", [None])[0]
    _err(result.summary())
    if document_id:
        print(document_id)
    return ExitCode.OK


@command()
def append(
    file: Path = typer.Argument(..., help="CSV, JSONL or Parquet file of rows."),
    table: str | None = typer.Option(None, "--table", "-t", help="Table the rows go to (default: a 'table' field, or the file name)."),
    root: Path | None = RootOption,
) -> int:
    """Check every row, then append them all as one atomic batch (or nothing)."""
    from provenance.progress import terminal_progress

    warehouse = _warehouse(root)
    with terminal_progress() as progress:
        result = warehouse.append(file, table=table, progress=progress)
    _err(result.summary())
    return ExitCode.OK


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@command()
def sql(
    query: str = typer.Argument(..., help="SQL over the views documents, entities, subjects, figures, relations, batches."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
    root: Path | None = RootOption,
) -> int:
    """Run a query on the warehouse's views and macros."""
    from provenance.tabular import render

    columns, rows = _warehouse(root).query(query)
    render(columns, rows, output.value, sys.stdout)
    return ExitCode.OK


@command()
def validate(
    root: Path | None = RootOption,
) -> int:
    """Check the warehouse: files, record contracts, references and quotes."""
    from provenance.suites import validate as run

    report = run(_warehouse(root))
    print(report.render_text(), end="")
    return report.exit_code()


@command()
def extract(
    files: list[Path] = typer.Argument(..., help="Text files, or document_ids of archived documents."),
    language: str = typer.Option(..., "--language", help="fr or en."),
    published: str | None = typer.Option(None, "--published", help="Publication date YYYY-MM-DD, to resolve dates against (archived documents know theirs)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Review file to write (JSONL); default: standard output."),
    root: Path | None = RootOption,
) -> int:
    """Propose candidate figures from text, as a JSONL review file to edit and then append."""
    from provenance.review import extract_files

    published_on = date.fromisoformat(published) if published else None
    candidates = extract_files(files, language=language, published_on=published_on, root=root or _state["root"])
    from provenance.extract import write_review_file

    write_review_file(candidates, out or sys.stdout)
    _err(f"{len(candidates)} candidates" + (f" written to {out}" if out else ""))
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command, map what went wrong to one exit code."""
    try:
        app(args=argv, prog_name="provenance")
    except SystemExit as e:  # typer exits with the command's code, or 2 on a usage error
        return e.code if isinstance(e.code, int) else (0 if e.code is None else ExitCode.USAGE)
    except ProvenanceError as e:
        for problem in e.problems:
            _err(problem.line())
        if len(e.problems) > 1:
            _err(f"{len(e.problems)} problems" + ("; nothing was written" if e.exit_code == ExitCode.FAILURES else ""))
        return int(e.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as e:
        if _state["debug"]:
            raise
        _err(f"internal error: {type(e).__name__}: {e} (run with --debug for a traceback)")
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
