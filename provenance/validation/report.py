"""The result of a validation run, and its renderings: text, JSON, JUnit XML, Markdown.

One :class:`Report` holds a :class:`RuleResult` per check; each failing record is a
:class:`Failure` naming the rule, the record and the measured numbers — a list, or many rows
spilled to a file (:mod:`provenance.validation.failure_rows`) that every format reads back a
batch at a time as it writes. The exit code comes from :meth:`Report.exit_code`, the only place
that maps a result to a code. Every rendering is a function of :meth:`Report.to_dict`'s
content, so the formats cannot disagree.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import chain, islice
from typing import IO, Any

from provenance.core.enums import CheckStatus, Severity
from provenance.core.errors import ExitCode
from provenance.core.text import plural, shorten
from provenance.validation.failure_rows import QUOTE_LIMIT, Failure, worst_measured
from provenance.validation.report_rows import (
    dumps_at,
    failure_dict,
    failure_lines,
    json_number,
    write_json_rows,
)

__all__ = ["FORMATS", "QUOTE_LIMIT", "Failure", "Report", "RuleResult", "format_measure"]

FORMATS = ("text", "json", "junit", "markdown")
SUMMARY_HEADER = ("rule", "severity", "rows checked", "failures", "worst deviation", "status")
MARKDOWN_LINES_PER_RULE = 30  # a PR comment has a size limit; JSON and JUnit keep every row


@dataclass
class RuleResult:
    name: str
    kind: str
    severity: str
    description: str
    rows_checked: int
    # In report order; a list, or rows spilled to a file when many (failure_rows.SpilledFailures).
    failures: Sequence[Failure]
    seconds: float = 0.0
    # A rule may tolerate some failures: warn above warn_above, fail above fail_above.
    warn_above: int | None = None
    fail_above: int | None = None
    # What the rule measured even when it passed (e.g. a ratio's deviation), for the report.
    observations: list[Failure] = field(default_factory=list)

    @property
    def failure_count(self) -> int:
        return len(self.failures)

    @property
    def status(self) -> CheckStatus:
        n = self.failure_count
        if n == 0:
            return CheckStatus.PASS
        error = self.severity == Severity.ERROR
        if self.fail_above is not None or self.warn_above is not None:
            if self.fail_above is not None and n > self.fail_above and error:
                return CheckStatus.FAIL
            if self.warn_above is not None and n > self.warn_above:
                return CheckStatus.WARN
            if self.fail_above is not None and n > self.fail_above:
                return CheckStatus.WARN
            return CheckStatus.PASS
        return CheckStatus.FAIL if error else CheckStatus.WARN

    @property
    def worst(self) -> float | None:
        """The largest measured deviation or factor, over failures and passing measurements."""
        first = worst_measured(self.failures)
        values = [
            v
            for v in (first, *(o.measured for o in self.observations))
            if v is not None and not math.isnan(v)
        ]
        return max(values, key=abs) if values else None


# Beside a written report, stdout shows this many rows per check: a check that flags a hundred
# thousand rows would otherwise print tens of megabytes nobody reads there.
SUMMARY_ROWS_PER_CHECK = 20


@dataclass
class Report:
    results: list[RuleResult]
    warehouse: str | None = None
    rules_file: str | None = None  # relative to the warehouse root when inside it
    run_id: str | None = None  # set when the run was kept with --store

    def exit_code(self) -> ExitCode:
        return (
            ExitCode.FAILURES
            if any(r.status == CheckStatus.FAIL for r in self.results)
            else ExitCode.OK
        )

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == CheckStatus.FAIL]

    def counts(self) -> dict[str, int]:
        """Rule counts by status, and failing rows of failing and warning rules."""
        return {
            "rules": len(self.results),
            "passed": sum(r.status == CheckStatus.PASS for r in self.results),
            "warned": sum(r.status == CheckStatus.WARN for r in self.results),
            "failed": len(self.failed),
            "error_rows": sum(
                r.failure_count for r in self.results if r.status == CheckStatus.FAIL
            ),
            "warning_rows": sum(
                r.failure_count for r in self.results if r.status == CheckStatus.WARN
            ),
        }

    def to_dict(self, failures: bool = True) -> dict[str, Any]:
        """The report as JSON-ready data; ``failures=False`` leaves out the rows (for streaming)."""
        rows = {
            "failures": lambda r: [failure_dict(f) for f in r.failures],
            "observations": lambda r: [failure_dict(o) for o in r.observations],
        }
        return {
            "warehouse": self.warehouse,
            "rules_file": self.rules_file,
            "run_id": self.run_id,
            "status": CheckStatus.FAIL if self.failed else CheckStatus.PASS,
            "exit_code": int(self.exit_code()),
            "counts": self.counts(),
            "rules": [
                {
                    # Not asdict(r): it would copy every failing row to drop them.
                    **{
                        f.name: getattr(r, f.name)
                        for f in fields(r)
                        if f.name not in ("failures", "observations")
                    },
                    "status": r.status,
                    "failure_count": r.failure_count,
                    "worst": json_number(r.worst),
                    **({k: rows_of(r) for k, rows_of in rows.items()} if failures else {}),
                }
                for r in self.results
            ],
        }

    def render(self, format: str) -> str:
        """The report in one of :data:`FORMATS`, as one string (see :meth:`write` for a file)."""
        out = io.StringIO()
        self.write(format, out)
        return out.getvalue()

    def write(self, format: str, out: IO[str]) -> None:
        """Write the report in one of :data:`FORMATS`, a row at a time in every format.

        Failing rows are read from their rule's result as they are written (spilled rows a batch
        at a time): the rendering is never one string, nor every row one object, in memory.
        """
        writers = {
            "text": self.write_text,
            "json": self.write_json,
            "junit": self.write_junit,
            "markdown": self.write_markdown,
        }
        writers[format](out)

    def verdict(self) -> str:
        c = self.counts()
        word = "FAILED" if self.failed else "passed"
        return (
            f"validation {word}: {plural(c['rules'], 'check')}, {c['failed']} failed "
            f"({plural(c['error_rows'], 'error row')}), "
            f"{c['warned']} warned ({plural(c['warning_rows'], 'warning row')})"
        )

    def render_summary(self) -> str:
        """The text summary printed beside a report written to a file (which holds every row):
        at most :data:`SUMMARY_ROWS_PER_CHECK` lines of each check's rows."""
        return self.render_text(rows_per_check=SUMMARY_ROWS_PER_CHECK)

    def render_text(self, rows_per_check: int | None = None) -> str:
        out = io.StringIO()
        self.write_text(out, rows_per_check)
        return out.getvalue()

    def write_text(self, out: IO[str], rows_per_check: int | None = None) -> None:
        """A summary table, the measurements, then one line per failing record.

        ``rows_per_check`` keeps the first lines of each check's measurements and failures and
        says how many more there are: the summary printed beside a report written to a file,
        which holds every row, stays readable when a check flags a hundred thousand.
        """
        rows: list[tuple[str, ...]] = [
            (
                r.name,
                r.severity,
                str(r.rows_checked),
                str(r.failure_count),
                format_measure(r.worst),
                r.status.upper(),
            )
            for r in self.results
            if not _folded(r)
        ]
        rows += _folded_suite_rows([r for r in self.results if _folded(r)])
        _write_lines(out, [*_table(SUMMARY_HEADER, rows), ""])
        measured = [
            line
            for r in self.results
            for line in _first(
                (f"measured {r.name}: {o.record_id}: {o.message}" for o in r.observations),
                len(r.observations),
                rows_per_check,
                f"measured {r.name}",
            )
        ]
        if measured:
            _write_lines(out, [*measured, ""])
        # Failing and warning checks first, then failures a threshold tolerated.
        for passing in (False, True):
            for r in self.results:
                if (r.status == CheckStatus.PASS) != passing:
                    continue
                after = f" (tolerated: {r.failure_count} ≤ threshold)" if passing else ""
                lines = (line + after for line in failure_lines(r.failures, r.severity))
                _write_lines(out, _first(lines, r.failure_count, rows_per_check, r.name))
        if any(r.failure_count for r in self.results):
            out.write("\n")
        out.write(self.verdict() + "\n")

    def render_json(self) -> str:
        out = io.StringIO()
        self.write_json(out)
        return out.getvalue()

    def write_json(self, out: IO[str]) -> None:
        """The text of ``json.dumps(self.to_dict(), indent=2)``, written a failure at a time.

        A run with hundreds of thousands of failing rows never holds them all as dictionaries,
        nor the whole document as one string (``tests/validation/test_report.py`` checks the
        bytes against ``json.dumps``).
        """
        head = self.to_dict(failures=False)
        rules = head.pop("rules")
        text = dumps_at(head, 0)
        out.write(text[: text.rindex("\n")] + ',\n  "rules": ')
        if not rules:
            out.write("[]\n}\n")
            return
        out.write("[")
        for n, (result, head) in enumerate(zip(self.results, rules, strict=True)):
            out.write(",\n    {" if n else "\n    {")
            for key, value in head.items():
                out.write(f'\n      "{key}": {dumps_at(value, 6)},')
            write_json_rows(out, "failures", result.failures, ",")
            write_json_rows(out, "observations", result.observations, "")
            out.write("\n    }")
        out.write("\n  ]\n}\n")

    def render_junit(self) -> str:
        out = io.StringIO()
        self.write_junit(out)
        return out.getvalue()

    def write_junit(self, out: IO[str]) -> None:
        """JUnit XML: one testcase per rule; a failing rule's rows in <failure>, a warning's in
        <system-out> (the testcase passes), measurements in <system-out> too.

        Written by hand a row at a time, byte for byte what ElementTree writes after
        ``ET.indent`` (``tests/validation/test_report.py`` holds it to that).
        """
        c = self.counts()
        total_time = f"{sum(r.seconds for r in self.results):.3f}"
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
        out.write(
            _attributes(
                name="provenance validate",
                tests=str(c["rules"]),
                failures=str(c["failed"]),
                time=total_time,
            )
        )
        out.write(">\n  <testsuite")
        out.write(
            _attributes(
                name="provenance",
                tests=str(c["rules"]),
                failures=str(c["failed"]),
                errors="0",
                skipped="0",
                time=total_time,
            )
        )
        if not self.results:
            out.write(" />\n</testsuites>\n")
            return
        out.write(">")
        for r in self.results:
            out.write("\n    <testcase")
            out.write(
                _attributes(classname=f"provenance.{r.kind}", name=r.name, time=f"{r.seconds:.3f}")
            )
            failing = r.status == CheckStatus.FAIL
            measured = [f"measured: {o.record_id}: {o.message}" for o in r.observations]
            if not failing and not measured and not r.failure_count:
                out.write(" />")
                continue
            out.write(">")
            if failing:
                message = f"{plural(r.failure_count, 'failing row')}: {r.description}"
                out.write(f"\n      <failure{_attributes(message=message, type=r.severity)}>")
                _write_xml_lines(out, failure_lines(r.failures, r.severity))
                out.write("</failure>")
            if measured or (r.failure_count and not failing):
                rows = () if failing else failure_lines(r.failures, r.severity)
                out.write("\n      <system-out>")
                _write_xml_lines(out, chain(measured, rows))
                out.write("</system-out>")
            out.write("\n    </testcase>")
        out.write("\n  </testsuite>\n</testsuites>\n")

    def render_markdown(self) -> str:
        out = io.StringIO()
        self.write_markdown(out)
        return out.getvalue()

    def write_markdown(self, out: IO[str]) -> None:
        """A PR comment: verdict, summary table, then the failing and warning rows per rule."""
        icon = {
            CheckStatus.PASS: "✅ pass",
            CheckStatus.WARN: "⚠️ warn",
            CheckStatus.FAIL: "❌ fail",
        }
        lines = [
            f"### {'❌' if self.failed else '✅'} provenance validate: {self.verdict().split(': ', 1)[1]}",
            "",
        ]
        lines.append("| " + " | ".join(SUMMARY_HEADER) + " |")
        lines.append("|" + "---|" * len(SUMMARY_HEADER))
        for r in self.results:
            cells = (
                f"`{r.name}`",
                r.severity,
                str(r.rows_checked),
                str(r.failure_count),
                format_measure(r.worst),
                icon[r.status],
            )
            lines.append("| " + " | ".join(cells) + " |")
        _write_lines(out, lines)
        for r in self.results:
            if not r.failure_count and not r.observations:
                continue
            lines = ["", f"#### `{r.name}` ({icon[r.status]})", "", _md_escape(r.description), ""]
            for o in r.observations[:MARKDOWN_LINES_PER_RULE]:
                lines.append(f"- measured `{o.record_id}`: {_md_escape(o.message)}")
            for f in r.failures[:MARKDOWN_LINES_PER_RULE]:
                quote = f" — « {_md_escape(shorten(f.quote, QUOTE_LIMIT))} »" if f.quote else ""
                lines.append(f"- `{f.record_id}`: {_md_escape(f.message)}{quote}")
            hidden = max(0, r.failure_count - MARKDOWN_LINES_PER_RULE)
            if hidden:
                lines.append(f"- … and {hidden} more (see the JSON or JUnit report)")
            _write_lines(out, lines)


def _write_lines(out: IO[str], lines: Iterable[str]) -> None:
    for line in lines:
        out.write(line + "\n")


def _attributes(**values: str) -> str:
    """XML attributes as ElementTree writes them, in the order given."""
    return "".join(f' {name}="{_xml_attribute(value)}"' for name, value in values.items())


def _xml_attribute(text: str) -> str:
    text = _xml_text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_xml_lines(out: IO[str], lines: Iterable[str]) -> None:
    """Lines joined by newlines as an element's text, escaped."""
    for n, line in enumerate(lines):
        out.write(("\n" if n else "") + _xml_text(line))


def _first(lines: Iterable[str], count: int, limit: int | None, what: str) -> Iterator[str]:
    """The ``count`` lines, or the first ``limit`` of them and one saying how many were left out."""
    if limit is None or count <= limit:
        yield from lines
        return
    yield from islice(lines, limit)
    yield f"… {what}: {count - limit} more rows in the written report"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
        for i, h in enumerate(header)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return lines


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _folded(result: RuleResult) -> bool:
    """Passing GX expectations fold into one summary row per suite: dozens of PASS lines
    would bury the rules that matter (every expectation is still in the JSON and JUnit)."""
    return result.kind == "expectation" and result.status == CheckStatus.PASS


def _folded_suite_rows(results: list[RuleResult]) -> list[tuple[str, ...]]:
    suites: dict[str, list[RuleResult]] = {}
    for r in results:
        suite = "-".join(r.name.split("-")[:2])  # gx-<table>-<expectation>-<column>
        suites.setdefault(suite, []).append(r)
    return [
        (
            f"{suite} ({plural(len(members), 'expectation')})",
            # A suite of warnings only (the default distributions) is not shown as an error.
            max((m.severity for m in members), key=lambda s: s == Severity.ERROR),
            str(max(m.rows_checked for m in members)),
            "0",
            "",
            "PASS",
        )
        for suite, members in suites.items()
    ]


def format_measure(value: float | None) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return "∞"
    return f"{value:.3g}"
