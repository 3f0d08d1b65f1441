"""A warehouse on disk: its folders, reading input files, the append path and its batch checks,
the record contracts, and the SQL views. May import :mod:`provenance.core`."""
