"""A provenance card for a terminal: the same data as ``show --format json``, as lines.

The quote is marked ⟦like this⟧ inside its paragraph, so it reads in place in any terminal,
log or pull-request comment.
"""

from __future__ import annotations

from typing import Any

from provenance.core.text import plural
from provenance.publish.records import around

MARK_OPEN, MARK_CLOSE = "⟦", "⟧"
CONTEXT = 300  # characters of the paragraph shown each side of the quote (JSON has it all)
INDENT = "  "


def render_card(card: dict[str, Any]) -> str:
    renderer = {
        "figure": _figure,
        "relation": _relation,
        "document": _document_card,
        "subject": _subject,
        "entity": _entity_card,
    }[card["kind"]]
    lines = renderer(card)
    if card.get("batch"):
        lines += ["", _batch(card["batch"])]
    return "\n".join(lines).rstrip() + "\n"


def _who(entity: dict[str, Any] | None) -> str:
    if not entity:
        return "—"
    return f"{entity['name']} ({entity['entity_id']})"


def _value(value: dict[str, Any]) -> str:
    wording = f" «{value['wording']}»" if value.get("wording") else ""
    return f"{value['interval']}, {value['qualifier']}{wording}"


def _dated(stated_on: str, precision: str | None) -> str:
    return stated_on if precision in (None, "day") else f"{stated_on} ({precision} known)"


def _document_line(document: dict[str, Any] | None) -> str:
    if not document:
        return "document: —"
    title = document.get("title") or "(no title)"
    where = ", ".join(x for x in (document.get("outlet"), document.get("url")) if x)
    return (
        f"document:  {title}{' — ' + where if where else ''}, published "
        f"{_dated(document['published_on'], document.get('published_precision'))} "
        f"[{document['language']}] {document['document_id']}"
    )


def _quote(quote: dict[str, Any]) -> list[str]:
    para = quote.get("paragraph")
    if para is None:
        return [f"quote:     «{quote['text']}» (chars {quote['start']}–{quote['end']})"]
    before, quoted, after = around(para, quote["paragraph_start"], quote["paragraph_end"], CONTEXT)
    marked = before + MARK_OPEN + quoted + MARK_CLOSE + after
    return [
        f"quote (chars {quote['start']}–{quote['end']}), in its paragraph:",
        INDENT + marked,
    ]


def _figure_line(f: dict[str, Any]) -> str:
    speaker = f" via {f['speaker']['name']}" if f.get("speaker") else ""
    return (
        f"{f['stated_on']}  {f['claimant']['name']}{speaker}: {_value(f['value'])}"
        f"  [{f['subject_id']} {f['metric']}] {f['figure_id']}"
    )


def _relation_line(r: dict[str, Any]) -> str:
    refs = ", ".join(r["reference_ids"])
    return (
        f"{r['stated_on']}  {r['kind']} {_value(r['value'])}: {r['figure_id']} vs {refs}"
        f" — {r['claimant']['name']} «{r['quote']}» {r['relation_id']}"
    )


def _batch(b: dict[str, Any]) -> str:
    source = f" from {b['input_file']}" if b.get("input_file") else ""
    return (
        f"recorded:  batch {b['batch_id']} at {b['recorded_at']} by {b['recorded_by']}{source}"
        f" ({plural(b['row_count'], 'row')})"
    )


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return ["", f"{title}:"] + [INDENT + i for i in items]


def _statement(card: dict[str, Any]) -> list[str]:
    """Who spoke, when, in which document and in what words: the lines a figure's and a
    relation's card share."""
    lines = [
        f"speaker:   {_who(card['speaker']) if card['speaker'] else '— (the claimant speaks)'}",
        f"stated on: {_dated(card['stated_on'], card['stated_precision'])}",
        _document_line(card["document"]),
        *_quote(card["quote"]),
    ]
    if card.get("note"):
        lines.append(f"note:      {card['note']}")
    return lines


def _figure(card: dict[str, Any]) -> list[str]:
    subject = card["subject"] or {}
    lines = [
        f"figure {card['id']}",
        f"value:     {_value(card['value'])}",
        f"counts:    {card['metric']} — {subject.get('description', '')} ({subject.get('subject_id')})",
        f"claimant:  {_who(card['claimant'])}, who originated the number",
        *_statement(card),
    ]
    if card.get("supersedes"):
        lines.append(f"corrects:  {card['supersedes']}")
    if card.get("superseded_by"):
        lines.append(f"corrected by: {', '.join(card['superseded_by'])}")
    lines += _section("relations", [_relation_line(r) for r in card["relations"]])
    revisions = []
    for r in card["revisions"]:
        change = r.get("change_low")
        delta = f"  (lower bound {'+' if change >= 0 else ''}{change:g})" if change else ""
        pointer = "→ " if r["this"] else "  "
        revisions.append(
            f"{pointer}{r['stated_on']}  {r['claimant']['name']}: {_value(r['value'])}{delta}"
            f"  {r['figure_id']}"
        )
    lines += _section(
        f"everyone's figures for {subject.get('subject_id')} {card['metric']}", revisions
    )
    return lines


def _relation(card: dict[str, Any]) -> list[str]:
    lines = [
        f"relation {card['id']} ({card['relation_kind']})",
        f"value:     {_value(card['value'])}",
        f"claimant:  {_who(card['claimant'])}",
        *_statement(card),
    ]
    lines += _section("figure", [_figure_line(card["figure"])] if card["figure"] else [])
    lines += _section("compared with", [_figure_line(f) for f in card["references"]])
    return lines


def _document_card(card: dict[str, Any]) -> list[str]:
    d = card["document"]
    lines = [
        f"document {card['id']}",
        _document_line(d),
        f"text:      {plural(d['characters'], 'character')}",
    ]
    lines += _section(
        plural(len(card["figures"]), "figure"), [_figure_line(f) for f in card["figures"]]
    )
    lines += _section(
        plural(len(card["relations"]), "relation"), [_relation_line(r) for r in card["relations"]]
    )
    return lines


def _subject(card: dict[str, Any]) -> list[str]:
    s = card["subject"]
    period = " – ".join(str(p) for p in (s.get("period_start"), s.get("period_end")) if p)
    lines = [
        f"subject {card['id']}: {s['description']}",
        f"place:     {s.get('place') or '—'}",
        f"period:    {period or '—'}",
    ]
    if s.get("parent_subject_id"):
        lines.append(f"part of:   {s['parent_subject_id']}")
    if card["parts"]:
        lines.append(f"parts:     {', '.join(card['parts'])}")
    lines += _section(
        f"{plural(len(card['figures']), 'figure')}, by metric and claimant",
        [_figure_line(f) for f in card["figures"]],
    )
    lines += _section(
        plural(len(card["relations"]), "relation"), [_relation_line(r) for r in card["relations"]]
    )
    return lines


def _entity_card(card: dict[str, Any]) -> list[str]:
    e = card["entity"]
    aliases = ", ".join(e.get("aliases") or []) or "—"
    lines = [f"entity {card['id']}: {e['name']} ({e['kind']})", f"aliases:   {aliases}"]
    lines += _section(
        f"claimed {plural(len(card['claimed']), 'figure')}",
        [_figure_line(f) for f in card["claimed"]],
    )
    lines += _section(
        f"relayed {plural(len(card['relayed']), 'figure')}",
        [_figure_line(f) for f in card["relayed"]],
    )
    lines += _section(
        plural(len(card["relations"]), "relation"), [_relation_line(r) for r in card["relations"]]
    )
    return lines
