"""The `provenance` command: a thin layer over the library API.

Each command opens the warehouse, calls one API function and prints its result. Known
problems print one line each to stderr and map to an exit code (see provenance.core.errors.ExitCode);
a traceback only with --debug.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path

import typer

from provenance.cli.base import OutputFormat, RootOption, app, command, interrupted
from provenance.cli.base import err as _err
from provenance.cli.base import open_warehouse as _warehouse
from provenance.cli.base import state as _state
from provenance.core.enums import Language
from provenance.core.errors import ConfigError, ExitCode, ProvenanceError, WriteFailed
from provenance.core.text import plural

DISTRIBUTION = "provenance-figures"


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"provenance {version(DISTRIBUTION)} ({DISTRIBUTION})")
        except PackageNotFoundError:  # run from a source tree without installing
            print(f"provenance (version unknown: {DISTRIBUTION} is not installed)")
        raise typer.Exit(0)


@app.callback()
def _options(
    root: Path | None = RootOption,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    _version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    _state["debug"] = debug
    _state["root"] = root


@command()
def init(
    directory: Path = typer.Argument(
        Path("."), help="Where to create warehouse/ and expectations/."
    ),
    catalog: str | None = typer.Option(
        None,
        "--catalog",
        help="Keep the rows in a DuckLake whose catalog is 'postgres:dbname=… host=… port=… user=…' or 'duckdb:FILE'.",
    ),
    data_path: str | None = typer.Option(
        None, "--data-path", help="With --catalog: where the lake's Parquet files go."
    ),
) -> int:
    """Create an empty warehouse and default expectations in DIRECTORY (or a lake: --catalog)."""
    from provenance.storage.warehouse import Warehouse

    warehouse = Warehouse.init(directory, catalog=catalog, data_path=data_path)
    if warehouse.lake is not None:
        _err(f"created lake {warehouse.lake.config.describe()}; {directory}/lake.json opens it")
    else:
        _err(f"created {warehouse.data_dir} and {warehouse.expectations_dir}")
    return ExitCode.OK


@command()
def copy(
    source: Path = typer.Option(..., "--from", help="Warehouse to copy from (folder or lake)."),
    target: Path = typer.Option(
        ..., "--to", help="Warehouse to copy to (folder or lake), or a new folder to create one in."
    ),
) -> int:
    """Copy every batch the target lacks, keeping batch ids, times, authors and row ids."""
    from provenance.storage.catalog import is_lake
    from provenance.storage.copy import copy_warehouse

    # A folder that holds no warehouse yet becomes a folder warehouse (copy creates it).
    exists = is_lake(target) or (target / "warehouse" / "batches").is_dir()
    report = copy_warehouse(_warehouse(source), _warehouse(target) if exists else target)
    _err(report.summary())
    return ExitCode.OK


@command(name="add-document")
def add_document(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="UTF-8 texts (or dataset releases) to archive."
    ),
    metadata: Path | None = typer.Option(
        None,
        "--metadata",
        exists=True,
        dir_okay=False,
        help="CSV or JSONL sidecar: a row per file (column 'file') with language, published, url, outlet, title.",
    ),
    language: str | None = typer.Option(None, "--language", help="ISO 639 code, e.g. fr, en."),
    published: str | None = typer.Option(
        None, "--published", help="Publication date, YYYY-MM-DD (or YYYY-MM, YYYY)."
    ),
    url: str | None = typer.Option(None, "--url", help="Where the document was published."),
    outlet: str | None = typer.Option(None, "--outlet", help="Who published it."),
    title: str | None = typer.Option(None, "--title", help="Its headline or title."),
    root: Path | None = RootOption,
) -> int:
    """Archive documents' NFC texts as one batch; each id is the sha256 of its text.

    Flags give every file's metadata; a --metadata row for a file overrides them. A text already
    archived keeps its stored row, and one line says so when the metadata given differs.
    """
    from provenance.storage.documents import add_document as run
    from provenance.storage.documents import documents_from_files, read_sidecar

    defaults = {
        "language": language,
        "published_on": published,
        "url": url,
        "outlet": outlet,
        "title": title,
    }
    sidecar = read_sidecar(metadata) if metadata else None
    documents = documents_from_files(files, defaults, sidecar)
    source = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    result = run(_warehouse(root), documents, source=source)
    for note in result.notes:
        _err(note)
    _err(result.summary())
    for label, document_id in result.ids:
        print(document_id if len(files) == 1 else f"{document_id}\t{label}")
    return ExitCode.OK


@command()
def append(
    file: Path = typer.Argument(..., help="CSV, JSONL or Parquet file of rows."),
    table: str | None = typer.Option(
        None,
        "--table",
        "-t",
        help="Table the rows go to (default: a 'table' field, or the file name).",
    ),
    root: Path | None = RootOption,
) -> int:
    """Check every row, then append them all as one atomic batch (or nothing)."""
    from provenance.cli.progress import terminal_progress

    warehouse = _warehouse(root)
    with terminal_progress() as progress:
        result = warehouse.append(file, table=table, progress=progress)
    _err(result.summary())
    return ExitCode.OK


@command()
def sql(
    query: str | None = typer.Argument(
        None,
        help="SQL over the views documents, entities, subjects, figures, relations, batches; "
        "'-' reads it from standard input.",
    ),
    query_file: Path | None = typer.Option(
        None, "--file", "-f", exists=True, dir_okay=False, help="Read the query from this file."
    ),
    output: OutputFormat = typer.Option(
        OutputFormat.table, "--format", help="How to print the result."
    ),
    file: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        dir_okay=False,
        help="Write the result to this file (not under warehouse/ or expectations/).",
    ),
    root: Path | None = RootOption,
) -> int:
    """Run a read-only query on the warehouse's views and macros (it cannot change a file).

    The query comes from the argument, a file (-f) or standard input ('-'): one that starts
    with a `--` comment cannot be an argument, it reads as an option.
    """
    from provenance.cli.tabular import render

    if (query is None) == (query_file is None):
        raise ConfigError("give one query: as an argument, with -f FILE, or '-' for standard input")
    if query_file is not None:
        from provenance.storage.inputs import read_text

        query = read_text(query_file)
    elif query == "-":
        query = sys.stdin.read()
    assert query is not None
    warehouse = _warehouse(root)
    if file is not None:
        warehouse.refuse_inside(file)
    columns, rows = warehouse.query(query)
    if file is None:
        render(columns, rows, output.value, sys.stdout)
        return ExitCode.OK
    try:
        with file.open("w", encoding="utf-8", newline="") as stream:
            render(columns, rows, output.value, stream)
    except OSError as e:
        raise WriteFailed(f"cannot write {file}", e) from None
    _err(f"wrote {plural(len(rows), 'row')} to {file}")
    return ExitCode.OK


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    markdown = "markdown"


@command()
def validate(
    rules: Path | None = typer.Option(
        None,
        "--rules",
        dir_okay=False,
        help="Rules file (default: expectations/rules.yaml, else the packaged defaults).",
    ),
    only: list[str] | None = typer.Option(
        None,
        "--rule",
        metavar="NAME",
        help="Run only this check (repeatable; patterns like 'relation-*'). Built-in checks run only when named.",
    ),
    report_format: ReportFormat = typer.Option(
        ReportFormat.text, "--format", "-f", help="Report format."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        dir_okay=False,
        help="Write the report here; a text summary (20 rows per check) still goes to stdout.",
    ),
    store: bool = typer.Option(
        False, "--store", help="Keep this run's results as Parquet in warehouse/_runs/."
    ),
    baseline: str | None = typer.Option(
        None,
        "--baseline",
        metavar="RUN",
        help="Report only failures that are new since this stored run (see --store).",
    ),
    html: Path | None = typer.Option(
        None,
        "--html",
        dir_okay=False,
        help="Also write the whole run as one self-contained HTML page (offline, no scripts).",
    ),
    data_docs: Path | None = typer.Option(
        None,
        "--data-docs",
        file_okay=False,
        help="Write Great Expectations Data Docs (HTML) to this folder.",
    ),
    expect_head: list[str] | None = typer.Option(
        None,
        "--expect-head",
        metavar="HASH",
        help="A head hash printed by append or a previous validate (≥ 12 hex digits): fail if "
        "it is no longer in the batch log (newest batches removed). Repeatable.",
    ),
    root: Path | None = RootOption,
) -> int:
    """Check the warehouse: files, contracts, references, quotes, consistency rules and GX suites.

    Exit 0 when no error-level check fails (warnings allowed), 1 when one does, 2 on a usage or
    configuration error.
    """
    from provenance.cli.progress import VALIDATE_BAR_AFTER_SECONDS, terminal_progress
    from provenance.validation.baseline import new_since, stored_failures
    from provenance.validation.orchestrator import validate as run

    warehouse = _warehouse(root)
    known = stored_failures(warehouse, baseline) if baseline else None
    with terminal_progress(min_total=1, after_seconds=VALIDATE_BAR_AFTER_SECONDS) as progress:
        report = run(
            warehouse,
            rules_file=rules,
            only=only or None,
            store=store,
            data_docs=data_docs,
            expect_head=expect_head or None,
            progress=progress,
            # This process ends with the run: GX's import (seconds) overlaps the checks in a
            # worker, unless a caller of main() has imported GX already.
            gx_in_worker="great_expectations" not in sys.modules,
        )
    if known is not None:
        report, left_out = new_since(report, known)
        _err(
            f"compared with run {baseline}: {plural(left_out, 'failing row')} already there left out"
        )
    # Written as a stream: a JSON report of every failing row is never one string in memory.
    if output is None:
        report.write(report_format.value, sys.stdout)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as stream:
            report.write(report_format.value, stream)
        if report_format is not ReportFormat.text:
            sys.stdout.write(report.render_summary())
        _err(f"wrote the {report_format.value} report to {output}")
    if html is not None:
        from provenance.publish.html_report import write_html_report

        _err(f"wrote the HTML report to {write_html_report(warehouse, report, html)}")
    if report.run_id:
        _err(f"stored run {report.run_id} in warehouse/_runs/{report.run_id}/")
    return report.exit_code()


@command()
def extract(
    sources: list[str] = typer.Argument(
        ..., help="Text files, or document_ids of archived documents."
    ),
    language: Language = typer.Option(..., "--language", help="Language of the text."),
    published: str | None = typer.Option(
        None,
        "--published",
        help="Publication date YYYY-MM-DD to resolve dates against (archived documents know theirs).",
    ),
    outlet: str | None = typer.Option(
        None, "--outlet", help="Who published the text; claimant of unattributed figures."
    ),
    out: Path | None = typer.Option(
        None, "--output", "-o", help="Review file to write (JSONL); default: standard output."
    ),
    out_alias: Path | None = typer.Option(
        None, "--out", hidden=True, help="The old name of --output, still accepted."
    ),
    root: Path | None = RootOption,
) -> int:
    """Propose candidate figures from text, as a JSONL review file to edit and then append."""
    out = out or out_alias
    from provenance.core.errors import WarehouseNotFound
    from provenance.text.review import review_records, write_review

    try:
        warehouse = _warehouse(root)
    except WarehouseNotFound:
        warehouse = None  # extraction works without a warehouse; ids are not checked then
    records = review_records(
        sources,
        language=language.value,
        published_on=date.fromisoformat(published) if published else None,
        warehouse=warehouse,
        outlet=outlet,
    )
    if out is None:
        write_review(records, sys.stdout)
    else:
        with out.open("w", encoding="utf-8") as stream:
            write_review(records, stream)
    counts = {t: sum(1 for r in records if r["table"] == t) for t in ("figures", "relations")}
    _err(
        f"{counts['figures']} candidate figures, {counts['relations']} relations"
        + (f" written to {out}" if out else "")
    )
    return ExitCode.OK


# The commands of the other modules register themselves as they are imported.
import provenance.cli.desk  # noqa: E402  (show, history and export)
import provenance.cli.importing  # noqa: E402, F401  (import airwars and import series)


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
            _err(
                f"{len(e.problems)} problems"
                + ("; nothing was written" if e.exit_code == ExitCode.FAILURES else "")
            )
        return int(e.exit_code)
    except KeyboardInterrupt:  # before a command ran (a command says it itself)
        return interrupted()
    except OSError as e:
        # A report, chart or export the environment refused (full disk, permissions, a missing
        # folder): the user's environment, not a bug, so one line and exit 2 like any write.
        where = f"cannot write {e.filename}" if e.filename else "a file operation failed"
        failed = WriteFailed(where, e)
        for problem in failed.problems:
            _err(problem.line())
        return int(failed.exit_code)
    except Exception as e:
        if _state["debug"]:
            raise
        _err(f"internal error: {type(e).__name__}: {e} (run with --debug for a traceback)")
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
