"""Archiving many documents in one batch, with metadata per file.

``provenance add-document FILE…`` reads every file, takes its metadata from the command's flags
and, per file, from a sidecar (``--metadata``: CSV or JSONL with a ``file`` column), and writes
all new texts as ONE batch: thousands of daily publications take seconds, not one batch each.

A document's id is the sha256 of its NFC text, so a text is archived once. Adding a text that is
already archived is not an error: the stored row (its metadata included) is kept, since history
is never rewritten, and when the metadata given differs, one line says so
(``already archived as <id>; its stored metadata is kept (url differs)``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.core.errors import BatchRejected, Problem
from provenance.core.ids import document_id
from provenance.storage.inputs import read_text

if TYPE_CHECKING:
    from provenance.storage.warehouse import AppendResult, Warehouse

# Metadata a sidecar or the flags may give, as the documents table names it.
METADATA = ("language", "published_on", "published_precision", "url", "outlet", "title")
# What a sidecar may call them besides their column names.
ALIASES = {"published": "published_on", "date": "published_on", "lang": "language"}
FILE_COLUMN = "file"
REQUIRED = ("language", "published_on")


@dataclass
class NewDocument:
    """One text to archive and what is known about it."""

    label: str  # the file as given, for messages and the batch log
    text: str
    metadata: dict[str, Any]

    @property
    def document_id(self) -> str:
        return document_id(self.text)


@dataclass
class DocumentsResult:
    """What an add-document call did: per input, its id; the batch; one note per known text."""

    ids: list[tuple[str, str]] = field(default_factory=list)  # (label, document_id)
    added: int = 0
    already_archived: int = 0
    notes: list[str] = field(default_factory=list)
    append: AppendResult | None = None

    def summary(self) -> str:
        if self.append is None or self.append.batch_id is None:
            return f"nothing to append: all {self.already_archived} documents are already archived"
        known = f"; {self.already_archived} already archived" if self.already_archived else ""
        return self.append.summary() + known


def read_sidecar(path: Path) -> dict[str, dict[str, Any]]:
    """Per-file metadata from a CSV or JSONL sidecar, keyed by the ``file`` column as written.

    Unknown columns, a missing ``file`` column and a file named twice are problems (exit 1).
    """
    text = read_text(path)
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as e:
                    raise BatchRejected(
                        [Problem("unreadable-file", f"{path}: line {number}: {e.msg}")]
                    ) from None
                if not isinstance(value, dict):
                    raise BatchRejected(
                        [Problem("unreadable-file", f"{path}: line {number}: not an object")]
                    )
                rows.append((number, value))
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [(n, dict(r)) for n, r in enumerate(reader, start=2)]
    problems: list[Problem] = []
    by_file: dict[str, dict[str, Any]] = {}
    for number, row in rows:
        entry: dict[str, Any] = {}
        for key, value in row.items():
            name = ALIASES.get(str(key), str(key))
            if name == FILE_COLUMN:
                continue
            if name not in METADATA:
                problems.append(
                    Problem(
                        "unknown-column",
                        f"{path}: column {key!r} is not document metadata "
                        f"({FILE_COLUMN}, {', '.join(METADATA)})",
                    )
                )
                continue
            if value not in (None, ""):
                entry[name] = value
        file = str(row.get(FILE_COLUMN) or "")
        if not file:
            problems.append(Problem("missing-value", f"{path}: row {number}: no {FILE_COLUMN}"))
        elif file in by_file:
            problems.append(Problem("duplicate-id", f"{path}: row {number}: {file} named twice"))
        else:
            by_file[file] = entry
    if problems:
        raise BatchRejected(_unique(problems))
    return by_file


def _unique(problems: list[Problem]) -> list[Problem]:
    """One line per distinct problem (an unknown column is reported once, not per row)."""
    return list({p.message: p for p in problems}.values())


def documents_from_files(
    files: Sequence[Path],
    defaults: dict[str, Any],
    sidecar: dict[str, dict[str, Any]] | None = None,
) -> list[NewDocument]:
    """Each file with its metadata: the sidecar's row for it (by path as given, else by name)
    over the flags' ``defaults``. A file lacking language or publication date is a problem."""
    sidecar = sidecar or {}
    problems: list[Problem] = []
    documents = []
    used: set[str] = set()
    for path in files:
        key = str(path) if str(path) in sidecar else path.name
        used.add(key)
        metadata = {k: v for k, v in defaults.items() if v is not None}
        metadata.update(sidecar.get(key, {}))
        missing = [m for m in REQUIRED if not metadata.get(m)]
        if missing:
            problems.append(
                Problem(
                    "missing-value",
                    f"{path}: no {' or '.join(missing)} (give --language/--published or a "
                    "--metadata row for this file)",
                )
            )
            continue
        documents.append(NewDocument(str(path), read_text(path), metadata))
    unused = sorted(set(sidecar) - used)
    problems += [
        Problem("missing-file", f"--metadata names {name}, which is not among the files given")
        for name in unused
    ]
    if problems:
        raise BatchRejected(problems)
    return documents


def add_document(
    warehouse: Warehouse, documents: Sequence[NewDocument], source: str | None = None
) -> DocumentsResult:
    """Archive every new text as one batch; a known text keeps its stored row (see module doc)."""
    result = DocumentsResult()
    wanted = sorted({d.document_id for d in documents})
    stored = _stored_metadata(warehouse, wanted)
    rows: list[dict[str, Any]] = []
    first: dict[str, NewDocument] = {}
    now = datetime.now(UTC)
    for document in documents:
        doc_id = document.document_id
        result.ids.append((document.label, doc_id))
        known = stored.get(doc_id)
        earlier = first.get(doc_id)
        if known is None and earlier is None:
            first[doc_id] = document
            rows.append(
                {
                    **{m: document.metadata.get(m) for m in METADATA},
                    "retrieved_at": document.metadata.get("retrieved_at") or now,
                    "text": document.text,
                }
            )
            continue
        result.already_archived += 1
        if known is not None:
            kept, where = known, "archived"
        else:
            assert earlier is not None
            kept, where = _comparable(earlier.metadata), f"given earlier ({earlier.label})"
        differs = [
            m
            for m in METADATA
            if m in document.metadata and _comparable(document.metadata).get(m) != kept.get(m)
        ]
        if differs:
            result.notes.append(
                f"{document.label}: already {where} as {doc_id}; its stored metadata is kept "
                f"({', '.join(differs)} differ{'s' if len(differs) == 1 else ''})"
            )
    if rows:
        result.append = warehouse.append_rows({"documents": rows}, source=source)
        result.added = result.append.written.get("documents", 0)
    return result


def _stored_metadata(warehouse: Warehouse, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    columns = ", ".join(METADATA)
    with warehouse.connect() as connection:
        rows = connection.execute(
            f"SELECT document_id, {columns} FROM documents "
            "WHERE document_id IN (SELECT unnest($ids))",
            {"ids": ids},
        ).fetchall()
    return {row[0]: _comparable(dict(zip(METADATA, row[1:], strict=True))) for row in rows}


def _comparable(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata as text, a date as ISO, a missing precision as the store fills it (day)."""
    out: dict[str, Any] = {}
    for name in METADATA:
        value = metadata.get(name)
        if isinstance(value, date | datetime):
            value = value.isoformat()[:10]
        out[name] = None if value in (None, "") else str(value)
    return out
