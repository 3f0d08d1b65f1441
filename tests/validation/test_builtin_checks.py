"""Built-in checks: references and quote anchoring in one pass per table, same rows as before.

The oracle is the plain formulation the pass replaced — one ``NOT EXISTS`` query per reference
column, one join of each quote to its document's text — run on small random tables that break
references, offsets and documents (missing, duplicated, null ids) on purpose.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.core.schema import STORED_TABLES, TABLES, Kind
from provenance.storage.record_contract import contract_sql
from provenance.storage.warehouse import Warehouse
from provenance.validation.builtin_checks import (
    PASS_TABLE,
    SqlCheck,
    anchored_text_sql,
    builtin_checks,
    contract_check,
    quote_anchor_checks,
    reference_checks,
)
from tests.conftest import VALID_STATEMENT

TEXTS = ("Selon l'armée, 12 morts à Tavenor.", "Au moins 3 100 civils tués.", "ABCDEFGHIJ")
# Empty and non-ASCII ids too: a reference probe must treat them as any other key.
IDS = ("a", "b", "c", "", "é", None)


def _create(connection: duckdb.DuckDBPyConnection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Tables named like the warehouse's views; the columns the checks are about as given, the
    others null (the pass decides the contract too: its rows are not the ones compared here)."""
    for table in STORED_TABLES:
        columns = table.columns
        ddl = ", ".join(
            f'"{c.name}" {"VARCHAR[]" if c.kind is Kind.STRING_LIST else c.sql_type}'
            for c in columns
        )
        connection.execute(f"CREATE TABLE {table.name} ({ddl})")
        if rows[table.name]:
            connection.executemany(
                f"INSERT INTO {table.name} VALUES ({', '.join('?' for _ in columns)})",
                [[row.get(c.name) for c in columns] for row in rows[table.name]],
            )


_COLUMNS = {
    "documents": ("document_id", "text"),
    "entities": ("entity_id",),
    "subjects": ("subject_id", "parent_subject_id"),
    "figures": (
        "figure_id",
        "document_id",
        "subject_id",
        "claimant_id",
        "speaker_id",
        "supersedes",
        "quote",
        "quote_start",
        "quote_end",
    ),
    "relations": (
        "relation_id",
        "figure_id",
        "reference_ids",
        "document_id",
        "claimant_id",
        "speaker_id",
        "quote",
        "quote_start",
        "quote_end",
    ),
}


def _oracle(connection: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every failure of the reference and anchoring checks, one query per condition."""
    rows: list[tuple[Any, ...]] = []
    for table in STORED_TABLES:
        for column in table.columns:
            if not column.references:
                continue
            target, key = column.references.split(".")
            listed = column.kind is Kind.STRING_LIST
            value = "ref.item" if listed else f'ref."{column.name}"'
            source = (
                f'(SELECT *, unnest("{column.name}") AS item FROM {table.name}) ref'
                if listed
                else f"{table.name} ref"
            )
            quote = "ref.quote" if "quote" in table.column_names else "NULL"
            rows += connection.execute(
                f"""SELECT 'references-{table.name}', ref."{table.key}", '{table.name}',
                       '{column.name} ' || {value} || ' is not in {target}', {quote}
                FROM {source}
                WHERE {value} IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t."{key}" = {value})"""
            ).fetchall()
    for name in ("figures", "relations"):
        rows += connection.execute(
            f"""SELECT 'quote-anchored-{name}', x."{TABLES[name].key}", '{name}',
                   CASE WHEN d.document_id IS NULL THEN 'document ' || x.document_id || ' is missing'
                        WHEN x.quote_end > length(d.text) THEN 'quote offsets ' || x.quote_start
                             || '..' || x.quote_end || ' run past the end of the document ('
                             || length(d.text) || ' characters)'
                        ELSE 'text at ' || x.quote_start || '..' || x.quote_end || ' is «'
                             || substring(d.text, x.quote_start + 1, x.quote_end - x.quote_start) || '»'
                   END, x.quote
            FROM {name} x LEFT JOIN documents d USING (document_id)
            WHERE d.document_id IS NULL
               OR substring(d.text, x.quote_start + 1, x.quote_end - x.quote_start)
                  IS DISTINCT FROM x.quote"""
        ).fetchall()
    return rows


def _run(connection: duckdb.DuckDBPyConnection, checks: list[SqlCheck]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for check in checks:
        if check.prepare_sql:
            connection.execute(check.prepare_sql)
        found = connection.execute(check.sql).fetchall()
        rows += [(check.name, *row[:4]) for row in found]
        assert all(row[4] is None for row in found)  # measured
    return rows


def _key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(v) for v in row)


ids = st.sampled_from(IDS)


@st.composite
def quoted(draw: st.DrawFn, key: str, extra: dict[str, Any]) -> dict[str, Any]:
    text = draw(st.sampled_from(TEXTS))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text) + 3))
    # A quote mostly read off one of the texts at its offsets, so that some rows anchor.
    quote = draw(st.one_of(st.just(text[start:end]), st.sampled_from(("", "12 morts", "x"))))
    return {
        key: draw(st.sampled_from(("f1", "f2", "f3", "a"))),
        "document_id": draw(ids),
        "claimant_id": draw(ids),
        "speaker_id": draw(ids),
        "quote": quote,
        "quote_start": start,
        "quote_end": end,
        **{name: draw(strategy) for name, strategy in extra.items()},
    }


warehouses = st.fixed_dictionaries(
    {
        # Documents repeat ids and texts: a duplicated document is a case the pass must count
        # as the separate queries did.
        "documents": st.lists(
            st.fixed_dictionaries({"document_id": ids, "text": st.sampled_from(TEXTS)}),
            max_size=4,
        ),
        "entities": st.lists(st.fixed_dictionaries({"entity_id": ids}), max_size=3),
        "subjects": st.lists(
            st.fixed_dictionaries({"subject_id": ids, "parent_subject_id": ids}), max_size=3
        ),
        "figures": st.lists(
            quoted("figure_id", {"subject_id": ids, "supersedes": st.sampled_from((*IDS, "f1"))}),
            max_size=5,
        ),
        "relations": st.lists(
            quoted(
                "relation_id",
                {
                    "figure_id": st.sampled_from(("f1", "f2", "zz", None)),
                    "reference_ids": st.one_of(
                        st.none(), st.lists(st.sampled_from(("f1", "f3", "zz")), max_size=3)
                    ),
                },
            ),
            max_size=3,
        ),
    }
)


@settings(max_examples=25, deadline=None)
@given(warehouses)
def test_one_pass_finds_the_rows_separate_queries_found(
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    with duckdb.connect() as connection:
        _create(connection, rows)
        expected = sorted(map(_key, _oracle(connection)))
        # Run twice, in both orders: the shared pass is built once, by whichever check is first.
        checks = reference_checks() + quote_anchor_checks()
        assert sorted(map(_key, _run(connection, checks))) == expected
        assert sorted(map(_key, _run(connection, checks[::-1]))) == expected


def test_one_check_alone_still_builds_its_pass() -> None:
    """`--rule quote-anchored-figures` alone: the pass is built by that check's own prepare."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _COLUMNS}
    rows["documents"] = [{"document_id": "d", "text": "ABCDEFGHIJ"}]
    rows["figures"] = [
        {"figure_id": "ok", "document_id": "d", "quote": "BCD", "quote_start": 1, "quote_end": 4},
        {"figure_id": "off", "document_id": "d", "quote": "BCD", "quote_start": 2, "quote_end": 5},
        {"figure_id": "lost", "document_id": "e", "quote": "x", "quote_start": 0, "quote_end": 1},
    ]
    with duckdb.connect() as connection:
        _create(connection, rows)
        anchored = next(c for c in quote_anchor_checks() if c.name == "quote-anchored-figures")
        assert sorted(_run(connection, [anchored])) == [
            ("quote-anchored-figures", "lost", "figures", "document e is missing", "x"),
            ("quote-anchored-figures", "off", "figures", "text at 2..5 is «CDE»", "BCD"),
        ]
        tables = connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1"
        ).fetchall()
        assert ("anchor_texts",) in tables
        assert (PASS_TABLE.format(table="figures"),) in tables


def test_real_warehouse_with_a_foreign_quote(bundled: Warehouse) -> None:
    """The founding article's warehouse, plus a figure quoting words its document lacks."""
    with bundled.connect() as connection:
        assert _run(connection, reference_checks() + quote_anchor_checks()) == []
    stored = bundled.query("SELECT * FROM figures ORDER BY figure_id LIMIT 1")
    row = dict(zip(stored[0], stored[1][0], strict=True))
    row.update(figure_id="foreign-quote", quote="mille morts", supersedes="no-such-figure")
    del row["batch_id"], row["recorded_at"]
    import pyarrow as pa

    schema = TABLES["figures"].input_arrow_schema()
    bundled.write_batch({"figures": pa.Table.from_pylist([row], schema=schema)}, label="test")
    with bundled.connect() as connection:
        found = sorted(map(_key, _run(connection, reference_checks() + quote_anchor_checks())))
        assert found == sorted(map(_key, _oracle(connection)))
    assert [f[:3] for f in found] == [
        ("quote-anchored-figures", "foreign-quote", "figures"),
        ("references-figures", "foreign-quote", "figures"),
    ]
    assert found[1][3] == "supersedes no-such-figure is not in figures"


@pytest.mark.parametrize("name", ["references-figures", "quote-anchored-figures"])
def test_checks_are_named_once(name: str) -> None:
    names = [c.name for c in reference_checks() + quote_anchor_checks()]
    assert names.count(name) == 1


# A statement's document ids: well-formed (stored or not), and broken ones — upper case, one
# digit short, non-ASCII, empty, null — each either stored as a document or not.
_SHA = "5f0c" * 16
_DOCUMENT_IDS = (_SHA, "0123" * 16, _SHA.upper(), _SHA[:63], "é" * 64, "", None)
# Every other column of a statement keeps its contract, so a row fails by its document id alone.
_VALID = {
    **VALID_STATEMENT,
    "kind": "ratio",
    "reference_ids": ["f"],
    "batch_id": "b",
    "recorded_at": "2024-01-01 00:00:00+00",
}


def _create_every_column(
    connection: duckdb.DuckDBPyConnection, rows: dict[str, list[dict[str, Any]]]
) -> None:
    for table in STORED_TABLES:
        columns = table.columns
        connection.execute(
            f"CREATE TABLE {table.name} ("
            + ", ".join(f'"{c.name}" {c.sql_type}' for c in columns)
            + ")"
        )
        if rows.get(table.name):
            connection.executemany(
                f"INSERT INTO {table.name} VALUES ({', '.join('?' for _ in columns)})",
                [
                    [row.get(c.name, _VALID.get(c.name)) for c in columns]
                    for row in rows[table.name]
                ],
            )


@settings(max_examples=30, deadline=None)
@given(
    documents=st.lists(st.sampled_from(_DOCUMENT_IDS), max_size=5),
    statements=st.lists(
        st.tuples(st.sampled_from(("f", "g", "f-2")), st.sampled_from(_DOCUMENT_IDS)), max_size=6
    ),
)
def test_the_contract_reads_broken_document_ids_off_the_pass(
    documents: list[str | None], statements: list[tuple[str, str | None]]
) -> None:
    """contract-figures and contract-relations give the rows of the plain contract, whose
    pattern is matched on every row: stored or not, duplicated or not, broken or not."""
    rows = {
        "documents": [{"document_id": d, "text": "q"} for d in documents],
        "figures": [{"figure_id": k, "document_id": d} for k, d in statements],
        "relations": [{"relation_id": k, "document_id": d, "figure_id": k} for k, d in statements],
    }
    with duckdb.connect() as connection:
        _create_every_column(connection, rows)
        for name in ("figures", "relations"):
            check = contract_check(TABLES[name])
            assert check.prepare_sql  # read off the pass: the plain contract is the oracle
            expected = connection.execute(contract_sql(TABLES[name])).fetchall()
            connection.execute(check.prepare_sql)
            assert sorted(connection.execute(check.sql).fetchall(), key=repr) == sorted(
                expected, key=repr
            )


def test_a_broken_dangling_document_id_still_fails_both_checks(bundled: Warehouse) -> None:
    """The founding article's warehouse, plus a figure (written past the append contract) whose
    document id is upper case and names no document: validate reports the broken pattern under
    contract-figures and the dangling reference under references-figures, as when the contract
    matched every row."""
    from provenance.validation.orchestrator import validate

    stored = bundled.query("SELECT * FROM figures ORDER BY figure_id LIMIT 1")
    row = dict(zip(stored[0], stored[1][0], strict=True))
    broken = row["document_id"].upper()
    row.update(figure_id="shouting-id", document_id=broken)
    del row["batch_id"], row["recorded_at"]
    import pyarrow as pa

    schema = TABLES["figures"].input_arrow_schema()
    bundled.write_batch({"figures": pa.Table.from_pylist([row], schema=schema)}, label="test")
    names = ["contract-figures", "references-figures", "quote-anchored-figures"]
    report = validate(bundled, only=names)
    found = {r.name: [(f.record_id, f.message) for f in r.failures] for r in report.results}
    assert found["contract-figures"] == [("shouting-id", f"document_id: bad-pattern {broken}")]
    assert found["references-figures"] == [
        ("shouting-id", f"document_id {broken} is not in documents")
    ]
    assert found["quote-anchored-figures"] == [("shouting-id", f"document {broken} is missing")]


# Values that have broken, or nearly broken, a contract condition: blanks of every kind (ASCII,
# NBSP, U+2028, ideographic space), empty, null, non-ASCII, upper case, enum values changed.
_HOSTILE_TEXT = ("", " ", "\t", "\u00a0", "\u2028", "\u3000x", "x\u2028", "é", "A", "f", _SHA)
_HOSTILE = {
    "VARCHAR": st.sampled_from((*_HOSTILE_TEXT, "killed", "KILLED", "range", "day", "ratio", None)),
    "DOUBLE": st.sampled_from((-1.0, 0.0, 2.5, 7.0, None)),
    "BIGINT": st.sampled_from((-1, 0, 1, 3, 10, None)),
}


def _plain_contract_sql(table: Any) -> str:
    """The contract as first written, the oracle: every reason a ``CASE`` over every row, the
    blank test the regular expression alone, enums ``NOT IN``, every pattern matched."""
    from provenance.core.intervals import interval_violation_sql
    from provenance.core.sql import sql_literal

    reasons = []
    for column in table.columns:
        c = f'"{column.name}"'
        if column.required:
            blank = (
                f" OR regexp_full_match({c}, '[\\s\\p{{Z}}]*')"
                if column.sql_type == "VARCHAR"
                else ""
            )
            reasons.append(f"CASE WHEN {c} IS NULL{blank} THEN '{column.name}: missing-value' END")
        if column.enum:
            allowed = ", ".join(sql_literal(v) for v in column.enum)
            reasons.append(
                f"CASE WHEN {c} NOT IN ({allowed}) THEN '{column.name}: unknown-enum ' || {c} END"
            )
        if column.pattern:
            reasons.append(
                f"CASE WHEN NOT regexp_full_match({c}, {sql_literal(column.pattern)}) "
                f"THEN '{column.name}: bad-pattern ' || {c} END"
            )
        if column.minimum is not None:
            reasons.append(
                f"CASE WHEN {c} < {column.minimum} THEN '{column.name}: out-of-range ' || {c} END"
            )
    if "qualifier" in table.column_names:
        reasons.append(f"'bad-interval: ' || ({interval_violation_sql()})")
    if "quote_start" in table.column_names:
        reasons.append(
            "CASE WHEN quote_end < quote_start THEN 'bad-interval: quote_end < quote_start' END"
        )
    quote = "quote" if "quote" in table.column_names else "NULL"
    return f"""
        SELECT "{table.key}", '{table.name}', array_to_string(reasons, '; '), {quote}, NULL
        FROM (SELECT *, list_filter([{", ".join(reasons)}], lambda r: r IS NOT NULL) AS reasons
              FROM {table.name})
        WHERE len(reasons) > 0
        UNION ALL
        SELECT "{table.key}", '{table.name}', 'duplicate-id: stored ' || count(*) || ' times',
               NULL, count(*)
        FROM {table.name} GROUP BY "{table.key}" HAVING count(*) > 1
    """


def _hostile_rows(table_name: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows of a statement table, each valid but for a few columns given hostile values."""
    table = TABLES[table_name]
    hostile = {
        c.name: _HOSTILE[c.sql_type]
        for c in table.columns
        if c.sql_type in _HOSTILE and c.name not in ("batch_id",)
    }
    changed = st.dictionaries(st.sampled_from(sorted(hostile)), st.just(None), max_size=3)
    row = changed.flatmap(
        lambda keys: st.fixed_dictionaries({k: hostile[k] for k in keys}).map(
            lambda values: {"document_id": _SHA, **values}
        )
    )
    return st.lists(row, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    documents=_hostile_rows("documents").filter(bool),
    figures=_hostile_rows("figures"),
    relations=_hostile_rows("relations"),
)
def test_the_pass_decides_the_contract_as_the_plain_query_did(
    documents: list[dict[str, Any]],
    figures: list[dict[str, Any]],
    relations: list[dict[str, Any]],
) -> None:
    """contract-documents, decided as the texts are read for anchoring, contract-figures and
    contract-relations, decided in their tables' row passes, and the contract an incoming batch
    is held to give the rows of the contract as first written, over blanks of every kind,
    nulls, non-ASCII and upper case in any column, and repeated keys (documents stored twice
    included)."""
    rows = {
        "documents": [{"text": "q", **r} for r in documents],
        "figures": [{"figure_id": "f", **r} for r in figures],
        "relations": [{"relation_id": "r", "figure_id": "f", **r} for r in relations],
    }
    with duckdb.connect() as connection:
        _create_every_column(connection, rows)
        for name in ("documents", "figures", "relations"):
            expected = sorted(
                connection.execute(_plain_contract_sql(TABLES[name])).fetchall(), key=repr
            )
            check = contract_check(TABLES[name])
            assert check.prepare_sql
            connection.execute(check.prepare_sql)
            found = connection.execute(check.sql).fetchall()
            assert sorted(found, key=repr) == expected
            plain = connection.execute(contract_sql(TABLES[name])).fetchall()
            assert sorted(plain, key=repr) == expected


def test_a_pass_made_by_one_check_is_not_bound_again_by_the_next() -> None:
    """The first of a table's checks builds its pass; the others find it and leave it: even
    with the tables it read gone, which binding its query again would trip over."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _COLUMNS}
    rows["documents"] = [{"document_id": "d", "text": "ABCDEFGHIJ"}]
    rows["figures"] = [
        {"figure_id": "off", "document_id": "d", "quote": "BCD", "quote_start": 2, "quote_end": 5}
    ]
    first, *others = [c for c in builtin_checks() if c.name.endswith("-figures") and c.prepare_sql]
    with duckdb.connect() as connection:
        _create(connection, rows)
        first.prepare(connection)
        connection.execute("DROP TABLE documents")
        for check in others:
            check.prepare(connection)
            assert connection.execute(check.sql).fetchall() is not None
        anchored = next(c for c in others if c.name == "quote-anchored-figures")
        assert [r[:3] for r in connection.execute(anchored.sql).fetchall()] == [
            ("off", "figures", "text at 2..5 is «CDE»")
        ]
        # Without the pass, a check builds it (and here fails to, the documents being gone).
        connection.execute(f"DROP TABLE {PASS_TABLE.format(table='figures')}")
        with pytest.raises(duckdb.CatalogException):
            first.prepare(connection)


# Any code points: ASCII, accented, combining marks, astral (four UTF-8 bytes), separators.
_ANY_TEXT = st.text(alphabet=st.sampled_from("ab é\u0301€😀\u00a0"), max_size=14)


# One connection for every example: the property reads no table.
_SCRATCH = duckdb.connect()


@st.composite
def _offsets(draw: st.DrawFn) -> tuple[str | None, int, int]:
    """A text and offsets around it: mostly inside it (either half), sometimes before its
    start, past its end, or reversed."""
    text = draw(st.one_of(st.none(), _ANY_TEXT))
    size = len(text or "")
    start = draw(st.integers(-3, size + 3))
    end = draw(st.integers(start - 3, size + 4))
    return text, start, end


@settings(max_examples=150, deadline=None)
@given(_offsets())
def test_the_text_at_a_quotes_offsets_is_read_as_substring_reads_it(
    case: tuple[str | None, int, int],
) -> None:
    """Read from the text's nearer end, the characters at any offsets are those
    ``substring(text, start + 1, end - start)`` gives, NULL included."""
    near = anchored_text_sql("text", "length(text)", "s", "e")
    found = _SCRATCH.execute(
        f"SELECT {near}, substring(text, s + 1, e - s) "
        "FROM (SELECT ?::VARCHAR AS text, ?::BIGINT AS s, ?::BIGINT AS e)",
        list(case),
    ).fetchone()
    assert found is not None
    assert found[0] == found[1]
