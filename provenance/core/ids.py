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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from provenance.core.arrow_values import scalar, string_bounds, text_scalar, texts
from provenance.core.schema import TABLES, Kind, Table

if TYPE_CHECKING:
    import pyarrow as pa

# A content id is readable at a glance: which table, then 16 hex digits (64 bits) of the hash.
ID_PREFIXES = {"figures": "f-", "relations": "r-"}
CONTENT_HASH_LENGTH = 16
# What is hashed: the JSON list of the identity values (as ``json.dumps`` writes it).
_JSON = json.JSONEncoder(default=str, ensure_ascii=False)
_encode_text = json.encoder.encode_basestring  # how _JSON writes a text (ensure_ascii=False)


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


def content_ids(table: Table | str, rows: pa.Table) -> list[str]:
    """:func:`content_id` of each row of an Arrow table typed as the schema (a column missing
    is all null)."""
    return content_id_array(table, rows).to_pylist()


def content_id_array(table: Table | str, rows: pa.Table) -> pa.Array:
    """:func:`content_ids` as an Arrow array of texts: the sha256 of each of
    :func:`content_payloads`, its digests hex-encoded at once rather than a Python string per
    row (hashlib still hashes each row: DuckDB's sha256 measured slower than OpenSSL's)."""
    import numpy as np
    import pyarrow as pa

    name = table if isinstance(table, str) else table.name
    sha256 = hashlib.sha256
    kept = CONTENT_HASH_LENGTH // 2  # bytes of the digest: two hex digits each
    payloads = content_payloads(name, rows).cast(pa.binary()).to_pylist()
    digests = b"".join([sha256(payload).digest()[:kept] for payload in payloads])
    prefix = ID_PREFIXES.get(name, "").encode("ascii")
    width = len(prefix) + CONTENT_HASH_LENGTH
    characters = np.empty((len(payloads), width), dtype=np.uint8)
    characters[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    characters[:, len(prefix) :] = np.frombuffer(
        digests.hex().encode("ascii"), dtype=np.uint8
    ).reshape(-1, CONTENT_HASH_LENGTH)
    offsets = np.arange(0, (len(payloads) + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(payloads), pa.py_buffer(offsets), pa.py_buffer(characters)
    )


def content_payloads(table: Table | str, rows: pa.Table) -> pa.Array:
    """What :func:`content_id` hashes, for each row of an Arrow table typed as the schema.

    The same bytes — the JSON list ``json.dumps`` writes, items separated by ", " — assembled
    column-wise: texts escaped once per distinct value, integers and dates printed by Arrow
    (the same digits), numbers by their ``repr`` as json does.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    name = table if isinstance(table, str) else table.name
    declared = TABLES[name]
    # One join of every part: a text column with no null and nothing to escape (most of them)
    # is joined as it is between quote literals, not first copied quoted.
    parts: list[Any] = [text_scalar("[")]
    for column, _ in _identity(name):
        if len(parts) > 1:
            parts.append(text_scalar(", "))
        if column not in rows.column_names:
            parts.append(text_scalar("null"))
            continue
        kind, values = declared.column(column).kind, rows.column(column)
        if kind is Kind.STRING and not values.null_count:
            values = values.combine_chunks().cast(pa.string())
            if not _may_hold_escaped(values):
                parts += [text_scalar('"'), values, text_scalar('"')]
                continue
        parts.append(_json_fragments(kind, values))
    parts.append(text_scalar("]"))
    listed: pa.Array = pc.binary_join_element_wise(*parts, text_scalar(""))
    return listed


def _json_fragments(kind: Kind, values: Any) -> Any:
    """Each value of one column as ``json.dumps`` writes it ("null" for a null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if kind is Kind.STRING:
        written = _json_texts(values)
    elif kind is Kind.INTEGER:
        written = values.cast(pa.string())
    elif kind is Kind.DATE:
        written = _quoted(values.cast(pa.string()))
    elif kind is Kind.NUMBER:
        written = _json_numbers(values)
    else:
        written = texts([None if v is None else _JSON.encode(v) for v in values.to_pylist()])
    return pc.fill_null(written.cast(pa.string()), text_scalar("null"))


# The characters json.dumps escapes with ensure_ascii=False; a text without any is written
# as itself between quotes.
_ESCAPED = r'[\x00-\x1f"\\]'


def _json_texts(values: pa.Array) -> pa.Array:
    """Texts as json.dumps writes them: quoted as they are, or escaped in Python (each
    distinct text once) when one holds a character json escapes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.cast(pa.string())
    quoted = _quoted(values)
    if not _may_hold_escaped(values):
        return quoted
    needs_escape = pc.match_substring_regex(values, _ESCAPED)
    if not pc.any(needs_escape).as_py():
        return quoted
    encoded = values.filter(needs_escape).dictionary_encode()
    escaped = texts([_encode_text(v) for v in encoded.dictionary.to_pylist()])
    return pc.replace_with_mask(quoted, needs_escape, escaped.take(encoded.indices))


def _may_hold_escaped(values: pa.Array) -> bool:
    """Whether any byte of the texts' data is one json escapes (a control character, a quote,
    a backslash): one vectorised look at the bytes, ten times cheaper than the regex per text.
    The bytes under null slots count too, which can only send the column to the regex."""
    import numpy as np

    data = values.buffers()[2]
    if data is None or not len(values):
        return False
    bounds = string_bounds(values)
    used = np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[-1]]
    return bool(((used < 0x20) | (used == 0x22) | (used == 0x5C)).any())


# Python's repr writes an integral float below 1e16 as its digits and ".0"; other floats
# (fractions, huge or tiny ones, -0.0) are written by repr itself, as json does.
_REPR_AS_DIGITS = 1e16


def _json_numbers(values: pa.Array) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.cast(pa.float64())
    zero = scalar(0.0, pa.float64())
    as_digits = pc.and_(
        pc.and_(pc.equal(pc.floor(values), values), pc.not_equal(values, zero)),
        pc.less(pc.abs(values), scalar(_REPR_AS_DIGITS, pa.float64())),
    )
    as_digits = pc.fill_null(as_digits, scalar(False, pa.bool_()))
    digits = pc.binary_join_element_wise(
        pc.if_else(as_digits, values, zero).cast(pa.int64()).cast(pa.string()),
        text_scalar(".0"),
        text_scalar(""),
    )
    written = pc.if_else(as_digits, digits, text_scalar(None))
    other = pc.and_(pc.invert(as_digits), pc.is_valid(values))
    if not pc.any(other).as_py():
        return written
    reprs = texts([repr(float(v)) for v in values.filter(other).to_pylist()])
    return pc.replace_with_mask(written, other, reprs)


def _quoted(values: pa.Array) -> pa.Array:
    """Each text between double quotes, as is."""
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(text_scalar('"'), values, text_scalar('"'), text_scalar(""))
