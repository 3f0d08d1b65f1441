"""Realistic synthetic warehouses at scale, and records that break one rule on purpose.

:func:`generate_warehouse` writes documents in French and English whose sentences state the
figures ("Selon l'Observatoire Kalomir, au moins 3 100 civils ont été tués à Tavenor."), with
anchored quotes, claimants and speakers, subjects with periods, revision series (rising lower
bounds, occasional corrections that supersede), ratio relations ("huit fois supérieur") and
sums of parts. Everything it writes passes every error-level rule of the default rules file.

It is built for a million figures: the plan is numpy arrays (:mod:`.plan`), the text is
assembled with Arrow string kernels one batch at a time (:mod:`.batch`, in the words of
:mod:`.wording`), and batches are written as Parquet without going through the row-by-row append
contract (the data is valid by construction; ``tests/testing/test_synthetic.py`` checks that
with ``provenance.validation.orchestrator.validate``).

:func:`inject_violation` (:mod:`.violations`) appends one batch holding exactly one record that
breaks one rule, for tests of the rules themselves. Places and names are invented: synthetic
tolls must never be mistaken for claims about real events.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np

from provenance.core.enums import LANGUAGES
from provenance.storage.warehouse import Warehouse
from provenance.testing.batch import build_batch, entities_table, subjects_table
from provenance.testing.plan import make_plan
from provenance.testing.violations import INJECTION_KINDS, inject_violation
from provenance.testing.wording import (
    GENERATED_QUALIFIERS,
    count_text,
    metric_phrase,
    published_sentence,
    ratio_sentence,
    statement,
    value_text,
)

# --- the entry point ---------------------------------------------------------------------------


def generate_warehouse(
    root: Path,
    n_figures: int,
    seed: int = 0,
    batch_size: int = 250_000,
    holdout: int = 0,
    holdout_path: Path | None = None,
) -> dict[str, Any]:
    """Create a warehouse in ``root`` holding about ``n_figures`` valid synthetic figures.

    Batches hold about ``batch_size`` figures each. With ``holdout``, that many further figures
    are stated in the documents but not written: they go to ``holdout_path`` (Parquet, without
    figure_id so that an append derives it), ready for ``provenance append``.
    Returns counts and timings.
    """
    import pyarrow.parquet as pq

    started = time.perf_counter()
    if holdout and holdout_path is None:
        raise ValueError("holdout needs a holdout_path to write the held-out figures to")
    warehouse = Warehouse.init(root)
    plan = make_plan(n_figures, seed, holdout)
    planned = time.perf_counter()

    n_docs = len(plan.doc_published)
    figures_by_doc = np.argsort(plan.fig_doc, kind="stable")
    fig_doc_sorted = plan.fig_doc[figures_by_doc]
    groups_by_doc = np.argsort(plan.group_doc, kind="stable")
    group_doc_sorted = plan.group_doc[groups_by_doc]
    per_doc = np.bincount(plan.fig_doc, minlength=n_docs)
    cut_points = (
        np.searchsorted(np.cumsum(per_doc), np.arange(batch_size, plan.n_figures, batch_size)) + 1
    )
    bounds = [0, *sorted(set(int(c) for c in cut_points if 0 < c < n_docs)), n_docs]

    counts = {name: 0 for name in ("documents", "entities", "subjects", "figures", "relations")}
    batch_ids = []
    holdout_writer = None
    try:
        for number, (first, stop) in enumerate(itertools.pairwise(bounds)):
            docs = np.arange(first, stop)
            lo, hi = np.searchsorted(fig_doc_sorted, [first, stop])
            glo, ghi = np.searchsorted(group_doc_sorted, [first, stop])
            tables = build_batch(
                plan, docs, np.sort(figures_by_doc[lo:hi]), np.sort(groups_by_doc[glo:ghi])
            )
            held = tables.pop("holdout", None)
            if held is not None:
                assert holdout_path is not None
                if holdout_writer is None:
                    holdout_writer = pq.ParquetWriter(holdout_path, held.schema, compression="zstd")
                holdout_writer.write_table(held)
            if number == 0:
                tables = {
                    "entities": entities_table(plan),
                    "subjects": subjects_table(plan),
                    **tables,
                }
            for name, table in tables.items():
                counts[name] += table.num_rows
            # Valid by construction: written without the row-by-row contract, checked by validate.
            batch_ids.append(warehouse.write_batch(tables, label=f"synthetic-{seed}-{number}"))
    finally:
        if holdout_writer is not None:
            holdout_writer.close()
    return {
        "root": str(warehouse.root),
        "seed": seed,
        "batches": batch_ids,
        "rows": counts,
        "holdout": holdout,
        "seconds": {"plan": planned - started, "total": time.perf_counter() - started},
    }


__all__ = [
    "GENERATED_QUALIFIERS",
    "INJECTION_KINDS",
    "LANGUAGES",
    "count_text",
    "generate_warehouse",
    "inject_violation",
    "metric_phrase",
    "published_sentence",
    "ratio_sentence",
    "statement",
    "value_text",
]
