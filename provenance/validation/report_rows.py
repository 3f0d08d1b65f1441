"""A report's failing rows as text: JSON objects and text lines, from :class:`Failure` objects or
straight from a spilled batch's columns.

A check may flag hundreds of thousands of rows, spilled to Arrow
(:mod:`provenance.validation.failure_rows`); each format writes them a batch at a time, and the
bytes are those :mod:`json` (``indent=2``) and :meth:`Failure.line` give for the same rows held
in memory (``tests/validation/test_report.py``, ``tests/validation/test_report_rows.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from json.encoder import encode_basestring as _json_string  # C; ensure_ascii=False
from typing import IO, TYPE_CHECKING, Any

from provenance.validation.failure_rows import (
    ROW_COLUMNS,
    Failure,
    SpilledFailures,
    failure_line,
)

if TYPE_CHECKING:
    import pyarrow as pa

ROW_INDENT = "\n        "  # a row object's place in the indented document
_BETWEEN = "," + ROW_INDENT


def json_number(value: float | None) -> float | str | None:
    """JSON has no infinity: an unbounded factor is written as the string "inf"."""
    if value is None or math.isfinite(value):
        return value
    return "inf" if value > 0 else "-inf"


def failure_dict(failure: Failure) -> dict[str, Any]:
    d = asdict(failure)
    d["measured"] = json_number(failure.measured)
    return d


def dumps_at(value: Any, indent: int) -> str:
    """``value`` as json.dumps writes it ``indent`` spaces deep in an indent=2 document."""
    text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    return text.replace("\n", "\n" + " " * indent) if indent else text


def write_json_rows(out: IO[str], key: str, rows: Sequence[Failure], after: str) -> None:
    """``"key": [rows]`` as ``json.dumps(..., indent=2)`` writes it inside a rule's object."""
    if not rows:
        out.write(f'\n      "{key}": []{after}')
        return
    out.write(f'\n      "{key}": [')
    written = False
    for chunk in _json_chunks(rows):
        if chunk:
            out.write((_BETWEEN if written else ROW_INDENT) + chunk)
            written = True
    out.write(f"\n      ]{after}")


def failure_lines(rows: Sequence[Failure], severity: str) -> Iterator[str]:
    """Each row's :meth:`Failure.line`; spilled rows a batch at a time, no Failure made."""
    if isinstance(rows, SpilledFailures):
        upper = severity.upper()
        for batch in rows.batches():
            columns = [batch.column(name).to_pylist() for name in ROW_COLUMNS]
            for record_id, table, message, quote, _ in zip(*columns, strict=True):
                yield failure_line(upper, rows.rule, record_id, message, table, quote)
    else:
        for f in rows:
            yield f.line(severity)


# json.dumps with an indent runs Python's encoder, some 10 µs a row; each value of a row is a
# scalar, which the C encoder writes exactly as it appears inside the indented object, and a
# row without details (every SQL row) is this template filled in.
_SCALAR = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_ROW_PARTS = ("rule", "record_id", "message", "table", "quote", "measured")
_ROW_OPEN = "{\n          "
_ROW_CLOSE = ',\n          "details": {}\n        }'
_ROW_JSON = _ROW_OPEN + ",\n          ".join(f'"{name}": %s' for name in _ROW_PARTS) + _ROW_CLOSE


def _scalar(value: Any) -> str:
    if type(value) is str:
        return _json_string(value)
    return "null" if value is None else _SCALAR(value)


_float_repr = float.__repr__


def _measured_json(value: Any) -> str:
    """A measured value as json.dumps writes ``json_number(value)``: ``float.__repr__`` for a
    finite float, as the encoder does."""
    if type(value) is float and value - value == 0:  # neither infinite nor NaN
        return _float_repr(value)
    return _scalar(json_number(value))


def failure_json(failure: Failure) -> str:
    """``dumps_at(failure_dict(failure), 8)``, faster for rows without details (every SQL row)."""
    if failure.details:
        return dumps_at(failure_dict(failure), 8)
    text = _scalar
    return _ROW_JSON % (
        text(failure.rule),
        text(failure.record_id),
        text(failure.message),
        text(failure.table),
        text(failure.quote),
        _measured_json(failure.measured),
    )


def _json_chunks(rows: Sequence[Failure]) -> Iterator[str]:
    """The rows as :func:`failure_json` writes them, joined, one string per batch."""
    if not isinstance(rows, SpilledFailures):
        yield _BETWEEN.join(map(failure_json, rows))
        return
    rule = _json_string(rows.rule)
    for batch in rows.batches():
        yield _batch_json(rule, batch)


def _batch_json(rule: str, batch: pa.RecordBatch) -> str:
    """A spilled batch's rows as :func:`failure_json` writes them, joined, from its columns (an
    Arrow-side assembly, tried, gained a tenth here and cost importing pyarrow.compute)."""
    text, number = _json_string, _measured_json  # a spilled text is a str or None
    record_id, table, message, quote, measured = (
        batch.column(name).to_pylist() for name in ROW_COLUMNS
    )
    return _BETWEEN.join(
        [
            _ROW_JSON
            % (
                rule,
                "null" if i is None else text(i),
                "null" if m is None else text(m),
                "null" if t is None else text(t),
                "null" if q is None else text(q),
                number(x),
            )
            for i, t, m, q, x in zip(record_id, table, message, quote, measured, strict=True)
        ]
    )
