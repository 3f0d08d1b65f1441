"""ClaimReview JSON-LD: the schema.org markup fact-check search tools read.

One ClaimReview per figure and per stated relation: the claim is its verbatim quote, made by
the claimant (the speaker who relays it is the author of the appearance), appearing in the
archived document; the rating is the verdict of the consistency rules, on a 1–3 scale whose
``alternateName`` says it in words. See https://schema.org/ClaimReview.
"""

from __future__ import annotations

from typing import Any

from provenance.publish.records import Row, interval_text
from provenance.publish.verdicts import Verdict

CONTEXT = "https://schema.org"
RATINGS = {
    "pass": (3, "Consistent with every consistency rule"),
    "warn": (2, "Flagged for review by a consistency rule"),
    "fail": (1, "Fails a consistency rule"),
}
PEOPLE = ("person",)  # entity kinds that are people; the others are organisations


def claim_reviews(
    figures: list[Row],
    relations: list[Row],
    verdicts: dict[str, Verdict],
    *,
    reviewer: str = "provenance",
) -> list[dict[str, Any]]:
    reviews = [
        _review(f, "figure_id", verdicts.get(f["figure_id"]), reviewer, _figure_summary(f))
        for f in figures
    ]
    reviews += [
        _review(r, "relation_id", verdicts.get(r["relation_id"]), reviewer, _relation_summary(r))
        for r in relations
    ]
    return reviews


def _figure_summary(f: Row) -> str:
    value = interval_text(f["value_low"], f["value_high"])
    return f"{f['metric']} of {f['subject_id']}: {value} ({f['qualifier']})"


def _relation_summary(r: Row) -> str:
    value = interval_text(r["value_low"], r["value_high"])
    return f"{r['kind']} {value} between {r['figure_id']} and {', '.join(r['reference_ids'])}"


def _agent(entity_id: str | None, name: str | None, kind: str | None) -> dict[str, Any] | None:
    if entity_id is None:
        return None
    return {
        "@type": "Person" if kind in PEOPLE else "Organization",
        "name": name or entity_id,
        "identifier": entity_id,
    }


def _review(
    record: Row, key: str, verdict: Verdict | None, reviewer: str, summary: str
) -> dict[str, Any]:
    verdict = verdict or Verdict()
    value, words = RATINGS[verdict.status]
    appearance: dict[str, Any] = {
        "@type": "CreativeWork",
        "identifier": record["document_id"],
        "datePublished": record.get("document_published_on"),
    }
    for field, prop in (("document_url", "url"), ("document_title", "headline")):
        if record.get(field):
            appearance[prop] = record[field]
    if record.get("document_outlet"):
        appearance["publisher"] = {"@type": "Organization", "name": record["document_outlet"]}
    speaker = _agent(
        record.get("speaker_id"), record.get("speaker_name"), record.get("speaker_kind")
    )
    if speaker:
        appearance["author"] = speaker
    body = "; ".join(verdict.findings) or "No consistency rule flags this record."
    return {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "identifier": record[key],
        "claimReviewed": record["quote"],
        "author": {"@type": "Organization", "name": reviewer},
        "itemReviewed": {
            "@type": "Claim",
            "author": _agent(
                record["claimant_id"], record.get("claimant_name"), record.get("claimant_kind")
            ),
            "datePublished": record["stated_on"],
            "appearance": appearance,
            "description": summary,
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": 3,
            "worstRating": 1,
            "alternateName": words,
            "ratingExplanation": body,
        },
        "reviewBody": body,
    }
