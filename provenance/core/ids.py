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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from provenance.core.schema import TABLES, Kind, Table

# A content id is readable at a glance: which table, then 16 hex digits (64 bits) of the hash.
ID_PREFIXES = {"figures": "f-", "relations": "r-"}
CONTENT_HASH_LENGTH = 16
# What is hashed: the JSON list of the identity values (as ``json.dumps`` writes it).
_JSON = json.JSONEncoder(default=str, ensure_ascii=False)


def document_id(text: str) -> str:
    """The id of a document: the sha256 of its NFC-normalised text."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def content_id(table: Table | str, row: Mapping[str, Any]) -> str:
    """The id a row of ``table`` gets when none is given: a hash of its identity columns.

    Columns missing from ``row`` count as empty (null).
    """
    name = table if isinstance(table, str) else table.name
    values = []
    for column, convert in _identity(name):
        value = row.get(column)
        values.append(value if value is None or convert is None else convert(value))
    payload = _JSON.encode(values).encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    return ID_PREFIXES.get(name, "") + digest[:CONTENT_HASH_LENGTH]


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else value


# Each value read as the store holds it after reading, so every way in hashes the same thing:
# 36 and 36.0, a date and its ISO string, a tuple and a list.
_CONVERTERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.NUMBER: float,
    Kind.INTEGER: int,
    Kind.DATE: _iso_date,
    Kind.STRING_LIST: list,
    Kind.INTEGER_LIST: list,
}


@functools.cache
def _identity(table: str) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    declared = TABLES[table]
    if not declared.identity:
        raise ValueError(f"{table} rows have no content id")
    return tuple((name, _CONVERTERS.get(declared.column(name).kind)) for name in declared.identity)


def content_ids(table: Table | str, columns: Mapping[str, Sequence[Any]], count: int) -> list[str]:
    """:func:`content_id` of ``count`` rows given column-wise (a column missing is all null).

    The same hash of the same JSON as :func:`content_id`, without building a dict per row: the
    batch path of ``append`` hands its typed columns here.
    """
    name = table if isinstance(table, str) else table.name
    prefix = ID_PREFIXES.get(name, "")
    converted = []
    for column, convert in _identity(name):
        values = columns.get(column) or [None] * count
        if convert is not None:
            values = [v if v is None else convert(v) for v in values]
        converted.append(values)
    encode, sha256 = _JSON.encode, hashlib.sha256
    return [
        prefix + sha256(encode(list(row)).encode("utf-8")).hexdigest()[:CONTENT_HASH_LENGTH]
        for row in zip(*converted, strict=True)
    ]
