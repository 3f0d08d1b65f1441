"""Benchmark: validate and append at warehouse sizes, as multiples of yardsticks measured alongside.

    python benchmarks/bench.py --sizes 100000 1000000 --out bench-results/

Per size, in a temporary folder: generate a synthetic warehouse (provenance.testing.synthetic) with
100 000 further figures held out, then, each in its own child process (wall time, peak memory):

- the floor: one DuckDB query reading every column the checks read (every figures column,
  joined to its document's text), timed inside the child;
- ``provenance validate`` (per-check seconds from its JSON report, grouped into the built-ins,
  the rules and GX); the whole and each layer are printed as multiples of the floor;
- ``provenance validate`` on the same warehouse with no GX suite (:func:`without_gx_suites`):
  the checks alone, GX neither imported nor run, as a multiple of the floor;
- pyarrow reading the held-out figures' Parquet and writing it again (the yardstick of a write);
- ``provenance append`` of the held-out figures (they reference documents already in the
  warehouse), then the same file again (a no-op), both as multiples of the pyarrow copy.

The floor, ``validate`` and the one without GX run in turn ``--rounds`` times (default 3), then the copy, the append
(each into a fresh copy of the warehouse) and the re-append: each measure is the run of median
time, its peak the highest of the rounds. A single run on this shared machine was up to a
fifth off (an append read 2.5x the copy in one run; eight rounds of the same code, 1.9-2.3x).
Each size also prints its ratios round by round, each run divided by the floor (or the copy)
of its own round, lowest, median and highest: how far the medians' ratio can be trusted.

The fixed import of great_expectations is timed (``gx_import``: ``python -c
"import great_expectations"`` against ``python -c pass``, alternately) before the sizes. Issue
11's target for ``validate`` leaves it out, and ``provenance validate`` hides it behind the
checks (its GX worker imports it meanwhile), so the whole less the import measured apart would
no longer say what the run costs. Each round therefore also times ``validate`` in a child that
imported great_expectations before its clock started (``validate_gx_imported``; the CLI then
runs the suites in process): that, as a multiple of the floor, is the target's measure. With
two sizes or more, the cost per figure of each is printed relative to the 1M
one (``python benchmarks/bench.py --sizes 1000000 10000000``; the 10M target is ≤ 1.2×).
The bundled warehouse's ``validate`` is timed once too, and the fixed costs (``--help``, the
bundled ``validate`` with and without GX suites) as multiples of ``python -c pass`` (see
``bench_start``). Prints tables (``bench_render``) and writes JSON.
Ratios are what to compare across runs: on a shared machine the seconds drift with the load,
and both sides of each ratio are measured in turn, in the same run.

Peak memory of a child is its own ru_maxrss, read with os.wait4 by a small launcher process
that starts it, or the summed memory of it and its descendants (``validate`` and its GX
worker) sampled every 20 ms when that is higher (see ``run_child``; RUSAGE_CHILDREN would be
the maximum over every child so far). Load average is recorded: on a shared machine it
explains wall times that CPU-bound work alone would not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_render import (
    per_figure,
    render,
    render_airwars,
    render_bundled,
    render_gx_import,
    round_ratios,
)

APPEND_FIGURES = 100_000


# Runs one measured command and writes its wall time, peak and CPU to a file (see run_child).
LAUNCHER = """
import glob, json, os, subprocess, sys, threading, time

def tree_kib(root):
    # Resident KiB of a process and its descendants now, from /proc (Linux).
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
            for children in glob.glob(f"/proc/{pid}/task/*/children"):
                with open(children) as listed:
                    todo += [int(c) for c in listed.read().split()]
        except (OSError, StopIteration, ValueError):
            pass  # gone meanwhile
    return total

started = time.perf_counter()
process = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
tree_peak, done = [0], threading.Event()

def sample():
    while not done.wait(0.02):
        tree_peak[0] = max(tree_peak[0], tree_kib(process.pid))

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
_, status, usage = os.wait4(process.pid, 0)
seconds = time.perf_counter() - started
done.set()
sampler.join()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"seconds": seconds, "peak_kib": max(usage.ru_maxrss, tree_peak[0]),
               "cpu_seconds": usage.ru_utime + usage.ru_stime,
               "exit_code": os.waitstatus_to_exitcode(status)}, out)
"""


def run_child(args: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run a command; its wall time, peak RSS (MB), CPU seconds, exit code and stderr tail.

    The command is started by a small launcher process, which times and waits for it. Linux
    counts in a spawned child's peak the peak of the process that spawned it (the address space
    it starts from): started by the bench itself, a 20 MB command read as 459 MB once the bench
    had read a ten-million-figure report. The launcher's own peak is a few MB.

    The peak is the command's own, or, when higher, that of the command and its descendants
    together, sampled every 20 ms: ``validate`` runs the GX suites in a worker process beside
    its checks, and the kernel's figure for a process tree is its largest member's, not the sum.
    """
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        measures = Path(folder) / "measures.json"
        launched = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(measures), *args],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=False,
        )
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        if not measures.is_file():
            raise SystemExit(f"the launcher failed ({launched.returncode}): {tail}")
        measured = json.loads(measures.read_text(encoding="utf-8"))
    return {
        "seconds": measured["seconds"],
        "peak_mb": measured["peak_kib"] / 1024,  # Linux reports KiB
        "cpu_seconds": measured["cpu_seconds"],
        "exit_code": measured["exit_code"],
        "stderr_tail": tail,
    }


def generate(root: Path, size: int, seed: int, holdout_path: Path) -> dict[str, Any]:
    """Generate in a child process, so its peak memory is measured alone."""
    code = (
        "import json, sys; from pathlib import Path; from provenance.testing.synthetic import generate_warehouse; "
        f"s = generate_warehouse(Path({str(root)!r}), {size}, seed={seed}, holdout={APPEND_FIGURES}, "
        f"holdout_path=Path({str(holdout_path)!r})); print(json.dumps(s['rows']), file=sys.stderr)"
    )
    result = run_child([sys.executable, "-c", code])
    if result["exit_code"] != 0:
        raise SystemExit(f"generation failed: {result['stderr_tail']}")
    result["rows"] = json.loads(result.pop("stderr_tail")[-1])
    return result


FLOOR_CODE = """
import sys, time, duckdb
batches = sys.argv[1]
with duckdb.connect() as connection:
    figures = f"read_parquet('{batches}/*/figures.parquet', union_by_name = true)"
    documents = f"read_parquet('{batches}/*/documents.parquet', union_by_name = true)"
    columns = connection.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {figures})").fetchall()
    reads = ", ".join(
        f'max(len(f."{name}"))' if kind.endswith("[]") else f'max(f."{name}")' for name, kind in columns
    )
    started = time.perf_counter()
    row = connection.execute(
        f"SELECT count(*), {reads}, "
        "sum(length(substring(d.text, f.quote_start + 1, f.quote_end - f.quote_start))) "
        f"FROM {figures} f JOIN {documents} d USING (document_id)"
    ).fetchone()
    print(time.perf_counter() - started, row[0], file=sys.stderr)
"""

COPY_CODE = """
import sys, time
import pyarrow.parquet as pq
started = time.perf_counter()
table = pq.read_table(sys.argv[1])
pq.write_table(table, sys.argv[2], compression="zstd")
print(time.perf_counter() - started, table.num_rows, file=sys.stderr)
"""


def timed_child(code: str, *args: str) -> dict[str, Any]:
    """Run a snippet that prints '<seconds> <rows>' last on stderr; its own timing and the child's."""
    result = run_child([sys.executable, "-c", code, *args])
    if result["exit_code"] != 0:
        raise SystemExit(f"yardstick failed: {result['stderr_tail']}")
    seconds, rows = result.pop("stderr_tail")[-1].split()
    result.update(query_seconds=float(seconds), rows=int(rows))
    return result


def floor(root: Path) -> dict[str, Any]:
    """The floor: one DuckDB query reading every column the checks read (figures ⨝ documents)."""
    return timed_child(FLOOR_CODE, (root / "warehouse" / "batches").as_posix())


def pyarrow_copy(source: Path, work: Path) -> dict[str, Any]:
    """The yardstick of an append: pyarrow reads the same rows and writes them as Parquet."""
    target = work / f"copy-{source.name}"
    try:
        return timed_child(COPY_CODE, str(source), str(target))
    finally:
        target.unlink(missing_ok=True)


VALIDATE_GX_IMPORTED_CODE = """
import sys, time
import great_expectations  # the fixed import, before the clock
started = time.perf_counter()
from provenance.cli.app import main
code = main(sys.argv[1:])
print(time.perf_counter() - started, code, file=sys.stderr)
"""


def validate_gx_imported(root: Path, report_path: Path) -> dict[str, Any]:
    """``provenance validate`` in a child that imported great_expectations first: the run,
    not counting the fixed import, timed inside the child (the CLI, finding GX imported, runs
    the suites in process)."""
    arguments = ["validate", "--root", str(root), "--format", "json", "--output"]
    result = run_child(
        [sys.executable, "-c", VALIDATE_GX_IMPORTED_CODE, *arguments, str(report_path)]
    )
    if result["exit_code"] not in (0, 1):
        raise SystemExit(f"validate with GX imported failed: {result['stderr_tail']}")
    seconds, _ = result.pop("stderr_tail")[-1].split()
    result["run_seconds"] = float(seconds)
    return result


def validate(root: Path, report_path: Path) -> dict[str, Any]:
    result = run_child(
        [
            sys.executable,
            "-m",
            "provenance",
            "validate",
            "--root",
            str(root),
            "--format",
            "json",
            "--output",
            str(report_path),
        ]
    )
    tail = result.pop("stderr_tail")
    rules = (
        json.loads(report_path.read_text(encoding="utf-8"))["rules"]
        if report_path.is_file()
        else []
    )
    per_check = {r["name"]: round(r["seconds"], 3) for r in rules}
    groups = {"builtin": 0.0, "rules": 0.0, "gx": 0.0}
    for r in rules:
        group = (
            "gx"
            if r["name"].startswith("gx-")
            else ("builtin" if r["kind"] == "builtin" else "rules")
        )
        groups[group] += r["seconds"]
    # Exit 1 is failing checks; anything else is an error worth seeing (at 10M: out of memory?).
    status = {0: "pass", 1: "fail"}.get(result["exit_code"], f"error {result['exit_code']}")
    if result["exit_code"] not in (0, 1):
        result["stderr_tail"] = tail
    result.update(
        status=status,
        error_failures=sum(r["failure_count"] for r in rules if r["status"] == "fail"),
        warning_failures=sum(r["failure_count"] for r in rules if r["status"] == "warn"),
        seconds_by_group={k: round(v, 3) for k, v in groups.items()},
        per_check=per_check,
    )
    return result


def append(root: Path, path: Path) -> dict[str, Any]:
    return run_child([sys.executable, "-m", "provenance", "append", str(path), "--root", str(root)])


def alternate(
    commands: dict[str, list[str]], rounds: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Run the commands in turn, ``rounds`` times (so the machine's load falls on each alike);
    every wall time, and the median of each."""
    import statistics

    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, args in commands.items():
            result = run_child(args)
            if result["exit_code"] != 0:
                raise SystemExit(f"{name} failed: {result['stderr_tail']}")
            seconds[name].append(result["seconds"])
    return seconds, {name: statistics.median(values) for name, values in seconds.items()}


GX_IMPORT_ROUNDS = 5
GX_IMPORT_COMMANDS = {
    "pass": [sys.executable, "-c", "pass"],
    "import": [sys.executable, "-c", "import great_expectations"],
}


def gx_import(rounds: int = GX_IMPORT_ROUNDS) -> dict[str, Any]:
    """The fixed cost of importing great_expectations: ``python -c "import great_expectations"``
    less ``python -c pass``, run in turn ``rounds`` times; medians of wall time."""
    seconds, _ = alternate(GX_IMPORT_COMMANDS, rounds)
    return gx_import_from(seconds)


def gx_import_from(seconds: dict[str, list[float]]) -> dict[str, Any]:
    """The import's medians from wall times of the GX_IMPORT_COMMANDS taken in turn."""
    import statistics

    medians = {name: statistics.median(values) for name, values in seconds.items()}
    return {
        "rounds": len(seconds["import"]),
        "seconds": seconds,
        "median_seconds": medians,
        "import_seconds": medians["import"] - medians["pass"],
    }


ROUNDS = 3


def median_run(runs: list[dict[str, Any]], key: str = "seconds") -> dict[str, Any]:
    """The run of median ``key`` (the lower middle one of an even count), with the highest
    peak of all the runs: a single run on a shared machine may be a tenth off either way."""
    ordered = sorted(runs, key=lambda run: run[key])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["peak_mb"] = max(run["peak_mb"] for run in runs)
    chosen["round_seconds"] = [run[key] for run in runs]
    return chosen


def bench_size(size: int, seed: int, work: Path, rounds: int = ROUNDS) -> dict[str, Any]:
    """One size: the floor and ``validate`` in turn ``rounds`` times, then the pyarrow copy,
    the append and the no-op re-append in turn ``rounds`` times (each append into a fresh copy
    of the generated warehouse); each measure is its median run (:func:`median_run`).

    Each round also times ``validate`` with great_expectations imported before the clock
    (:func:`validate_gx_imported`): the whole not counting the fixed import."""
    import shutil

    root = work / f"warehouse-{size}"
    held = work / f"figures-{size}.parquet"
    out: dict[str, Any] = {"size": size, "rounds": rounds, "load_before": os.getloadavg()}
    out["generate"] = generate(root, size, seed, held)
    checks_only = without_gx_suites(root, work / f"checks-only-{size}")
    floors, validations, imported, checks = [], [], [], []
    for _ in range(rounds):
        floors.append(floor(root))
        validations.append(validate(root, work / f"report-{size}.json"))
        imported.append(validate_gx_imported(root, work / f"report-{size}-gx-imported.json"))
        checks.append(validate(checks_only, work / f"report-{size}-no-gx.json"))
    out["floor"] = median_run(floors, "query_seconds")
    out["validate"] = median_run(validations)
    out["validate_gx_imported"] = median_run(imported, "run_seconds")
    out["validate_without_gx"] = median_run(checks)
    base = out["floor"]["query_seconds"]
    out["validate_less_gx_import_seconds"] = out["validate_gx_imported"]["run_seconds"]
    out["validate_over_floor"] = {
        "whole": out["validate"]["seconds"] / base,
        "less_gx_import": out["validate_less_gx_import_seconds"] / base,
        "without_gx": out["validate_without_gx"]["seconds"] / base,
        **{k: v / base for k, v in out["validate"]["seconds_by_group"].items()},
    }
    # Each round's ratio to the floor of the same round: the machine's drift between rounds
    # moves a floor and the runs measured beside it alike, so their spread says how far the
    # medians' ratio may be trusted.
    out["validate_over_floor_by_round"] = {
        name: round_ratios([r[key] for r in runs], [f["query_seconds"] for f in floors])
        for name, runs, key in (
            ("less_gx_import", imported, "run_seconds"),
            ("without_gx", checks, "seconds"),
        )
    }
    copies, appends, reappends = [], [], []
    target = work / f"appended-{size}"
    for _ in range(rounds):
        copies.append(pyarrow_copy(held, work))
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(root, target)
        appends.append(append(target, held))
        reappends.append(append(target, held))
    shutil.rmtree(target, ignore_errors=True)
    out["pyarrow_copy"] = median_run(copies)
    out["append"] = median_run(appends)
    out["reappend"] = median_run(reappends)
    copy = out["pyarrow_copy"]["seconds"]
    out["append_over_copy"] = out["append"]["seconds"] / copy
    out["reappend_over_copy"] = out["reappend"]["seconds"] / copy
    out["reappend_over_append"] = out["reappend"]["seconds"] / out["append"]["seconds"]
    out["append_over_copy_by_round"] = round_ratios(
        [a["seconds"] for a in appends], [c["seconds"] for c in copies]
    )
    out["load_after"] = os.getloadavg()
    return out


def without_gx_suites(root: Path, target: Path) -> Path:
    """A root reading ``root``'s warehouse (a symbolic link: nothing copied) with its rules and
    vocabulary but no GX suite, so that ``validate`` there runs every check but GX's and never
    imports it: the checks alone, as a multiple of the floor. When GX runs alongside the checks,
    the whole less the GX import no longer says what the checks cost; this does."""
    import shutil

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    (target / "warehouse").symlink_to((root / "warehouse").resolve(), target_is_directory=True)
    shutil.copytree(root / "expectations", target / "expectations")
    for suite in (target / "expectations" / "gx").glob("*.json"):
        suite.unlink()
    return target


def bench_bundled(work: Path) -> dict[str, Any]:
    """``validate`` of the bundled 8-figure warehouse: start-up and fixed costs dominate."""
    return validate(REPOSITORY, work / "report-bundled.json")


REPOSITORY = Path(__file__).resolve().parents[1]
DEV_EXPORT = REPOSITORY.parent / "shared" / "data" / "airwars" / "incidents-dev.csv"


START_ROUNDS = 5


def bench_start(work: Path, out: Path) -> dict[str, Any]:
    """Fixed costs, as multiples of ``python -c pass``: ``provenance --help`` and the bundled
    warehouse's ``validate`` with its GX suites and without them (a copy whose expectations/gx
    holds no suite). The commands run in turn, START_ROUNDS times; medians of wall time. Prints
    a table and writes start-<time>.json into ``out``."""
    import shutil

    script = Path(sys.executable).with_name("provenance")  # the console script users run
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "provenance"]
    roots = {}
    for name, with_gx in (("with-gx", True), ("without-gx", False)):
        root = work / f"bundled-{name}"
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(REPOSITORY / "warehouse", root / "warehouse")
        shutil.copytree(REPOSITORY / "expectations", root / "expectations")
        if not with_gx:
            for suite in (root / "expectations" / "gx").glob("*.json"):
                suite.unlink()
        roots[name] = root
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "provenance --help": [*command, "--help"],
        "validate, bundled, no GX suite": [
            *command,
            "validate",
            "--root",
            str(roots["without-gx"]),
        ],
        "validate, bundled, GX suites": [*command, "validate", "--root", str(roots["with-gx"])],
    }
    seconds, medians = alternate(commands, START_ROUNDS)
    yardstick = medians["python -c pass"]
    result = {
        "rounds": START_ROUNDS,
        "seconds": seconds,
        "median_seconds": medians,
        "over_python": {name: value / yardstick for name, value in medians.items()},
        "load": os.getloadavg(),
    }
    lines = [f"start-up, median of {START_ROUNDS} rounds (× python -c pass, same rounds):"]
    lines += [
        f"  {name:32} {medians[name]:6.2f} s  {result['over_python'][name]:6.1f}×"
        for name in commands
    ]
    print("\n".join(lines), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"start-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def bench_airwars(csv_path: Path, work: Path) -> dict[str, Any]:
    """Import time of a monitor's export, and the extractor's recall, precision and speed on it."""
    from extract_eval import evaluate_airwars

    root = work / "airwars"
    init = run_child([sys.executable, "-m", "provenance", "init", str(root)])
    if init["exit_code"] != 0:
        raise SystemExit(f"init failed: {init['stderr_tail']}")
    imported = run_child(
        [
            sys.executable,
            "-m",
            "provenance",
            "--root",
            str(root),
            "import",
            "airwars",
            str(csv_path),
        ]
    )
    evaluation = evaluate_airwars(csv_path)
    keys = (
        "recall_exact",
        "recall_overlap",
        "precision_exact",
        "precision_overlap",
        "documents_per_second",
    )
    return {
        "import": imported,
        "with_summary": {k: evaluation["with_summary"][k] for k in keys},
        "narrative_only": {k: evaluation["narrative_only"][k] for k in keys},
        "narrative_misses": evaluation["narrative_only"]["miss_categories"],
    }


def bench_numbers() -> dict[str, Any]:
    """The number reader on the hand-written English and French sentences, per kind."""
    from numbers_eval import evaluate_sentences

    result = evaluate_sentences()
    return {"scores": result["scores"], "sentences_per_second": result["sentences_per_second"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help="Measure each size's commands in turn this many times; medians (default: %(default)s).",
    )
    parser.add_argument(
        "--no-airwars", action="store_true", help="Skip the Airwars import and extractor scores."
    )
    parser.add_argument(
        "--airwars",
        type=Path,
        default=DEV_EXPORT if DEV_EXPORT.is_file() else None,
        help="An Airwars export to time the importer and score the extractor on (default: ../shared's dev export, if present).",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="Build warehouses here instead of a temporary folder.",
    )
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="provenance-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        gx = gx_import()
        print(render_gx_import(gx), flush=True)
        for size in args.sizes:
            results.append(bench_size(size, args.seed, work, args.rounds))
            print(render(results[-1:]), flush=True)
        bundled = bench_bundled(work)
        print(render_bundled(bundled), flush=True)
        bench_start(work, args.out)
        airwars = (
            bench_airwars(args.airwars, work) if args.airwars and not args.no_airwars else None
        )
    numbers = bench_numbers()
    print("\n" + render(results, gx))
    print(render_bundled(bundled))
    if airwars:
        print("\n" + render_airwars(airwars))
    from numbers_eval import render as render_numbers

    print("\nNumber reader, hand-written sentences:\n" + render_numbers(numbers))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    path.write_text(
        json.dumps(
            {
                "machine": machine,
                "results": results,
                "gx_import": gx,
                "per_figure": per_figure(results),
                "bundled": bundled,
                "airwars": airwars,
                "numbers": numbers,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
