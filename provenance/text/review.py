"""Review files: what `provenance extract` proposes, ready for a person to edit and append.

A review file is JSONL, one row per line with a ``table`` field. Besides the candidate figures
and relations it carries the rows they need so that ``provenance append review.jsonl`` works on
its own: the document (its archived text), a placeholder subject per document, and an entity
per claimant or speaker the warehouse does not know yet, its kind guessed from its name. The
annotations ``confidence``, ``pattern`` and ``source_file`` help the reviewer and are ignored
by ``append``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from provenance.core.errors import ConfigError
from provenance.core.ids import content_id, document_id
from provenance.storage.inputs import read_text

_DOCUMENT_ID = re.compile(r"^[0-9a-f]{64}$")

# First match wins: words in an entity's name that tell what kind of source it is.
_KIND_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("witnesses", ("temoin", "witness")),
    (
        "officials",
        ("responsable", "official", "autorite", "authorit", "gouverneur", "maire", "mayor"),
    ),
    (
        "military",
        (
            "pentagon",
            "armee",
            "army",
            "military",
            "militaire",
            "defense",
            "defence",
            "coalition",
            "centcom",
            "forces",
        ),
    ),
    ("monitor", ("airwars", "observatoire", "observation", "monitor", "ohchr", "unama", "acled")),
    ("ngo", ("ong", "ngo", "amnesty", "human-rights", "msf", "croix-rouge", "red-cross", "unicef")),
    (
        "media",
        ("agence", "agency", "journal", "news", "afp", "reuters", "presse", "press", "tv", "radio"),
    ),
    (
        "government",
        (
            "washington",
            "moscou",
            "moscow",
            "gouvernement",
            "government",
            "ministere",
            "ministry",
            "ministre",
            "minister",
            "kremlin",
            "maison-blanche",
            "white-house",
        ),
    ),
)


def guess_entity_kind(slug: str) -> str:
    for kind, cues in _KIND_CUES:
        if any(cue in slug for cue in cues):
            return kind
    return "person"


def _name_from_slug(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-"))


def outlet_slug(outlet: str | None, source: str) -> str:
    """The entity that stands behind an unattributed figure: the document's outlet."""
    from provenance.text.extract import slugify

    return slugify(outlet) if outlet else "outlet-of-" + slugify(Path(source).stem)


def review_records(
    sources: list[str],
    *,
    language: str,
    published_on: date | None,
    warehouse: Any | None = None,
    outlet: str | None = None,
) -> list[dict[str, Any]]:
    """Candidate rows for every source: a text file's path, or an archived document's id."""
    from provenance.text.extract import extract

    records: list[dict[str, Any]] = []
    loaded = [
        (source, *_load(source, language, published_on, warehouse, outlet)) for source in sources
    ]
    doc_ids = [document_id(text) for _, text, _, _ in loaded]
    # Only the documents and placeholder subjects of these sources are looked up.
    known_documents = _known(warehouse, "documents", "document_id", doc_ids)
    known_subjects = _known(warehouse, "subjects", "subject_id", [_unreviewed(d) for d in doc_ids])
    known_entities = _known(warehouse, "entities", "entity_id")
    new_entities: dict[str, dict[str, Any]] = {}
    for (source, text, published, document_row), doc_id in zip(loaded, doc_ids, strict=True):
        if document_row is not None and doc_id not in known_documents:
            records.append(document_row)
        subject_id = _unreviewed(doc_id)
        if subject_id not in known_subjects:
            records.append(
                {
                    "table": "subjects",
                    "subject_id": subject_id,
                    "description": f"Figures extracted from {Path(source).name}, not yet assigned to a subject",
                }
            )
            known_subjects.add(subject_id)
        fallback_claimant = outlet_slug(outlet, source)
        for candidate in extract(
            text,
            language=language,
            published_on=published,
            document_id=doc_id,
            source_file=source,
            author=fallback_claimant,
        ):
            row = candidate.to_record()
            if row["table"] == "figures" and not row.get("subject_id"):
                row["subject_id"] = subject_id
            if not row.get("claimant_id"):
                # An unattributed number is the speaker's own claim, or else the outlet's.
                row["claimant_id"] = row.get("speaker_id") or fallback_claimant
            for role in ("claimant_id", "speaker_id"):
                slug = row.get(role)
                if slug and slug not in known_entities and slug not in new_entities:
                    name = (
                        outlet if (slug == fallback_claimant and outlet) else _name_from_slug(slug)
                    )
                    new_entities[slug] = {
                        "table": "entities",
                        "entity_id": slug,
                        "name": name,
                        "kind": guess_entity_kind(slug),
                    }
            records.append(row)
    head = [r for r in records if r["table"] in ("documents", "subjects")]
    tail = [r for r in records if r["table"] not in ("documents", "subjects")]
    return head + list(new_entities.values()) + _with_content_ids(tail)


def _with_content_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with the ids ``append`` would derive from them as they now stand.

    The extractor names figures before the subject and claimant are filled in; re-deriving
    here gives each figure the id the same row gets through ``append`` or an importer, and
    relations follow their figures. Two candidates that became the same row are kept once.
    """
    renamed: dict[str, str] = {}
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for row in rows:
        if row["table"] == "figures":
            new_id = content_id("figures", row)
            renamed[row["figure_id"]] = new_id
            row["figure_id"] = new_id
        elif row["table"] == "relations":
            row["figure_id"] = renamed.get(row["figure_id"], row["figure_id"])
            row["reference_ids"] = [renamed.get(r, r) for r in row["reference_ids"]]
            row["relation_id"] = new_id = content_id("relations", row)
        else:
            out.append(row)
            continue
        if new_id not in seen:
            seen.add(new_id)
            out.append(row)
    return out


def _unreviewed(doc_id: str) -> str:
    """The placeholder subject of a document's figures until a reviewer assigns one."""
    return f"unreviewed-{doc_id[:12]}"


def _known(warehouse: Any | None, table: str, key: str, among: list[str] | None = None) -> set[str]:
    """The ``key`` values ``table`` already holds (only those ``among``, when given)."""
    if warehouse is None:
        return set()
    if among is None:
        _, rows = warehouse.query(f"select {key} from {table}")
    else:
        _, rows = warehouse.query(
            f"select {key} from {table} where list_contains(?::varchar[], {key})", [among]
        )
    return {r[0] for r in rows}


def _load(
    source: str, language: str, published_on: date | None, warehouse: Any | None, outlet: str | None
) -> tuple[str, date, dict[str, Any] | None]:
    """The NFC text, its publication date, and a documents row if it is not archived yet."""
    path = Path(source)
    if not path.exists() and _DOCUMENT_ID.match(source):
        if warehouse is None:
            raise ConfigError(
                f"{source} looks like a document_id, but there is no warehouse to read it from"
            )
        _, rows = warehouse.query(
            "select text, published_on from documents where document_id = ?", [source]
        )
        if not rows:
            raise ConfigError(f"no archived document {source}")
        text, published = rows[0]
        return text, published_on or published, None
    if not path.is_file():
        raise ConfigError(f"no such file: {source}")
    if published_on is None:
        raise ConfigError(
            f"{source}: give --published YYYY-MM-DD to resolve the text's dates against"
        )
    text = unicodedata.normalize("NFC", read_text(path))
    document_row = {
        "table": "documents",
        "language": language,
        "published_on": published_on.isoformat(),
        "outlet": outlet,
        "retrieved_at": datetime.now(UTC).isoformat(),
        "text": text,
        "source_file": source,
    }
    return text, published_on, document_row


def write_review(records: list[dict[str, Any]], stream: IO[str]) -> None:
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
