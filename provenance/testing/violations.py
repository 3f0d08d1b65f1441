"""Records that break one rule on purpose, for tests of the rules themselves."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from provenance.core.enums import LANGUAGES
from provenance.core.ids import document_id
from provenance.core.schema import TABLES
from provenance.storage.warehouse import Warehouse
from provenance.testing.plan import REVISED_METRICS
from provenance.testing.wording import (
    OUTLETS,
    count_text,
    published_sentence,
    ratio_sentence,
    statement,
)

DIRECT_PREFIX = "injected-"  # the ids of figures written past the append contract

INJECTION_KINDS = (
    "quote_mismatch",
    "ratio",
    "revision_falls",
    "weekday",
    "date_order",
    "bad_interval",
    "reference",
)


def inject_violation(root: Path, kind: str, seed: int = 0) -> str:
    """Append one batch with exactly one record breaking one rule; return that record's id.

    Kinds and the check each breaks: quote_mismatch → quote-anchored-figures, ratio →
    relation-ratio, revision_falls → revision-lower-bound-falls, weekday →
    weekday-matches-date, date_order → dates-in-order, bad_interval → contract-figures,
    reference → references-figures. The warehouse must hold generated data (ratio relations,
    revision series). Records the append contract would refuse are written directly.
    """
    if kind not in INJECTION_KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(INJECTION_KINDS)}")
    warehouse = Warehouse.open(root)
    with warehouse.connect() as connection:
        if kind == "ratio":
            # An exact figure: the measured ratio is a point, so a tripled factor is far off it.
            exact = "figure_id IN (SELECT figure_id FROM figures WHERE qualifier = 'exact')"
            row = _pick(connection, "relations", f"kind = 'ratio' AND {exact}", seed)
        else:
            # The latest figure of a revision series: a copy stated no earlier cannot make the
            # series fall, so only the intended rule sees the copy. Never a figure an earlier
            # injection wrote directly (`injected-…`: one the append contract refuses, so the
            # copy would be refused too, e.g. a bad interval or an unknown subject).
            metrics = ", ".join(f"'{m}'" for m in REVISED_METRICS)
            row = _pick(
                connection,
                "(SELECT *, row_number() OVER (PARTITION BY subject_id, metric, claimant_id ORDER BY stated_on DESC, recorded_at DESC) AS recency FROM current_figures)",
                f"recency = 1 AND supersedes IS NULL AND metric IN ({metrics}) AND value_low >= 20 AND qualifier = 'exact'"
                f" AND figure_id NOT LIKE '{DIRECT_PREFIX}%'",
                seed,
            )
        document = _pick(connection, "documents", f"document_id = '{row['document_id']}'", 0)
        place = (
            connection.execute(
                "SELECT place FROM subjects WHERE subject_id = ?", [row.get("subject_id")]
            ).fetchone()
            if "subject_id" in row
            else None
        )
        claimant = connection.execute(
            "SELECT name FROM entities WHERE entity_id = ?", [row["claimant_id"]]
        ).fetchone()
    row.pop("recency", None)
    row.pop("batch_id")
    row.pop("recorded_at")
    language = document["language"] if document["language"] in LANGUAGES else "en"

    if kind in ("quote_mismatch", "bad_interval", "reference"):
        row["figure_id"] = f"{DIRECT_PREFIX}{kind.replace('_', '-')}-{seed}"
        if kind == "quote_mismatch":
            row["quote_start"] += 1  # the quote no longer matches the text at its offsets
            row["quote_end"] += 1
        elif kind == "bad_interval":
            row["value_high"] = row["value_low"]
            row["value_low"] = row["value_low"] + 5
            row["value_text"] = None  # nothing to read back: only the interval is wrong
        else:
            row["subject_id"] = f"no-such-subject-{seed}"
        _write_direct(warehouse, "figures", row, kind)
        return str(row["figure_id"])

    if kind == "date_order":
        row["figure_id"] = None  # derived: a new content hash
        row["stated_on"] = document["published_on"] + timedelta(days=5)
        return _append(warehouse, {"figures": [row]}, "figures", kind)

    if kind == "weekday":
        day = document["published_on"]
        text = published_sentence(day, language, weekday=(day.weekday() + 1) % 7)
        return _append(
            warehouse, {"documents": [_document_row(text, language, day, seed)]}, "documents", kind
        )

    if kind == "revision_falls":
        # Half the last toll, a day later (same-day figures are not compared as revisions).
        fallen = max(2, int(row["value_low"]) // 2)
        later = row["stated_on"] + timedelta(days=1)
        sentence = statement(
            language,
            claimant[0] if claimant else row["claimant_id"],
            count_text(fallen, language),
            row["metric"],
            place[0] if place else "Kalomir",
        )
        text = f"{sentence}. {published_sentence(later, language)}"
        doc = _document_row(text, language, later, seed)
        new = {
            **row,
            "stated_on": later,
            "figure_id": None,
            "document_id": doc["document_id"],
            "speaker_id": None,
            "value_low": float(fallen),
            "value_high": float(fallen),
            "value_text": count_text(fallen, language),
            "quote": sentence,
            "quote_start": 0,
            "quote_end": len(sentence),
        }
        return _append(warehouse, {"documents": [doc], "figures": [new]}, "figures", kind)

    # ratio: the same figures, but a stated factor three times the true one.
    factor = int(row["value_low"]) * 3
    sentence = ratio_sentence(str(factor), language)
    doc = _document_row(f"{sentence}.", language, row["stated_on"], seed)
    new = {
        **row,
        "relation_id": None,
        "document_id": doc["document_id"],
        "value_low": float(factor),
        "value_high": float(factor),
        "value_text": str(factor),
        "quote": sentence,
        "quote_start": 0,
        "quote_end": len(sentence),
    }
    return _append(warehouse, {"documents": [doc], "relations": [new]}, "relations", kind)


def _pick(connection: Any, source: str, where: str, seed: int) -> dict[str, Any]:
    """One row of ``source``, chosen by ``seed`` (stable across runs)."""
    key = (
        "relation_id"
        if source == "relations"
        else ("document_id" if source == "documents" else "figure_id")
    )
    cursor = connection.execute(
        f"SELECT * FROM {source} WHERE {where} ORDER BY md5({key} || ?) LIMIT 1", [str(seed)]
    )
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    if found is None:
        raise ValueError(f"nothing to inject against: no row of {source} where {where}")
    return dict(zip(names, found, strict=True))


def _document_row(text: str, language: str, published_on: date, seed: int) -> dict[str, Any]:
    text = unicodedata.normalize("NFC", text)
    retrieved = datetime(
        published_on.year, published_on.month, published_on.day, tzinfo=UTC
    ) + timedelta(days=1)
    return {
        "document_id": document_id(text),
        "url": f"https://news.example.org/synthetic/injected/{seed}",
        "title": "Injected",
        "outlet": OUTLETS[language][0],
        "language": language,
        "published_on": published_on,
        "published_precision": "day",
        "retrieved_at": retrieved,
        "text": text,
    }


def _append(
    warehouse: Warehouse, rows: dict[str, list[dict[str, Any]]], table: str, kind: str
) -> str:
    result = warehouse.append_rows(rows, source=f"inject_violation:{kind}")
    ids = result.ids.get(table) or []
    if len(ids) != 1:
        raise AssertionError(f"injecting {kind} wrote {result.written}, not one {table[:-1]}")
    return str(ids[0])


def _write_direct(warehouse: Warehouse, table: str, row: dict[str, Any], kind: str) -> None:
    """Write a row the append contract would refuse, as a batch of its own."""
    import pyarrow as pa

    schema = pa.schema(
        [f for f in TABLES[table].arrow_schema() if f.name not in ("batch_id", "recorded_at")]
    )
    arrow = pa.Table.from_pylist([{name: row.get(name) for name in schema.names}], schema=schema)
    warehouse.write_batch({table: arrow}, label=f"injected-{kind.replace('_', '-')}")
