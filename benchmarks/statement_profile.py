"""Where a ``validate`` run spends its time: every DuckDB statement of the checks, wall and CPU.

    python benchmarks/statement_profile.py ROOT [--top 15] [--operators]

Runs :func:`provenance.validation.orchestrator.validate` in this process on the warehouse at
ROOT (the GX suites too, in process, when ROOT has any: point it at a root without suites for
the checks alone), with the connection the checks use wrapped so that each statement is timed:
its wall seconds and the process's CPU seconds meanwhile (DuckDB's threads included). Prints
the whole run, each check's statements summed, and the costliest statements. The bench
(``benchmarks/bench.py``) says how the whole compares with the floor; this says which part of
the whole to look at. A check's preparation sent as one string of several statements is timed,
and listed by its start, as one. Timings move with the machine's load: compare within a run.

``--operators`` also turns on DuckDB's own profiling and sums its operators' time (summed over
DuckDB's threads) over every statement of the checks, by kind of operator, a Parquet scan by
the table it reads: how much of the work is reading each table, and how much is joining,
grouping, filtering or writing temporary tables, whichever check does it. DuckDB's profiling
adds to the run's time (up to about a third at a million figures, in our runs): read its
shares, not its seconds. A statement whose rows are read only after the next one has started
(each check's count of the rows it checked, from Parquet metadata or a small table) goes
unprofiled: DuckDB writes a plan when its result closes, and the next plan overwrites it.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from provenance.storage.warehouse import Warehouse
from provenance.validation import running
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
    running: str = SETUP
    wall: float = 0.0
    cpu: float = 0.0
    # Operator → [seconds, count], filled with --operators (None: DuckDB's profiling stays off).
    operators: dict[str, list[float]] | None = None

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
        self._output: Path | None = None  # where DuckDB writes each plan (with --operators)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._read_operators()  # a statement whose rows were fetched after it returned
        cpu, started = cpu_seconds(), time.perf_counter()
        if self._output is not None and not args and not kwargs:
            # DuckDB profiles the last statement of a string: each is run, and read, alone.
            for statement in self._connection.extract_statements(sql):
                self._connection.execute(statement.query)
                self._read_operators()
        else:
            self._connection.execute(sql, *args, **kwargs)
        self._profile.statements.append(
            Statement(
                self._profile.running,
                " ".join(sql.split()),
                time.perf_counter() - started,
                cpu_seconds() - cpu,
            )
        )
        self._read_operators()
        return self  # as DuckDB's execute returns its connection: a chained fetch reads on

    def profile_operators(self, output: Path) -> None:
        """Turn on DuckDB's profiling: each statement's plan, timed, is written to ``output``."""
        self._output = output
        self._connection.execute("PRAGMA enable_profiling = 'json'")
        self._connection.execute(f"PRAGMA profiling_output = '{output}'")

    def _read_operators(self) -> None:
        output = self._output
        if output is None or not output.is_file() or self._profile.operators is None:
            return
        plan = json.loads(output.read_text(encoding="utf-8"))
        output.unlink()
        add_operators(plan, self._profile.operators)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __enter__(self) -> _TimedConnection:
        self._connection.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._connection.__exit__(*exc)


_PARQUET_TABLE = re.compile(r"([A-Za-z_]+)\.parquet")


def add_operators(node: dict[str, Any], totals: dict[str, list[float]]) -> None:
    """Add the operators of a DuckDB JSON profile (a plan's tree) to ``totals``: kind → [seconds,
    count]. A Parquet scan is named after the table whose files it reads."""
    name = str(node.get("operator_name") or "").strip()
    if name:
        if name == "READ_PARQUET":
            tables = sorted(set(_PARQUET_TABLE.findall(json.dumps(node.get("extra_info", {})))))
            name = f"READ_PARQUET {'+'.join(tables) or '?'}"
        total = totals.setdefault(name, [0.0, 0])
        total[0] += float(node.get("operator_timing") or 0.0)
        total[1] += 1
    for child in node.get("children", []):
        add_operators(child, totals)


class _ProfiledWarehouse(Warehouse):
    profile: Profile
    operators_output: Path | None = None

    def connect(self, files: Collection[str] | None = None) -> Any:
        connection = _TimedConnection(super().connect(files), self.profile)
        if self.operators_output is not None:
            connection.profile_operators(self.operators_output)
        return connection


def profile_validate(root: Path, operators: bool = False) -> Profile:
    """One ``validate`` of the warehouse at ``root``, every statement of its checks timed;
    with ``operators``, DuckDB's operators too (:attr:`Profile.operators`)."""
    warehouse = _ProfiledWarehouse(root)
    profile = warehouse.profile = Profile()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == CHECKING and done == total:
            profile.running = "(after the checks)"

    # A check's statements are its own whether they run as its base is made or as its rows
    # are read, which may come after the next check's base (see provenance.validation.running).
    real_start, real_result = running.start_check, running.StartedCheck.result

    def start_check(connection: Any, check: running.Check, *args: Any) -> Any:
        profile.running = check.name
        return real_start(connection, check, *args)

    def result(started: running.StartedCheck) -> Any:
        profile.running = started.check.name
        return real_result(started)

    with tempfile.TemporaryDirectory(prefix="statement-profile-") as scratch:
        if operators:
            profile.operators = {}
            warehouse.operators_output = Path(scratch) / "plan.json"
        cpu, started = cpu_seconds(), time.perf_counter()
        with (
            patch.object(running, "start_check", start_check),
            patch.object(running.StartedCheck, "result", result),
        ):
            validate(warehouse, progress=progress)
    profile.wall, profile.cpu = time.perf_counter() - started, cpu_seconds() - cpu
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
    if profile.operators is not None:
        lines += ["", *render_operators(profile.operators)]
    return "\n".join(lines)


def render_operators(operators: dict[str, list[float]]) -> list[str]:
    """DuckDB's operators summed by kind, costliest first, each with its share of them all."""
    whole = sum(seconds for seconds, _ in operators.values()) or 1.0
    lines = [
        "DuckDB's operators, summed over every statement and thread (profiling on: read shares):",
        f"{'operator':<34} {'s':>7} {'share':>6} {'count':>6}",
    ]
    for name, (seconds, count) in sorted(operators.items(), key=lambda kv: -kv[1][0]):
        if seconds >= 0.0005 * whole:
            lines.append(f"{name:<34} {seconds:7.3f} {seconds / whole:6.1%} {int(count):>6}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="Folder holding warehouse/ and expectations/.")
    parser.add_argument("--top", type=int, default=15, help="Statements to list (default 15).")
    parser.add_argument(
        "--operators",
        action="store_true",
        help="Also sum DuckDB's operators by kind (its profiling on: slower; read the shares).",
    )
    args = parser.parse_args(argv)
    print(render(profile_validate(args.root, operators=args.operators), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
