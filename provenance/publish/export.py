"""`provenance export`: figures joined with their provenance, in five formats.

CSV, Parquet and JSONL are written by DuckDB's COPY straight from the views (no table passes
through Python); ClaimReview JSON-LD and W3C PROV-JSON are built from the same joined rows
(:mod:`provenance.publish.claimreview`, :mod:`provenance.publish.prov_json`). ``where`` is one
SQL condition over the joined columns (:data:`FIGURE_PROVENANCE`), e.g. ``subject_id = 'x'``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError, Problem
from provenance.core.sql import sql_literal
from provenance.publish.records import Row, plain, rows

if TYPE_CHECKING:
    import duckdb

    from provenance.storage.warehouse import Warehouse

FORMATS = ("csv", "parquet", "jsonl", "claimreview", "prov-json")

# One row per figure with everything a reader needs to trace it, names beside ids.
FIGURE_PROVENANCE = """
    select f.figure_id, f.subject_id, s.description as subject_description, f.metric,
           f.value_low, f.value_high, f.qualifier, f.value_text, f.stated_on, f.stated_precision,
           f.claimant_id, c.name as claimant_name, c.kind as claimant_kind,
           f.speaker_id, sp.name as speaker_name, sp.kind as speaker_kind,
           f.document_id, d.title as document_title, d.outlet as document_outlet,
           d.url as document_url, d.language as document_language,
           d.published_on as document_published_on, f.quote, f.quote_start, f.quote_end,
           f.supersedes, f.note, f.batch_id, f.recorded_at, b.recorded_by,
           b.input_file as batch_input_file
    from figures f
    left join subjects s on s.subject_id = f.subject_id
    left join entities c on c.entity_id = f.claimant_id
    left join entities sp on sp.entity_id = f.speaker_id
    left join documents d on d.document_id = f.document_id
    left join batches b on b.batch_id = f.batch_id
"""

_COPY_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "parquet": "FORMAT parquet, COMPRESSION zstd",
    "jsonl": "FORMAT json",
}


def export(
    warehouse: Warehouse,
    format: str,
    output: Path,
    *,
    where: str | None = None,
    rules_file: Path | None = None,
    reviewer: str = "provenance",
) -> int:
    """Write the figures (those matching ``where``) to ``output``; return how many."""
    if format not in FORMATS:
        raise ConfigError(f"--format {format}: use one of {', '.join(FORMATS)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.connect() as connection:
        query = figures_query(connection, where)
        count = int(connection.execute(f"select count(*) from ({query})").fetchone()[0])  # type: ignore[index]
        if format in _COPY_OPTIONS:
            connection.execute(
                f"copy ({query} order by figure_id) to {sql_literal(str(output))} "
                f"({_COPY_OPTIONS[format]})"
            )
            return count
        figures = rows(connection, f"{query} order by figure_id")
        relations = _relations_of(connection, [f["figure_id"] for f in figures])
        if format == "claimreview":
            from provenance.publish.claimreview import claim_reviews
            from provenance.publish.verdicts import verdicts

            document: Any = claim_reviews(
                figures, relations, verdicts(warehouse, rules_file), reviewer=reviewer
            )
        else:
            from provenance.publish.prov_json import prov_document

            document = prov_document(figures, relations, _batches(connection, figures, relations))
    output.write_text(
        json.dumps(plain(document), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return count


def figures_query(connection: duckdb.DuckDBPyConnection, where: str | None) -> str:
    """The joined figures, narrowed by one SQL condition that must run on them."""
    import duckdb

    if where is None:
        return FIGURE_PROVENANCE
    query = f"select * from ({FIGURE_PROVENANCE}) where ({where})"
    try:
        if len(connection.extract_statements(query)) != 1:
            raise ConfigError(
                Problem("bad-query", "--where must be one condition, not statements", value=where)
            )
        connection.execute(f"select count(*) from ({query})").fetchone()
    except duckdb.Error as e:
        raise ConfigError(
            Problem("bad-query", f"--where: {str(e).splitlines()[0]}", value=where)
        ) from None
    return query


def _relations_of(connection: duckdb.DuckDBPyConnection, figure_ids: list[str]) -> list[Row]:
    """Stated relations about the exported figures, with their claimant and document."""
    return rows(
        connection,
        """
        select r.*, c.name as claimant_name, c.kind as claimant_kind,
               sp.name as speaker_name, sp.kind as speaker_kind,
               d.title as document_title, d.outlet as document_outlet, d.url as document_url,
               d.published_on as document_published_on
        from relations r
        left join entities c on c.entity_id = r.claimant_id
        left join entities sp on sp.entity_id = r.speaker_id
        left join documents d on d.document_id = r.document_id
        where list_contains(?, r.figure_id)
        order by r.relation_id
        """,
        figure_ids,
    )


def _batches(
    connection: duckdb.DuckDBPyConnection, figures: list[Row], relations: list[Row]
) -> list[Row]:
    """The appends that wrote these rows or their documents."""
    ids = sorted({r["batch_id"] for r in (*figures, *relations)})
    document_ids = sorted({r["document_id"] for r in (*figures, *relations)})
    documents = rows(
        connection,
        "select document_id, title, url, outlet, language, published_on, batch_id "
        "from documents where list_contains(?, document_id) order by document_id",
        document_ids,
    )
    ids = sorted(set(ids) | {d["batch_id"] for d in documents})
    found = rows(
        connection,
        "select batch_id, recorded_at, recorded_by, input_file, input_sha256 from batches "
        "where list_contains(?, batch_id) order by batch_id",
        ids,
    )
    return [
        {**b, "documents": [d for d in documents if d["batch_id"] == b["batch_id"]]} for b in found
    ]
