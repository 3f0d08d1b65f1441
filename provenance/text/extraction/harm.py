"""The harm lexicon (killed, injured, missing / tués, blessés, disparus) and the phrase cues
that tie a count to it."""

from __future__ import annotations

import re

from provenance.text.numbers import PERSON_NOUNS
from provenance.text.reading.tokens import SPACE as _SP

_KILLED = (
    r"killed|killing|kills|kill|dead|deaths?|died|die|dying|fatalit(?:y|ies)|lives|bodies|"
    r"victims?|casualt(?:y|ies)|massacred|slain|perished|martyred|martyrs?|"
    r"tu[ée]e?s?|tuant|tuer|morte?s?|décès|décédée?s?|victimes?|p[ée]ri|périssent|"
    r"massacrée?s?"
)
_INJURED = (
    r"injured|injuries|injury|injuring|wounded|wounding|hurt|bless[ée]e?s?|blessures?|blessant"
)
_MISSING = r"missing|disparue?s?"
_HARM = re.compile(
    rf"(?<![\w-])(?:(?P<killed>{_KILLED})|(?P<injured>{_INJURED})|(?P<missing>{_MISSING}))(?![\w-])",
    re.IGNORECASE,
)
_CIVILIAN = re.compile(r"\bcivil(?:ian|ians|e|s|es)?\b", re.IGNORECASE)
_CHILDREN = re.compile(
    r"^\W*(?:\w+\W+)?(?:child|children|kids|boys|girls|enfants?|mineurs)\b", re.IGNORECASE
)
_WOMEN = re.compile(r"^\W*(?:\w+\W+)?(?:women|woman|femmes?)\b", re.IGNORECASE)
_PERSON_AFTER = {
    lang: re.compile(rf"\W*(?:\w+\W+)?(?:{nouns})\b", re.IGNORECASE)
    for lang, nouns in PERSON_NOUNS.items()
}
# A subset introduced inside the head count's phrase ("15 members, including seven children,
# were killed"): the head's harm word lies beyond it.
_SUBSET_BEFORE = re.compile(
    r"(?:including|includes|among(?:\s+them|\s+whom)?|of\s+whom|dont|parmi\s+eux|notamment|"
    r"y\s+compris)\W*$",
    re.IGNORECASE,
)
# Only these words may stand between a harm word and the number it precedes ("killed at least",
# "la mort de plus de", "bilan des victimes s'élève à").
_TIGHT_GAP = re.compile(
    rf"^(?:{_SP}|['’]|\b(?:of|de|d|du|des|at|least|au|moins|plus|more|than|up|to|a|an|the|"
    r"le|la|les|s|élève|eleve|est|was|is|were|be|been|toll|of|some|about|around|nearly|"
    r"avoir|ont|fait|made|environ|près|pres|quelque|totalling|totaling|total|reached|"
    r"atteint|à|between|entre|to|rose|risen|stands|stood|at)\b)*$",
    re.IGNORECASE,
)
# ", including seven children," inside a head count's phrase: skipped when measuring how
# directly the harm word governs the head count.
_SUBSET_PARENTHETICAL = re.compile(
    r",\s*(?:including|among\s+them|of\s+whom|dont|parmi\s+eux|notamment|y\s+compris)[^,.;]*,"
    r"|\([^()]*\)",
    re.IGNORECASE,
)
_HEAD_OF_SUBSET = re.compile(
    r"[^,.;]{0,80},\s*(?:including|among\s+them|of\s+whom|dont|parmi\s+eux|y\s+compris)\b",
    re.IGNORECASE,
)
# Counts of things, not people: they qualify a head count ("15 civilians from three
# generations") or the strike ("hit three ambulances").
_MODIFIER_AFTER = re.compile(
    r"[\s-]*(?:[\w-]+\s+)?(?:generations?|houses?|homes?|buildings?|ambulances?|families|floors?|"
    r"stor(?:e)?ys?|missiles?|strikes?|airstrikes?|rockets?|bombs?|shells?|days?|hours?|"
    r"minutes?|weeks?|months?|years?|times|sources?|posts?|videos?|images?|photos?|pictures?|"
    r"vehicles?|cars?|apartments?|mosques?|schools?|hospitals?|neighbou?rhoods?|areas?|"
    r"locations?|incidents?|attacks?|raids?|separate|different|maisons?|immeubles?|frappes?|"
    r"jours?|heures?|semaines?|générations?|bâtiments?|véhicules?)\b",
    re.IGNORECASE,
)
# "members of one family", "three families": a count of households, not of people.
_FAMILIES_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:famil(?:y|ies)|familles?)\b(?!\s+members?\b)", re.IGNORECASE
)
_PERSON_NEAR_AFTER = re.compile(
    r"\W*(?:[\w’'-]+\W+){0,2}?(?:"
    + PERSON_NOUNS["en"]
    + "|"
    + PERSON_NOUNS["fr"]
    + r"|martyrs?|persons|grandchildren|siblings|cousins|nephews|nieces|parents)\b",
    re.IGNORECASE,
)
# A part named by its relation to the head: "two of whom were pregnant", "three of them".
_PART_OF_AFTER = re.compile(
    r"\s+(?:of\s+(?:whom|them|those|which)|d['’]entre\s+(?:eux|elles))\b", re.IGNORECASE
)
# Between a head count and a listed part: "including", "among them", a dash, a colon, "(".
_PART_CUE = re.compile(
    r"\b(?:including|includes|included|among\s+(?:them|whom|those|which)|of\s+whom|namely|"
    r"comprising|dont|parmi\s+(?:eux|elles|lesquels|lesquelles)|notamment|y\s+compris)\b"
    r"|[–—(:]|\s-\s",
    re.IGNORECASE,
)
# "six members of the family, four children and two women, were killed": a comma apposition
# lists parts when the head is a collective (members, people, civilians) and the part a person.
_APPOSITION_GAP = re.compile(r",\s*(?:at\s+least\s+|about\s+|some\s+)?$", re.IGNORECASE)
_COLLECTIVE_HEAD = re.compile(
    r"\W*(?:[\w’'-]+\s+){0,2}?(?:members|people|persons|civilians|individuals|relatives|"
    r"victims|residents|personnes|civils|membres|victimes)\b",
    re.IGNORECASE,
)
_PART_REACH = 220
_LIST_CONTINUES = re.compile(
    r"^[^,.;:\d]{0,40}?(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)(?:at\s+least\s+|about\s+)?$",
    re.IGNORECASE,
)
_HEAD_AFTER_WINDOW = 320
_TOTAL_CUE = re.compile(
    r"\b(?:in\s+total|a\s+total\s+of|total(?:ling|ing)?|altogether|in\s+all|overall|"
    r"across\s+all\s+sources|au\s+total|en\s+tout|bilan\s+total)\b",
    re.IGNORECASE,
)
_PARTIAL_CUE = re.compile(
    r"\b(?:initial(?:ly)?|first\s+reports?|earlier|preliminary|another\s+source|one\s+source|"
    r"some\s+sources|other\s+sources|(?:a|one)\s+(?:local\s+)?(?:source|report|post)|"
    r"initialement|premier\s+bilan|selon\s+une\s+source)\b",
    re.IGNORECASE,
)
_POSSESSIVE_AFTER = re.compile(r"['’]s?\s+\w", re.IGNORECASE)
_NOT_HARM_AFTER = re.compile(
    r"\W*(?:names?|list|lists|ministry|families|family|relatives|homes?|funerals?|bodies\s+were\s+recovered)\b",
    re.IGNORECASE,
)
_SUMMARY_BEFORE = re.compile(r"(?i)civilians\s+reported\s+killed\s*$")
_AFTER_WINDOW = 120
_BEFORE_WINDOW = 70
