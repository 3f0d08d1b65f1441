"""Counts stated without a number: people enumerated ("a woman and her two children",
"une femme et ses deux enfants"), one person described, an unstated plural."""

from __future__ import annotations

import re
from collections.abc import Sequence

from provenance.text.extraction import implicit_fr as french
from provenance.text.extraction.attribution import _PROPER_NAME
from provenance.text.extraction.candidates import Candidate, Context, Harm, sentence_of
from provenance.text.extraction.figures import make_candidate
from provenance.text.numbers import Quantity, parse_number

#
# Every candidate below carries a ``pattern`` starting with "implicit:": its value is not
# written as a number in its quote (it counts the people named or described), so a check that
# reads the number back from the quote must skip it.

_SINGULAR_PERSON = (
    r"civilian|child|person|man|woman|boy|girl|baby|infant|toddler|teenager|resident|"
    r"journalist|paramedic|doctor|nurse|worker|farmer|student|father|mother|son|daughter|"
    r"elderly\s+\w+|member|victim|individual|volunteer|photographer|teacher"
)
_SINGULAR_KIN = (
    r"wife|husband|brother|sister|grandson|granddaughter|grandchild|nephew|niece|cousin|uncle|"
    r"aunt|grandfather|grandmother|fianc[ée]e?|newborn|neighbou?r|friend|colleague|relative|"
    r"sibling|in-law|son-in-law|daughter-in-law|mother-in-law|father-in-law"
)
_PLURAL_PERSON = (
    r"sons|daughters|children|kids|brothers|sisters|grandchildren|grandsons|granddaughters|"
    r"nephews|nieces|cousins|relatives|women|men|boys|girls|infants|babies|siblings|members|"
    r"parents|uncles|aunts|wives|people|civilians|friends|neighbou?rs|colleagues|persons"
)
_NOT_A_NAME = (
    r"(?:On|In|At|During|After|Before|When|While|The|This|That|These|Those|It|He|She|They|His|"
    r"Her|Their|According|Following|Airwars|Sources|Local|Among|Also|Both|All|An?|One|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_PERSON_NAME = (
    rf"(?!{_NOT_A_NAME})[A-ZÀ-Ý][\w’'-]*\*?(?:[ \u00a0]+(?:(?:bin|bint|ben|ibn|abu|abou|de|van|"
    rf"von)[ \u00a0]+)?(?:[A-ZÀ-Ý][\w’'-]*|(?:al|el|ad|as|ash|an|at|az)-[\w’'-]+)\*?)*"
)
_AGE_PREFIX = r"(?:(?:an?\s+)?(?:\d{1,3}|[a-z]+(?:-[a-z]+)?)[\s-]+(?:years?|months?|weeks?|days?)[\s-]*old\s+)"
_DETERMINER = r"(?:[Aa]n?|[Oo]ne|[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)"
_COUNT_WORD = (
    r"(?:\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|"
    r"(?:twenty|thirty|forty|fifty)(?:-[a-z]+)?)"
)
_CONJUNCT = (
    rf"(?:{_DETERMINER}\s+(?:[\w-]+\s+){{0,4}}?(?:{_SINGULAR_PERSON}|{_SINGULAR_KIN})\b"
    rf"(?:,?\s+{_PERSON_NAME})?"
    rf"|(?:{_DETERMINER}\s+)?(?i:{_COUNT_WORD})\s+(?:[\w-]+\s+)?(?:{_PLURAL_PERSON})\b"
    # "10 members of the Al-Suwerki family and nine members of the Atallah family"
    rf"(?:\s+of\s+(?:the|his|her|their)\s+(?:[\w’'-]+\s+){{0,2}}?famil(?:y|ies)\b)?"
    rf"|{_AGE_PREFIX}?{_PERSON_NAME})"
    rf"(?:\s*\([^()]{{0,80}}\))?"
)
_LIST = rf"{_CONJUNCT}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_CONJUNCT})+"
_KILLED_AFTER_LIST = (
    r"\s+(?:were|have\s+been|had\s+been)\s+(?:\w+\s+){0,2}?(?:killed|shot\s+dead|dead)\b"
    r"|\s+(?:both\s+|all\s+)?died\b"
)
# Enumerations are searched only just before or after a harm verb, which keeps them fast.
_KILLED_AFTER_LIST_RE = re.compile(_KILLED_AFTER_LIST)
_LIST_AT_END = re.compile(rf"(?<![\w-])(?P<list>{_LIST})$")
_KILLED_BEFORE_LIST = re.compile(
    r"\bkill(?:ed|ing)\s+(?P<skip>(?:both|all|reportedly|allegedly)\s+)?"
)
_LIST_AT_START = re.compile(rf"(?P<list>{_LIST})")
_WITH_COMPANIONS = re.compile(
    r",?\s+(?:was|were)\s+(?:\w+\s+){0,2}?(?:killed|died)(?:\s+[\w-]+){0,3}?,?\s+"
    r"(?:together\s+with|along\s+with|alongside|with)\s+"
)
_CONJUNCT_AT_END = re.compile(rf"(?<![\w-])(?P<list>{_CONJUNCT})$")
_COMPANIONS_AT_START = re.compile(
    rf"(?P<list>{_CONJUNCT}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_CONJUNCT})*)"
)
_ENUMERATION_REACH = 400
_ATTRIBUTED_BEFORE = re.compile(
    r"\b(?:according\s+to|reported\s+by|cited\s+by|per|selon|d['’]après)\s+[^,.;:]*$"
    r"|\b(?:of|de|des|du)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ENUMERATION_LANGUAGES = ("en", "fr")

# (start, end) of the subject listed first ("X was killed with …") or None, then of the list.
_Enumeration = french.Enumeration


def _enumerations(context: Context) -> list[_Enumeration]:
    """ "A, B and C were killed", "killed a woman and her son", "X was killed with his wife"."""
    text = context.text
    found: list[_Enumeration] = []
    for trigger in _KILLED_AFTER_LIST_RE.finditer(text):
        floor = max(sentence_of(context, trigger.start())[0], trigger.start() - _ENUMERATION_REACH)
        listed = _LIST_AT_END.search(text, floor, trigger.start())
        if listed:
            found.append((None, listed.span("list")))
    for trigger in _KILLED_BEFORE_LIST.finditer(text):
        listed = _LIST_AT_START.match(text, trigger.end(), trigger.end() + _ENUMERATION_REACH)
        if not listed and trigger.group("skip"):
            start = trigger.start("skip")
            listed = _LIST_AT_START.match(text, start, start + _ENUMERATION_REACH)
        if listed:
            found.append((None, listed.span("list")))
    for trigger in _WITH_COMPANIONS.finditer(text):
        floor = max(sentence_of(context, trigger.start())[0], trigger.start() - 200)
        first = _CONJUNCT_AT_END.search(text, floor, trigger.start())
        listed = _COMPANIONS_AT_START.match(text, trigger.end(), trigger.end() + _ENUMERATION_REACH)
        if first and listed:
            found.append((first.span("list"), listed.span("list")))
    return sorted(found, key=lambda e: (e[0] or e[1])[0])


_LIST_SEPARATOR_KEPT = re.compile(r"(\s*,\s*(?:and\s+)?|\s+and\s+)")
_PLURAL_CONJUNCT = re.compile(
    rf"^(?:{_DETERMINER}\s+)?(?P<n>{_COUNT_WORD})\s+(?:[\w-]+\s+)?(?:{_PLURAL_PERSON})\b",
    re.IGNORECASE,
)
_BARE_NAME = re.compile(rf"^{_PERSON_NAME}$")
_INDEFINITE_COMMON = re.compile(
    rf"^(?:[Aa]n?|[Oo]ne)\s+(?:[\w-]+\s+){{0,4}}?(?:{_SINGULAR_PERSON}|{_SINGULAR_KIN})$"
)
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")

_HARM_VERB = r"(?:killed|shot\s+dead|died|dead)"
_NOT_BEFORE_NAME = (
    r"(?!(?:with|in|on|at|by|along|alongside|during|near|after|before|when|while|as|and|the|"
    r"from|for|to|of|inside|outside|west|east|north|south)\b)"
)
_IMPLIED_ONE = {
    "en": [
        # "a young man was killed", "a civilian was reported killed"
        re.compile(
            rf"\b(?P<np>(?:[Aa]n?|[Oo]ne)\s+(?:[\w-]+\s+){{0,3}}?(?:{_SINGULAR_PERSON}))\b"
            rf"[^.;]{{0,80}}?\b(?:was|has\s+been)\s+(?:\w+\s+){{0,2}}?{_HARM_VERB}\b"
        ),
        # "killed journalist Ahmed Fatima", "killing 28 year old Nour El-Din"
        re.compile(
            rf"\bkill(?:ed|ing)\s+(?P<np>(?:an?\s+)?(?:{_NOT_BEFORE_NAME}[\w-]+\s+){{0,4}}?"
            rf"{_PROPER_NAME})"
        ),
        # "Abdullah Ahmed Abu Saif was killed", "Nouruddin Kahil (24 years old), …, was killed"
        re.compile(
            rf"(?P<np>{_PROPER_NAME})(?:\s*\([^)]*\))*(?:,[^.;]{{0,160}}?,)?\s+was\s+"
            rf"(?:\w+\s+){{0,2}}?{_HARM_VERB}\b"
        ),
    ],
    "fr": french.IMPLIED_ONE,
}
# "The father Bilal Al-Ashram reportedly died of his injuries", "an elderly civilian, …, was
# injured … and later died from his injuries": found from the verb backwards, which is fast.
_DIED_OF_INJURIES = re.compile(
    r"\b(?:(?P<later>later|subsequently|eventually)\s+)?died\s+(?:of|from)\s+"
    r"(?:his|her|their)\s+(?:injuries|wounds)\b"
)
_NAME_BEFORE_DIED = re.compile(rf"(?P<np>{_PROPER_NAME})(?:\s*\([^)]*\))*\s+(?:\w+ly\s+)?$")
_PERSON_BEFORE_DIED = re.compile(
    rf"\b(?P<np>(?:[Aa]n?|[Oo]ne)\s+(?:[\w-]+\s+){{0,3}}?(?:{_SINGULAR_PERSON}))\b[^.;]{{0,200}}?$"
)


def _died_of_injuries(context: Context) -> list[re.Match[str]]:
    found = []
    for verb in _DIED_OF_INJURIES.finditer(context.text):
        floor = max(sentence_of(context, verb.start())[0], verb.start() - 240)
        named = _NAME_BEFORE_DIED.search(context.text, floor, verb.start())
        if named is None and verb.group("later"):
            named = _PERSON_BEFORE_DIED.search(context.text, floor, verb.start())
        if named is not None:
            found.append(named)
    return found


_IMPLIED_NOT_NAMES = re.compile(r"^(?:On|In|At|During|The|This|It|He|She|His|Her|An?)$")
# More than one killed, number unstated: "several deaths", "killing a number of civilians",
# "multiple people were reported killed", "martyrs and wounded". Monitors such as Airwars
# record such an unknown plural as 2, its least value.
_VAGUE_PLURAL = {
    "en": re.compile(
        r"\b(?P<np>(?:several|a\s+number\s+of|multiple|many|numerous|a\s+few)\s+"
        r"(?:[\w-]+\s+){0,2}?(?P<noun>people|civilians|persons|victims|martyrs|deaths|fatalities|"
        r"dead|children|members|residents|family\s+members))\b"
        r"|\b(?P<np2>martyrs)\b"
        r"|\b(?P<np3>(?:people|civilians|persons|residents|(?:crew|family)\s+members))\s+"
        r"(?:were|had\s+been|have\s+been)\s+(?:\w+\s+){0,2}?killed\b",
        re.IGNORECASE,
    ),
}
_HARM_NOUN = re.compile(r"(?i)martyrs|deaths|fatalities|dead")
_WERE_KILLED = re.compile(r"\s+(?:were|had\s+been|have\s+been)\s+(?:\w+\s+){0,2}?killed\b")
_KILLING_NEAR = re.compile(r"(?i)\b(?:kill(?:ed|ing)|died|dead)\b")


def implicit_counts(context: Context, figures: Sequence[Candidate]) -> list[Candidate]:
    """People killed, counted without a number in the quote.

    * enumerations: "a woman and her infant were killed" (2), "a father and his four sons"
      (5), "A, B and C were killed" (3 named people), "X was killed with his wife" (2); a
      number inside the enumeration ("his four sons") becomes one of its parts;
    * one person: "a young man was killed", "X was killed" (1);
    * an unstated plural: "several deaths", "a number of martyrs" (at least 2).

    Each kind is proposed only in sentences where nothing more explicit counts the killed, and
    below the stated counts in confidence except where an enumeration contains them.
    """
    if context.language not in _ENUMERATION_LANGUAGES:
        return []
    listings = _enumerations(context) if context.language == "en" else french.enumerations(context)
    killed = [f for f in figures if f.metric.endswith("killed")]
    counted = {sentence_of(context, f.value_start) for f in killed}
    found: list[Candidate] = []
    enumerated: set[tuple[int, int]] = set()
    for enumeration in listings:
        first_start = (enumeration[0] or enumeration[1])[0]
        floor = sentence_of(context, first_start)[0]
        if _ATTRIBUTED_BEFORE.search(context.text, max(floor, first_start - 80), first_start):
            continue  # "according to the Syrian Observatory, 31 civilians": a source, not a victim
        sentence = sentence_of(context, enumeration[1][0])
        if sentence in enumerated:
            continue
        candidate = _enumeration_candidate(context, enumeration, sentence, killed)
        if candidate is not None:
            enumerated.add(sentence)
            found.append(candidate)
    counted |= enumerated
    implied = [m for p in _IMPLIED_ONE.get(context.language, []) for m in p.finditer(context.text)]
    if context.language == "en":
        implied += _died_of_injuries(context)
    for match in implied:
        np_start, np_end = match.span("np")
        words = context.text[np_start:np_end].split()
        if not words or (_IMPLIED_NOT_NAMES.match(words[0]) and len(words) == 1):
            continue
        sentence = sentence_of(context, np_start)
        if sentence in counted:
            continue
        counted.add(sentence)
        found.append(_implied_candidate(context, match, sentence))
    vague = _VAGUE_PLURAL.get(context.language)
    if vague is not None:
        for match in vague.finditer(context.text):
            sentence = sentence_of(context, match.start())
            if sentence in counted:
                continue
            group = next(g for g in ("np", "np2", "np3") if match.group(g))
            if group == "np" and not _HARM_NOUN.fullmatch(match.group("noun").split()[-1]):
                clause_end = min(sentence[1], match.end() + 60)
                before = context.text[max(sentence[0], match.start() - 12) : match.start()]
                after = context.text[match.end() : clause_end]
                attached = (
                    _KILLING_NEAR.search(before)
                    or _KILLING_NEAR.match(after.lstrip())
                    or _WERE_KILLED.match(after)
                )
                if not attached:
                    continue
            counted.add(sentence)
            found.append(_vague_candidate(context, match, group, sentence))
    return found


def _enumeration_candidate(
    context: Context,
    enumeration: _Enumeration,
    sentence: tuple[int, int],
    killed: Sequence[Candidate],
) -> Candidate | None:
    first, (start, end) = enumeration
    count = _count_conjuncts if context.language == "en" else french.count_conjuncts
    total = count(context.text[start:end])
    if first is not None:
        head = count(context.text[first[0] : first[1]])
        total = None if total is None or head is None else total + head
        start = first[0]
    if total is None or total < 2:
        return None
    inside = [f for f in killed if start <= f.value_start < end]
    for part in inside:  # "his four sons" is a part of "a father and his four sons"
        part.confidence = round(max(0.05, part.confidence - 0.2), 2)
    value_text = context.text[start:end]
    quantity = Quantity(float(total), float(total), "exact", value_text, start, end)
    harm = Harm("killed", "killed", start, end, tight=False)
    candidate = make_candidate(context, quantity, harm, sentence)
    lead = 0.15 if context.sentences and start < context.sentences[0][1] else 0.0
    confidence = max([0.45 + lead] + [p.confidence + 0.25 for p in inside])
    candidate.confidence = round(min(0.9, confidence), 2)
    candidate.pattern = "implicit:enumeration+killed"
    candidate.note = f"implicit count: {total} people enumerated, the total is not written"
    return candidate


def _count_conjuncts(listed: str) -> int | None:
    """People in "a woman, Ola X, and her four sons" (5); None when a part is uncounted.

    A name after "a woman," (or "a 45 year old civilian" after "X,") joined by a bare comma is
    an apposition naming the same person.
    """
    plain = _PARENTHETICAL.sub("", listed)
    pieces = _LIST_SEPARATOR_KEPT.split(plain)
    total, previous, separator = 0, "", ""
    head: int | None = None  # "two civilians, A and B": a count its names then spell out
    for index, raw in enumerate(pieces):
        if index % 2:
            separator = raw
            continue
        piece = raw.strip()
        if not piece:
            continue
        bare_comma = separator.strip() == ","
        apposition = bare_comma and (
            (_BARE_NAME.match(piece) and _INDEFINITE_COMMON.match(previous))
            or (_INDEFINITE_COMMON.match(piece) and _BARE_NAME.match(previous))
        )
        previous = piece
        if apposition:
            continue
        plural = _PLURAL_CONJUNCT.match(piece)
        if plural:
            try:
                count = parse_number(plural.group("n"), "en")
            except ValueError:
                return None  # "her children": how many is not said
            if not count.is_integer() or count < 1:
                return None
            if index == 0 and len(pieces) > 1 and pieces[1].strip() == ",":
                head = int(count)
            total += int(count)
        else:
            total += 1
    rest = total - (head or 0)
    # "two civilians, A and B": the names spell the head count out; "two civilians, a man
    # named A…": the list of names is cut short.
    if head is not None and (rest == head or (rest < head and len(pieces) == 3)):
        return head
    return total


def _vague_candidate(
    context: Context, match: re.Match[str], group: str, sentence: tuple[int, int]
) -> Candidate:
    np_start, np_end = match.span(group)
    quantity = Quantity(2.0, None, "at_least", context.text[np_start:np_end], np_start, np_end)
    harm = Harm("killed", "killed", match.start(), match.end(), tight=False)
    candidate = make_candidate(context, quantity, harm, sentence)
    lead = 0.05 if context.sentences and np_start < context.sentences[0][1] else 0.0
    candidate.confidence = round(0.2 + lead, 2)
    candidate.pattern = "implicit:plural+killed"
    candidate.note = "implicit count: more than one killed, number unstated (at least 2)"
    return candidate


def _implied_candidate(
    context: Context, match: re.Match[str], sentence: tuple[int, int]
) -> Candidate:
    np_start, np_end = match.span("np")
    quantity = Quantity(1.0, 1.0, "exact", context.text[np_start:np_end], np_start, np_end)
    harm = Harm("killed", "killed", match.start(), match.end(), tight=False)
    candidate = make_candidate(context, quantity, harm, sentence)
    lead = 0.15 if context.sentences and np_start < context.sentences[0][1] else 0.0
    candidate.confidence = round(0.3 + lead, 2)
    candidate.pattern = "implicit:one+killed"
    candidate.note = "implicit count: one person named or described, no number in the quote"
    return candidate
