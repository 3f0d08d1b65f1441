"""Who says a number: quotations and their speakers, claim verbs, "according to" cues."""

from __future__ import annotations

import re
import unicodedata

from provenance.text.extraction.candidates import Attribution, Context, Quotation, quotation_of
from provenance.text.extraction.dates import _DATE_NEAR_CUE, StatedDate
from provenance.text.reading.tokens import SPACE as _SP

_QUOTATION = re.compile(r"«[^«»]*»|“[^“”]*”")


_NAME_WORD = r"[A-ZÀ-Ý][\w’'.-]*"
_NAME_LINK = r"(?:de|du|des|d['’]|of|al|el|bin|ben|ibn|abu|the|la|le|van|von)"
_PROPER_NAME = rf"{_NAME_WORD}(?:{_SP}+(?:{_NAME_LINK}{_SP}*)?{_NAME_WORD})*"
_ARTICLE = r"(?:(?:le|la|les|the)" + _SP + r"+|l['’])"
_LEADING_ARTICLE = re.compile(
    r"^(?:(?:le|la|les|the|des|un|une|a|an)[ \u00a0\u202f]+|l['’][ \u00a0\u202f]*)", re.I
)

_CUE_VERBS = {
    "fr": (
        r"a[ \u00a0\u202f]+déclaré|a[ \u00a0\u202f]+indiqué|a[ \u00a0\u202f]+affirmé|"
        r"a[ \u00a0\u202f]+annoncé|a[ \u00a0\u202f]+reconnu|a[ \u00a0\u202f]+précisé|"
        r"a[ \u00a0\u202f]+rapporté|a[ \u00a0\u202f]+estimé|a[ \u00a0\u202f]+fait[ \u00a0\u202f]+"
        r"(?:état|savoir|part)|reconna[iî]tre|reconna[iî]t|évoque|évoquent|fait[ \u00a0\u202f]+"
        r"(?:état|part)|font[ \u00a0\u202f]+(?:état|part)|rapporte|rapportent|affirme|affirment|"
        r"déclare|déclarent|indique|indiquent|annonce|annoncent|estime|estiment|recense|"
        r"recensent|dénombre|comptabilise|avance|admet|a[ \u00a0\u202f]+admis|signale|"
        r"a[ \u00a0\u202f]+signalé"
    ),
    "en": (
        r"said|says|reported|reports|stated|states|announced|claimed|claims|acknowledged|"
        r"acknowledges|admitted|admits|confirmed|confirms|estimated|estimates|recorded|"
        r"documented|counted|posted|wrote|writes|shared|noted|notes|told|tweeted|published|"
        r"identified|listed|put[ \u00a0\u202f]+the[ \u00a0\u202f]+(?:death[ \u00a0\u202f]+)?toll"
    ),
}
_CUE_VERBS["fr"] += (
    r"|(?:ont|avaient|auraient){_SP}+(?:déclaré|indiqué|affirmé|annoncé|rapporté|signalé|estimé|"
    r"dénombré|recensé|compté|évoqué|fait{_SP}+état|confirmé|précisé)"
    r"|a{_SP}+(?:dénombré|recensé|compté|confirmé|évoqué)"
).replace("{_SP}", _SP)
_CUE_VERB = {lang: re.compile(rf"\b(?:{verbs})\b") for lang, verbs in _CUE_VERBS.items()}
# Sources named by what they are rather than by name: "local media", "des sources locales"
# ("the Civil Defence" is a proper name and needs no entry here).
_SOURCE_NOUNS = {
    "en": (
        r"media|sources|residents|witnesses|eyewitnesses|activists|medics|doctors|rescuers|"
        r"officials|journalists?|relatives|survivors|paramedics|authorities|police|army|"
        r"military|ministry|spokesm[ae]n|spokesperson|governor|mayor|council|volunteers|"
        r"monitors?|observers|agency|workers|teams|staff|hospital|reporters|villagers|"
        r"neighbou?rs|families|family|group"
    ),
    "fr": (
        r"médias|sources|habitants|témoins|militants|médecins|secouristes|secours|responsables|"
        r"autorités|journalistes?|proches|survivants|police|armée|ministère|porte-parole|"
        r"gouverneur|maire|conseil|bénévoles|agence|hôpital|villageois|voisins|familles?|"
        r"militaires"
    ),
}
_COMMON_SOURCES = {
    "en": rf"(?:(?:the|a|an){_SP}+)?(?:[a-z-]+{_SP}+){{0,2}}?(?:{_SOURCE_NOUNS['en']})\b",
    "fr": (
        rf"(?:(?:les|des|la|le|un|une){_SP}+|l['’])?(?:{_SOURCE_NOUNS['fr']})"
        rf"(?:{_SP}+(?:locales?|locaux|médicales?|médicaux|sécuritaires|officielles?|officiels|"
        r"militaires|humanitaires|sanitaires|hospitalières|hospitaliers|palestiniennes?|"
        rf"syriennes?|syriens|kurdes|irakiennes?|irakiens|sur{_SP}+place))?\b"
    ),
}
_COMMON_BEFORE_VERB = {
    lang: re.compile(rf"(?P<name>{pattern})(?:{_SP}+[a-zà-ÿ’']+ly)?{_SP}+$", re.IGNORECASE)
    for lang, pattern in _COMMON_SOURCES.items()
}
# Cheap check before _COMMON_BEFORE_VERB: a source noun is among the last words before the verb.
_SOURCE_NOUN_BEFORE = {
    lang: re.compile(rf"\b(?:{nouns})(?:{_SP}+[\w’']+){{0,2}}{_SP}+$", re.IGNORECASE)
    for lang, nouns in _SOURCE_NOUNS.items()
}
# An attribution after the number, closing its clause: "…were killed, local sources said",
# "…, said the governor", "…, a indiqué l'Observatoire".
_TRAILING_CUE = {
    lang: re.compile(
        rf",{_SP}*(?:(?P<name>{_ARTICLE}?{_PROPER_NAME}|{_COMMON_SOURCES[lang]}){_SP}+"
        rf"(?:{_CUE_VERBS[lang]})\b|(?:{_CUE_VERBS[lang]}){_SP}+(?P<name2>[^,.;:«»“”()]+))"
    )
    for lang in ("fr", "en")
}
# A named subject then up to four lower-case words ("a beaucoup tardé à") before the cue verb.
_SUBJECT_BEFORE_VERB = re.compile(
    rf"(?P<name>{_ARTICLE}?{_PROPER_NAME})(?:{_SP}+[a-zà-ÿ’']+){{0,4}}{_SP}+$"
)
_ACCORDING_TO = {
    "fr": re.compile(rf"\b(?:selon|d['’]après){_SP}+(?P<name>[^,.;:«»“”()]+)", re.IGNORECASE),
    "en": re.compile(
        rf"\b(?:according{_SP}+to|cited{_SP}+by|reported{_SP}+by|per){_SP}+(?P<name>[^,.;:«»“”()]+)",
        re.IGNORECASE,
    ),
}
_CLAUSE_BREAK = re.compile(r"[,;:«»“”()]")
# Attribution right after a closing quote mark: "», a indiqué Maria Zakharova", "” said X".
_AFTER_QUOTE = {
    "fr": re.compile(
        rf"{_SP}*,?{_SP}*(?:a|ont){_SP}+(?:\w+{_SP}+)?(?:indiqué|déclaré|affirmé|ajouté|précisé|"
        rf"souligné|expliqué|estimé|poursuivi|conclu|dit|lancé|martelé|insisté)"
        rf"{_SP}+(?P<name>{_ARTICLE}?{_PROPER_NAME})"
    ),
    "en": re.compile(
        rf"{_SP}*,?{_SP}*(?:(?:said|says|added|wrote|posted|stated|explained|noted|told\w*)"
        rf"{_SP}+(?P<name>{_PROPER_NAME})|(?P<name2>{_PROPER_NAME}){_SP}+(?:said|says|added|"
        rf"wrote|posted|stated|explained|noted))"
    ),
}
# Attribution before an opening quote mark: "Maria Zakharova a déclaré : «", "X said: “".
_BEFORE_QUOTE = re.compile(
    rf"(?P<name>{_ARTICLE}?{_PROPER_NAME})(?:{_SP}+[\w’']+){{0,6}}{_SP}*[:,]?{_SP}*$"
)
_CONTINUES_SPEECH = re.compile(r"(?:ajout|added|continu|poursui|went on)", re.IGNORECASE)


def slugify(name: str) -> str:
    """An entity slug: accent-free, lower-case, dashes ("Maria Zakharova" → "maria-zakharova").

    A leading article goes ("Le Pentagone" → "pentagone"), so the same actor gets one slug
    whichever way a sentence introduces it.
    """
    decomposed = unicodedata.normalize("NFKD", name.strip())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _LEADING_ARTICLE.sub("", plain.replace("’", "'"))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-")
    return slug


def find_quotations(text: str, language: str) -> list[Quotation]:
    """Quoted spans with their speaker; an unattributed quote continues the last speaker."""
    quotations: list[Quotation] = []
    last_speaker: str | None = None
    for match in _QUOTATION.finditer(text):
        speaker = _speaker_after(text, match.end(), language) or _speaker_before(
            text, match.start()
        )
        if speaker is None and len(match.group()) > 40:
            # News convention: an unattributed quotation (or "Et d'ajouter :") belongs to the
            # last quoted speaker. Short quotes are words being cited, not speech.
            speaker = last_speaker
        if speaker is not None and len(match.group()) > 40:
            last_speaker = speaker
        quotations.append(Quotation(match.start(), match.end(), speaker))
    return quotations


def _speaker_after(text: str, end: int, language: str) -> str | None:
    match = _AFTER_QUOTE[language].match(text, end, min(len(text), end + 80))
    if not match:
        return None
    name = match.groupdict().get("name") or match.groupdict().get("name2")
    return slugify(name) if name else None


def _speaker_before(text: str, start: int) -> str | None:
    line_start = text.rfind("\n", 0, start) + 1
    window = text[max(line_start, start - 80) : start]
    if _CONTINUES_SPEECH.search(window) and not re.search(_NAME_WORD + r"\w*\s+\w", window[1:]):
        return None
    sentence_start = max(window.rfind(". "), window.rfind(".\u00a0"))
    window = window[sentence_start + 1 :]
    match = _BEFORE_QUOTE.search(window)
    if not match or not re.search(r"[:,]\s*$", window):
        return None
    return slugify(match.group("name"))


def attribution_of(context: Context, position: int, sentence: tuple[int, int]) -> Attribution:
    quotation = quotation_of(context, position)
    speaker = quotation.speaker if quotation else None
    scope = (
        (max(sentence[0], quotation.start), min(sentence[1], quotation.end))
        if quotation
        else sentence
    )
    claimant, cue_end = _claimant(context, position, scope)
    author = context.author
    if author and claimant != author:
        # The document's author relays a source the sentence names, or states its own count.
        if claimant is None and speaker is None:
            claimant = author
        elif speaker is None:
            speaker = author
    return Attribution(claimant, speaker, cue_end)


def _claimant(
    context: Context, position: int, scope: tuple[int, int]
) -> tuple[str | None, int | None]:
    """Who originated the number: the nearest cue in its clause ("Airwars fait part d'au
    moins…", "selon les responsables locaux…", "according to the Ministry")."""
    text = context.text
    options: list[tuple[int, str, int]] = []  # (distance, slug, cue end)
    for verb in _CUE_VERB[context.language].finditer(text, scope[0], position):
        if _CLAUSE_BREAK.search(text, verb.end(), position):
            continue
        floor = max(scope[0], verb.start() - 90)
        near = max(floor, verb.start() - 40)
        common = _SOURCE_NOUN_BEFORE[context.language].search(text, near, verb.start())
        subject = (
            common and _COMMON_BEFORE_VERB[context.language].search(text, floor, verb.start())
        ) or _SUBJECT_BEFORE_VERB.search(text, floor, verb.start())
        if subject:
            options.append((position - verb.end(), slugify(subject.group("name")), verb.end()))
    comma = text.find(",", position, scope[1])
    trailing = (
        None
        if options or comma < 0
        else _TRAILING_CUE[context.language].match(text, comma, scope[1])
    )
    if trailing:
        name = trailing.group("name") or _trim_name(trailing.group("name2"))
        options.append((trailing.start() - position, slugify(name), trailing.end()))
    for cue in _ACCORDING_TO[context.language].finditer(text, *scope):
        name = _trim_name(cue.group("name"))
        if name:
            distance = abs(cue.start() - position)
            options.append((distance, slugify(name), cue.end()))
    if not options:
        return None, None
    _, slug, cue_end = min(options)
    return (slug or None), cue_end


def _trim_name(name: str) -> str:
    """The name in "selon les responsables locaux et les témoins oculaires qui…": stop at a
    relative pronoun or verb-like connector, keep at most eight words."""
    cut = re.split(
        r"\b(?:qui|que|who|which|that|when|on|in|at|dans|le\s+\d|was|were|is|are)\b", name
    )[0]
    return " ".join(cut.split()[:8])


def stated_date(
    context: Context, attribution: Attribution, sentence: tuple[int, int], position: int
) -> StatedDate | None:
    """The date attached to the claim verb ("a reconnu le jeudi 25 mai"), if any."""
    if attribution.cue_end is None:
        return None
    for date in context.dates:
        if not (sentence[0] <= date.start < sentence[1]) or date.start > position:
            continue
        if abs(date.start - attribution.cue_end) <= _DATE_NEAR_CUE:
            return date
    return None
