"""`provenance show ID`: where a number comes from, as one card.

A card answers "where does this come from, and who else said what?" for a figure, relation,
document, subject or entity: the quote in its paragraph, claimant and speaker by name, the dates,
the interval with its wording, the relations and revisions around it, and the batch that wrote
it. :func:`show` returns the card as JSON-ready data; :mod:`provenance.publish.card_text` prints
the same data for a terminal, so the two cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance.core.errors import ConfigError, Problem
from provenance.publish.records import (
    Row,
    batch,
    interval_text,
    one,
    paragraph,
    plain,
    rows,
)

if TYPE_CHECKING:
    import duckdb

    from provenance.storage.warehouse import Warehouse

KINDS = ("figure", "relation", "document", "subject", "entity")
DOCUMENT_PREFIX_MIN = 8  # a document id is a sha256: its first characters are enough to name it

_KEYS = {
    "figure": ("figures", "figure_id"),
    "relation": ("relations", "relation_id"),
    "document": ("documents", "document_id"),
    "subject": ("subjects", "subject_id"),
    "entity": ("entities", "entity_id"),
}


def show(warehouse: Warehouse, record_id: str) -> dict[str, Any]:
    """The provenance card of the record with this id (a document also by a unique prefix)."""
    with warehouse.connect() as connection:
        kind, full_id = _resolve(connection, record_id)
        build = {
            "figure": figure_card,
            "relation": relation_card,
            "document": document_card,
            "subject": subject_card,
            "entity": entity_card,
        }[kind]
        return plain({"kind": kind, "id": full_id, **build(connection, full_id)})


def _resolve(connection: duckdb.DuckDBPyConnection, record_id: str) -> tuple[str, str]:
    for kind in KINDS:
        table, key = _KEYS[kind]
        if one(connection, f"select 1 from {table} where {key} = ?", record_id):
            return kind, record_id
    if len(record_id) >= DOCUMENT_PREFIX_MIN:
        matches = rows(
            connection,
            "select document_id from documents where starts_with(document_id, ?) order by 1",
            record_id,
        )
        if len(matches) == 1:
            return "document", matches[0]["document_id"]
        if len(matches) > 1:
            raise ConfigError(
                Problem(
                    "unknown-id",
                    f"{len(matches)} documents start with {record_id}: give more characters",
                    value=record_id,
                )
            )
    raise ConfigError(
        Problem(
            "unknown-id",
            "no figure, relation, document, subject or entity has this id",
            value=record_id,
        )
    )


# -- parts shared by the cards -------------------------------------------------------------


def _entity(connection: duckdb.DuckDBPyConnection, entity_id: str | None) -> Row | None:
    if entity_id is None:
        return None
    return one(
        connection,
        "select entity_id, name, kind, aliases from entities where entity_id = ?",
        entity_id,
    )


def _document(connection: duckdb.DuckDBPyConnection, document_id: str) -> Row | None:
    return one(
        connection,
        "select document_id, title, outlet, url, language, published_on, published_precision, "
        "retrieved_at, length(text) as characters from documents where document_id = ?",
        document_id,
    )


def _quote(connection: duckdb.DuckDBPyConnection, record: Row) -> Row:
    """The quote with its paragraph, and where the quote sits in that paragraph."""
    text = one(
        connection, "select text from documents where document_id = ?", record["document_id"]
    )
    start, end = record["quote_start"], record["quote_end"]
    if text is None:
        return {"text": record["quote"], "start": start, "end": end, "paragraph": None}
    para, para_start, para_end = paragraph(text["text"], start, end)
    return {
        "text": record["quote"],
        "start": start,
        "end": end,
        "paragraph": para,
        "paragraph_start": para_start,
        "paragraph_end": para_end,
    }


def _value(record: Row) -> Row:
    return {
        "interval": interval_text(record["value_low"], record["value_high"]),
        "low": record["value_low"],
        "high": record["value_high"],
        "qualifier": record["qualifier"],
        "wording": record["value_text"],
    }


FIGURE_SUMMARY = """
    select f.figure_id, f.subject_id, f.metric, f.claimant_id, c.name as claimant,
           f.speaker_id, s.name as speaker, f.stated_on, f.qualifier, f.value_low, f.value_high,
           f.value_text, f.supersedes, f.document_id, f.quote
    from figures f
    left join entities c on c.entity_id = f.claimant_id
    left join entities s on s.entity_id = f.speaker_id
"""


def _figure_summary(record: Row) -> Row:
    return {
        **{k: record[k] for k in ("figure_id", "subject_id", "metric", "stated_on")},
        "claimant": {"entity_id": record["claimant_id"], "name": record["claimant"]},
        "speaker": (
            {"entity_id": record["speaker_id"], "name": record["speaker"]}
            if record["speaker_id"]
            else None
        ),
        "value": _value(record),
        "document_id": record["document_id"],
        "quote": record["quote"],
    }


def _figures(connection: duckdb.DuckDBPyConnection, where: str, *parameters: Any) -> list[Row]:
    found = rows(
        connection,
        FIGURE_SUMMARY + f" where {where} order by f.subject_id, f.metric, f.claimant_id, "
        "f.stated_on, f.recorded_at, f.figure_id",
        *parameters,
    )
    return [_figure_summary(r) for r in found]


def _relations(connection: duckdb.DuckDBPyConnection, where: str, *parameters: Any) -> list[Row]:
    found = rows(
        connection,
        "select r.*, c.name as claimant from relations r "
        f"left join entities c on c.entity_id = r.claimant_id where {where} "
        "order by r.stated_on, r.relation_id",
        *parameters,
    )
    return [
        {
            "relation_id": r["relation_id"],
            "kind": r["kind"],
            "figure_id": r["figure_id"],
            "reference_ids": r["reference_ids"],
            "claimant": {"entity_id": r["claimant_id"], "name": r["claimant"]},
            "stated_on": r["stated_on"],
            "value": _value(r),
            "quote": r["quote"],
        }
        for r in found
    ]


def _recorded(connection: duckdb.DuckDBPyConnection, record: Row) -> Row | None:
    found = batch(connection, record["batch_id"])
    return {**found, "row_recorded_at": record["recorded_at"]} if found else None


# -- the cards -----------------------------------------------------------------------------


def figure_card(connection: duckdb.DuckDBPyConnection, figure_id: str) -> dict[str, Any]:
    record = one(connection, "select * from figures where figure_id = ?", figure_id)
    assert record is not None
    series = rows(
        connection,
        "select h.*, c.name as claimant from revision_history(?, ?) h "
        "left join entities c on c.entity_id = h.claimant_id",
        record["subject_id"],
        record["metric"],
    )
    return {
        "subject": one(
            connection,
            "select * exclude (batch_id, recorded_at) from subjects where subject_id = ?",
            record["subject_id"],
        ),
        "metric": record["metric"],
        "value": _value(record),
        "stated_on": record["stated_on"],
        "stated_precision": record["stated_precision"],
        "claimant": _entity(connection, record["claimant_id"]),
        "speaker": _entity(connection, record["speaker_id"]),
        "document": _document(connection, record["document_id"]),
        "quote": _quote(connection, record),
        "note": record["note"],
        "supersedes": record["supersedes"],
        "superseded_by": [
            r["figure_id"]
            for r in rows(
                connection,
                "select figure_id from figures where supersedes = ? order by 1",
                figure_id,
            )
        ],
        "relations": _relations(
            connection, "r.figure_id = ? or list_contains(r.reference_ids, ?)", figure_id, figure_id
        ),
        "revisions": [
            {
                "figure_id": r["figure_id"],
                "this": r["figure_id"] == figure_id,
                "claimant": {"entity_id": r["claimant_id"], "name": r["claimant"]},
                "stated_on": r["stated_on"],
                "value": _value(r),
                "change_low": r["change_low"],
                "supersedes": r["supersedes"],
            }
            for r in series
        ],
        "batch": _recorded(connection, record),
    }


def relation_card(connection: duckdb.DuckDBPyConnection, relation_id: str) -> dict[str, Any]:
    record = one(connection, "select * from relations where relation_id = ?", relation_id)
    assert record is not None
    operands = _figures(connection, "f.figure_id = ?", record["figure_id"])
    references = _figures(connection, "list_contains(?, f.figure_id)", record["reference_ids"])
    order = {fid: i for i, fid in enumerate(record["reference_ids"])}
    references.sort(key=lambda f: order[f["figure_id"]])
    return {
        "relation_kind": record["kind"],
        "value": _value(record),
        "stated_on": record["stated_on"],
        "stated_precision": record["stated_precision"],
        "claimant": _entity(connection, record["claimant_id"]),
        "speaker": _entity(connection, record["speaker_id"]),
        "figure": operands[0] if operands else None,
        "references": references,
        "document": _document(connection, record["document_id"]),
        "quote": _quote(connection, record),
        "note": record["note"],
        "batch": _recorded(connection, record),
    }


def document_card(connection: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, Any]:
    record = one(
        connection, "select batch_id, recorded_at from documents where document_id = ?", document_id
    )
    assert record is not None
    return {
        "document": _document(connection, document_id),
        "figures": _figures(connection, "f.document_id = ?", document_id),
        "relations": _relations(connection, "r.document_id = ?", document_id),
        "batch": _recorded(connection, record),
    }


def subject_card(connection: duckdb.DuckDBPyConnection, subject_id: str) -> dict[str, Any]:
    record = one(connection, "select * from subjects where subject_id = ?", subject_id)
    assert record is not None
    figures = _figures(connection, "f.subject_id = ?", subject_id)
    ids = [f["figure_id"] for f in figures]
    return {
        "subject": {k: v for k, v in record.items() if k not in ("batch_id", "recorded_at")},
        "parts": [
            r["subject_id"]
            for r in rows(
                connection,
                "select subject_id from subjects where parent_subject_id = ? order by 1",
                subject_id,
            )
        ],
        "figures": figures,
        "relations": _relations(
            connection,
            "list_contains(?, r.figure_id) or len(list_intersect(r.reference_ids, ?)) > 0",
            ids,
            ids,
        ),
        "batch": _recorded(connection, record),
    }


def entity_card(connection: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, Any]:
    record = one(connection, "select * from entities where entity_id = ?", entity_id)
    assert record is not None
    return {
        "entity": {k: v for k, v in record.items() if k not in ("batch_id", "recorded_at")},
        "claimed": _figures(connection, "f.claimant_id = ?", entity_id),
        "relayed": _figures(connection, "f.speaker_id = ?", entity_id),
        "relations": _relations(
            connection, "r.claimant_id = ? or r.speaker_id = ?", entity_id, entity_id
        ),
        "batch": _recorded(connection, record),
    }
