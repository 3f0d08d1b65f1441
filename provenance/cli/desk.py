"""The desk's read-side commands: `show`, `history` and `export`, each over one API function
of :mod:`provenance.publish`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from provenance.cli.base import OutputFormat, RootOption, command, err
from provenance.cli.base import open_warehouse as _warehouse
from provenance.core.errors import ExitCode


class CardFormat(StrEnum):
    text = "text"
    json = "json"


@command()
def show(
    record_id: str = typer.Argument(
        ...,
        metavar="ID",
        help="A figure, relation, subject or entity id, or a document id (or its first 8+ characters).",
    ),
    card_format: CardFormat = typer.Option(
        CardFormat.text, "--format", "-f", help="text for people, json for programs (same content)."
    ),
    root: Path | None = RootOption,
) -> int:
    """Where a number comes from: its quote in context, who said it, when, and what surrounds it."""
    from provenance.publish.card import show as build

    card = build(_warehouse(root), record_id)
    if card_format is CardFormat.json:
        print(json.dumps(card, ensure_ascii=False, indent=2))
    else:
        from provenance.publish.card_text import render_card

        sys.stdout.write(render_card(card))
    return ExitCode.OK


@command()
def history(
    subject: str = typer.Argument(..., help="The subject whose series to show."),
    metric: str | None = typer.Argument(None, help="One metric (default: every metric)."),
    chart: Path | None = typer.Option(
        None,
        "--chart",
        dir_okay=False,
        help="Also draw the series to this .png, .svg or .html file (needs the 'chart' extra).",
    ),
    output: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="table: the series as lines; csv, json: rows."
    ),
    root: Path | None = RootOption,
) -> int:
    """Who said what over time: each claimant's series for a subject, flagged revisions marked."""
    from provenance.cli.tabular import render
    from provenance.publish.history import history as build
    from provenance.publish.history import render_history

    series = build(_warehouse(root), subject, metric)
    if output is OutputFormat.json:
        print(json.dumps(series.to_dict(), ensure_ascii=False, indent=2))
    elif output is OutputFormat.csv:
        render(*series.table(), output.value, sys.stdout)
    else:
        sys.stdout.write(render_history(series))
    if chart is not None:
        from provenance.publish.chart import write_chart

        err(f"wrote the chart to {write_chart(series, chart)}")
    return ExitCode.OK


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"
    claimreview = "claimreview"
    prov_json = "prov-json"


@command()
def export(
    export_format: ExportFormat = typer.Option(..., "--format", "-f", help="What to write."),
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="File to write."),
    where: str | None = typer.Option(
        None,
        "--where",
        help="One SQL condition on the exported columns, e.g. \"subject_id = 'x'\".",
    ),
    rules: Path | None = typer.Option(
        None, "--rules", dir_okay=False, help="Rules whose verdicts ClaimReview reports."
    ),
    reviewer: str = typer.Option(
        "provenance", "--reviewer", help="Who signs the ClaimReviews (your desk's name)."
    ),
    root: Path | None = RootOption,
) -> int:
    """Figures joined with their provenance, as CSV, Parquet, JSONL, ClaimReview or PROV-JSON."""
    from provenance.core.text import plural
    from provenance.publish.export import export as run

    count = run(
        _warehouse(root),
        export_format.value,
        output,
        where=where,
        rules_file=rules,
        reviewer=reviewer,
    )
    err(f"exported {plural(count, 'figure')} as {export_format.value} to {output}")
    return ExitCode.OK
