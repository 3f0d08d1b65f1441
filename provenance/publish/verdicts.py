"""What the consistency rules say about each figure and relation, for publishing.

A verdict is the worst status any rule gave a record: ``fail`` (an error-level rule failed on
it), ``warn`` (a warning-level rule flagged it), else ``pass``; with the rules' messages and,
for relations, what was measured even on a pass (3100/352 ≥ 8.81 against a stated 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance.storage.warehouse import Warehouse

ORDER = {"pass": 0, "warn": 1, "fail": 2}


@dataclass
class Verdict:
    status: str = "pass"
    findings: list[str] = field(default_factory=list)  # "rule (status): message"


def verdicts(warehouse: Warehouse, rules_file: Path | None = None) -> dict[str, Verdict]:
    """record id → its verdict under the warehouse's consistency rules (GX suites not run)."""
    from provenance.validation.orchestrator import validate, warehouse_rules

    rules, _ = warehouse_rules(warehouse, rules_file)
    if not rules:
        return {}
    report = validate(warehouse, rules_file=rules_file, only=[r.name for r in rules])
    out: dict[str, Verdict] = {}
    for result in report.results:
        for observation in result.observations:
            verdict = out.setdefault(observation.record_id, Verdict())
            verdict.findings.append(f"{result.name} (measured): {observation.message}")
        if result.status == "pass":
            continue
        for failure in result.failures:
            for record_id in failure.record_id.split(" vs "):
                verdict = out.setdefault(record_id, Verdict())
                if ORDER[result.status] > ORDER[verdict.status]:
                    verdict.status = result.status
                verdict.findings.append(f"{result.name} ({result.status}): {failure.message}")
    return out
