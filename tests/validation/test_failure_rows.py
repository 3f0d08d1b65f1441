"""Failing rows: ordered by DuckDB as Python sorts them, spilled to Parquet and read back whole."""

from __future__ import annotations

import gc
import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.core.errors import WriteFailed
from provenance.validation.failure_rows import (
    Failure,
    MissingColumns,
    RowsFolder,
    SpilledFailures,
    fetch_failures,
    keep_rows,
    report_columns,
    worst_measured,
)

# Code points from every plane the reports meet: ASCII, accents, ligatures, symbols, emoji.
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
small = st.sampled_from(["", "a", "B", "é", "É", "ﬀ", "€", "𝔸", "a b", "None"])
rows = st.lists(
    st.tuples(
        st.none() | small,  # table_name
        st.none() | small | texts,  # record_id
        st.none() | small | texts,  # message
        st.none() | small,  # quote
        st.none() | st.floats(allow_nan=True) | st.just(math.inf),  # measured
    ),
    max_size=40,
)


def python_order(found: list[Failure]) -> list[Failure]:
    """The order validate gave before DuckDB sorted: Python's sort of the three keys."""
    return sorted(found, key=lambda f: (f.table or "", f.record_id, f.message))


def load(values: list[tuple[object, ...]]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE flagged (table_name VARCHAR, record_id VARCHAR, message VARCHAR, "
        "quote VARCHAR, measured DOUBLE)"
    )
    if values:
        connection.executemany("INSERT INTO flagged VALUES (?, ?, ?, ?, ?)", values)
    return connection


def keys(found: list[Failure]) -> list[tuple[str, str, str]]:
    return [(f.table or "", f.record_id, f.message) for f in found]


@settings(max_examples=30, deadline=None)
@given(rows)
def test_duckdb_orders_rows_as_python_sorts_them(values: list[tuple[object, ...]]) -> None:
    """Code-point order, NULL tables as '', NULL ids and messages as "None"; ties stay together."""
    with load(values) as connection:
        found = list(fetch_failures(connection, "r", "select * from flagged", None))
    assert keys(found) == keys(python_order(found))
    assert sorted(map(repr, found)) == sorted(
        repr(
            Failure(
                "r",
                str(r),
                str(m),
                table=t,
                quote=q,
                # DuckDB's ORDER BY reads -0.0 back as 0.0, the same number (+ 0.0 does too).
                measured=float(v) + 0.0 if v is not None else None,  # type: ignore[arg-type]
            )
        )
        for t, r, m, q, v in values
    )


@settings(max_examples=25, deadline=None)
@given(rows, st.integers(0, 12))
@example([("figures", "a", "m", None, math.nan), (None, "b", "m", "q", 1.5)], 1)
def test_spilled_rows_read_back_as_the_rows_in_memory(
    values: list[tuple[object, ...]], in_memory: int
) -> None:
    """Past ``in_memory`` rows go to a file; read back, they are the same rows in the same order,
    with the same count and worst measured value."""
    folder = RowsFolder()
    with load(values) as connection:
        held = fetch_failures(connection, "r", "select * from flagged;", None)
        spilled = fetch_failures(connection, "r", "select * from flagged", folder, in_memory)
    assert isinstance(held, list)
    assert isinstance(spilled, SpilledFailures) == (len(values) > in_memory)
    # Compared as reprs: a NaN measured value is never == another NaN (nor itself, once copied).
    assert len(spilled) == len(held) and same(spilled, held)
    assert repr(worst_measured(spilled)) == repr(worst_measured(held))
    assert same(spilled[:3], held[:3]) and same(spilled[in_memory:], held[in_memory:])
    if held:
        middle = len(held) // 2
        assert same([spilled[-1], spilled[middle]], [held[-1], held[middle]])


def same(found: Sequence[Failure], expected: Sequence[Failure]) -> bool:
    return list(map(repr, found)) == list(map(repr, expected))


def test_worst_is_the_first_largest_deviation_nan_left_out() -> None:
    found = [
        Failure("r", "a", "m", measured=math.nan),
        Failure("r", "b", "m", measured=-3.0),
        Failure("r", "c", "m", measured=3.0),
        Failure("r", "d", "m"),
    ]
    assert worst_measured(found) == -3.0
    assert worst_measured([Failure("r", "a", "m", measured=math.nan)]) is None


def test_decimals_and_other_types_convert_as_they_always_did() -> None:
    """A user's query may return integers and decimals: ids are str()'d, measured float()'d."""
    sql = (
        "select * from (values (2, 1.10::decimal(9,2), 'two'), (10, null, 'ten'), "
        "(null, 2.5::decimal(9,2), 'none')) t(record_id, measured, message)"
    )
    folder = RowsFolder()
    with duckdb.connect() as connection:
        held = fetch_failures(connection, "r", sql, None)
        spilled = fetch_failures(connection, "r", sql, folder, in_memory=0)
    # "10" < "2" < "None" as text, as Python sorts the ids it was given as strings.
    assert [(f.record_id, f.measured) for f in held] == [("10", None), ("2", 1.1), ("None", 2.5)]
    assert spilled == held and isinstance(spilled, SpilledFailures) and spilled.worst == 2.5
    [batch] = list(spilled.batches())
    columns = report_columns(batch)
    assert columns["record_id"].to_pylist() == ["10", "2", "None"]
    assert columns["measured"].type == pa.float64() and columns["table_name"].null_count == 3


def test_a_query_without_record_id_or_message_is_refused() -> None:
    with duckdb.connect() as connection, pytest.raises(MissingColumns, match="record_id"):
        fetch_failures(connection, "r", "select 'x' as message", None)


def test_kept_rows_filter_a_spilled_file_and_the_folder_outlives_the_report() -> None:
    values = [("figures", f"f-{n:03d}", "m", None, float(n)) for n in range(30)]
    folder = RowsFolder()
    with load(values) as connection:
        spilled = fetch_failures(connection, "r", "select * from flagged", folder, in_memory=5)
    assert isinstance(spilled, SpilledFailures)
    even = keep_rows(spilled, lambda b: pa.array([n % 2 == 0 for n in range(b.num_rows)]))
    assert [f.record_id for f in even] == [f"f-{n:03d}" for n in range(0, 30, 2)]
    assert len(even) == 15 and even.worst == 28.0
    path = folder.path
    del folder
    gc.collect()
    assert path.is_dir()  # the rows still refer to it
    del spilled, even
    gc.collect()
    assert not path.exists()


def test_a_decimal_measured_keeps_its_exact_float() -> None:
    """float(Decimal) rounds once; a DECIMAL cast to DOUBLE by SQL could differ in the last bit."""
    value = Decimal("0.1000000000000000055511151231257827")
    with duckdb.connect() as connection:
        [found] = fetch_failures(
            connection,
            "r",
            f"select 'a' as record_id, 'm' as message, {value}::decimal(38,34) as measured",
            None,
        )
    assert found.measured == float(value)


# Columns of other types than the report's: DuckDB converts them when spilling, Python when
# they are held; a date id and a HUGEINT measure have no SQL conversion and go through Python.
typed_rows = st.lists(
    st.tuples(
        st.none() | st.integers(-(2**63), 2**63 - 1),  # record_id BIGINT
        st.none() | st.decimals(-(10**7), 10**7, allow_nan=False, allow_infinity=False, places=30),
        # measured DECIMAL(38,30)
        st.none() | st.integers(-(2**63), 2**63 - 1),  # a BIGINT measured
        st.none() | st.floats(width=32, allow_nan=False),  # a FLOAT measured
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None)
@given(typed_rows)
@example([(1, Decimal("0.100000000000000005551115123125782702"), 2**62 + 1, 0.1)])
def test_spilled_typed_columns_convert_as_held_ones(values: list[tuple[object, ...]]) -> None:
    folder = RowsFolder()
    with duckdb.connect() as connection:
        connection.execute(
            "CREATE TABLE t (record_id BIGINT, d DECIMAL(38,30), b BIGINT, f FLOAT, h HUGEINT)"
        )
        if values:
            connection.executemany(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                [(*v, None if v[2] is None else 2 * v[2]) for v in values],  # type: ignore[operator]
            )
        for measured in ("d", "b", "f", "h"):
            for record_id in ("record_id", "DATE '2024-05-12' + (rowid % 3)::INTEGER"):
                sql = f"select {record_id} as record_id, 'm' as message, {measured} as measured from t"
                held = fetch_failures(connection, "r", sql, None)
                spilled = fetch_failures(connection, "r", sql, folder, in_memory=0)
                assert isinstance(spilled, SpilledFailures) == bool(values)
                assert same(spilled, held), (measured, record_id)
                assert repr(worst_measured(spilled)) == repr(worst_measured(held))


def test_no_failing_rows_table_is_left_behind() -> None:
    folder = RowsFolder()
    with load([("figures", f"f-{n}", "m", None, 1.0) for n in range(4)]) as connection:
        for in_memory in (0, 10):
            fetch_failures(connection, "r", "select * from flagged", folder, in_memory)
        tables = connection.execute("select table_name from duckdb_tables()").fetchall()
    assert tables == [("flagged",)]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_while_spilling_is_write_failed_naming_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found filling a small tmpfs used as TMPDIR: pyarrow's OSError had no file name, and
    the one line said only 'a file operation failed'. /dev/full answers every write with
    ENOSPC, as a full disk does."""
    full = tmp_path / "rows.arrow"
    full.symlink_to("/dev/full")
    folder = RowsFolder()
    monkeypatch.setattr(folder, "new_file", lambda: full)
    sql = "select 'f-' || range as record_id, 'm' as message from range(100)"
    with duckdb.connect() as connection, pytest.raises(WriteFailed) as caught:
        fetch_failures(connection, "some-check", sql, folder, in_memory=0)
    [problem] = caught.value.problems
    assert problem.code == "write-failed" and caught.value.exit_code == 2
    assert "failing rows of some-check" in problem.message and str(full) in problem.message
    assert "No space left on device" in problem.message


def test_a_run_holds_its_checks_rows_up_to_one_budget_then_spills(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The budget is the run's (its folder counts what its checks hold), not each check's:
    many checks of a few thousand rows each never hold more than IN_MEMORY_ROWS together."""
    from provenance.validation import failure_rows

    monkeypatch.setattr(failure_rows, "IN_MEMORY_ROWS", 10)
    folder = RowsFolder()
    six = "select 'f-' || range as record_id, 'm' as message from range(6)"
    four = "select 'f-' || range as record_id, 'm' as message from range(4)"
    with duckdb.connect() as connection:
        first = fetch_failures(connection, "a", six, folder)
        second = fetch_failures(connection, "b", six, folder)  # 6 > the 4 left: spilled
        third = fetch_failures(connection, "c", four, folder)  # 4 fit exactly
        fourth = fetch_failures(connection, "d", four, folder)  # none left
    assert [type(r) for r in (first, second, third, fourth)] == [
        list,
        SpilledFailures,
        list,
        SpilledFailures,
    ]
    assert folder.held == 10 and list(second) == [Failure("b", f"f-{n}", "m") for n in range(6)]
