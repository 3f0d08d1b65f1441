"""`validate --html FILE`: one self-contained, offline HTML page for a validation run.

Every layer on one page, no script and no link outside the file: the verdict; each check with
its measured values; its failing rows with their quotes marked in their paragraphs; the stated
relations with their intervals and what the rules measured; a chart (inline SVG) for each
series a revision or claimant rule flagged; the Great Expectations results. The page is a
function of the report and the warehouse only (no clock), so the same run gives the same bytes.

A page is read by a person: on a large warehouse a check may flag 170 000 rows, so each list
and table shows its first rows (in report order) and says how many more there are and where
they are (every written report format holds every row). The page's size and the time to make
it stay bounded however many rows fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.core.text import plural
from provenance.publish.chart import INSTALL_HINT, has_matplotlib, render_svg
from provenance.publish.history import REVISION_KINDS, series_of
from provenance.publish.records import Row, around, interval_text, paragraph, rows
from provenance.validation.report import RuleResult, format_measure

if TYPE_CHECKING:
    import duckdb

    from provenance.storage.warehouse import Warehouse
    from provenance.validation.report import Failure, Report

CONTEXT = 600  # characters of the paragraph shown each side of a failing quote
# What a page shows of each long list; the rest is counted and pointed at (module docstring).
ROWS_SHOWN = 100  # failing rows, and measured values, per check
RELATIONS_SHOWN = 200  # stated relations
CHARTS_SHOWN = 10  # flagged series drawn
MORE_ROWS = "every one is in <code>--format json --output FILE</code>"
CHARTED_KINDS = (*REVISION_KINDS, "claimant_gap")
LAYERS = (
    ("builtin", "Built-in checks", "files, record contracts, references and quote anchoring"),
    ("rule", "Consistency rules", "expectations/rules.yaml, compiled to DuckDB SQL"),
    ("expectation", "Great Expectations suites", "expectations/gx/"),
)
STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:76rem;padding:1.5rem;color:#1d1d1f}
h1{font-size:1.5rem;margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
h3{margin:1.4rem 0 .3rem;font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9rem}
th,td{overflow-wrap:anywhere;border:1px solid #d6d6d6;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f2f2f4;white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{padding:.7rem 1rem;border-radius:6px;font-weight:600;margin:.6rem 0}
.pass{color:#17662f}.warn{color:#8a5a00}.fail{color:#b00020}
.verdict.pass{background:#e5f4ea}.verdict.fail{background:#fde7ea}
.status{font-weight:600;text-transform:uppercase;font-size:.8rem}
blockquote{margin:.3rem 0 .8rem;padding:.4rem .8rem;border-left:4px solid #c8c8d0;background:#fafafa}
mark{background:#ffe680;padding:0 .1rem}
.meta{color:#555;font-size:.85rem}code{font-size:.85em;background:#f2f2f4;padding:0 .2rem;border-radius:3px}
figure{margin:.6rem 0 1.4rem}svg{max-width:100%;height:auto}
ul.failures{padding-left:1.1rem}ul.failures li{margin-bottom:.6rem}
"""


def write_html_report(warehouse: Warehouse, report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html_report(warehouse, report), encoding="utf-8")
    return path


def render_html_report(warehouse: Warehouse, report: Report) -> str:
    with warehouse.connect() as connection:
        shown = [f for r in report.results for f in islice(r.failures, ROWS_SHOWN)]
        contexts = _quote_contexts(connection, shown)
        body = [
            _header(report),
            _summary(report),
            _details(report, contexts),
            _relations(connection, report),
            _charts(connection, report),
            _expectations(report),
        ]
    title = "provenance validate — " + ("FAILED" if report.failed else "passed")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body></html>\n"
    )


def _layer(result: RuleResult) -> str:
    return result.kind if result.kind in ("builtin", "expectation") else "rule"


def _anchor(name: str) -> str:
    return "check-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


def _status(status: str) -> str:
    return f'<span class="status {status}">{status}</span>'


def _header(report: Report) -> str:
    c = report.counts()
    verdict = report.verdict()
    state = "fail" if report.failed else "pass"
    run = f" · stored run <code>{escape(report.run_id)}</code>" if report.run_id else ""
    return (
        "<h1>provenance validate</h1>"
        f'<p class="meta">warehouse <code>{escape(str(report.warehouse))}</code> · rules '
        f"<code>{escape(str(report.rules_file))}</code>{run}</p>"
        f'<div class="verdict {state}">{escape(verdict)}</div>'
        f"<p>{plural(c['rules'], 'check')}: {c['passed']} passed, {c['warned']} warned, "
        f"{c['failed']} failed. Exit code {int(report.exit_code())}.</p>"
    )


def _summary(report: Report) -> str:
    parts = ["<h2>Checks</h2>"]
    for layer, title, what in LAYERS[:2]:
        members = [r for r in report.results if _layer(r) == layer]
        if members:
            parts.append(f"<h3>{title} <span class='meta'>({escape(what)})</span></h3>")
            parts.append(_checks_table(members))
    return "\n".join(parts)


def _checks_table(members: list[RuleResult]) -> str:
    head = (
        "check",
        "severity",
        "rows checked",
        "failures",
        "worst deviation",
        "status",
        "what it checks",
    )
    cells = []
    for r in members:
        name = escape(r.name)
        if r.failures or r.observations:
            name = f'<a href="#{_anchor(r.name)}">{name}</a>'
        cells.append(
            f"<tr><td><code>{name}</code></td><td>{r.severity}</td>"
            f'<td class="n">{r.rows_checked}</td><td class="n">{r.failure_count}</td>'
            f'<td class="n">{escape(format_measure(r.worst))}</td><td>{_status(r.status)}</td>'
            f"<td>{escape(r.description)}</td></tr>"
        )
    return _table(head, cells)


def _table(head: Iterable[str], body: list[str]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _details(report: Report, contexts: dict[str, Row]) -> str:
    parts = ["<h2>Measurements and failing rows</h2>"]
    shown = [r for r in report.results if r.failures or r.observations]
    if not shown:
        return parts[0] + "<p>No check measured or found anything to report.</p>"
    for r in shown:
        parts.append(
            f'<h3 id="{_anchor(r.name)}"><code>{escape(r.name)}</code> {_status(r.status)} '
            f"<span class='meta'>{escape(r.description)}</span></h3>"
        )
        if r.observations:
            items = "".join(
                f"<li>measured <code>{escape(o.record_id)}</code>: {escape(o.message)}</li>"
                for o in r.observations[:ROWS_SHOWN]
            )
            parts.append(f"<ul>{items}</ul>{_more(len(r.observations), 'measured values')}")
        if r.failures:
            label = "failing" if r.status == "fail" else "reported"
            parts.append(f"<p>{plural(r.failure_count, f'{label} row')}:</p>")
            items = "".join(_failure_item(f, contexts) for f in islice(r.failures, ROWS_SHOWN))
            parts.append(f'<ul class="failures">{items}</ul>{_more(r.failure_count, "rows")}')
    return "\n".join(parts)


def _more(count: int, what: str, shown: int | None = None, where: str = MORE_ROWS) -> str:
    """The line under a list cut at ``shown``: how many were left out and where they are."""
    shown = ROWS_SHOWN if shown is None else shown
    if count <= shown:
        return ""
    return f"<p class='meta'>… {count - shown} more {what} (first {shown} shown), {where}.</p>"


def _failure_item(failure: Failure, contexts: dict[str, Row]) -> str:
    table = f"{escape(failure.table)} " if failure.table else ""
    line = f"{table}<code>{escape(failure.record_id)}</code>: {escape(failure.message)}"
    quotes = [_in_context(contexts[i]) for i in _record_ids(failure) if i in contexts]
    if not quotes and failure.quote:
        quotes = [f"<blockquote>«&#8239;{escape(failure.quote)}&#8239;»</blockquote>"]
    return f"<li>{line}{''.join(quotes)}</li>"


def _record_ids(failure: Failure) -> list[str]:
    """The figure or relation ids a failure names ("a vs b" for a pair)."""
    if failure.table not in ("figures", "relations"):
        return []
    return failure.record_id.split(" vs ")


def _in_context(context: Row) -> str:
    para, start, end = paragraph(context["text"], context["quote_start"], context["quote_end"])
    before, quoted, after = around(para, start, end, CONTEXT)
    source = context.get("title") or context["document_id"][:12] + "…"
    return (
        f"<blockquote>{escape(before)}<mark>{escape(quoted)}</mark>"
        f"{escape(after)}<br><span class='meta'>{escape(context['record_id'])} · "
        f"{escape(source)}, published {context['published_on']}, chars "
        f"{context['quote_start']}–{context['quote_end']}</span></blockquote>"
    )


def _quote_contexts(
    connection: duckdb.DuckDBPyConnection, failures: list[Failure]
) -> dict[str, Row]:
    """record id → its quote's offsets and its document's text, for the failing figures and
    relations the page shows."""
    ids = sorted({i for f in failures for i in _record_ids(f)})
    if not ids:
        return {}
    # IN (unnest) is a hash join; list_contains in a WHERE clause scans the list per row.
    found = rows(
        connection,
        """
        with anchored as (
          select figure_id as record_id, document_id, quote_start, quote_end from figures
          where figure_id in (select unnest($ids::VARCHAR[]))
          union all
          select relation_id, document_id, quote_start, quote_end from relations
          where relation_id in (select unnest($ids::VARCHAR[]))
        )
        select a.*, d.text, d.title, d.published_on
        from anchored a join documents d using (document_id)
        """.replace("$ids", "?"),
        ids,
        ids,
    )
    return {r["record_id"]: r for r in found}


def _relations(connection: duckdb.DuckDBPyConnection, report: Report) -> str:
    total = connection.execute("select count(*) from relations").fetchone()
    found = rows(
        connection,
        f"""
        select r.relation_id, r.kind, r.value_low, r.value_high, r.value_text, r.quote,
               f.figure_id, f.value_low as f_value_low, f.value_high as f_value_high,
               f.value_text as f_value_text,
               c.name as claimant,
               list_transform(r.reference_ids, lambda x: x) as reference_ids
        from relations r
        left join figures f on f.figure_id = r.figure_id
        left join entities c on c.entity_id = r.claimant_id
        order by r.stated_on, r.relation_id
        limit {RELATIONS_SHOWN}
        """,
    )
    if not found:
        return ""
    references = {
        r["figure_id"]: r
        for r in rows(
            connection,
            "select figure_id, value_low, value_high, value_text from figures "
            "where figure_id in (select unnest(?::VARCHAR[]))",
            sorted({i for r in found for i in r["reference_ids"]}),
        )
    }
    shown = {r["relation_id"] for r in found}
    measured: dict[str, list[str]] = {}
    for result in report.results:
        for item in (*result.observations, *result.failures):
            if item.table in (None, "relations") and item.record_id in shown:
                measured.setdefault(item.record_id, []).append(
                    f"{result.name} ({result.status}): {item.message}"
                )
    cells = []
    for r in found:
        refs = "<br>".join(
            f"<code>{escape(i)}</code> {escape(_interval(references.get(i)))}"
            for i in r["reference_ids"]
        )
        figure = f"<code>{escape(r['figure_id'])}</code> {escape(_interval(r, 'f_'))}"
        checks = "<br>".join(escape(m) for m in measured.get(r["relation_id"], [])) or "—"
        cells.append(
            f"<tr><td><code>{escape(r['relation_id'])}</code><br>{escape(r['kind'])} "
            f"{escape(_interval(r))} — {escape(r['claimant'] or '')}"
            f"<br>«&#8239;{escape(r['quote'])}&#8239;»</td><td>{figure}</td><td>{refs}</td>"
            f"<td>{checks}</td></tr>"
        )
    head = ("stated relation", "figure", "compared with", "what the rules measured")
    more = _more(
        int(total[0]) if total else 0,
        "stated relations",
        RELATIONS_SHOWN,
        'in <code>provenance sql "select * from relations"</code>',
    )
    return "<h2>Stated relations</h2>" + _table(head, cells) + more


def _interval(row: Row | None, prefix: str = "") -> str:
    if row is None:
        return "(missing)"
    text = interval_text(row[prefix + "value_low"], row[prefix + "value_high"])
    wording = row.get(prefix + "value_text")
    return f"{text} «{wording}»" if wording else text


def _charts(connection: duckdb.DuckDBPyConnection, report: Report) -> str:
    charted = [r for r in report.results if r.kind in CHARTED_KINDS and r.status != "pass"]
    flagged = sorted({i for r in charted for f in r.failures for i in _record_ids(f)})
    if not flagged:
        return ""
    pairs = rows(
        connection,
        "select distinct subject_id, metric from figures "
        "where figure_id in (select unnest(?::VARCHAR[])) order by subject_id, metric",
        flagged,
    )
    title = f"<h2>Flagged series <span class='meta'>({plural(len(pairs), 'chart')})</span></h2>"
    if not has_matplotlib():
        return title + f"<p>{escape(INSTALL_HINT)}</p>"
    drawn = pairs[:CHARTS_SHOWN]
    flags = _flags(connection, charted, drawn)
    parts = [title]
    for pair in drawn:
        series = series_of(connection, pair["subject_id"], pair["metric"], flags)
        name = f"{pair['subject_id']} — {pair['metric']}"
        parts.append(
            f"<figure>{render_svg(series, name)}<figcaption class='meta'>"
            f"{escape(name)}: each figure's interval as a band, flagged revisions as ✖"
            "</figcaption></figure>"
        )
    where = "drawn one at a time by <code>provenance history SUBJECT METRIC --chart FILE</code>"
    parts.append(_more(len(pairs), "flagged series", CHARTS_SHOWN, where))
    return "\n".join(parts)


def _flags(
    connection: duckdb.DuckDBPyConnection, charted: list[RuleResult], drawn: list[Row]
) -> dict[str, list[str]]:
    """figure_id → "rule: message" for each flag on a figure of the series drawn."""
    in_drawn = {
        r["figure_id"]
        for r in rows(
            connection,
            "select f.figure_id from figures f "
            "join (select unnest(?::STRUCT(s VARCHAR, m VARCHAR)[], recursive := true)) p "
            "on f.subject_id = p.s and f.metric = p.m",
            [{"s": p["subject_id"], "m": p["metric"]} for p in drawn],
        )
    }
    flags: dict[str, list[str]] = {}
    for result in charted:
        for f in result.failures:
            for figure_id in _record_ids(f):
                if figure_id in in_drawn:
                    flags.setdefault(figure_id, []).append(f"{result.name}: {f.message}")
    return flags


def _expectations(report: Report) -> str:
    members = [r for r in report.results if r.kind == "expectation"]
    if not members:
        return "<h2>Great Expectations</h2><p>No suite ran (no <code>expectations/gx/</code>).</p>"
    failing = [r for r in members if r.status != "pass"]
    lines = [
        "<h2>Great Expectations</h2>",
        f"<p>{plural(len(members), 'expectation')} in the suites under "
        f"<code>expectations/gx/</code>, {len(failing)} not passing (their rows are listed "
        "under Measurements and failing rows).</p>",
        _checks_table(members),
    ]
    return "\n".join(lines)
