"""The bench's ratios and tables: every figure a multiple of a yardstick measured in the same run.

``bench.py`` measures; this module divides and prints. Per size: ``validate`` (whole, and not
counting the fixed import of great_expectations, which issue 11's target leaves out: timed in a
child that imported it first) and each layer as a multiple of the floor; ``append`` and the no-op re-append as multiples of pyarrow's copy. When
two sizes or more ran, the cost per figure of each relative to the 1M one (the 10M target is
≤ 1.2×; without a 1M run, relative to the smallest size). With two rounds or more, each size's
ratios round by round as well, each run over its own round's yardstick
(:func:`render_round_spread`).
"""

from __future__ import annotations

import statistics
from typing import Any

REFERENCE_SIZE = 1_000_000


def per_figure(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Seconds per figure of each size ÷ those of the reference size (1M, else the smallest):
    ``validate`` not counting the GX import (run with GX imported first), the floor, and
    ``append`` (per appended figure, so the warehouse's size is what changes)."""
    if len(results) < 2:
        return None
    sizes = [r["size"] for r in results]
    reference = next(
        (r for r in results if r["size"] == REFERENCE_SIZE),
        min(results, key=lambda r: r["size"]),
    )

    def cost(r: dict[str, Any], key: str) -> float:
        return {
            "validate": r["validate_less_gx_import_seconds"] / r["size"],
            "floor": r["floor"]["query_seconds"] / r["size"],
            "append": r["append"]["seconds"],
        }[key]

    return {
        "reference_size": reference["size"],
        "sizes": sizes,
        **{
            key: {str(r["size"]): cost(r, key) / cost(reference, key) for r in results}
            for key in ("validate", "floor", "append")
        },
    }


def round_ratios(measured: list[float], yardstick: list[float]) -> list[float]:
    """Each round's measure ÷ the yardstick measured in the same round."""
    return [m / y for m, y in zip(measured, yardstick, strict=True)]


def render_round_spread(result: dict[str, Any]) -> str | None:
    """One size's ratios round by round (each ÷ its own round's yardstick): their lowest,
    median and highest, beside the table's ratio of medians. ``None`` for a result measured
    before the bench kept them, or in a single round."""
    by_round = result.get("validate_over_floor_by_round")
    if not by_round or len(by_round["less_gx_import"]) < 2:
        return None
    spreads = [
        (label, ratios)
        for label, ratios in (
            ("validate less GX import", by_round["less_gx_import"]),
            ("no GX", by_round["without_gx"]),
            ("append ÷ copy", result.get("append_over_copy_by_round") or []),
        )
        if ratios
    ]
    return f"{result['size']:,} figures, round by round (each ÷ its own round's yardstick): " + (
        ", ".join(
            f"{label} {min(r):.2f}–{max(r):.2f}× (median {statistics.median(r):.2f}×)"
            for label, r in spreads
        )
    )


def _rounds_note(results: list[dict[str, Any]]) -> str:
    rounds = sorted({r.get("rounds", 1) for r in results})
    if rounds == [1]:
        return ""
    return f"; each the median of {'/'.join(map(str, rounds))} rounds in turn, peaks the highest"


HEADER = (
    "figures",
    "floor s",
    "validate s",
    "val MB",
    "floor MB",
    "whole",
    "less GX import",
    "no GX",
    "builtin",
    "rules",
    "gx",
    "copy s",
    "append s",
    "app MB",
    "append",
    "no-op s",
    "no-op",
    "no-op/app",
    "status",
)


def render(results: list[dict[str, Any]], gx_import: dict[str, Any] | None = None) -> str:
    lines = []
    for r in results:
        v, x = r["validate"], r["validate_over_floor"]
        failed = "" if r["append"]["exit_code"] == 0 else " (failed)"
        lines.append(
            (
                f"{r['size']:,}",
                f"{r['floor']['query_seconds']:.3f}",
                f"{v['seconds']:.1f}",
                f"{v['peak_mb']:.0f}",
                f"{r['floor']['peak_mb']:.0f}",
                f"{x['whole']:.1f}×",
                f"{x['less_gx_import']:.1f}×",
                f"{x['without_gx']:.1f}×" if "without_gx" in x else "–",
                f"{x['builtin']:.1f}×",
                f"{x['rules']:.1f}×",
                f"{x['gx']:.1f}×",
                f"{r['pyarrow_copy']['seconds']:.2f}",
                f"{r['append']['seconds']:.1f}{failed}",
                f"{r['append']['peak_mb']:.0f}",
                f"{r['append_over_copy']:.1f}×",
                f"{r['reappend']['seconds']:.1f}",
                f"{r['reappend_over_copy']:.1f}×",
                f"{r['reappend_over_append']:.2f}×",
                v["status"],
            )
        )
    text = _table(HEADER, lines)
    text.append(
        "whole/builtin/rules/gx: validate's wall time and each layer's check seconds ÷ the floor "
        "query; less GX import: validate in a child that imported great_expectations before "
        "its clock started (the whole hides the import behind the checks), ÷ the floor; no GX: validate of the same warehouse with no GX suite (the "
        "checks alone; GX neither imported nor run) ÷ the floor; append and no-op: wall time ÷ the pyarrow copy's wall time "
        "(each a child process)" + _rounds_note(results)
    )
    if gx_import is not None:
        text.append(render_gx_import(gx_import))
    scaling = per_figure(results)
    if scaling is not None:
        text.append(render_per_figure(scaling))
    for r in results:
        slowest = sorted(r["validate"]["per_check"].items(), key=lambda kv: -kv[1])[:8]
        text.append(
            f"\n{r['size']:,} figures, slowest checks: "
            + ", ".join(f"{n} {s:.2f}s" for n, s in slowest)
        )
        spread = render_round_spread(r)
        if spread is not None:
            text.append(spread)
        text.append(f"load average before/after: {r['load_before']} / {r['load_after']}")
        if "stderr_tail" in r["validate"]:
            text.append("validate stopped: " + " / ".join(r["validate"]["stderr_tail"]))
    return "\n".join(text)


def render_gx_import(gx_import: dict[str, Any]) -> str:
    return (
        f"fixed import of great_expectations: {gx_import['import_seconds']:.2f} s "
        f"(median of {gx_import['rounds']} alternating rounds: `python -c 'import "
        f"great_expectations'` {gx_import['median_seconds']['import']:.2f} s less `python -c pass` "
        f"{gx_import['median_seconds']['pass']:.2f} s)"
    )


def render_per_figure(scaling: dict[str, Any]) -> str:
    reference = scaling["reference_size"]
    rows = [
        (
            f"{size:,}",
            *(f"{scaling[key][str(size)]:.2f}×" for key in ("validate", "floor", "append")),
        )
        for size in scaling["sizes"]
    ]
    header = ("figures", "validate less GX import", "floor", "append of 100 000")
    lines = [f"\ncost per figure ÷ that at {reference:,} figures (target at 10M: ≤ 1.2×):"]
    return "\n".join([*lines, *_table(header, rows)])


def render_bundled(result: dict[str, Any]) -> str:
    groups = result["seconds_by_group"]
    return (
        f"bundled warehouse: validate {result['seconds']:.2f} s, {result['peak_mb']:.0f} MB "
        f"(checks: built-ins {groups['builtin']:.2f} s, rules {groups['rules']:.2f} s, "
        f"GX {groups['gx']:.2f} s), {result['status']}"
    )


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


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    text = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    text += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return text
