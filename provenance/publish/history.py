"""`provenance history SUBJECT [METRIC]`: each claimant's series for one subject, with the
revisions the rules flag.

A series is one claimant's figures for one subject and metric in the order stated (the
``revision_history`` macro). Flags come from the warehouse's own revision rules
(``revision_falls``, ``revision_jump``), run on just this subject, so the chart marks exactly
what ``validate`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError, Problem
from provenance.publish.records import interval_text, one, plain, rows

if TYPE_CHECKING:
    import duckdb

    from provenance.storage.warehouse import Warehouse

REVISION_KINDS = ("revision_falls", "revision_jump")
TABLE_COLUMNS = (
    "metric",
    "claimant",
    "stated_on",
    "interval",
    "qualifier",
    "value_text",
    "change_low",
    "flags",
    "figure_id",
)


@dataclass
class Point:
    figure_id: str
    stated_on: Any
    low: float | None
    high: float | None
    qualifier: str
    wording: str | None
    change_low: float | None
    speaker: str | None
    supersedes: str | None
    flags: list[str] = field(default_factory=list)  # "rule: message" of each flagging rule


@dataclass
class Series:
    subject_id: str
    metric: str
    claimant_id: str
    claimant: str
    points: list[Point]

    @property
    def flagged(self) -> bool:
        return any(p.flags for p in self.points)


@dataclass
class History:
    subject: dict[str, Any]
    metric: str | None
    series: list[Series]

    def table(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """One row per figure, series after series: what `history` prints."""
        out = []
        for s in self.series:
            for p in s.points:
                out.append(
                    (
                        s.metric,
                        s.claimant,
                        p.stated_on,
                        interval_text(p.low, p.high),
                        p.qualifier,
                        p.wording,
                        p.change_low,
                        "; ".join(f.split(":")[0] for f in p.flags),
                        p.figure_id,
                    )
                )
        return list(TABLE_COLUMNS), out

    def to_dict(self) -> dict[str, Any]:
        return plain(
            {
                "subject": self.subject,
                "metric": self.metric,
                "series": [
                    {
                        "metric": s.metric,
                        "claimant": {"entity_id": s.claimant_id, "name": s.claimant},
                        "points": [vars(p) for p in s.points],
                    }
                    for s in self.series
                ],
            }
        )


def history(
    warehouse: Warehouse,
    subject_id: str,
    metric: str | None = None,
    *,
    rules_file: Path | None = None,
) -> History:
    """Every claimant's series for ``subject_id`` (one metric, or all), with flagged revisions."""
    with warehouse.connect() as connection:
        subject = one(
            connection,
            "select * exclude (batch_id, recorded_at) from subjects where subject_id = ?",
            subject_id,
        )
        if subject is None:
            raise ConfigError(Problem("unknown-id", "no subject has this id", value=subject_id))
        metrics = [
            r["metric"]
            for r in rows(
                connection,
                "select distinct metric from figures where subject_id = ? order by 1",
                subject_id,
            )
        ]
        if metric is not None and metric not in metrics:
            known = ", ".join(metrics) or "none"
            raise ConfigError(
                Problem(
                    "unknown-id",
                    f"{subject_id} has no {metric} figures (its metrics: {known})",
                    value=metric,
                )
            )
        flags = revision_flags(warehouse, connection, rules_file)
        series = []
        for m in [metric] if metric else metrics:
            series += series_of(connection, subject_id, m, flags)
    return History(subject, metric, series)


def series_of(
    connection: duckdb.DuckDBPyConnection,
    subject_id: str,
    metric: str,
    flags: dict[str, list[str]],
) -> list[Series]:
    """Each claimant's series for one subject and metric; ``flags`` by figure_id."""
    found = rows(
        connection,
        "select h.*, c.name as claimant, s.name as speaker from revision_history(?, ?) h "
        "left join entities c on c.entity_id = h.claimant_id "
        "left join entities s on s.entity_id = h.speaker_id",
        subject_id,
        metric,
    )
    by_claimant: dict[str, Series] = {}
    for r in found:
        series = by_claimant.setdefault(
            r["claimant_id"],
            Series(subject_id, metric, r["claimant_id"], r["claimant"] or r["claimant_id"], []),
        )
        series.points.append(
            Point(
                figure_id=r["figure_id"],
                stated_on=r["stated_on"],
                low=r["value_low"],
                high=r["value_high"],
                qualifier=r["qualifier"],
                wording=r["value_text"],
                change_low=r["change_low"],
                speaker=r["speaker"],
                supersedes=r["supersedes"],
                flags=flags.get(r["figure_id"], []),
            )
        )
    return list(by_claimant.values())


def revision_flags(
    warehouse: Warehouse,
    connection: duckdb.DuckDBPyConnection,
    rules_file: Path | None = None,
) -> dict[str, list[str]]:
    """figure_id → "rule: message" for each failure of the warehouse's revision rules."""
    from provenance.core.metrics import cumulative_names
    from provenance.validation.compile_duckdb import compile_duckdb
    from provenance.validation.orchestrator import warehouse_rules, warehouse_vocabulary
    from provenance.validation.running import Check, run_check
    from provenance.validation.sql_text import drop_shared

    rules, display = warehouse_rules(warehouse, rules_file)
    # The warehouse's own metrics.yaml says which metrics are cumulative, as in `validate`.
    cumulative = cumulative_names(warehouse_vocabulary(warehouse))
    flags: dict[str, list[str]] = {}
    checks = [
        Check(
            rule.name,
            rule.kind,
            rule.severity,
            rule.description,
            compile_duckdb(rule, cumulative),
            rule,
        )
        for rule in rules
        if rule.kind in REVISION_KINDS
    ]
    for check in checks:
        for failure in run_check(connection, check, display).failures:
            flags.setdefault(failure.record_id, []).append(f"{check.name}: {failure.message}")
    # The revision rules share their live figures and series; the caller's connection goes on.
    drop_shared(connection, (c.compiled for c in checks))
    return flags


def render_history(history: History) -> str:
    """Series after series, one line per figure: what `history` prints on a terminal."""
    from provenance.core.text import plural

    subject = history.subject
    lines = [f"{subject['subject_id']}: {subject['description']}"]
    for s in history.series:
        lines += [
            "",
            f"{s.metric} — {s.claimant} ({s.claimant_id}), {plural(len(s.points), 'figure')}",
        ]
        for p in s.points:
            change = f"  lower bound {p.change_low:+g}" if p.change_low else ""
            via = f"  via {p.speaker}" if p.speaker else ""
            wording = f" «{p.wording}»" if p.wording else ""
            lines.append(
                f"  {p.stated_on}  {interval_text(p.low, p.high):<12} {p.qualifier}{wording}"
                f"{change}{via}  {p.figure_id}"
            )
            lines += [f"    ⚑ {flag}" for flag in p.flags]
    if not history.series:
        lines.append("no figures")
    return "\n".join(lines) + "\n"
