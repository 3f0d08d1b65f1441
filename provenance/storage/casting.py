"""Reading an incoming table's columns as their declared types, a column at a time.

The batch path of ``append`` (:mod:`provenance.storage.columnar`): each input column — an Arrow
array from Parquet, or the values of a CSV/JSONL column — is cast with pyarrow.compute when
every value is in a form the cast reads exactly as :func:`provenance.storage.contracts.read_cell`
would (plain digits, ISO dates…). A column holding anything else (odd date forms, separators,
integers beyond 64 bits, lone surrogates) is read cell by cell with ``read_cell`` itself, so both
ways give the same values. A cell neither way can read makes :func:`typed_table` return None:
the per-cell contract then reads the whole batch again, to name each bad cell with its row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance.core.arrow_values import scalar, string_bounds, text_scalar, valid_mask
from provenance.core.schema import Column, Kind, Table
from provenance.storage.contracts import MAX_KEY_LENGTH, PRECISION_COLUMN, read_cell

if TYPE_CHECKING:
    import pyarrow as pa

# Forms whose vectorised cast equals Python's reading; anything else goes cell by cell.
_INTEGER = r"-?[0-9]{1,18}"
_NUMBER = r"-?[0-9]{1,15}(\.[0-9]{1,15})?"
_DATE_FORMS = {
    "day": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "month": r"[0-9]{4}-[0-9]{2}",
    "year": r"[0-9]{4}",
}
_DATE_PADDING = {"day": "", "month": "-01", "year": "-01-01"}
# What Python's str.strip() removes but RE2's [\s\p{Z}] does not match: a required text made of
# these is blank to the per-cell reader, so such a column is read cell by cell.
_BLANK = r"[\s\p{Z}\x0b\x1c-\x1f\x85]*"


class _PerCell(Exception):
    """The vectorised cast cannot vouch for this column: read it cell by cell."""


def typed_table(table: Table, columns: dict[str, Any]) -> pa.Table | None:
    """``table``'s input columns typed as its Arrow schema, or None when a cell is unreadable.

    ``columns`` maps column names to Arrow arrays or Python lists of equal length; a name the
    table does not declare makes the batch go cell by cell (which reports unknown-column).
    """
    import pyarrow as pa

    known = {c.name for c in table.input_columns}
    if any(name not in known for name in columns):
        return None
    count = len(next(iter(columns.values()))) if columns else 0
    schema = table.input_arrow_schema()
    arrays: dict[str, pa.Array] = {}
    precisions: dict[str, pa.Array | None] = {}
    for column in table.input_columns:
        values = columns.get(column.name)
        if values is None:
            arrays[column.name] = pa.nulls(count, column.arrow_type)
            precisions[column.name] = None
            continue
        array = _arrow_or_none(values)
        read = _vectorised(column, array) if array is not None else None
        if read is None:
            read = _cell_by_cell(column, values)
            if read is None:
                return None
        arrays[column.name], precisions[column.name] = read
        is_key = column.name == table.key or column.references is not None
        if is_key and _too_long(arrays[column.name]):
            return None
    for source, precision_column in PRECISION_COLUMN.items():
        if source in arrays and precisions[source] is not None:
            import pyarrow.compute as pc

            given = arrays[precision_column]
            arrays[precision_column] = pc.coalesce(given, precisions[source])
    return pa.Table.from_arrays([arrays[f.name] for f in schema], schema=schema)


def _arrow_or_none(values: Any) -> pa.Array | None:
    """``values`` as one Arrow array, or None. Python cells become an array only when they are
    all of one plain type: Arrow's own inference reads ``[a date, 0]`` as two dates."""
    import datetime as dt

    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    plain = {str: pa.string(), int: pa.int64(), float: pa.float64(), dt.date: pa.date32()}
    types = {type(v) for v in values if v is not None}
    if len(types) > 1 or (types and next(iter(types)) not in plain):
        return None  # bool, datetime, lists, dicts, mixed: cell by cell
    try:
        return pa.array(values, plain[types.pop()] if types else pa.null())
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


def _vectorised(column: Column, array: pa.Array) -> tuple[pa.Array, pa.Array | None] | None:
    try:
        return _cast(column, array)
    except _PerCell:
        return None


def _cast(column: Column, array: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    import pyarrow as pa
    import pyarrow.compute as pc

    target = column.arrow_type
    source = array.type
    if pa.types.is_null(source):
        return pa.nulls(len(array), target), (
            pa.nulls(len(array), pa.string()) if column.name in PRECISION_COLUMN else None
        )
    kind = column.kind
    if kind is Kind.STRING:
        if not (pa.types.is_string(source) or pa.types.is_large_string(source)):
            raise _PerCell
        array = array.cast(pa.string())
        if (
            column.required
            and _may_be_blank(array)
            and _any(pc.match_substring_regex(array, f"^{_BLANK}$"))
        ):
            raise _PerCell  # blank is missing; the per-cell reader says which
        return array, None
    if kind is Kind.INTEGER:
        if pa.types.is_integer(source):
            return _safe_cast(array, target), None
        return _cast_text(array, _INTEGER, target), None
    if kind is Kind.NUMBER:
        if pa.types.is_floating(source):
            array = _safe_cast(array, target)
            if _any(pc.is_inf(array)):
                raise _PerCell
            return pc.if_else(pc.is_nan(array), scalar(None, target), array), None
        if pa.types.is_integer(source):
            return _safe_cast(array, target), None
        return _cast_text(array, _NUMBER, target), None
    if kind is Kind.DATE:
        if pa.types.is_date(source):
            days = _safe_cast(array, target)
            return days, pc.if_else(pc.is_null(days), text_scalar(None), text_scalar("day"))
        if pa.types.is_string(source) or pa.types.is_large_string(source):
            return _cast_dates(array.cast(pa.string()))
        raise _PerCell
    if kind is Kind.TIMESTAMP:
        if pa.types.is_timestamp(source) and source.tz is not None:
            return _safe_cast(array, target), None
        raise _PerCell
    if kind is Kind.STRING_LIST:
        if pa.types.is_list(source) and pa.types.is_string(source.value_type):
            if _any(pc.is_null(pc.list_flatten(array))):
                raise _PerCell
            return array, None
        raise _PerCell
    raise _PerCell


# A blank text is empty or starts with a character of _BLANK: an ASCII one below "!", or one
# from U+0085 on, whose UTF-8 lead byte is 0xC2 or above.
_BLANK_LEAD_BELOW, _BLANK_LEAD_FROM = 0x21, 0xC2


def _may_be_blank(array: pa.Array) -> bool:
    """Whether any text of ``array`` might be blank: one vectorised look at each text's first
    byte (null texts: no), sparing the regular expression of _BLANK over every text (quotes are
    long) where none can be."""
    import numpy as np

    data = array.buffers()[2]
    if not len(array):
        return False
    if data is None or not data.size:
        return True
    bounds = string_bounds(array)
    first = np.frombuffer(data, dtype=np.uint8)[np.minimum(bounds[:-1], data.size - 1)]
    may = (bounds[1:] == bounds[:-1]) | (first < _BLANK_LEAD_BELOW) | (first >= _BLANK_LEAD_FROM)
    if array.null_count:
        may &= valid_mask(array)
    return bool(may.any())


def _safe_cast(array: pa.Array, target: pa.DataType) -> pa.Array:
    import pyarrow as pa

    try:
        return array.cast(target, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _PerCell from None


def _cast_text(array: pa.Array, form: str, target: pa.DataType) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise _PerCell
    if not _all(pc.match_substring_regex(array, f"^{form}$")):
        raise _PerCell
    return _safe_cast(array, target)


def _cast_dates(array: pa.Array) -> tuple[pa.Array, pa.Array]:
    """ISO days, months and years as the first day they name, and which form each was."""
    import pyarrow as pa
    import pyarrow.compute as pc

    precision = pa.nulls(len(array), pa.string())
    padded = pa.nulls(len(array), pa.string())
    for name, form in _DATE_FORMS.items():
        matches = pc.match_substring_regex(array, f"^{form}$")
        precision = pc.if_else(matches, text_scalar(name), precision)
        padding = text_scalar(_DATE_PADDING[name])
        padded = pc.if_else(
            matches, pc.binary_join_element_wise(array, padding, text_scalar("")), padded
        )
    if padded.null_count != array.null_count:
        raise _PerCell
    try:
        moments = pc.strptime(padded, format="%Y-%m-%d", unit="s")
    except pa.ArrowInvalid:
        raise _PerCell from None
    # strptime rolls 2023-02-29 over to March and reads year 0: only a date that prints back
    # as it was written is the date Python would read.
    if not _all(pc.equal(pc.strftime(moments, format="%Y-%m-%d"), padded)) or _any(
        pc.less(pc.year(moments), scalar(1, pa.int64()))
    ):
        raise _PerCell
    return moments.cast(pa.date32()), precision


def _cell_by_cell(column: Column, values: Any) -> tuple[pa.Array, pa.Array | None] | None:
    """The per-cell reader over one column; None when a cell cannot be read."""
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_pylist()
    typed, precisions = [], []
    for value in values:
        try:
            cell, precision = read_cell(column, value)
        except (ValueError, OverflowError):
            return None
        typed.append(cell)
        precisions.append(precision)
    try:
        array = pa.array(typed, column.arrow_type)
    except (pa.ArrowException, OverflowError):
        return None
    precision_array = pa.array(precisions, pa.string()) if column.name in PRECISION_COLUMN else None
    return array, precision_array


def _too_long(array: pa.Array) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_list(array.type):
        array = pc.list_flatten(array)
    if not len(array) or pa.types.is_null(array.type):
        return False
    # Bytes bound characters from above: count characters only when some value might be long.
    longest = scalar(MAX_KEY_LENGTH, pa.int32())
    if not _any(pc.greater(pc.binary_length(array), longest)):
        return False
    return _any(pc.greater(pc.utf8_length(array), longest))


def _any(mask: pa.Array) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(mask).as_py())


def _all(mask: pa.Array) -> bool:
    import pyarrow.compute as pc

    return pc.all(mask).as_py() is not False  # no false value (none at all, or only nulls)
