"""Failing rows as JSON and lines: a spilled batch, formatted from its columns, gives the bytes
json.dumps and Failure.line give for the same rows held in memory."""

from __future__ import annotations

import io
import json
import math

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.validation.failure_rows import RowsFolder, SpilledFailures, fetch_failures
from provenance.validation.report_rows import failure_dict, failure_lines, write_json_rows

# Texts JSON escapes (quotes, backslashes, control characters) among those it writes as they are.
hostile = st.text(
    st.sampled_from(
        ['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "«", "\u2028", "𝔸", "a", " "]
    ),
    max_size=5,
)
plain = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
row = st.tuples(
    st.none() | plain | hostile,  # table_name
    st.none() | plain | hostile,  # record_id
    st.none() | plain | hostile,  # message
    st.none() | plain | hostile,  # quote
    st.none() | st.floats() | st.sampled_from([math.inf, -math.inf, -0.0, 1e16, 1e-7]),
)


def spilled_and_held(values: list[tuple[object, ...]]) -> tuple[SpilledFailures, list]:
    with duckdb.connect() as connection:
        connection.execute(
            "CREATE TABLE flagged (table_name VARCHAR, record_id VARCHAR, message VARCHAR, "
            "quote VARCHAR, measured DOUBLE)"
        )
        connection.executemany("INSERT INTO flagged VALUES (?, ?, ?, ?, ?)", values)
        sql = "select * from flagged"
        spilled = fetch_failures(connection, 'rule « "x" »', sql, RowsFolder(), in_memory=0)
        held = fetch_failures(connection, 'rule « "x" »', sql, None)
    assert isinstance(spilled, SpilledFailures) and isinstance(held, list)
    return spilled, held


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=25))
@example([(None, 'a "b" \\ c', "m", "« q »", 1.5), ("figures", "x", "y", None, None)])
@example([(None, "a", "m", None, math.nan), ("figures", "x", "y\nz", '"', -0.0)])
def test_spilled_rows_write_the_json_and_lines_of_the_rows_held(
    values: list[tuple[object, ...]],
) -> None:
    spilled, held = spilled_and_held(values)
    written = {}
    for name, rows in (("spilled", spilled), ("held", held)):
        out = io.StringIO()
        write_json_rows(out, "failures", rows, "")
        written[name] = out.getvalue()
    # The rows' array as it stands in a rule's object: json.dumps's, four spaces deeper.
    expected = json.dumps(
        {"failures": [failure_dict(f) for f in held]}, indent=2, ensure_ascii=False
    ).replace("\n", "\n    ")
    assert "{" + written["spilled"] + "\n    }" == expected
    assert written["spilled"] == written["held"]
    for severity in ("error", "warning"):
        assert list(failure_lines(spilled, severity)) == [f.line(severity) for f in held]
