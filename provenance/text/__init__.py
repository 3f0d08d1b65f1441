"""Reading text: numbers as people write them, candidate figures and relations in a document,
and review files. May import :mod:`provenance.core` and :mod:`provenance.storage`."""
