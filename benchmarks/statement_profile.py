"""Where a ``validate`` run spends its time: every DuckDB statement of the checks, wall and CPU.

    python benchmarks/statement_profile.py ROOT [--top 15]

Runs :func:`provenance.validation.orchestrator.validate` in this process on the warehouse at
ROOT (the GX suites too, in process, when ROOT has any: point it at a root without suites for
the checks alone), with the connection the checks use wrapped so that each statement is timed:
its wall seconds and the process's CPU seconds meanwhile (DuckDB's threads included). Prints
the whole run, each check's statements summed, and the costliest statements. The bench
(``benchmarks/bench.py``) says how the whole compares with the floor; this says which part of
the whole to look at. A check's preparation sent as one string of several statements is timed,
and listed by its start, as one. Timings move with the machine's load: compare within a run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.storage.warehouse import Warehouse
from provenance.validation.orchestrator import CHECKING, validate

SETUP = "(before the checks)"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Statement:
    check: str
    sql: str
    wall: float
    cpu: float


@dataclass
class Profile:
    statements: list[Statement] = field(default_factory=list)
    check_names: list[str] = field(default_factory=list)
    running: str = SETUP
    wall: float = 0.0
    cpu: float = 0.0

    def by_check(self) -> list[tuple[str, float, float, int]]:
        """Each check's statements summed, costliest CPU first: name, wall, CPU, count."""
        sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        for s in self.statements:
            total = sums[s.check]
            total[0] += s.wall
            total[1] += s.cpu
            total[2] += 1
        return sorted(((n, w, c, int(k)) for n, (w, c, k) in sums.items()), key=lambda r: -r[2])


class _TimedConnection:
    """A DuckDB connection whose ``execute`` is timed into ``profile``; the rest passes through."""

    def __init__(self, connection: Any, profile: Profile) -> None:
        self._connection = connection
        self._profile = profile

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        cpu, started = cpu_seconds(), time.perf_counter()
        self._connection.execute(sql, *args, **kwargs)
        self._profile.statements.append(
            Statement(
                self._profile.running,
                " ".join(sql.split()),
                time.perf_counter() - started,
                cpu_seconds() - cpu,
            )
        )
        return self  # as DuckDB's execute returns its connection: a chained fetch reads on

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __enter__(self) -> _TimedConnection:
        self._connection.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._connection.__exit__(*exc)


class _ProfiledWarehouse(Warehouse):
    profile: Profile

    def connect(self, files: Collection[str] | None = None) -> Any:
        return _TimedConnection(super().connect(files), self.profile)


def profile_validate(root: Path) -> Profile:
    """One ``validate`` of the warehouse at ``root``, every statement of its checks timed."""
    warehouse = _ProfiledWarehouse(root)
    profile = warehouse.profile = Profile()

    def progress(stage: str, done: int, total: int) -> None:
        # Told (CHECKING, k, n) before check k + 1 runs; its name comes from the report.
        if stage == CHECKING:
            profile.running = f"#{done + 1}" if done < total else "(after the checks)"

    cpu, started = cpu_seconds(), time.perf_counter()
    report = validate(warehouse, progress=progress)
    profile.wall, profile.cpu = time.perf_counter() - started, cpu_seconds() - cpu
    checks = [
        r.name for r in report.results if r.kind != "expectation" and r.name != "file-integrity"
    ]
    names = {f"#{k + 1}": name for k, name in enumerate(checks)}
    for statement in profile.statements:
        statement.check = names.get(statement.check, statement.check)
    return profile


def render(profile: Profile, top: int) -> str:
    wall = sum(s.wall for s in profile.statements)
    cpu = sum(s.cpu for s in profile.statements)
    lines = [
        f"validate: {profile.wall:.2f} s, {profile.cpu:.2f} CPU-s; the checks' "
        f"{len(profile.statements)} DuckDB statements {wall:.2f} s, {cpu:.2f} CPU-s",
        "",
        f"{'check':<34} {'wall s':>7} {'CPU s':>7} {'statements':>10}",
    ]
    lines += [f"{n:<34} {w:>7.3f} {c:>7.3f} {k:>10}" for n, w, c, k in profile.by_check()]
    lines += ["", f"costliest {top} statements (wall s, CPU s, check, statement):"]
    for s in sorted(profile.statements, key=lambda s: -s.cpu)[:top]:
        lines.append(f"{s.wall:7.3f} {s.cpu:7.3f}  {s.check}: {s.sql[:110]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="Folder holding warehouse/ and expectations/.")
    parser.add_argument("--top", type=int, default=15, help="Statements to list (default 15).")
    args = parser.parse_args(argv)
    print(render(profile_validate(args.root), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
