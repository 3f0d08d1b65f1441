"""Test kit shipped for users: hypothesis strategies for valid rows, synthetic warehouses and
violation injection. Strategies need hypothesis (the ``test`` extra), so they load on first use::

    from provenance.testing import valid_batches
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["valid_batches"]


def __getattr__(name: str) -> Any:
    # Lazy: `provenance.testing.synthetic` must import without hypothesis installed.
    strategies = importlib.import_module("provenance.testing.strategies")
    try:
        return getattr(strategies, name)
    except AttributeError:
        raise AttributeError(f"module 'provenance.testing' has no attribute {name!r}") from None
