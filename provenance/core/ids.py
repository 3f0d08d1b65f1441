"""The ids the warehouse derives, computed in one place.

Every way in — ``append``, ``extract``'s review files, the importers, the hypothesis strategies
and the synthetic warehouses — calls these two functions, so the same document or figure gets
the same id whichever way it arrives.

- :func:`document_id` is the sha256 of the NFC-normalised text.
- :func:`content_id` hashes a row's identity columns (``Table.identity`` in the schema): the
  JSON list of their values, each read as its column's type, so ``36`` and ``36.0`` or a date
  and its ISO string give the same id. Re-appending the same row is then a no-op.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from provenance.core.schema import TABLES, Kind, Table

# A content id is readable at a glance: which table, then 16 hex digits (64 bits) of the hash.
ID_PREFIXES = {"figures": "f-", "relations": "r-"}
CONTENT_HASH_LENGTH = 16


def document_id(text: str) -> str:
    """The id of a document: the sha256 of its NFC-normalised text."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def content_id(table: Table | str, row: Mapping[str, Any]) -> str:
    """The id a row of ``table`` gets when none is given: a hash of its identity columns.

    Columns missing from ``row`` count as empty (null).
    """
    name = table if isinstance(table, str) else table.name
    values = [_canonical(kind, row.get(column)) for column, kind in _identity(name)]
    payload = json.dumps(values, default=str, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    return ID_PREFIXES.get(name, "") + digest[:CONTENT_HASH_LENGTH]


@functools.cache
def _identity(table: str) -> tuple[tuple[str, Kind], ...]:
    declared = TABLES[table]
    if not declared.identity:
        raise ValueError(f"{table} rows have no content id")
    return tuple((name, declared.column(name).kind) for name in declared.identity)


def _canonical(kind: Kind, value: Any) -> Any:
    """``value`` as the store holds it after reading, so every way in hashes the same thing."""
    if value is None:
        return None
    if kind is Kind.NUMBER:
        return float(value)
    if kind is Kind.INTEGER:
        return int(value)
    if kind is Kind.DATE and isinstance(value, dt.date):
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        return value.isoformat()
    if kind in (Kind.STRING_LIST, Kind.INTEGER_LIST):
        return list(value)
    return value
