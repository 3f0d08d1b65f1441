"""Charts of revision series: each figure's interval as a band, flagged revisions marked.

matplotlib draws them (the optional ``chart`` extra): a well-kept library whose PNG and SVG
backends need no browser or system library, used through its object API (no pyplot, no global
state). Desks that only validate do not pay its ~80 MB; without it, ``history --chart`` and the
HTML report's charts say how to install it. Output is deterministic: SVG ids are salted with a
constant and no creation date is written, so a chart changes only when its data does; SVG
text stays text (searchable, and readable by screen readers), in the browser's own fonts.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError, Problem

if TYPE_CHECKING:
    from provenance.publish.history import History, Series

FORMATS = (".png", ".svg", ".html")
INSTALL_HINT = 'charts need matplotlib: pip install "provenance-figures[chart]"'
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
FLAG_COLOUR = "#d62728"
MAX_LABELS = 4  # flags named beside their point; more are named once, in the legend
OPEN_TOP_MARGIN = 1.25  # an interval open above is drawn to 25 % over the largest bound


def has_matplotlib() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def write_chart(history: History, path: Path) -> Path:
    """Write ``history`` as a PNG, SVG or HTML chart, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(
            Problem(
                "config-error",
                f"--chart {path}: use a .png, .svg or .html file name",
                value=suffix or path.name,
            )
        )
    if not has_matplotlib():
        raise ConfigError(INSTALL_HINT)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        path.write_bytes(render_png(history.series, _title(history)))
    elif suffix == ".svg":
        path.write_text(render_svg(history.series, _title(history)), encoding="utf-8")
    else:
        path.write_text(render_html(history), encoding="utf-8")
    return path


def _title(history: History) -> str:
    metric = f" — {history.metric}" if history.metric else ""
    return f"{history.subject['subject_id']}{metric}"


def render_svg(series: list[Series], title: str) -> str:
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "provenance", "svg.fonttype": "none"}):
        figure = _draw(series, title)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline-ready: no XML prolog or doctype


def render_png(series: list[Series], title: str) -> bytes:
    figure = _draw(series, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()


def render_html(history: History) -> str:
    """A self-contained page: the chart as inline SVG and the series as a table."""
    columns, table_rows = history.table()
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in table_rows
    )
    title = escape(_title(history))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font:14px system-ui,sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>"
        f"</head><body><h1>{title}</h1>\n{render_svg(history.series, _title(history))}\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _draw(series: list[Series], title: str) -> Any:
    from matplotlib.figure import Figure

    metrics = list(dict.fromkeys(s.metric for s in series)) or [""]
    figure = Figure(figsize=(9, 2.2 + 2.6 * len(metrics)), layout="constrained")
    axes_list = figure.subplots(len(metrics), 1, squeeze=False)[:, 0]
    figure.suptitle(title)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    days = [_date(p.stated_on) for s in series for p in s.points]
    span = (max(days) - min(days)).days if days else 0
    half_width = timedelta(days=max(0.4, span / 60))
    for axes, metric in zip(axes_list, metrics, strict=True):
        members = [s for s in series if s.metric == metric]
        _draw_metric(axes, members, half_width)
        axes.set_ylabel(metric.replace("_", " "))
        axes.grid(axis="y", alpha=0.3)
        if span == 0 and days:
            axes.set_xlim(min(days) - timedelta(days=3), max(days) + timedelta(days=3))
        locator = AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.margins(x=0.12)  # room for the flag labels beside the last points
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    return figure


def _draw_metric(axes: Any, members: list[Series], half_width: timedelta) -> None:
    bounds = [b for s in members for p in s.points for b in (p.low, p.high) if b is not None]
    open_above = any(p.high is None for s in members for p in s.points)
    top = (max(bounds) if bounds else 1) * (OPEN_TOP_MARGIN if open_above else 1.05)
    flagged = [p for s in members for p in s.points if p.flags]
    rules = sorted({f.split(":")[0] for p in flagged for f in p.flags})
    # A few flags are named beside their point; many would overprint: the legend names them.
    flagged_label = "flagged revision" + (
        "" if len(flagged) <= MAX_LABELS else f": {', '.join(rules)}"
    )
    for i, s in enumerate(members):
        colour = PALETTE[i % len(PALETTE)]
        for p in s.points:
            low = 0.0 if p.low is None else p.low
            high = top if p.high is None else p.high
            left = _date(p.stated_on) - half_width
            axes.fill_between(
                [left, left + 2 * half_width],
                [low, low],
                [high, high],
                color=colour,
                alpha=0.25,
                hatch="//" if p.high is None else None,
                linewidth=0,
            )
            if p.high is None:
                axes.annotate(
                    "",
                    (_date(p.stated_on), top),
                    (_date(p.stated_on), low),
                    arrowprops={"arrowstyle": "->", "color": colour, "alpha": 0.6},
                )
        dates = [_date(p.stated_on) for p in s.points]
        lows = [math.nan if p.low is None else p.low for p in s.points]
        axes.plot(dates, lows, marker="o", color=colour, label=s.claimant, drawstyle="default")
        for p in s.points:
            if p.flags:
                axes.plot(
                    [_date(p.stated_on)],
                    [p.low or 0],
                    marker="X",
                    markersize=13,
                    color=FLAG_COLOUR,
                    linestyle="none",
                    label=flagged_label,
                )
                flagged_label = "_nolegend_"
                if len(flagged) > MAX_LABELS:
                    continue
                axes.annotate(
                    p.flags[0].split(":")[0],
                    (_date(p.stated_on), p.low or 0),
                    textcoords="offset points",
                    xytext=(6, -14),
                    color=FLAG_COLOUR,
                    fontsize="small",
                )
    axes.set_ylim(bottom=0, top=top)


def _date(value: Any) -> datetime:
    """A stated day as a datetime: bands are fractions of a day wide, which a date cannot hold."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return datetime(day.year, day.month, day.day)
