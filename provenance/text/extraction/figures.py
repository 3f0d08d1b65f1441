"""Counts with a harm word attached become candidate figures: roles in the phrase, metric,
confidence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from provenance.core.ids import content_id
from provenance.text.extraction.attribution import _CLAUSE_BREAK, attribution_of, stated_date
from provenance.text.extraction.candidates import (
    Candidate,
    Context,
    Harm,
    sentence_of,
)
from provenance.text.extraction.harm import (
    _AFTER_WINDOW,
    _APPOSITION_GAP,
    _BEFORE_WINDOW,
    _CHILDREN,
    _CIVILIAN,
    _COLLECTIVE_HEAD,
    _FAMILIES_AFTER,
    _HARM,
    _HEAD_AFTER_WINDOW,
    _HEAD_OF_SUBSET,
    _LIST_CONTINUES,
    _MODIFIER_AFTER,
    _NOT_HARM_AFTER,
    _PART_CUE,
    _PART_OF_AFTER,
    _PART_REACH,
    _PARTIAL_CUE,
    _PERSON_AFTER,
    _PERSON_NEAR_AFTER,
    _POSSESSIVE_AFTER,
    _SUBSET_BEFORE,
    _SUBSET_PARENTHETICAL,
    _SUMMARY_BEFORE,
    _TIGHT_GAP,
    _TOTAL_CUE,
    _WOMEN,
)
from provenance.text.numbers import Quantity


def find_figures(context: Context, quantities: Sequence[Quantity]) -> list[Candidate]:
    text = context.text
    roles = _roles(context, quantities)
    candidates = []
    for index, quantity in enumerate(quantities):
        if roles[index] == "modifier":
            continue
        sentence = sentence_of(context, quantity.start)
        previous_end = max(
            [sentence[0]] + [q.end for q in quantities[:index] if q.end <= quantity.start]
        )
        next_start = _next_head_boundary(text, quantities, roles, index, sentence[1])
        reach = _HEAD_AFTER_WINDOW if roles[index] == "head" else _AFTER_WINDOW
        harm = _harm_for(text, quantity, previous_end, next_start, reach)
        if harm is None:
            continue
        candidates.append(make_candidate(context, quantity, harm, sentence, role=roles[index]))
    return candidates


def _roles(context: Context, quantities: Sequence[Quantity]) -> list[str]:
    """What each count is in its phrase: "count", "head" (of listed parts), "part" or "modifier".

    * a modifier counts things, not people: "15 civilians from three generations", "hit three
      ambulances"; it neither takes a harm word nor ends the head count's phrase;
    * a part is listed inside a head count's phrase before the harm word: "20 members,
      including eight women and eight children, were killed", "17 civilians – five women and
      four children – were killed", "six members of the family, four children and two women,
      were killed", "two of whom"; the harm word beyond the parts belongs to the head.
    """
    text = context.text
    roles = [
        "modifier"
        if _FAMILIES_AFTER.match(text, q.end)
        or (_MODIFIER_AFTER.match(text, q.end) and not _person_after(text, q))
        else "count"
        for q in quantities
    ]
    for index, quantity in enumerate(quantities):
        if roles[index] == "modifier":
            continue
        if _PART_OF_AFTER.match(text, quantity.end):
            roles[index] = "part"
            continue
        if index and roles[index - 1] == "part":
            previous = quantities[index - 1]
            if _LIST_CONTINUES.match(text[previous.end : quantity.start]):
                roles[index] = "part"  # "… four children and two women, were killed"
                continue
        sentence_start = sentence_of(context, quantity.start)[0]
        for head_index in range(index - 1, -1, -1):
            head = quantities[head_index]
            if head.end <= sentence_start or quantity.start - head.end > _PART_REACH:
                break
            if roles[head_index] in ("modifier", "part"):
                continue
            gap = text[head.end : quantity.start]
            if _HARM.search(gap) or not _person_after(text, head):
                break
            listed = _PART_CUE.search(gap) or (
                _APPOSITION_GAP.search(gap)
                and _COLLECTIVE_HEAD.match(text, head.end)
                and _person_after(text, quantity)
            )
            if listed:
                roles[index] = "part"
                roles[head_index] = "head"
            break
    return roles


def _person_after(text: str, quantity: Quantity) -> bool:
    return bool(_PERSON_NEAR_AFTER.match(text, quantity.end))


def _next_head_boundary(
    text: str, quantities: Sequence[Quantity], roles: Sequence[str], index: int, limit: int
) -> int:
    """Where the number's own phrase stops: the next count, unless that count is a part of
    this one's phrase (a listed subset) or a modifier ("three generations")."""
    for following_index in range(index + 1, len(quantities)):
        following = quantities[following_index]
        if following.start >= limit:
            break
        if roles[following_index] in ("part", "modifier"):
            continue
        if not _SUBSET_BEFORE.search(text[max(0, following.start - 25) : following.start]):
            return following.start
    return limit


_APPOSITION = re.compile(r"\s*,\s*")


def _harm_for(
    text: str,
    quantity: Quantity,
    previous_end: int,
    next_start: int,
    reach: int = _AFTER_WINDOW,
) -> Harm | None:
    """The harm word attached to the number, if any.

    A harm word right before it ("killed at least 25", "la mort de plus de 35") wins; else the
    first harm word after it in its phrase ("352 victimes", "seven ... were killed"); else a
    looser one before it in the clause ("le bilan des victimes s'élève à plus de 240").
    """
    before_start = max(previous_end, quantity.start - _BEFORE_WINDOW)
    before = list(_HARM.finditer(text, before_start, quantity.start))
    if before and _TIGHT_GAP.match(text[before[-1].end() : quantity.start]):
        return _harm_from(before[-1], tight=True)
    after_end = min(next_start, quantity.end + reach)
    # From the start: a suffix may carry the noun ("50 blessés et plus").
    for match in _HARM.finditer(text, quantity.start, after_end):
        if _NOT_HARM_AFTER.match(text, match.end()) or _POSSESSIVE_AFTER.match(text, match.end()):
            return _harm_from(match, tight=False, weak=True)
        gap = _SUBSET_PARENTHETICAL.sub("", text[quantity.end : match.start()])
        return _harm_from(match, tight=len(gap) < 60 and not _CLAUSE_BREAK.search(gap))
    if before and (
        not _CLAUSE_BREAK.search(text, before[-1].end(), quantity.start)
        or _APPOSITION.fullmatch(text, before[-1].end(), quantity.start)  # "morts, supérieur à 75"
    ):
        return _harm_from(before[-1], tight=False)
    return None


def _harm_from(match: re.Match[str], *, tight: bool, weak: bool = False) -> Harm:
    base = match.lastgroup or "killed"
    return Harm(base, match.group() + ("?" if weak else ""), match.start(), match.end(), tight)


def _metric(context: Context, quantity: Quantity, harm: Harm, sentence: tuple[int, int]) -> str:
    text = context.text
    phrase_end = max(harm.end, quantity.end)
    after = text[quantity.end : phrase_end + 20]
    if harm.metric_base == "missing":
        return "missing"
    if harm.metric_base == "killed" and _CHILDREN.match(after):
        return "children_killed"
    if harm.metric_base == "killed" and _WOMEN.match(after):
        return "women_killed"
    # Civilians: named in the counted phrase, or anywhere in the sentence (the article is about
    # civilian harm and the reviewer can narrow it).
    civilian = _CIVILIAN.search(
        text, min(harm.start, quantity.start), phrase_end + 20
    ) or _CIVILIAN.search(text, *sentence)
    prefix = "civilians_" if civilian else ""
    return prefix + harm.metric_base


def make_candidate(
    context: Context,
    quantity: Quantity,
    harm: Harm,
    sentence: tuple[int, int],
    *,
    role: str = "count",
) -> Candidate:
    text = context.text
    metric = _metric(context, quantity, harm, sentence)
    attribution = attribution_of(context, quantity.start, sentence)
    stated = stated_date(context, attribution, sentence, quantity.start)
    notes = []
    confidence = _confidence(context, quantity, harm, metric, role)
    if stated is not None and stated.weekday_mismatch:
        notes.append(stated.weekday_mismatch)
        confidence -= 0.25
    stated_on = stated.date if stated else context.published_on
    quote_start, quote_end = sentence
    figure_id = content_id(
        "figures",
        {
            "document_id": context.document_id,
            "metric": metric,
            "claimant_id": attribution.claimant,
            "speaker_id": attribution.speaker,
            "stated_on": stated_on,
            "value_low": quantity.low,
            "value_high": quantity.high,
            "qualifier": quantity.qualifier,
            "quote_start": quote_start,
            "quote_end": quote_end,
        },
    )
    return Candidate(
        figure_id=figure_id,
        document_id=context.document_id,
        subject_id=None,
        metric=metric,
        claimant_id=attribution.claimant,
        speaker_id=attribution.speaker,
        stated_on=stated_on,
        stated_precision="day",
        value_low=quantity.low,
        value_high=quantity.high,
        qualifier=quantity.qualifier,
        value_text=quantity.value_text,
        quote=text[quote_start:quote_end],
        quote_start=quote_start,
        quote_end=quote_end,
        note="; ".join(notes) or None,
        confidence=round(min(0.99, max(0.05, confidence)), 2),
        pattern=_pattern_name(context, quantity, harm),
        source_file=context.source_file,
        value_start=quantity.start,
    )


def _pattern_name(context: Context, quantity: Quantity, harm: Harm) -> str:
    if _SUMMARY_BEFORE.search(context.text, max(0, quantity.start - 40), quantity.start):
        return "summary+" + harm.word.casefold()
    kind = {
        "exact": "exact",
        "range": "range",
        "approximately": "approx",
    }.get(quantity.qualifier, "bound")
    wording = quantity.value_text
    if quantity.qualifier not in ("exact", "range"):
        words = re.sub(r"[\d\s\u00a0\u202f.,]+$", "", wording).strip()
        wording = words.casefold() or wording
        return f"{kind}:{wording}+{harm.word.casefold()}"
    return f"{kind}+{harm.word.casefold()}"


def _confidence(
    context: Context, quantity: Quantity, harm: Harm, metric: str, role: str = "count"
) -> float:
    text = context.text
    score = 0.45
    if harm.tight:
        score += 0.2
    if harm.word.endswith("?"):
        score -= 0.3
    if _PERSON_AFTER[context.language].match(text, quantity.end):
        score += 0.1
    if metric.startswith("civilians_"):
        score += 0.05
    if quantity.qualifier != "exact":
        score += 0.05
    if harm.word.casefold().rstrip("?") in {"casualty", "casualties", "bilan", "lives", "bodies"}:
        score -= 0.1
    if quantity.value_text.casefold() in {"un", "une", "one"}:
        score -= 0.15
    # A count that opens a list of its parts is the total; a listed part is not.
    if role == "head" or _HEAD_OF_SUBSET.match(text, quantity.end):
        score += 0.1
    if role == "part":
        score -= 0.2
    elif _SUBSET_BEFORE.search(text, max(0, quantity.start - 25), quantity.start):
        score -= 0.15
    sentence = sentence_of(context, quantity.start)
    clause = text[sentence[0] : quantity.start]
    # "in total", "altogether", "across all sources": the sentence sums up; "initial reports",
    # "one source", "another source": a partial or superseded count.
    if _TOTAL_CUE.search(text, sentence[0], sentence[1]):
        score += 0.1
    if _PARTIAL_CUE.search(clause):
        score -= 0.1
    # Inverted pyramid: the lead sentence states the main figure.
    if context.sentences and quantity.start < context.sentences[0][1]:
        score += 0.15
    elif len(context.sentences) > 1 and quantity.start < context.sentences[1][1]:
        score += 0.08
    score = min(score, 0.9)  # the scraped structured summary stays above any sentence
    if _SUMMARY_BEFORE.search(text, max(0, quantity.start - 40), quantity.start):
        score = 0.95
    return score
