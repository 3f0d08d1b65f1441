"""Benchmark: a lake (DuckLake, catalog in a throw-away PostgreSQL) against a folder warehouse.

    python benchmarks/lake_bench.py --writers 1 4 8 --validate-size 1000000

1. Append throughput with 1, 4 and 8 concurrent writers: each writer is its own process
   (``provenance append``, start-up included) appending ``--batches`` files of ``--rows``
   distinct figures, all at once, to one lake; aggregate rows per second over the wall time,
   and a check that no row was lost or duplicated.
2. ``validate`` (GX included) at ``--validate-size`` figures: a synthetic folder warehouse,
   copied into a lake (``provenance copy``); each validated in a child process; the lake's
   wall time as a multiple of the folder's, and whether the two reports agree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import run_child

from provenance.testing.bundled import bundled_figure

REPO = Path(__file__).resolve().parents[1]


def provenance(*argv: str) -> list[str]:
    return [sys.executable, "-m", "provenance", *argv]


def must(result: dict[str, Any], what: str) -> dict[str, Any]:
    if result["exit_code"] != 0:
        raise SystemExit(f"{what} failed: {result['stderr_tail']}")
    return result


def bundled_lake(server: Any, work: Path, name: str) -> Path:
    """A lake holding the bundled warehouse (the article the appended figures quote)."""
    root = work / name
    catalog = server.catalog()
    must(
        run_child(
            provenance(
                "init", str(root), "--catalog", catalog, "--data-path", str(work / f"{name}-data")
            )
        ),
        "init",
    )
    must(run_child(provenance("copy", "--from", str(REPO), "--to", str(root))), "copy")
    return root


def figures_file(path: Path, prefix: str, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for n in range(rows):
            row = bundled_figure(f"{prefix}-{n}")
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def count(root: Path, sql: str) -> int:
    out = subprocess.run(
        provenance("--root", str(root), "sql", sql, "--format", "csv"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.splitlines()[1])


def bench_writers(server: Any, work: Path, writers: int, batches: int, rows: int) -> dict[str, Any]:
    root = bundled_lake(server, work, f"lake-writers-{writers}")
    files = [
        [
            figures_file(work / f"figures-w{writers}-{w}-{b}.jsonl", f"w{w}b{b}", rows)
            for b in range(batches)
        ]
        for w in range(writers)
    ]
    # One shell per writer appends its files in turn; all writers start together.
    scripts = [
        " && ".join(" ".join(provenance("--root", str(root), "append", str(f))) for f in mine)
        for mine in files
    ]
    load = os.getloadavg()
    started = time.perf_counter()
    processes = [
        subprocess.Popen(["sh", "-c", s], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for s in scripts
    ]
    codes = [p.wait() for p in processes]
    seconds = time.perf_counter() - started
    expected = writers * batches * rows
    stored = count(root, "select count(*) from figures where figure_id like 'w%b%-%'")
    distinct = count(
        root, "select count(distinct figure_id) from figures where figure_id like 'w%b%-%'"
    )
    return {
        "writers": writers,
        "rows": expected,
        "seconds": seconds,
        "rows_per_second": expected / seconds,
        "failed_writers": sum(1 for c in codes if c != 0),
        "lost": expected - distinct,
        "duplicated": stored - distinct,
        "load_before": load,
    }


def bench_validate(server: Any, work: Path, size: int, seed: int) -> dict[str, Any]:
    from bench import validate

    folder = work / f"folder-{size}"
    code = (
        "from pathlib import Path; from provenance.testing.synthetic import generate_warehouse; "
        f"generate_warehouse(Path({str(folder)!r}), {size}, seed={seed})"
    )
    must(run_child([sys.executable, "-c", code]), "generate")
    lake = work / f"lake-{size}"
    must(
        run_child(
            provenance(
                "init",
                str(lake),
                "--catalog",
                server.catalog(),
                "--data-path",
                str(work / f"lake-{size}-data"),
            )
        ),
        "init",
    )
    copied = must(run_child(provenance("copy", "--from", str(folder), "--to", str(lake))), "copy")
    on_folder = validate(folder, work / f"folder-{size}.json")
    on_lake = validate(lake, work / f"lake-{size}.json")
    folder_report = _comparable(work / f"folder-{size}.json")
    lake_report = _comparable(work / f"lake-{size}.json")
    same = folder_report == lake_report
    differing = [
        (a["name"], sorted(k for k in a if a[k] != b.get(k)))
        for a, b in zip(folder_report["rules"], lake_report["rules"], strict=False)
        if a != b
    ]
    return {
        "size": size,
        "copy_seconds": copied["seconds"],
        "folder": on_folder,
        "lake": on_lake,
        "lake_over_folder": on_lake["seconds"] / on_folder["seconds"],
        "same_report": same,
        "differing": differing,
    }


def _comparable(path: Path) -> Any:
    report = json.loads(path.read_text(encoding="utf-8"))
    report["warehouse"] = None
    for rule in report["rules"]:
        rule.pop("seconds", None)
        if rule["name"] == "file-integrity":
            rule.update(rows_checked=None, observations=None, description=None)
    return report


def main(argv: list[str] | None = None) -> int:
    from provenance.testing.postgres import available, throwaway_postgres

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--batches", type=int, default=3, help="files each writer appends")
    parser.add_argument("--rows", type=int, default=2000, help="figures per file")
    parser.add_argument("--validate-size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    if not available():
        print("lake benchmark skipped: no PostgreSQL binaries", file=sys.stderr)
        return 0
    results: dict[str, Any] = {"writers": [], "validate": None}
    with (
        tempfile.TemporaryDirectory(prefix="provenance-lake-bench-") as tmp,
        throwaway_postgres() as server,
    ):
        work = Path(tmp)
        print("writers  rows    seconds  rows/s  lost  duplicated  failed")
        for writers in args.writers:
            r = bench_writers(server, work, writers, args.batches, args.rows)
            results["writers"].append(r)
            print(
                f"{r['writers']:>7}  {r['rows']:>6}  {r['seconds']:>7.1f}  {r['rows_per_second']:>6.0f}"
                f"  {r['lost']:>4}  {r['duplicated']:>10}  {r['failed_writers']:>6}",
                flush=True,
            )
        if args.validate_size:
            v = bench_validate(server, work, args.validate_size, args.seed)
            results["validate"] = v
            print(
                f"\nvalidate at {v['size']:,} figures: folder {v['folder']['seconds']:.1f} s "
                f"({v['folder']['peak_mb']:.0f} MB), lake {v['lake']['seconds']:.1f} s "
                f"({v['lake']['peak_mb']:.0f} MB): {v['lake_over_folder']:.2f}× the folder; "
                f"same report: {v['same_report']}; copy into the lake {v['copy_seconds']:.1f} s"
            )
            for name, keys in v["differing"]:
                print(f"  differs: {name}: {', '.join(keys)}")
    results["load_after"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"lake-bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
