"""Benchmark: generate, validate and append at warehouse sizes, against a plain DuckDB scan.

    python benchmarks/bench.py --sizes 100000 1000000 --out bench-results/

Per size, in a temporary folder: generate a synthetic warehouse (provenance.testing.synthetic) with
100 000 further figures held out; time ``provenance validate`` (a child process: wall time,
peak memory, per-check seconds from its JSON report); time a plain DuckDB scan of the same
figures Parquet in this process; then time ``provenance append`` of the held-out figures
(which reference documents already in the warehouse). Prints a table and writes JSON.

Peak memory of a child is its own ru_maxrss, read with os.wait4 (RUSAGE_CHILDREN would be the
maximum over every child so far). Load average is recorded: on a shared machine it explains
wall times that CPU-bound work alone would not.
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

APPEND_FIGURES = 100_000


def run_child(args: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run a command; its wall time, peak RSS (MB), exit code and stderr tail."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "exit_code": process.returncode,
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


def plain_scan(root: Path) -> dict[str, Any]:
    """The floor: one DuckDB pass over the figures Parquet, no rules."""
    import duckdb

    pattern = (root / "warehouse" / "batches" / "*" / "figures.parquet").as_posix()
    with duckdb.connect() as connection:
        started = time.perf_counter()
        row = connection.execute(
            f"SELECT count(*), sum(value_low), max(length(quote)) FROM read_parquet('{pattern}')"
        ).fetchone()
        seconds = time.perf_counter() - started
    assert row is not None
    return {"seconds": seconds, "rows": row[0]}


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
    result.update(
        status="pass" if result["exit_code"] == 0 else "fail",
        error_failures=sum(r["failure_count"] for r in rules if r["status"] == "fail"),
        warning_failures=sum(r["failure_count"] for r in rules if r["status"] == "warn"),
        seconds_by_group={k: round(v, 3) for k, v in groups.items()},
        per_check=per_check,
    )
    return result


def append(root: Path, path: Path) -> dict[str, Any]:
    return run_child([sys.executable, "-m", "provenance", "append", str(path), "--root", str(root)])


def bench_size(size: int, seed: int, work: Path) -> dict[str, Any]:
    root = work / f"warehouse-{size}"
    held = work / f"figures-{size}.parquet"
    out: dict[str, Any] = {"size": size, "load_before": os.getloadavg()}
    out["generate"] = generate(root, size, seed, held)
    out["validate"] = validate(root, work / f"report-{size}.json")
    out["scan"] = plain_scan(root)
    out["validate_over_scan"] = out["validate"]["seconds"] / out["scan"]["seconds"]
    out["append"] = append(root, held)
    out["load_after"] = os.getloadavg()
    return out


def render(results: list[dict[str, Any]]) -> str:
    header = (
        "figures",
        "generate s",
        "gen MB",
        "validate s",
        "val MB",
        "scan s",
        "val/scan",
        "builtin s",
        "rules s",
        "gx s",
        "append s",
        "app MB",
        "status",
    )
    lines = []
    for r in results:
        v = r["validate"]
        lines.append(
            (
                f"{r['size']:,}",
                f"{r['generate']['seconds']:.1f}",
                f"{r['generate']['peak_mb']:.0f}",
                f"{v['seconds']:.1f}",
                f"{v['peak_mb']:.0f}",
                f"{r['scan']['seconds']:.3f}",
                f"{r['validate_over_scan']:.0f}×",
                f"{v['seconds_by_group']['builtin']:.1f}",
                f"{v['seconds_by_group']['rules']:.1f}",
                f"{v['seconds_by_group']['gx']:.1f}",
                f"{r['append']['seconds']:.1f}"
                + ("" if r["append"]["exit_code"] == 0 else " (failed)"),
                f"{r['append']['peak_mb']:.0f}",
                v["status"],
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(header)]
    text = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    text += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in lines]
    for r in results:
        slowest = sorted(r["validate"]["per_check"].items(), key=lambda kv: -kv[1])[:8]
        text.append(
            f"\n{r['size']:,} figures, slowest checks: "
            + ", ".join(f"{n} {s:.2f}s" for n, s in slowest)
        )
        text.append(f"load average before/after: {r['load_before']} / {r['load_after']}")
    return "\n".join(text)


DEV_EXPORT = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "airwars" / "incidents-dev.csv"
)


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


def render_airwars(result: dict[str, Any]) -> str:
    lines = [
        f"Airwars export: import {result['import']['seconds']:.1f} s, {result['import']['peak_mb']:.0f} MB"
    ]
    for name in ("with_summary", "narrative_only"):
        r = result[name]
        lines.append(
            f"  extractor, {name.replace('_', ' ')}: recall {r['recall_overlap']:.3f} overlap / {r['recall_exact']:.3f} exact, "
            f"precision {r['precision_overlap']:.3f} / {r['precision_exact']:.3f}, {r['documents_per_second']:.0f} documents/s"
        )
    lines.append(f"  narrative misses: {result['narrative_misses']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--seed", type=int, default=0)
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
        for size in args.sizes:
            results.append(bench_size(size, args.seed, work))
            print(render(results[-1:]), flush=True)
        airwars = bench_airwars(args.airwars, work) if args.airwars else None
    numbers = bench_numbers()
    print("\n" + render(results))
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
            {"machine": machine, "results": results, "airwars": airwars, "numbers": numbers},
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
