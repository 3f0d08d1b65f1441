"""Adapters that turn monitors' exports into sourced figures (documents, subjects, figures).

Each importer reads one export format, builds rows for the warehouse tables and appends them
as one atomic batch through :meth:`provenance.storage.warehouse.Warehouse.append_rows`, so the same
contracts, quote anchoring and idempotence apply as to ``provenance append``.
"""

from __future__ import annotations

__all__ = ["airwars"]
