"""The importers' commands: `import airwars` and `import series`, each over one API function
of :mod:`provenance.importers`."""

from __future__ import annotations

from pathlib import Path

import typer

from provenance.cli.base import RootOption, command, import_app
from provenance.cli.base import err as _err
from provenance.cli.base import open_warehouse as _warehouse
from provenance.core.errors import ConfigError, ExitCode


@command(import_app, name="airwars")
def import_airwars(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="Airwars incident export (CSV)."
    ),
    narratives: bool = typer.Option(
        True,
        "--narratives/--no-narratives",
        help="Also extract figures from each assessment's narrative.",
    ),
    root: Path | None = RootOption,
) -> int:
    """Import Airwars incidents: one document, subject and toll figures per row, as one batch."""
    from provenance.cli.progress import terminal_progress
    from provenance.importers.airwars import import_airwars as run

    warehouse = _warehouse(root)
    # A few hundred rows take seconds (the narratives): show a bar well below append's threshold.
    with terminal_progress(min_total=50) as progress:
        report = run(warehouse, file, progress=progress, extract_narratives=narratives)
    for line in report.skipped_lines():
        _err(line)
    print(report.summary())
    return ExitCode.OK


@command(import_app, name="series")
def import_series(
    files: list[Path] = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="Long-format CSV releases: a date and a value per row.",
    ),
    date_column: str | None = typer.Option(
        None, "--date-column", help="Column of the date (default: stated_on, else date)."
    ),
    value_column: str = typer.Option("value", "--value-column", help="Column of the count."),
    claimant_column: str = typer.Option(
        "claimant", "--claimant-column", help="Column of the claimant's name."
    ),
    subject_column: str = typer.Option(
        "subject", "--subject-column", help="Column of what is counted (a place, an incident)."
    ),
    metric_column: str = typer.Option(
        "metric", "--metric-column", help="Column of the metric (see expectations/metrics.yaml)."
    ),
    claimant: str | None = typer.Option(
        None, "--claimant", help="One claimant name for every row."
    ),
    subject: str | None = typer.Option(None, "--subject", help="One subject for every row."),
    metric: str | None = typer.Option(
        None, "--metric", help="One metric of the vocabulary for every row."
    ),
    metric_map: list[str] = typer.Option(
        [],
        "--metric-map",
        help="NAME=METRIC: read the metric the files call NAME as the vocabulary's METRIC "
        "(deaths_cum=deaths); repeat for several.",
    ),
    claimant_kind: str = typer.Option(
        "monitor", "--claimant-kind", help="Entity kind of a claimant the warehouse lacks."
    ),
    subject_prefix: str = typer.Option("", "--subject-prefix", help="Prefix of every subject id."),
    language: str = typer.Option("en", "--language", help="ISO 639 code of the releases."),
    published: str | None = typer.Option(
        None, "--published", help="Release date (default: the latest date in the file)."
    ),
    url: str | None = typer.Option(None, "--url", help="Where the releases were published."),
    outlet: str | None = typer.Option(None, "--outlet", help="Who published them."),
    root: Path | None = RootOption,
) -> int:
    """Import published series: each file archived as the document, each row a figure quoting it.

    Re-importing appends only new dates and changed values (a changed value supersedes the figure
    it corrects); all files go in one batch.
    """
    from provenance.importers.series import SeriesOptions
    from provenance.importers.series import import_series as run

    mapping = {}
    for item in metric_map:
        source, sep, target = item.partition("=")
        if not sep or not source or not target:
            raise ConfigError(
                f"--metric-map {item!r}: expected NAME=METRIC, the metric as the files name it "
                "and the vocabulary's (deaths_cum=deaths)"
            )
        mapping[source] = target
    options = SeriesOptions(
        date_column=date_column,
        value_column=value_column,
        claimant_column=claimant_column,
        subject_column=subject_column,
        metric_column=metric_column,
        claimant=claimant,
        subject=subject,
        metric=metric,
        metric_map=mapping,
        claimant_kind=claimant_kind,
        subject_prefix=subject_prefix,
        language=language,
        published_on=published,
        url=url,
        outlet=outlet,
    )
    report = run(_warehouse(root), files, options)
    for line in report.skipped:
        _err(line)
    print(report.summary())
    return ExitCode.OK
