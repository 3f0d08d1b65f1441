"""Moving batches between warehouses: a folder to a lake and back (``provenance copy``).

Every batch keeps its id, time and author, and every row its ids, so a round trip gives back
the same rows and the same batch log. Batches the target already holds are skipped, which makes
a copy resumable. The empty first batch ``init`` writes is copied only into a new folder (one
that has none of its own).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError
from provenance.core.schema import APPEND_ORDER, TABLES
from provenance.core.text import plural
from provenance.storage.lake import BatchRow
from provenance.storage.warehouse import Warehouse

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

GENESIS = "-schema"


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rows: int = 0

    def summary(self) -> str:
        line = f"copied {plural(len(self.copied), 'batch', 'batches')} ({plural(self.rows, 'row')})"
        if self.skipped:
            line += f"; {len(self.skipped)} already in the target, skipped"
        return line


def copy_warehouse(source: Warehouse, target: Warehouse | Path) -> CopyReport:
    """Copy every batch of ``source`` that ``target`` lacks, oldest first.

    ``target`` is a warehouse, or a folder to create one in (a folder warehouse whose first
    batch is the source's oldest). Into a folder warehouse, batches must come after what it
    holds: its manifests chain forward in time.
    """
    if not isinstance(target, Warehouse):
        target = _new_folder(Path(target))
    report = CopyReport()
    present = {m["batch_id"] for m in target.manifests()}
    newest = max(present, default="") if target.lake is None else ""
    own_start = any(b.endswith(GENESIS) for b in present)
    with source.connect() as connection:
        for manifest in source.manifests():
            batch = _batch_row(manifest)
            if batch.batch_id in present:
                report.skipped.append(batch.batch_id)
                continue
            if own_start and batch.batch_id.endswith(GENESIS) and not manifest["row_count"]:
                continue  # the empty batch `init` writes: the target has its own
            if batch.batch_id < newest:
                raise ConfigError(
                    f"batch {batch.batch_id} is older than {newest}, the newest in {target.root}: "
                    "a folder's batches run forward in time; copy into a new folder instead"
                )
            tables = _batch_tables(connection, batch.batch_id, manifest["tables"])
            target.write_copied_batch(batch, tables)
            report.copied.append(batch.batch_id)
            report.rows += sum(t.num_rows for t in tables.values())
    return report


def _new_folder(root: Path) -> Warehouse:
    if root.exists() and any(root.iterdir()):
        raise ConfigError(
            f"{root} holds no warehouse and is not empty: give a warehouse or a new folder"
        )
    warehouse = Warehouse.init(root)
    # Nobody has seen this warehouse yet: its own empty first batch gives way to the source's,
    # so that every copied batch comes after its predecessor.
    for manifest in warehouse.manifests():
        shutil.rmtree(warehouse.batches_dir / manifest["batch_id"])
    return warehouse


def _batch_row(manifest: dict[str, Any]) -> BatchRow:
    recorded_at = manifest["recorded_at"]
    if isinstance(recorded_at, str):  # a folder's manifest holds ISO text
        recorded_at = datetime.fromisoformat(recorded_at)
    return BatchRow(
        manifest["batch_id"],
        recorded_at,
        manifest["recorded_by"],
        manifest["input_file"],
        manifest["input_sha256"],
    )


def _batch_tables(
    connection: duckdb.DuckDBPyConnection, batch_id: str, names: list[str]
) -> dict[str, pa.Table]:
    """The rows one batch wrote, per table, without the columns a commit stamps."""
    tables = {}
    for name in APPEND_ORDER:
        if name not in names:
            continue
        table = TABLES[name]
        columns = ", ".join(f'"{c.name}"' for c in table.input_columns)
        # No ORDER BY: DuckDB keeps the stored order, so a copy keeps the batch's row order.
        tables[name] = connection.execute(
            f"SELECT {columns} FROM {name} WHERE batch_id = ?", [batch_id]
        ).to_arrow_table()
    return tables
