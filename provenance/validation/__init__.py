"""`provenance validate`: rule declarations, their DuckDB compiler, the built-in checks, Great
Expectations suites, reports and stored runs, and the orchestrator that runs them.
May import :mod:`provenance.core`, :mod:`provenance.storage` and :mod:`provenance.text`."""
