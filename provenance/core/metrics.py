"""The metric vocabulary: what a figure may count, and whether it is a running toll.

Declared as data in ``expectations/metrics.yaml`` (one line per metric: name, ``counts`` and a
description). The package ships the default vocabulary in
``provenance/defaults/expectations/metrics.yaml``; the record contract (the ``metric`` enum of
:mod:`provenance.core.schema`), the README's metric table and the revision rules' defaults
derive from it. A warehouse's own ``expectations/metrics.yaml`` (copied there by ``init``) may
re-declare which of those metrics are cumulative for its rules; it cannot add a name the
package does not know, because every warehouse shares one record contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from provenance.core.errors import ConfigError, Problem
from provenance.core.text import first_line
from provenance.core.yaml_files import load_yaml

METRICS_FILE = "metrics.yaml"
COUNTS = ("cumulative", "period")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Metric:
    """One metric of the vocabulary."""

    name: str
    counts: str  # cumulative: a running toll that only grows unless corrected or restarted
    description: str

    @property
    def cumulative(self) -> bool:
        return self.counts == "cumulative"


def packaged_vocabulary_path() -> Path:
    """The package's default vocabulary file."""
    return Path(
        str(resources.files("provenance").joinpath("defaults", "expectations", METRICS_FILE))
    )


def load_vocabulary(path: Path, display: str | None = None) -> tuple[Metric, ...]:
    """The metrics declared in ``path``; every problem in it at once, as a ConfigError."""
    import yaml

    where = display or str(path)
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{where}: cannot read the metric vocabulary: {e}") from None
    except yaml.YAMLError as e:
        reason = getattr(e, "problem", None) or first_line(e)
        raise ConfigError(f"{where}: malformed YAML: {reason}") from None
    return parse_vocabulary(document, where)


def parse_vocabulary(document: Any, where: str) -> tuple[Metric, ...]:
    entries = document.get("metrics") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{where}: expected a mapping of metrics under 'metrics:'")
    problems: list[str] = []
    metrics: list[Metric] = []
    for name, entry in entries.items():
        at = f"{where}: metric {name}"
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"{at}: the name must be lower-case letters, digits and _")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{at}: expected {{counts: cumulative|period, description: ...}}")
            continue
        unknown = sorted(set(entry) - {"counts", "description"})
        if unknown:
            problems.append(f"{at}: unknown field(s) {', '.join(map(str, unknown))}")
        counts, description = entry.get("counts"), entry.get("description")
        if counts not in COUNTS:
            problems.append(f"{at}: counts must be one of {', '.join(COUNTS)}, got {counts!r}")
        if not isinstance(description, str) or not description.strip():
            problems.append(f"{at}: needs a description")
        if not unknown and counts in COUNTS and isinstance(description, str) and description:
            metrics.append(Metric(name, str(counts), description.strip()))
    if problems:
        raise ConfigError([Problem("config-error", p) for p in problems])
    return tuple(metrics)


def packaged_vocabulary() -> tuple[Metric, ...]:
    return load_vocabulary(packaged_vocabulary_path(), "package:" + METRICS_FILE)


def cumulative_names(vocabulary: tuple[Metric, ...]) -> tuple[str, ...]:
    return tuple(m.name for m in vocabulary if m.cumulative)


def markdown_table(vocabulary: tuple[Metric, ...]) -> str:
    """The README's metric table."""
    lines = ["| metric | counts | meaning |", "|---|---|---|"]
    lines += [f"| `{m.name}` | {m.counts} | {m.description} |" for m in vocabulary]
    return "\n".join(lines) + "\n"
