"""provenance: sourced figures in Parquet, queried with DuckDB, checked by validation suites.

The public API has the CLI's verbs::

    >>> from provenance import Warehouse, validate, extract, import_airwars, import_series
    >>> wh = Warehouse.open("path/to/project")        # the folder holding warehouse/
    >>> wh.query("select count(*) from figures")
    >>> report = validate(wh)
    >>> card = show(wh, "zakharova-airwars-3100")    # where a number comes from
    >>> series = history(wh, "mosul-residential-strike", "civilians_killed")
    >>> export(wh, "claimreview", Path("reviews.jsonld"))

Names load on first use, so `provenance --help` imports neither pyarrow nor DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.core.errors import (
        BatchRejected as BatchRejected,
    )
    from provenance.core.errors import (
        ConfigError as ConfigError,
    )
    from provenance.core.errors import (
        ExitCode as ExitCode,
    )
    from provenance.core.errors import (
        Problem as Problem,
    )
    from provenance.core.errors import (
        ProvenanceError as ProvenanceError,
    )
    from provenance.importers.airwars import import_airwars as import_airwars
    from provenance.importers.series import import_series as import_series
    from provenance.publish.card import show as show
    from provenance.publish.export import export as export
    from provenance.publish.history import history as history
    from provenance.storage.warehouse import AppendResult as AppendResult
    from provenance.storage.warehouse import Warehouse as Warehouse
    from provenance.text.extract import extract as extract
    from provenance.validation.orchestrator import validate as validate

# name -> module that owns it
_EXPORTS = {
    "AppendResult": "provenance.storage.warehouse",
    "Warehouse": "provenance.storage.warehouse",
    "BatchRejected": "provenance.core.errors",
    "ConfigError": "provenance.core.errors",
    "ExitCode": "provenance.core.errors",
    "Problem": "provenance.core.errors",
    "ProvenanceError": "provenance.core.errors",
    "validate": "provenance.validation.orchestrator",
    "extract": "provenance.text.extract",
    "import_airwars": "provenance.importers.airwars",
    "show": "provenance.publish.card",
    "history": "provenance.publish.history",
    "export": "provenance.publish.export",
    "import_series": "provenance.importers.series",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
