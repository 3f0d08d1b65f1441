"""The result of a validation run, and its renderings.

One :class:`Report` holds a :class:`RuleResult` per check; each failing record is a
:class:`Failure` naming the rule, the record and the measured numbers. The exit code comes from
:meth:`Report.exit_code`, the only place that maps a result to a code.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from provenance.errors import ExitCode

SEVERITIES = ("error", "warning")


@dataclass
class Failure:
    """One offending record of one rule."""

    rule: str
    record_id: str
    message: str
    table: str | None = None
    quote: str | None = None
    measured: float | None = None  # the deviation or factor that made it fail
    details: dict[str, Any] = field(default_factory=dict)

    def line(self, severity: str) -> str:
        parts = [f"{severity.upper()} {self.rule}: {self.table + ' ' if self.table else ''}{self.record_id}: {self.message}"]
        if self.quote:
            quote = self.quote if len(self.quote) <= 160 else self.quote[:159] + "…"
            parts.append(f"« {quote} »")
        return " — ".join(parts)


@dataclass
class RuleResult:
    name: str
    kind: str
    severity: str
    description: str
    rows_checked: int
    failures: list[Failure]
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
    def status(self) -> str:
        """pass, warn or fail."""
        n = self.failure_count
        if n == 0:
            return "pass"
        if self.fail_above is not None or self.warn_above is not None:
            if self.fail_above is not None and n > self.fail_above and self.severity == "error":
                return "fail"
            if self.warn_above is not None and n > self.warn_above:
                return "warn"
            if self.fail_above is not None and n > self.fail_above:
                return "warn"
            return "pass"
        return "fail" if self.severity == "error" else "warn"

    @property
    def worst(self) -> float | None:
        values = [f.measured for f in self.failures if f.measured is not None and not math.isnan(f.measured)]
        return max(values, key=abs) if values else None


@dataclass
class Report:
    results: list[RuleResult]
    warehouse: str | None = None

    def exit_code(self) -> ExitCode:
        return ExitCode.FAILURES if any(r.status == "fail" for r in self.results) else ExitCode.OK

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "warehouse": self.warehouse,
            "status": "fail" if self.failed else "pass",
            "exit_code": int(self.exit_code()),
            "rules": [
                {
                    **{k: v for k, v in asdict(r).items() if k not in ("failures", "observations")},
                    "status": r.status,
                    "failure_count": r.failure_count,
                    "worst": r.worst,
                    "failures": [asdict(f) for f in r.failures],
                    "observations": [asdict(f) for f in r.observations],
                }
                for r in self.results
            ],
        }

    def render_text(self) -> str:
        """A summary table, then one line per failure."""
        header = ("rule", "severity", "checked", "failures", "worst", "status")
        rows = [
            (r.name, r.severity, str(r.rows_checked), str(r.failure_count), format_measure(r.worst), r.status.upper())
            for r in self.results
        ]
        widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        lines.append("")
        for r in self.results:
            for o in r.observations:
                lines.append(f"measured {r.name}: {o.record_id}: {o.message}")
        for r in self.results:
            for f in r.failures:
                lines.append(f.line(r.severity))
        errors = sum(r.failure_count for r in self.results if r.status == "fail")
        warnings = sum(r.failure_count for r in self.results if r.status == "warn")
        verdict = "FAILED" if self.failed else "passed"
        lines.append(f"validation {verdict}: {len(self.results)} checks, {errors} error rows, {warnings} warning rows")
        return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def format_measure(value: float | None) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return "∞"
    return f"{value:.3g}"
