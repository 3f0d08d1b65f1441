"""W3C PROV-JSON (https://www.w3.org/submissions/prov-json/) of exported figures.

Entities: the archived documents, the figures and the stated relations. Agents: claimants and
speakers (people or organisations) and whoever appended each batch. Activities: each append
(a batch) and, per document, the extraction of its figures. Relations: a figure
``wasDerivedFrom`` its document through that document's extraction, ``wasGeneratedBy`` the
append that wrote it, and ``wasAttributedTo`` its claimant (and speaker); a stated relation
``wasDerivedFrom`` the figures it compares.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

from provenance.publish.records import Row

NAMESPACE = "urn:provenance-figures:"
PREFIX = {
    "pf": NAMESPACE,
    "doc": NAMESPACE + "document:",
    "fig": NAMESPACE + "figure:",
    "rel": NAMESPACE + "relation:",
    "agent": NAMESPACE + "entity:",
    "who": NAMESPACE + "recorder:",
    "batch": NAMESPACE + "batch:",
    "extract": NAMESPACE + "extraction:",
}


def _typed(value: Any, type_: str) -> dict[str, str]:
    return {"$": str(value), "type": type_}


def _qualified(name: str) -> dict[str, str]:
    return _typed(name, "prov:QUALIFIED_NAME")


def _agent_type(kind: str | None) -> dict[str, str]:
    return _qualified("prov:Person" if kind == "person" else "prov:Organization")


def prov_document(figures: list[Row], relations: list[Row], batches: list[Row]) -> dict[str, Any]:
    ids: Iterator[int] = count(1)
    doc: dict[str, Any] = {"prefix": PREFIX, "entity": {}, "agent": {}, "activity": {}}

    def relate(kind: str, **fields: Any) -> None:
        doc.setdefault(kind, {})[f"_:{kind}{next(ids)}"] = fields

    for b in batches:
        activity = f"batch:{b['batch_id']}"
        doc["activity"][activity] = {
            "prov:type": _qualified("pf:Append"),
            "prov:startTime": _time(b["recorded_at"]),
            "prov:endTime": _time(b["recorded_at"]),
            **({"pf:inputFile": b["input_file"]} if b.get("input_file") else {}),
            **({"pf:inputSha256": b["input_sha256"]} if b.get("input_sha256") else {}),
        }
        recorder = f"who:{b['recorded_by']}"
        doc["agent"][recorder] = {
            "prov:type": _qualified("prov:Person"),
            "prov:label": b["recorded_by"],
        }
        relate("wasAssociatedWith", **{"prov:activity": activity, "prov:agent": recorder})
        for d in b["documents"]:
            entity = f"doc:{d['document_id']}"
            doc["entity"][entity] = {
                "prov:type": _qualified("pf:Document"),
                "prov:label": d.get("title") or d["document_id"],
                "pf:language": d["language"],
                "pf:publishedOn": _typed(d["published_on"], "xsd:date"),
                **({"prov:location": d["url"]} if d.get("url") else {}),
                **({"pf:outlet": d["outlet"]} if d.get("outlet") else {}),
            }
            relate("wasGeneratedBy", **{"prov:entity": entity, "prov:activity": activity})

    for record in (*figures, *relations):
        for role in ("claimant", "speaker"):
            entity_id = record.get(f"{role}_id")
            if entity_id:
                doc["agent"][f"agent:{entity_id}"] = {
                    "prov:type": _agent_type(record.get(f"{role}_kind")),
                    "prov:label": record.get(f"{role}_name") or entity_id,
                }

    for f in figures:
        _stated(doc, relate, f, f"fig:{f['figure_id']}", "pf:Figure")
        doc["entity"][f"fig:{f['figure_id']}"].update(
            {"pf:subject": f["subject_id"], "pf:metric": f["metric"]}
        )
    for r in relations:
        entity = f"rel:{r['relation_id']}"
        _stated(doc, relate, r, entity, "pf:StatedRelation")
        doc["entity"][entity]["pf:kind"] = r["kind"]
        for operand in [r["figure_id"], *r["reference_ids"]]:
            if f"fig:{operand}" in doc["entity"]:
                relate(
                    "wasDerivedFrom",
                    **{"prov:generatedEntity": entity, "prov:usedEntity": f"fig:{operand}"},
                )
    return {k: v for k, v in doc.items() if v}


def _stated(doc: dict[str, Any], relate: Any, record: Row, entity: str, type_: str) -> None:
    """A figure or relation: its entity, its extraction from its document, its append, its
    claimant and speaker."""
    attributes: dict[str, Any] = {
        "prov:type": _qualified(type_),
        "prov:value": record.get("value_text") or "",
        "pf:qualifier": record["qualifier"],
        "pf:statedOn": _typed(record["stated_on"], "xsd:date"),
        "pf:quote": record["quote"],
        "pf:quoteStart": record["quote_start"],
        "pf:quoteEnd": record["quote_end"],
    }
    for bound in ("value_low", "value_high"):
        if record[bound] is not None:
            attributes[f"pf:{bound.replace('value_', 'value')}"] = _typed(
                record[bound], "xsd:double"
            )
    doc["entity"][entity] = attributes
    document = f"doc:{record['document_id']}"
    extraction = f"extract:{record['document_id']}"
    if extraction not in doc["activity"]:
        doc["activity"][extraction] = {
            "prov:type": _qualified("pf:Extraction"),
            "prov:label": "quoting figures from the document",
        }
        relate("used", **{"prov:activity": extraction, "prov:entity": document})
    relate(
        "wasDerivedFrom",
        **{
            "prov:generatedEntity": entity,
            "prov:usedEntity": document,
            "prov:activity": extraction,
            "prov:type": _qualified("prov:Quotation"),
        },
    )
    relate(
        "wasGeneratedBy", **{"prov:entity": entity, "prov:activity": f"batch:{record['batch_id']}"}
    )
    relate(
        "wasAttributedTo",
        **{
            "prov:entity": entity,
            "prov:agent": f"agent:{record['claimant_id']}",
            "prov:role": _qualified("pf:claimant"),
        },
    )
    if record.get("speaker_id"):
        relate(
            "wasAttributedTo",
            **{
                "prov:entity": entity,
                "prov:agent": f"agent:{record['speaker_id']}",
                "prov:role": _qualified("pf:speaker"),
            },
        )


def _time(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
