"""Fuzzing `provenance append` with bad CSV, JSONL and Parquet: never an internal error.

Every generated file is bad by construction (it always carries a column no table has), and
otherwise random in types, sizes, encodings and structure. Whatever it holds, `append` must
exit 1 or 2 with one line per problem (each starting with a catalogued code), no traceback, and
leave the warehouse's bytes as they were.

PROVENANCE_FUZZ_EXAMPLES sets the examples per format (default 60; CI stays fast). A bigger
local run: ``PROVENANCE_FUZZ_EXAMPLES=900 pytest tests/storage/test_fuzz_inputs.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance import Warehouse
from provenance.cli import main
from provenance.core.errors import CODES
from provenance.core.schema import TABLES
from tests.conftest import ARTICLE_ID, copy_bundled, tree_digest

EXAMPLES = int(os.environ.get("PROVENANCE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 60,  # CI: the same inputs every run; bigger local runs explore
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

COLUMNS = sorted({c for t in TABLES.values() for c in t.column_names} | {"table", "note"})
# A column no table has: every generated file is bad, so the only right exits are 1 and 2.
ALIEN_COLUMNS = ["bogus", "", "Figure_ID", "quote ", "value\u2028low", "x" * 300]
STEMS = ["figures", "relations", "documents", "entities", "subjects", "batches", "mystery"]
PROBLEM_LINE = re.compile(r"^(?P<code>[a-z0-9-]+): ")
SUMMARY_LINE = re.compile(r"^\d+ problems(; nothing was written)?$")

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "   ",
            "\u2028",
            "a\u0085b",
            "2017-05-28",
            "2017-13-45",
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+14:00",
            "exact",
            "approximately",
            "civilians_killed",
            ARTICLE_ID,
            "us-pentagon",
            "mosul-residential-strike",
            "zakharova-airwars-3100",
            "la mort de plus de 35 civils syriens",
            "a|b|c",
            "[1, [2, [3]]]",
            "9" * 5000,
            "-" + "9" * 30,
            "1e400",
            "NaN",
            "x" * 300,
        ]
    ),
    st.integers(131_073, 140_000).map(lambda n: "y" * n),  # beyond csv's default field limit
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(2**63, 2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def rows_of(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.dictionaries(st.sampled_from(COLUMNS), values, max_size=8)
    return st.tuples(
        st.sampled_from(ALIEN_COLUMNS), values, st.lists(row, min_size=1, max_size=4)
    ).map(lambda t: [{**t[2][0], t[0]: t[1]}, *t[2][1:]])


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes as encoded, or cut short, or with bytes inserted."""
    how = draw(st.sampled_from(["intact", "intact", "cut", "insert"]))
    if how == "cut" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    rows = draw(rows_of(texts))
    header = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for r in rows:
        cells = [r.get(k) for k in header] + draw(st.lists(texts, max_size=1))  # extra cells
        writer.writerow(["" if c is None else c for c in cells])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return draw(st.sampled_from(STEMS)) + ".csv", draw(damaged(encode(out.getvalue(), encoding)))


@st.composite
def jsonl_files(draw: st.DrawFn) -> tuple[str, bytes]:
    lines = [
        json.dumps(r, ensure_ascii=draw(st.booleans()), allow_nan=True)
        for r in draw(rows_of(json_values))
    ]
    extra = draw(
        st.lists(
            st.sampled_from(
                [
                    "[" * 100_000 + "]" * 100_000,
                    '{"a": ' * 50_000 + "1" + "}" * 50_000,
                    '{"quote_start": ' + "9" * 5000 + "}",
                    '{"value_low": 1' + "0" * 400 + "}",
                    '{"table": ["figures"]}',
                    '{"table": "batches", "batch_id": "x"}',
                    '{"text": "\\ud800"}',
                    "[1, 2]",
                    '"just a string"',
                    "{not json",
                    "\u2028",
                ]
            ),
            max_size=2,
        )
    )
    text = "\n".join(draw(st.permutations(lines + extra)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]))
    return draw(st.sampled_from(STEMS)) + ".jsonl", draw(damaged(encode(text, encoding)))


ARROW_COLUMNS: dict[str, tuple[pa.DataType, st.SearchStrategy[Any]]] = {
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "uint64": (pa.uint64(), st.integers(0, 2**64 - 1)),
    "int8": (pa.int8(), st.integers(-128, 127)),
    "float64": (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    "string": (pa.string(), st.text(max_size=30) | texts.filter(lambda t: "\ud800" not in t)),
    "binary": (pa.binary(), st.binary(max_size=20)),
    "bool": (pa.bool_(), st.booleans()),
    "date32": (pa.int32(), st.integers(-(2**31), 2**31 - 1)),  # cast to date32 below
    "timestamp": (pa.int64(), st.integers(-(2**62), 2**62)),  # cast to timestamp below
    "list": (pa.list_(pa.string()), st.lists(st.text(max_size=5), max_size=3)),
    "struct": (pa.struct([("a", pa.int64())]), st.builds(lambda a: {"a": a}, st.integers(-9, 9))),
    "null": (pa.null(), st.none()),
}


@st.composite
def parquet_files(draw: st.DrawFn) -> tuple[str, bytes]:
    n = draw(st.integers(1, 4))
    names = draw(st.lists(st.sampled_from(COLUMNS), max_size=6, unique=True))
    names.append(draw(st.sampled_from(ALIEN_COLUMNS)))
    arrays, fields = [], []
    for name in dict.fromkeys(names):
        kind = draw(st.sampled_from(sorted(ARROW_COLUMNS)))
        arrow_type, values = ARROW_COLUMNS[kind]
        column = pa.array(draw(st.lists(values | st.none(), min_size=n, max_size=n)), arrow_type)
        if kind == "date32":
            column = column.cast(pa.date32())
        elif kind == "timestamp":
            column = column.cast(pa.timestamp("us", tz="UTC"))
        arrays.append(column)
        fields.append(name)
    sink = io.BytesIO()
    pq.write_table(pa.table(arrays, names=fields), sink)
    return draw(st.sampled_from(STEMS)) + ".parquet", draw(damaged(sink.getvalue()))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, dict[str, str], Path]:
    root = copy_bundled(tmp_path_factory.mktemp("fuzz") / "project", with_gx=False)
    inputs = tmp_path_factory.mktemp("inputs")
    warehouse = Warehouse(root)
    return warehouse, tree_digest(warehouse.data_dir), inputs


def append_must_refuse_cleanly(
    target: tuple[Warehouse, dict[str, str], Path], name: str, data: bytes
) -> None:
    warehouse, before, inputs = target
    path = inputs / name
    path.write_bytes(data)
    stderr = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--root", str(warehouse.root), "append", str(path)])
    lines = stderr.getvalue().splitlines()
    assert code in (1, 2), (code, lines[:5])
    assert lines, "a refusal says why"
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert (match and match["code"] in CODES) or SUMMARY_LINE.match(line), line[:300]
        assert len(line) < 1200, line[:300]
    assert tree_digest(warehouse.data_dir) == before


@FUZZ
@given(csv_files())
def test_bad_csv_is_refused_cleanly(
    target: tuple[Warehouse, dict[str, str], Path], file: tuple[str, bytes]
) -> None:
    append_must_refuse_cleanly(target, *file)


@FUZZ
@given(jsonl_files())
def test_bad_jsonl_is_refused_cleanly(
    target: tuple[Warehouse, dict[str, str], Path], file: tuple[str, bytes]
) -> None:
    append_must_refuse_cleanly(target, *file)


@FUZZ
@given(parquet_files())
def test_bad_parquet_is_refused_cleanly(
    target: tuple[Warehouse, dict[str, str], Path], file: tuple[str, bytes]
) -> None:
    append_must_refuse_cleanly(target, *file)
