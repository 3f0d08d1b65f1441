"""provenance: sourced figures in Parquet, queried with DuckDB, checked by validation suites.

>>> from provenance import Warehouse
>>> wh = Warehouse.open("path/to/project")        # the folder holding warehouse/
>>> wh.query("select count(*) from figures")
"""

from provenance.errors import BatchRejected, ConfigError, ExitCode, Problem, ProvenanceError
from provenance.store import AppendResult, Warehouse

__all__ = [
    "AppendResult",
    "BatchRejected",
    "ConfigError",
    "ExitCode",
    "Problem",
    "ProvenanceError",
    "Warehouse",
]
__version__ = "0.1.0"
