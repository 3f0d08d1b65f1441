"""Arrow scalars and arrays from Python values, built without pyarrow's pandas check.

``pa.array`` and ``pa.scalar`` — and so every compute function given a Python literal — first
ask whether the value is a pandas object, and that question imports pandas the first time it
is asked in a process (0.3–0.5 s, a fifth of appending 100 000 figures). Appending a Parquet
file needs no pandas: the batch path builds what it needs here, from buffers, and
``tests/cli/test_base.py`` holds it to that. Each function gives what ``pa.array`` /
``pa.scalar`` would give for the same values (``tests/core/test_arrow_values.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

# String offsets are 32-bit: a larger total is left to pa.array, which splits it.
_MAX_STRING_BYTES = 2**31 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PER_UNIT = {
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
    "us": timedelta(microseconds=1),
}


def texts(values: Sequence[str | None]) -> pa.Array:
    """``pa.array(values, pa.string())`` for texts that are valid UTF-8 (no lone surrogate)."""
    import numpy as np
    import pyarrow as pa

    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    if int(lengths.sum()) > _MAX_STRING_BYTES:
        return pa.array(values, pa.string())
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:], dtype=np.int32)
    valid, nulls = _validity(values)
    return pa.StringArray.from_buffers(
        len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)), valid, nulls
    )


def joined_texts(values: pa.ChunkedArray | pa.Array) -> bytes:
    """``"".join(map(str, values.to_pylist())).encode()`` without a Python string per value:
    a string array's data holds exactly those bytes between its first and last offsets."""
    import pyarrow as pa

    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    _, offsets, data = array.buffers() if pa.types.is_string(array.type) else (None, None, None)
    if offsets is None or data is None or array.null_count:  # nulls are written "None"
        return "".join(map(str, array.to_pylist())).encode()
    bounds = string_bounds(array)
    return data.to_pybytes()[bounds[0] : bounds[-1]]


def string_bounds(array: pa.Array) -> np.ndarray:
    """Where each text of a string array starts in its data buffer, and where the last ends
    (``len(array) + 1`` offsets, the array's slice of its offsets buffer)."""
    import numpy as np

    offsets = array.buffers()[1]
    return np.frombuffer(offsets, dtype=np.int32)[array.offset : array.offset + len(array) + 1]


def valid_mask(array: pa.Array) -> np.ndarray:
    """Per value, whether it is not null, as numpy booleans: from the validity bitmap, since
    ``np.asarray(array.is_valid())`` converts through pyarrow's pandas shim (importing pandas)."""
    import numpy as np

    validity = array.buffers()[0]
    if validity is None:
        return np.ones(len(array), dtype=bool)
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].astype(bool)


def text_scalar(value: str | None) -> pa.Scalar:
    """``pa.scalar(value, pa.string())``: the literal compute functions are given most."""
    import pyarrow as pa

    return scalar(value, pa.string())


def bools(mask: np.ndarray) -> pa.Array:
    """``pa.array(mask, pa.bool_())`` for a numpy array of booleans (no nulls)."""
    import pyarrow as pa

    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, _bitmap(mask)])


def int64s(values: np.ndarray) -> pa.Array:
    """``pa.array(values, pa.int64())`` for a numpy array of integers (no nulls)."""
    import numpy as np
    import pyarrow as pa

    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def floats(values: Sequence[float | None]) -> pa.Array:
    """``pa.array(values, pa.float64())`` for Python floats and Nones (NaN stays a value)."""
    import numpy as np
    import pyarrow as pa

    data = np.fromiter((0.0 if v is None else v for v in values), np.float64, len(values))
    valid, nulls = _validity(values)
    return pa.Array.from_buffers(pa.float64(), len(data), [valid, pa.py_buffer(data)], nulls)


def scalar(value: Any, type: pa.DataType) -> pa.Scalar:
    """``pa.scalar(value, type)`` for None, a text, a number, a bool or a timezone-aware
    datetime (``type`` a timestamp of seconds, milliseconds or microseconds)."""
    import numpy as np
    import pyarrow as pa

    if value is None:
        return pa.nulls(1, type)[0]
    if isinstance(value, str):
        return texts([value]).cast(type)[0]
    if isinstance(value, bool):
        return bools(np.array([value])).cast(type)[0]
    if isinstance(value, int):
        return int64s(np.array([value])).cast(type)[0]
    if isinstance(value, float):
        data = np.array([value], dtype=np.float64)
        return pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(data)]).cast(type)[0]
    if isinstance(value, datetime) and value.tzinfo is not None and pa.types.is_timestamp(type):
        ticks = (value - _EPOCH) // _PER_UNIT[type.unit]
        return int64s(np.array([ticks])).cast(pa.timestamp(type.unit, type.tz))[0]
    raise TypeError(f"no shim-free Arrow scalar for {type!r} from {value!r}")


def _validity(values: Sequence[Any]) -> tuple[pa.Buffer | None, int]:
    """The validity bitmap of Python values (None where none is None) and their null count."""
    import numpy as np

    nulls = sum(v is None for v in values)
    if not nulls:
        return None, 0
    return _bitmap(np.fromiter((v is not None for v in values), bool, len(values))), nulls


def _bitmap(mask: np.ndarray) -> pa.Buffer:
    import numpy as np
    import pyarrow as pa

    return pa.py_buffer(np.packbits(np.asarray(mask, dtype=bool), bitorder="little"))
