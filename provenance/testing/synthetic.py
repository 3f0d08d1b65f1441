"""Realistic synthetic warehouses at scale, and records that break one rule on purpose.

:func:`generate_warehouse` writes documents in French and English whose sentences state the
figures ("Selon l'Observatoire Kalomir, au moins 3 100 civils ont été tués à Tavenor."), with
anchored quotes, claimants and speakers, subjects with periods, revision series (rising lower
bounds, occasional corrections that supersede), ratio relations ("huit fois supérieur") and
sums of parts. Everything it writes passes every error-level rule of the default rules file.

It is built for a million figures: the plan is numpy arrays, the text is assembled with Arrow
string kernels one batch at a time, and batches are written as Parquet without going through
the row-by-row append contract (the data is valid by construction; ``tests/test_synthetic.py``
checks that with ``provenance.validation.orchestrator.validate``).

:func:`inject_violation` appends one batch holding exactly one record that breaks one rule,
for tests of the rules themselves. Places and names are invented: synthetic tolls must never
be mistaken for claims about real events.
"""

from __future__ import annotations

import hashlib
import itertools
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from provenance.core.intervals import band_for
from provenance.core.qualifiers import QUALIFIERS, range_joiner
from provenance.core.schema import METRICS, TABLES
from provenance.storage.warehouse import Warehouse
from provenance.text.numbers import format_number

if TYPE_CHECKING:
    import pyarrow as pa

LANGUAGES = ("fr", "en")

# --- wording ---------------------------------------------------------------------------------
# One table per thing said, shared by the vectorised generator below and by the scalar
# helpers that provenance.testing and inject_violation use, so both write the same sentences.

# What follows the number: noun and verb, per metric and language.
METRIC_PHRASES: dict[str, dict[str, str]] = {
    "civilians_killed": {"fr": "civils ont été tués", "en": "civilians were killed"},
    "civilians_injured": {"fr": "civils ont été blessés", "en": "civilians were injured"},
    "killed": {"fr": "personnes ont été tuées", "en": "people were killed"},
    "injured": {"fr": "personnes ont été blessées", "en": "people were injured"},
    "combatants_killed": {"fr": "combattants ont été tués", "en": "combatants were killed"},
    "children_killed": {"fr": "enfants ont été tués", "en": "children were killed"},
    "women_killed": {"fr": "femmes ont été tuées", "en": "women were killed"},
    "missing": {"fr": "personnes sont portées disparues", "en": "people are missing"},
    "displaced": {"fr": "personnes ont été déplacées", "en": "people were displaced"},
    "strikes": {"fr": "frappes ont été menées", "en": "strikes were carried out"},
}


def metric_phrase(metric: str, language: str) -> str:
    """How ``metric`` is said after its number; a metric added to the schema gets a neutral one."""
    phrases = METRIC_PHRASES.get(metric)
    if phrases is None:
        return {"fr": "cas ont été recensés", "en": "cases were recorded"}[language]
    return phrases[language]


# The qualifiers the generator states, and their wording before the number: each
# qualifier's plain wording, declared with it in provenance.core.qualifiers ("au moins 3 100").
GENERATED_QUALIFIERS = ("exact", "at_least", "more_than", "approximately", "range")
QUALIFIER_WORDS: dict[str, dict[str, str]] = {
    language: {name: qualifier.written(language) for name, qualifier in QUALIFIERS.items()}
    for language in ("fr", "en")
}
RANGE_JOIN = {language: f" {range_joiner(language)} " for language in ("fr", "en")}
GROUP_SEPARATOR = {"fr": " ", "en": ","}
LEADS = {
    # (speaker?, correction?) → wording around the claimant; {S} is the speaker.
    "fr": {
        (False, False): "Selon ",
        (True, False): "{S} a déclaré que, selon ",
        (False, True): "Dans un bilan corrigé, selon ",
        (True, True): "{S} a déclaré que, dans un bilan corrigé, selon ",
    },
    "en": {
        (False, False): "According to ",
        (True, False): "{S} said that, according to ",
        (False, True): "In a corrected count, according to ",
        (True, True): "{S} said that, in a corrected count, according to ",
    },
}
PLACE_PREPOSITION = {"fr": " à ", "en": " in "}
FACTOR_WORDS = {
    "fr": ("", "", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"),
    "en": ("", "", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
}
RATIO_SENTENCE = {
    "fr": ("Ce bilan est ", " fois supérieur au bilan officiel"),
    "en": ("This toll is ", " times the official figure"),
}
PART_NOUNS = {"fr": ("civils", "combattants"), "en": ("civilians", "combatants")}
SUM_SENTENCE = {
    # lead + claimant + [0] + total + [1] + place + [2] + part 1 + [3] + part 2 + [4]; the
    # parts' quotes are "101 civils" and "4 combattants".
    "fr": (", au total ", " personnes ont été tuées à ", ", dont ", " civils et ", " combattants"),
    "en": (
        ", ",
        " people were killed in ",
        " in total, including ",
        " civilians and ",
        " combatants",
    ),
}
SUM_METRICS = ("killed", "civilians_killed", "combatants_killed")
WEEKDAY_NAMES = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
PUBLISHED_SENTENCE = {"fr": "Ce bilan a été publié le ", "en": "This report was published on "}
OUTLETS = {
    "fr": ("Agence Kestrel", "Le Courrier de Valmont", "Dépêches du Levant"),
    "en": ("Kestrel Agency", "The Valmont Courier", "Levant Wire"),
}


def count_text(value: float, language: str) -> str:
    """A count as the generator writes it: "3 100" in French, "3,100" in English."""
    return format_number(value, language, GROUP_SEPARATOR[language])


def value_text(qualifier: str, value: float, language: str, high: float | None = None) -> str:
    """The stated number with its qualifier wording ("au moins 3 100", "between 30 and 40")."""
    text = QUALIFIER_WORDS[language][qualifier] + count_text(value, language)
    if qualifier == "range":
        assert high is not None
        text += RANGE_JOIN[language] + count_text(high, language)
    return text


def statement(
    language: str,
    claimant: str,
    stated: str,
    metric: str,
    place: str,
    speaker: str | None = None,
    correction: bool = False,
) -> str:
    """One sentence stating one figure, without its final full stop (the figure's quote)."""
    lead = LEADS[language][(speaker is not None, correction)].replace("{S}", speaker or "")
    return f"{lead}{claimant}, {stated} {metric_phrase(metric, language)}{PLACE_PREPOSITION[language]}{place}"


def published_sentence(day: date, language: str, weekday: int | None = None) -> str:
    """ "Ce bilan a été publié le mardi 14 mars 2017." — ``weekday`` overrides the true one."""
    names = WEEKDAY_NAMES[language]
    wd = names[day.weekday() if weekday is None else weekday]
    return f"{PUBLISHED_SENTENCE[language]}{wd} {day.day} {MONTH_NAMES[language][day.month - 1]} {day.year}."


def ratio_sentence(factor: str, language: str) -> str:
    before, after = RATIO_SENTENCE[language]
    return before + factor + after


# --- invented names --------------------------------------------------------------------------

_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "te",
    "vu",
    "sa",
    "no",
    "di",
    "ber",
    "tan",
    "zel",
    "mor",
    "al",
    "es",
    "in",
    "dor",
    "vel",
    "ar",
    "ou",
)
_FIRST_NAMES = (
    "Amina",
    "Jonas",
    "Leila",
    "Marc",
    "Nadia",
    "Omar",
    "Sofia",
    "Youssef",
    "Clara",
    "Idris",
    "Hana",
    "Pavel",
)
_ENTITY_FORMS = {
    "government": "Ministère de la Santé de {P}",
    "military": "Armée de {P}",
    "monitor": "Observatoire {P}",
    "ngo": "Association {P} pour les civils",
    "officials": "Autorités locales de {P}",
    "media": "Agence {P}",
    "witnesses": "Témoins de {P}",
}
_CLAIMANT_KINDS = ("government", "military", "monitor", "ngo", "officials", "media")


def _proper(rng: np.random.Generator, n: int) -> list[str]:
    picks = rng.integers(0, len(_SYLLABLES), size=(n, 3))
    return ["".join(_SYLLABLES[i] for i in row).capitalize() for row in picks]


def _slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(
        ch if ch.isalnum() and ch.isascii() else "-"
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return "-".join(part for part in plain.split("-") if part)


# --- the plan: numbers only ------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
_FIRST_DAY = (date(2012, 1, 1) - _EPOCH).days
_REVISED_METRICS = ("civilians_killed", "civilians_injured", "killed", "injured")
_MICROS_PER_DAY = 86_400_000_000


@dataclass
class _Plan:
    """Every row of the warehouse as numpy arrays; strings are built later, per batch."""

    seed: int
    # entities
    entity_names: list[str]
    entity_ids: list[str]
    entity_kinds: list[str]
    claimants: np.ndarray  # entity indices that originate figures
    speakers: np.ndarray  # entity indices that relay them
    # places and subjects
    places: list[str]
    subject_place: np.ndarray
    subject_start: np.ndarray  # epoch days
    subject_end: np.ndarray  # epoch days, -1 = open
    subject_parent: np.ndarray  # subject index, -1 = none
    subject_is_campaign: np.ndarray
    # figures (index = figure number)
    fig_subject: np.ndarray
    fig_metric: np.ndarray
    fig_claimant: np.ndarray  # entity index
    fig_speaker: np.ndarray  # entity index, -1 = none
    fig_stated: np.ndarray  # epoch days
    fig_qualifier: np.ndarray  # index into GENERATED_QUALIFIERS
    fig_value: np.ndarray  # the number as written
    fig_high_value: np.ndarray  # range end as written (0 if none)
    fig_supersedes: np.ndarray  # figure index, -1 = none
    fig_role: np.ndarray  # 0 series, 1 ratio reference, 2 ratio figure, 3 sum total, 4/5 sum parts
    fig_group: np.ndarray  # relation group index for roles ≥ 1, else -1
    fig_doc: np.ndarray
    fig_holdout: np.ndarray  # bool: stated in a document but not written (kept for an append)
    # relation groups: ratio groups first, then sums
    group_kind: np.ndarray  # 0 ratio, 1 sum
    group_doc: np.ndarray
    group_stated: np.ndarray
    group_factor: np.ndarray  # ratio factor (2..10); sum: the total
    group_figures: (
        np.ndarray
    )  # (n_groups, 3) figure indices; ratio: [figure, reference, -1]; sum: [total, p1, p2]
    # documents
    doc_language: np.ndarray  # 0 fr, 1 en
    doc_published: np.ndarray  # epoch days
    doc_retrieved: np.ndarray  # epoch microseconds

    @property
    def n_figures(self) -> int:
        return len(self.fig_subject)


def _nice(x: np.ndarray) -> np.ndarray:
    """Round to the way tolls are written: 37, 240, 3 100, 12 000."""
    x = np.maximum(x, 2.0)
    step = np.where(x < 100, 1, np.where(x < 1000, 10, np.where(x < 10_000, 100, 1000)))
    return np.maximum(np.round(x / step) * step, 2).astype(np.int64)


def _grouped_cummax(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running maximum within consecutive runs of ``groups`` (ascending), for integer values < 2**32."""
    shifted = (groups.astype(np.int64) << 32) + values.astype(np.int64)
    return np.maximum.accumulate(shifted) - (groups.astype(np.int64) << 32)


def _plan(n_figures: int, seed: int, holdout: int) -> _Plan:
    rng = np.random.default_rng(seed)
    total = n_figures + holdout

    # Entities: a pool that grows slowly with the warehouse.
    n_entities = int(np.clip(40 + total // 5000, 40, 2000))
    n_people = max(8, n_entities // 5)
    propers = _proper(rng, n_entities)
    names, ids, kinds = [], [], []
    for i in range(n_entities):
        if i < n_people:
            kind = "person"
            name = f"{_FIRST_NAMES[i % len(_FIRST_NAMES)]} {propers[i]}"
        else:
            kind = _CLAIMANT_KINDS[i % len(_CLAIMANT_KINDS)]
            name = _ENTITY_FORMS[kind].replace("{P}", propers[i])
        names.append(name)
        kinds.append(kind)
        ids.append(f"{_slug(name)}-{i}")
    speakers = np.arange(n_people)
    claimants = np.arange(n_people, n_entities)
    official = claimants[np.isin(np.array(kinds)[claimants], ("government", "military"))]
    independent = claimants[np.isin(np.array(kinds)[claimants], ("monitor", "ngo"))]

    # Relation groups: about 3 % of figures in ratio pairs and 4 % in sums of two parts.
    n_ratio = max(1, total // 60)
    n_sum = max(1, total // 80)
    n_series_figures = total - 2 * n_ratio - 3 * n_sum
    if n_series_figures < 10:
        raise ValueError("n_figures too small for a warehouse with relations; use at least 30")

    # Revision series: (subject, metric, claimant) with 1–12 figures each.
    lengths = np.minimum(rng.geometric(0.3, size=n_series_figures // 2 + 10), 12)
    ends = np.cumsum(lengths)
    n_series = int(np.searchsorted(ends, n_series_figures)) + 1
    lengths = lengths[:n_series].copy()
    lengths[-1] -= ends[n_series - 1] - n_series_figures

    n_campaigns = int(np.clip(total // 5_000, 5, 200))
    n_incidents = max(1, n_series // 3)
    n_group_subjects = n_ratio + n_sum
    n_subjects = n_campaigns + n_incidents + n_group_subjects
    places = sorted(set(_proper(rng, max(30, n_campaigns * 4))))
    campaign_start = _FIRST_DAY + rng.integers(0, 2500, n_campaigns)
    campaign_place = rng.integers(0, len(places), n_campaigns)
    incident_parent = rng.integers(0, n_campaigns, n_incidents)
    incident_day = campaign_start[incident_parent] + rng.integers(0, 600, n_incidents)

    series_subject = np.where(
        rng.random(n_series) < 0.05,
        rng.integers(0, n_campaigns, n_series),
        n_campaigns + rng.integers(0, n_incidents, n_series),
    )
    metric_weights = np.array([6, 3, 3, 2, 1, 1, 1, 1, 1, 1], dtype=float)[: len(METRICS)]
    metric_weights = np.pad(
        metric_weights, (0, len(METRICS) - len(metric_weights)), constant_values=1
    )
    series_metric = rng.choice(len(METRICS), n_series, p=metric_weights / metric_weights.sum())
    series_claimant = rng.choice(claimants, n_series)
    # A key used by two series would interleave their tolls: redraw until unique.
    for _ in range(50):
        key = (
            series_subject.astype(np.int64) * len(METRICS) + series_metric
        ) * n_entities + series_claimant
        _, first = np.unique(key, return_index=True)
        duplicate = np.ones(n_series, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            break
        # Campaigns are few: a repeated key moves to an incident, where keys are plentiful.
        series_subject[duplicate] = n_campaigns + rng.integers(0, n_incidents, int(duplicate.sum()))
        series_claimant[duplicate] = rng.choice(claimants, int(duplicate.sum()))
    else:
        raise AssertionError("could not draw distinct revision series")

    is_campaign = series_subject < n_campaigns
    subject_day = np.where(
        is_campaign,
        campaign_start[np.minimum(series_subject, n_campaigns - 1)],
        incident_day[np.maximum(series_subject - n_campaigns, 0)],
    )
    series_start = subject_day + np.where(
        is_campaign, rng.integers(30, 900, n_series), rng.integers(1, 15, n_series)
    )

    fig_series = np.repeat(np.arange(n_series), lengths)
    first_of_series = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(n_series_figures) - first_of_series[fig_series]
    gaps = rng.integers(1, 31, n_series_figures)
    gaps[position == 0] = 0
    elapsed = np.cumsum(gaps)
    stated = series_start[fig_series] + elapsed - elapsed[first_of_series][fig_series]

    # Claimants of one subject start near one toll and revise it by up to 12 % a step: they
    # mostly agree, so the claimant-gap and revision-jump warnings stay rare, as in real data.
    subject_toll = np.exp(
        np.concatenate(
            [
                rng.uniform(np.log(100), np.log(60_000), n_campaigns),
                rng.uniform(np.log(2), np.log(400), n_incidents),
            ]
        )
    )
    start_value = subject_toll[series_subject] * rng.uniform(0.85, 1.15, n_series)
    growth = np.log(rng.uniform(1.0, 1.12, n_series_figures))
    growth[position == 0] = 0
    grown = np.cumsum(growth)
    value = _nice(start_value[fig_series] * np.exp(grown - grown[first_of_series][fig_series]))
    value = _grouped_cummax(value, fig_series)

    qualifier = rng.choice(
        len(GENERATED_QUALIFIERS), n_series_figures, p=[0.35, 0.25, 0.15, 0.15, 0.10]
    )
    approx = GENERATED_QUALIFIERS.index("approximately")
    # An approximation of a small or unround number reads oddly ("environ 37"): state it exactly.
    qualifier[(qualifier == approx) & ((value < 20) | (value % 10 != 0))] = (
        GENERATED_QUALIFIERS.index("exact")
    )
    high_value = np.where(
        qualifier == GENERATED_QUALIFIERS.index("range"),
        np.maximum(_nice(value * 1.3), value + 1),
        0,
    )
    low = _lower_bounds(qualifier, value)
    # A lower bound below the claimant's previous one would be a fall: state it "at least" the
    # previous bound instead (the revision-lower-bound-falls rule).
    previous_max = np.where(position > 0, np.roll(_grouped_cummax(low, fig_series), 1), -1)
    falls = low < previous_max
    qualifier[falls] = GENERATED_QUALIFIERS.index("at_least")
    value[falls] = previous_max[falls]
    high_value[falls] = 0
    low = np.maximum(low, previous_max)

    # Corrections: in 2 % of series of three or more, the last figure supersedes the one before,
    # restating the bound of the figure before that (lower than the withdrawn one, not a fall).
    supersedes = np.full(n_series_figures, -1, dtype=np.int64)
    last = first_of_series + lengths - 1
    corrected = (lengths >= 3) & (rng.random(n_series) < 0.02)
    correction = last[corrected]
    supersedes[correction] = correction - 1
    qualifier[correction] = GENERATED_QUALIFIERS.index("at_least")
    value[correction] = low[correction - 2]
    high_value[correction] = 0

    # Documents: figures in order stated, 5–15 to a document.
    order = np.lexsort((rng.random(n_series_figures), stated))
    doc_sizes = rng.integers(5, 16, n_series_figures // 5 + 2)
    doc_ends = np.cumsum(doc_sizes)
    n_docs = int(np.searchsorted(doc_ends, n_series_figures)) + 1
    doc_of_rank = np.repeat(np.arange(n_docs), doc_sizes[:n_docs])[:n_series_figures]
    series_doc = np.empty(n_series_figures, dtype=np.int64)
    series_doc[order] = doc_of_rank
    latest = np.full(n_docs, np.iinfo(np.int64).min)
    np.maximum.at(latest, series_doc, stated)
    doc_published = latest + rng.integers(0, 3, n_docs)
    doc_language = (rng.random(n_docs) < 0.4).astype(np.int64)
    doc_retrieved = (doc_published + rng.integers(0, 30, n_docs)) * _MICROS_PER_DAY + rng.integers(
        0, _MICROS_PER_DAY, n_docs
    )

    # Holdout: whole series, or the tail of the last one chosen, stated in documents but not
    # written, so that appending them later is realistic (what stays written are prefixes of
    # series, and nothing written refers to a held-out figure). Corrected series stay whole.
    is_holdout = np.zeros(n_series_figures, dtype=bool)
    if holdout:
        candidates = rng.permutation(np.flatnonzero(~corrected))
        taken = np.cumsum(lengths[candidates])
        n_taken = int(np.searchsorted(taken, holdout)) + 1
        if n_taken > len(candidates):
            raise ValueError(
                f"holdout {holdout} is more than the {int(taken[-1])} uncorrected series figures"
            )
        chosen = candidates[:n_taken]
        keep = np.zeros(n_series, dtype=np.int64)  # figures of each chosen series left written
        keep[chosen[-1]] = taken[n_taken - 1] - holdout
        chosen_mask = np.zeros(n_series, dtype=bool)
        chosen_mask[chosen] = True
        is_holdout = chosen_mask[fig_series] & (position >= keep[fig_series])

    # Relation groups, each in a random document, about a subject of their own.
    n_groups = n_ratio + n_sum
    group_kind = np.concatenate([np.zeros(n_ratio, np.int64), np.ones(n_sum, np.int64)])
    group_doc = rng.integers(0, n_docs, n_groups)
    group_stated = doc_published[group_doc] - rng.integers(0, 3, n_groups)
    group_subject_day = group_stated - rng.integers(1, 20, n_groups)
    group_parent = rng.integers(0, n_campaigns, n_groups)
    first_group_figure = n_series_figures
    group_figures = np.full((n_groups, 3), -1, dtype=np.int64)
    group_figures[:n_ratio, 0] = first_group_figure + 2 * np.arange(n_ratio) + 1  # the larger toll
    group_figures[:n_ratio, 1] = first_group_figure + 2 * np.arange(n_ratio)  # the official one
    sum_base = first_group_figure + 2 * n_ratio + 3 * np.arange(n_sum)
    group_figures[n_ratio:] = np.stack([sum_base, sum_base + 1, sum_base + 2], axis=1)

    factor = rng.integers(2, 11, n_ratio)
    reference = _nice(np.exp(rng.uniform(np.log(10), np.log(2000), n_ratio)))
    # The larger toll is the stated multiple give or take 5 % (and rounding): within tolerance.
    larger = _nice(reference * factor * rng.uniform(1.0, 1.05, n_ratio))
    part1 = rng.integers(2, 400, n_sum)
    part2 = rng.integers(2, 60, n_sum)
    group_factor = np.concatenate([factor, part1 + part2])

    n_group_figures = 2 * n_ratio + 3 * n_sum
    g_subject = np.empty(n_group_figures, np.int64)
    g_metric = np.empty(n_group_figures, np.int64)
    g_claimant = np.empty(n_group_figures, np.int64)
    g_value = np.empty(n_group_figures, np.int64)
    g_qualifier = np.zeros(n_group_figures, np.int64)
    g_role = np.empty(n_group_figures, np.int64)
    g_group = np.empty(n_group_figures, np.int64)
    ratio_subjects = n_campaigns + n_incidents + np.arange(n_ratio)
    pairs = np.arange(2 * n_ratio)
    g_subject[pairs] = np.repeat(ratio_subjects, 2)
    g_metric[pairs] = METRICS.index("civilians_killed")
    g_claimant[0 : 2 * n_ratio : 2] = rng.choice(official if len(official) else claimants, n_ratio)
    g_claimant[1 : 2 * n_ratio : 2] = rng.choice(
        independent if len(independent) else claimants, n_ratio
    )
    g_value[0 : 2 * n_ratio : 2] = reference
    g_value[1 : 2 * n_ratio : 2] = larger
    g_qualifier[1 : 2 * n_ratio : 2] = np.where(
        rng.random(n_ratio) < 0.5, 0, GENERATED_QUALIFIERS.index("at_least")
    )
    g_role[0 : 2 * n_ratio : 2] = 1
    g_role[1 : 2 * n_ratio : 2] = 2
    g_group[pairs] = np.repeat(np.arange(n_ratio), 2)
    sums = 2 * n_ratio + np.arange(3 * n_sum)
    g_subject[sums] = np.repeat(n_campaigns + n_incidents + n_ratio + np.arange(n_sum), 3)
    g_metric[sums] = np.tile([METRICS.index(m) for m in SUM_METRICS], n_sum)
    g_claimant[sums] = np.repeat(rng.choice(claimants, n_sum), 3)
    g_value[sums] = np.stack([part1 + part2, part1, part2], axis=1).ravel()
    g_role[sums] = np.tile([3, 4, 5], n_sum)
    g_group[sums] = np.repeat(n_ratio + np.arange(n_sum), 3)
    g_doc = group_doc[g_group]

    subject_place = np.concatenate(
        [campaign_place, rng.integers(0, len(places), n_incidents + n_group_subjects)]
    )
    subject_start = np.concatenate([campaign_start, incident_day, group_subject_day])
    subject_end = np.concatenate([np.full(n_campaigns, -1), incident_day, group_subject_day])
    subject_parent = np.concatenate([np.full(n_campaigns, -1), incident_parent, group_parent])
    assert len(subject_place) == n_subjects

    speaker = np.where(
        rng.random(n_series_figures) < 0.25, rng.choice(speakers, n_series_figures), -1
    )
    return _Plan(
        seed=seed,
        entity_names=names,
        entity_ids=ids,
        entity_kinds=kinds,
        claimants=claimants,
        speakers=speakers,
        places=places,
        subject_place=subject_place,
        subject_start=subject_start,
        subject_end=subject_end,
        subject_parent=subject_parent,
        subject_is_campaign=np.arange(n_subjects) < n_campaigns,
        fig_subject=np.concatenate([series_subject[fig_series], g_subject]),
        fig_metric=np.concatenate([series_metric[fig_series], g_metric]),
        fig_claimant=np.concatenate([series_claimant[fig_series], g_claimant]),
        fig_speaker=np.concatenate([speaker, np.full(n_group_figures, -1)]),
        fig_stated=np.concatenate([stated, group_stated[g_group]]),
        fig_qualifier=np.concatenate([qualifier, g_qualifier]),
        fig_value=np.concatenate([value, g_value]),
        fig_high_value=np.concatenate([high_value, np.zeros(n_group_figures, np.int64)]),
        fig_supersedes=np.concatenate([supersedes, np.full(n_group_figures, -1)]),
        fig_role=np.concatenate([np.zeros(n_series_figures, np.int64), g_role]),
        fig_group=np.concatenate([np.full(n_series_figures, -1), g_group]),
        fig_doc=np.concatenate([series_doc, g_doc]),
        fig_holdout=np.concatenate([is_holdout, np.zeros(n_group_figures, bool)]),
        group_kind=group_kind,
        group_doc=group_doc,
        group_stated=group_stated,
        group_factor=group_factor,
        group_figures=group_figures,
        doc_language=doc_language,
        doc_published=doc_published,
        doc_retrieved=doc_retrieved,
    )


def _lower_bounds(qualifier: np.ndarray, value: np.ndarray) -> np.ndarray:
    """value_low per qualifier, as intervals.interval_for gives it (integers for our values)."""
    low, _ = _bounds(qualifier, value, np.zeros_like(value), np.zeros_like(value))
    return low.astype(np.int64)


def _bounds(
    qualifier: np.ndarray, value: np.ndarray, high_value: np.ndarray, language: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(value_low, value_high) with NaN for an open bound, following intervals.interval_for.

    interval_for is a scalar function; this is its vectorised form for the qualifiers the
    generator states, with the approximation band taken from intervals.band_for (the one table
    of bands). tests/test_synthetic.py checks the two agree row for row.
    """
    q = {name: qualifier == i for i, name in enumerate(GENERATED_QUALIFIERS)}
    v = value.astype(np.float64)
    low = np.where(q["more_than"], np.floor(v) + 1, v)
    high = np.where(q["exact"], v, np.where(q["range"], high_value.astype(np.float64), np.nan))
    for lang_index, language_code in enumerate(LANGUAGES):
        band = band_for(QUALIFIER_WORDS[language_code]["approximately"])
        sel = q["approximately"] & (language == lang_index)
        low = np.where(sel, np.round(v * band.low, 3), low)
        high = np.where(sel, np.round(v * band.high, 3), high)
    return low, high


# --- strings, per batch ------------------------------------------------------------------------


def _cat(*parts: Any) -> pa.Array:
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(*parts, "")


def _take(options: Sequence[str], codes: np.ndarray) -> pa.Array:
    import pyarrow as pa

    return pa.array(list(options), pa.string()).take(pa.array(codes, pa.int64()))


def _lang_take(
    table: Mapping[str, Sequence[str]], language: np.ndarray, codes: np.ndarray
) -> pa.Array:
    """table[language][code] per row, for languages coded 0 = fr, 1 = en."""
    width = len(table[LANGUAGES[0]])
    flat = [item for code in LANGUAGES for item in table[code]]
    return _take(flat, language * width + codes)


def _counts_text(values: np.ndarray, language: np.ndarray) -> pa.Array:
    """Vectorised count_text: "3 100" (fr), "3,100" (en), up to 999 999 999."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.astype(np.int64)
    assert values.max(initial=0) < 1_000_000_000
    sep = _take([GROUP_SEPARATOR[code] for code in LANGUAGES], language)

    def text(a: np.ndarray) -> pa.Array:
        return pc.cast(pa.array(a), pa.string())

    def padded(a: np.ndarray) -> pa.Array:
        return pc.utf8_lpad(text(a), width=3, padding="0")

    plain = text(values)
    thousands = _cat(text(values // 1000), sep, padded(values % 1000))
    millions = _cat(
        text(values // 1_000_000), sep, padded(values // 1000 % 1000), sep, padded(values % 1000)
    )
    return pc.if_else(
        pa.array(values < 1000),
        plain,
        pc.if_else(pa.array(values < 1_000_000), thousands, millions),
    )


def _lengths(a: pa.Array) -> np.ndarray:
    import pyarrow.compute as pc

    return np.asarray(pc.utf8_length(a).to_numpy(zero_copy_only=False), dtype=np.int64)


def _dates(days: np.ndarray) -> pa.Array:
    import pyarrow as pa

    return pa.array(days.astype(np.int32), pa.date32())


@dataclass
class _Texts:
    """Per-figure strings of one batch's figures, in the order of ``figures``."""

    quote: pa.Array
    value_text: pa.Array
    offset_in_unit: np.ndarray


def _build_batch(
    plan: _Plan, docs: np.ndarray, figures: np.ndarray, groups: np.ndarray
) -> dict[str, pa.Table]:
    """Documents, figures and relations of the documents ``docs`` (ascending, contiguous)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lang = plan.doc_language[plan.fig_doc[figures]]
    names = plan.entity_names
    claimant = _take(names, plan.fig_claimant[figures])
    place = _take(plan.places, plan.subject_place[plan.fig_subject[figures]])
    qualifier = plan.fig_qualifier[figures]
    number = _cat(
        _lang_take(QUALIFIER_WORDS_TABLE, lang, qualifier),
        _counts_text(plan.fig_value[figures], lang),
    )
    is_range = qualifier == GENERATED_QUALIFIERS.index("range")
    range_end = _cat(
        _take([RANGE_JOIN[c] for c in LANGUAGES], lang),
        _counts_text(plan.fig_high_value[figures], lang),
    )
    stated_value = pc.if_else(pa.array(is_range), _cat(number, range_end), number)
    role = plan.fig_role[figures]

    # Series figures and ratio operands: one sentence each.
    speaker_index = plan.fig_speaker[figures]
    has_speaker = speaker_index >= 0
    is_correction = plan.fig_supersedes[figures] >= 0
    lead_code = has_speaker.astype(np.int64) + 2 * is_correction
    lead = pc.replace_substring(
        _lang_take(LEAD_TABLE, lang, lead_code), "{S}", ""
    )  # placeholder removed; the speaker's name is put in front below
    speaker = _take([*names, ""], np.where(has_speaker, speaker_index, len(names)))
    sentence = _cat(
        speaker,
        lead,
        claimant,
        ", ",
        stated_value,
        " ",
        _lang_take(METRIC_TABLE, lang, plan.fig_metric[figures]),
        _take([PLACE_PREPOSITION[c] for c in LANGUAGES], lang),
        place,
    )
    # Sums: the total's sentence carries both parts; the parts are quoted inside it.
    is_total = role == 3
    sum_words = [_take([SUM_SENTENCE[c][k] for c in LANGUAGES], lang) for k in range(5)]
    total_text = _cat(
        _take([LEADS[c][(False, False)] for c in LANGUAGES], lang),
        claimant,
        sum_words[0],
        stated_value,
        sum_words[1],
        place,
    )
    quote = pc.if_else(pa.array(is_total), total_text, sentence)
    # The parts' quotes: "101 civils", "4 combattants".
    part_noun = _take([w for c in LANGUAGES for w in PART_NOUNS[c]], lang * 2 + (role == 5))
    part_quote = _cat(stated_value, " ", part_noun)
    is_part = (role == 4) | (role == 5)
    quote = pc.if_else(pa.array(is_part), part_quote, quote)

    # Units: the pieces of text a document is made of, in order.
    n_batch_figures = len(figures)
    local = np.full(plan.n_figures, -1, dtype=np.int64)
    local[figures] = np.arange(n_batch_figures)
    offset_in_unit = np.zeros(n_batch_figures, dtype=np.int64)
    quote_len = _lengths(quote)

    unit_texts: list[pa.Array] = []
    unit_doc: list[np.ndarray] = []
    unit_rank: list[np.ndarray] = []
    fig_unit: np.ndarray = np.full(n_batch_figures, -1, dtype=np.int64)
    n_units = 0

    series = np.flatnonzero(role == 0)
    order = np.lexsort((plan.fig_stated[figures[series]], plan.fig_doc[figures[series]]))
    series = series[order]
    unit_texts.append(_cat(quote.take(pa.array(series)), "."))
    unit_doc.append(plan.fig_doc[figures[series]])
    unit_rank.append(np.zeros(len(series), np.int64))
    fig_unit[series] = n_units + np.arange(len(series))
    n_units += len(series)

    relation_rows: dict[str, Any] = {}
    if len(groups):
        is_ratio = plan.group_kind[groups] == 0
        ratio_groups = groups[is_ratio]
        sum_groups = groups[~is_ratio]
        # Ratio unit: the official toll, the larger one, then "this toll is eight times …".
        big = local[plan.group_figures[ratio_groups, 0]]
        ref = local[plan.group_figures[ratio_groups, 1]]
        g_lang = plan.doc_language[plan.group_doc[ratio_groups]]
        factor_word = _lang_take(FACTOR_TABLE, g_lang, plan.group_factor[ratio_groups])
        ratio_quote = _cat(
            _take([RATIO_SENTENCE[c][0] for c in LANGUAGES], g_lang),
            factor_word,
            _take([RATIO_SENTENCE[c][1] for c in LANGUAGES], g_lang),
        )
        ref_quote = quote.take(pa.array(ref))
        big_quote = quote.take(pa.array(big))
        unit_texts.append(_cat(ref_quote, ". ", big_quote, ". ", ratio_quote, "."))
        unit_doc.append(plan.group_doc[ratio_groups])
        unit_rank.append(np.ones(len(ratio_groups), np.int64))
        units = n_units + np.arange(len(ratio_groups))
        fig_unit[ref] = units
        fig_unit[big] = units
        offset_in_unit[big] = quote_len[ref] + 2
        ratio_offset = quote_len[ref] + 2 + quote_len[big] + 2
        n_units += len(ratio_groups)

        # Sum unit: one sentence; the parts are quoted inside the total's sentence.
        total = local[plan.group_figures[sum_groups, 0]]
        p1 = local[plan.group_figures[sum_groups, 1]]
        p2 = local[plan.group_figures[sum_groups, 2]]
        s_lang = plan.doc_language[plan.group_doc[sum_groups]]
        sum_words_g = [_take([SUM_SENTENCE[c][k] for c in LANGUAGES], s_lang) for k in range(5)]
        total_quote = quote.take(pa.array(total))
        p1_value = stated_value.take(pa.array(p1))
        p2_value = stated_value.take(pa.array(p2))
        sum_quote = _cat(
            total_quote, sum_words_g[2], p1_value, sum_words_g[3], p2_value, sum_words_g[4]
        )
        unit_texts.append(_cat(sum_quote, "."))
        unit_doc.append(plan.group_doc[sum_groups])
        unit_rank.append(np.full(len(sum_groups), 2, np.int64))
        units = n_units + np.arange(len(sum_groups))
        fig_unit[total] = units
        fig_unit[p1] = units
        fig_unit[p2] = units
        offset_in_unit[p1] = quote_len[total] + _lengths(sum_words_g[2])
        offset_in_unit[p2] = offset_in_unit[p1] + _lengths(p1_value) + _lengths(sum_words_g[3])
        n_units += len(sum_groups)

        relation_rows = {
            "ratio_groups": ratio_groups,
            "ratio_quote": ratio_quote,
            "ratio_word": factor_word,
            "ratio_offset": ratio_offset,
            "ratio_unit": n_units
            - len(sum_groups)
            - len(ratio_groups)
            + np.arange(len(ratio_groups)),
            "sum_groups": sum_groups,
            "sum_quote": sum_quote,
            "sum_value": stated_value.take(pa.array(total)),
            "sum_unit": n_units - len(sum_groups) + np.arange(len(sum_groups)),
        }

    # The closing line names the publication day with its (true) weekday.
    d_lang = plan.doc_language[docs]
    published = plan.doc_published[docs]
    weekday = (published + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
    published_dates = _dates(published)
    day = pc.cast(pc.day(published_dates), pa.string())
    month = pc.month(published_dates).to_numpy(zero_copy_only=False).astype(np.int64) - 1
    year = pc.cast(pc.year(published_dates), pa.string())
    closing = _cat(
        _take([PUBLISHED_SENTENCE[c] for c in LANGUAGES], d_lang),
        _lang_take(WEEKDAY_TABLE, d_lang, weekday),
        " ",
        day,
        " ",
        _lang_take(MONTH_TABLE, d_lang, month),
        " ",
        year,
        ".",
    )
    unit_texts.append(closing)
    unit_doc.append(docs)
    unit_rank.append(np.full(len(docs), 3, np.int64))
    n_units += len(docs)

    texts = pa.concat_arrays([a.cast(pa.string()) for a in unit_texts])
    doc_of_unit = np.concatenate(unit_doc)
    rank = np.concatenate(unit_rank)
    unit_order = np.lexsort((np.arange(n_units), rank, doc_of_unit))
    sorted_texts = texts.take(pa.array(unit_order))
    sorted_doc = doc_of_unit[unit_order]
    length = _lengths(sorted_texts) + 1  # each unit is followed by one space
    cumulative = np.cumsum(length)
    doc_first = np.searchsorted(sorted_doc, docs)
    start_sorted = (
        cumulative
        - length
        - np.concatenate(([0], cumulative))[doc_first][np.searchsorted(docs, sorted_doc)]
    )
    unit_start = np.empty(n_units, np.int64)
    unit_start[unit_order] = start_sorted
    offsets = np.concatenate([doc_first, [n_units]]).astype(np.int32)
    doc_text = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), sorted_texts), " ")

    # The id of a document is the sha256 of its (NFC) text; every piece above is NFC already.
    doc_ids = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in doc_text.to_pylist()]
    if len(set(doc_ids)) != len(doc_ids):
        raise AssertionError("two synthetic documents have the same text")
    doc_id_array = pa.array(doc_ids, pa.string())
    doc_local = np.searchsorted(docs, plan.fig_doc[figures])

    documents = pa.table(
        {
            "document_id": doc_id_array,
            "url": _cat(
                "https://news.example.org/synthetic/",
                str(plan.seed),
                "/",
                pc.cast(pa.array(docs), pa.string()),
            ),
            "title": _take(["Bilan des victimes civiles", "Civilian casualty report"], d_lang),
            "outlet": _take([o for c in LANGUAGES for o in OUTLETS[c]], d_lang * 3 + docs % 3),
            "language": _take(LANGUAGES, d_lang),
            "published_on": published_dates,
            "published_precision": _take(["day"], np.zeros(len(docs), np.int64)),
            "retrieved_at": pa.array(plan.doc_retrieved[docs], pa.timestamp("us", tz="UTC")),
            "text": doc_text,
        }
    )

    quote_start = unit_start[fig_unit] + offset_in_unit
    low, high = _bounds(qualifier, plan.fig_value[figures], plan.fig_high_value[figures], lang)
    written = ~plan.fig_holdout[figures]
    figure_ids = _figure_ids(plan, figures)
    supersedes_index = plan.fig_supersedes[figures]
    supersedes = pc.if_else(
        pa.array(supersedes_index >= 0),
        _figure_ids(plan, np.maximum(supersedes_index, 0)),
        pa.nulls(len(figures), pa.string()),
    )
    entity_ids = plan.entity_ids
    figures_table = pa.table(
        {
            "figure_id": figure_ids,
            "document_id": doc_id_array.take(pa.array(doc_local)),
            "subject_id": _subject_ids(plan, plan.fig_subject[figures]),
            "metric": _take(METRICS, plan.fig_metric[figures]),
            "claimant_id": _take(entity_ids, plan.fig_claimant[figures]),
            "speaker_id": pc.if_else(
                pa.array(has_speaker),
                _take([*entity_ids, ""], np.where(has_speaker, speaker_index, len(entity_ids))),
                pa.nulls(len(figures), pa.string()),
            ),
            "stated_on": _dates(plan.fig_stated[figures]),
            "stated_precision": _take(["day"], np.zeros(len(figures), np.int64)),
            "value_low": pa.array(low, pa.float64(), from_pandas=True),
            "value_high": pa.array(high, pa.float64(), from_pandas=True),
            "qualifier": _take(GENERATED_QUALIFIERS, qualifier),
            "value_text": stated_value,
            "quote": quote,
            "quote_start": pa.array(quote_start),
            "quote_end": pa.array(quote_start + quote_len),
            "supersedes": supersedes,
            "note": pc.if_else(
                pa.array(is_correction),
                pa.scalar("corrects an earlier count"),
                pa.nulls(len(figures), pa.string()),
            ),
        }
    )
    tables = {"documents": documents, "figures": figures_table.filter(pa.array(written))}
    if plan.fig_holdout[figures].any():
        tables["holdout"] = figures_table.filter(pa.array(~written)).drop_columns(["figure_id"])
    if len(groups):
        tables["relations"] = _relations_table(plan, relation_rows, unit_start, doc_id_array, docs)
    return tables


def _relations_table(
    plan: _Plan, rows: dict[str, Any], unit_start: np.ndarray, doc_ids: pa.Array, docs: np.ndarray
) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    ratio, sums = rows["ratio_groups"], rows["sum_groups"]
    groups = np.concatenate([ratio, sums])
    n = len(groups)
    quote = pa.concat_arrays([rows["ratio_quote"], rows["sum_quote"]])
    start = np.concatenate(
        [unit_start[rows["ratio_unit"]] + rows["ratio_offset"], unit_start[rows["sum_unit"]]]
    )
    value = plan.group_factor[groups].astype(np.float64)
    figure = plan.group_figures[groups, 0]
    ref_counts = np.where(plan.group_kind[groups] == 0, 1, 2)
    ref_flat = np.concatenate([plan.group_figures[ratio, 1], plan.group_figures[sums, 1:3].ravel()])
    ref_offsets = np.concatenate([[0], np.cumsum(ref_counts)]).astype(np.int32)
    relation_ids = _cat(
        f"syn{plan.seed}-r",
        pc.utf8_lpad(pc.cast(pa.array(groups), pa.string()), width=8, padding="0"),
    )
    return pa.table(
        {
            "relation_id": relation_ids,
            "kind": _take(["ratio", "sum"], plan.group_kind[groups]),
            "figure_id": _figure_ids(plan, figure),
            "reference_ids": pa.ListArray.from_arrays(
                pa.array(ref_offsets), _figure_ids(plan, ref_flat)
            ),
            "document_id": doc_ids.take(pa.array(np.searchsorted(docs, plan.group_doc[groups]))),
            "claimant_id": _take(plan.entity_ids, plan.fig_claimant[figure]),
            "speaker_id": pa.nulls(n, pa.string()),
            "stated_on": _dates(plan.group_stated[groups]),
            "stated_precision": _take(["day"], np.zeros(n, np.int64)),
            "value_low": pa.array(value),
            "value_high": pa.array(value),
            "qualifier": _take(["exact"], np.zeros(n, np.int64)),
            "value_text": pa.concat_arrays([rows["ratio_word"], rows["sum_value"]]),
            "quote": quote,
            "quote_start": pa.array(start),
            "quote_end": pa.array(start + _lengths(quote)),
            "note": pa.nulls(n, pa.string()),
        }
    )


def _figure_ids(plan: _Plan, index: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return _cat(
        f"syn{plan.seed}-f",
        pc.utf8_lpad(pc.cast(pa.array(index), pa.string()), width=8, padding="0"),
    )


def _subject_ids(plan: _Plan, index: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = _take(["-campaign-", "-incident-"], (~plan.subject_is_campaign[index]).astype(np.int64))
    place = pc.utf8_lower(_take(plan.places, plan.subject_place[index]))
    return _cat(f"syn{plan.seed}-", place, kind, pc.cast(pa.array(index), pa.string()))


def _entities_table(plan: _Plan) -> pa.Table:
    import pyarrow as pa

    return pa.table(
        {
            "entity_id": pa.array(plan.entity_ids, pa.string()),
            "name": pa.array(plan.entity_names, pa.string()),
            "kind": pa.array(plan.entity_kinds, pa.string()),
            "aliases": pa.array([[] for _ in plan.entity_ids], pa.list_(pa.string())),
        }
    )


def _subjects_table(plan: _Plan) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    index = np.arange(len(plan.subject_place))
    place = _take(plan.places, plan.subject_place)
    campaign = pa.array(plan.subject_is_campaign)
    description = pc.if_else(
        campaign, _cat("Civilian toll of the war in ", place), _cat("Air strike on ", place)
    )
    end = plan.subject_end
    parent = plan.subject_parent
    return pa.table(
        {
            "subject_id": _subject_ids(plan, index),
            "description": description,
            "place": place,
            "period_start": _dates(plan.subject_start),
            "period_end": pc.if_else(
                pa.array(end >= 0), _dates(np.maximum(end, 0)), pa.nulls(len(index), pa.date32())
            ),
            "parent_subject_id": pc.if_else(
                pa.array(parent >= 0),
                _subject_ids(plan, np.maximum(parent, 0)),
                pa.nulls(len(index), pa.string()),
            ),
        }
    )


# Flat per-language tables for the vectorised builder, in code order.
QUALIFIER_WORDS_TABLE = {
    c: [QUALIFIER_WORDS[c][q] for q in GENERATED_QUALIFIERS] for c in LANGUAGES
}
LEAD_TABLE = {c: [LEADS[c][(bool(k & 1), bool(k & 2))] for k in range(4)] for c in LANGUAGES}
METRIC_TABLE = {c: [metric_phrase(m, c) for m in METRICS] for c in LANGUAGES}
FACTOR_TABLE = {c: list(FACTOR_WORDS[c]) for c in LANGUAGES}
WEEKDAY_TABLE = {c: list(WEEKDAY_NAMES[c]) for c in LANGUAGES}
MONTH_TABLE = {c: list(MONTH_NAMES[c]) for c in LANGUAGES}


# --- the entry point ---------------------------------------------------------------------------


def generate_warehouse(
    root: Path,
    n_figures: int,
    seed: int = 0,
    batch_size: int = 250_000,
    holdout: int = 0,
    holdout_path: Path | None = None,
) -> dict[str, Any]:
    """Create a warehouse in ``root`` holding about ``n_figures`` valid synthetic figures.

    Batches hold about ``batch_size`` figures each. With ``holdout``, that many further figures
    are stated in the documents but not written: they go to ``holdout_path`` (Parquet, without
    figure_id so that an append derives it), ready for ``provenance append``.
    Returns counts and timings.
    """
    import pyarrow.parquet as pq

    started = time.perf_counter()
    if holdout and holdout_path is None:
        raise ValueError("holdout needs a holdout_path to write the held-out figures to")
    warehouse = Warehouse.init(root)
    plan = _plan(n_figures, seed, holdout)
    planned = time.perf_counter()

    n_docs = len(plan.doc_published)
    figures_by_doc = np.argsort(plan.fig_doc, kind="stable")
    fig_doc_sorted = plan.fig_doc[figures_by_doc]
    groups_by_doc = np.argsort(plan.group_doc, kind="stable")
    group_doc_sorted = plan.group_doc[groups_by_doc]
    per_doc = np.bincount(plan.fig_doc, minlength=n_docs)
    cut_points = (
        np.searchsorted(np.cumsum(per_doc), np.arange(batch_size, plan.n_figures, batch_size)) + 1
    )
    bounds = [0, *sorted(set(int(c) for c in cut_points if 0 < c < n_docs)), n_docs]

    counts = {name: 0 for name in ("documents", "entities", "subjects", "figures", "relations")}
    batch_ids = []
    holdout_writer = None
    try:
        for number, (first, stop) in enumerate(itertools.pairwise(bounds)):
            docs = np.arange(first, stop)
            lo, hi = np.searchsorted(fig_doc_sorted, [first, stop])
            glo, ghi = np.searchsorted(group_doc_sorted, [first, stop])
            tables = _build_batch(
                plan, docs, np.sort(figures_by_doc[lo:hi]), np.sort(groups_by_doc[glo:ghi])
            )
            held = tables.pop("holdout", None)
            if held is not None:
                assert holdout_path is not None
                if holdout_writer is None:
                    holdout_writer = pq.ParquetWriter(holdout_path, held.schema, compression="zstd")
                holdout_writer.write_table(held)
            if number == 0:
                tables = {
                    "entities": _entities_table(plan),
                    "subjects": _subjects_table(plan),
                    **tables,
                }
            for name, table in tables.items():
                counts[name] += table.num_rows
            # Valid by construction: written without the row-by-row contract, checked by validate.
            batch_ids.append(warehouse.write_batch(tables, label=f"synthetic-{seed}-{number}"))
    finally:
        if holdout_writer is not None:
            holdout_writer.close()
    return {
        "root": str(warehouse.root),
        "seed": seed,
        "batches": batch_ids,
        "rows": counts,
        "holdout": holdout,
        "seconds": {"plan": planned - started, "total": time.perf_counter() - started},
    }


# --- injected violations -----------------------------------------------------------------------

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
            # series fall, so only the intended rule sees the copy.
            metrics = ", ".join(f"'{m}'" for m in _REVISED_METRICS)
            row = _pick(
                connection,
                "(SELECT *, row_number() OVER (PARTITION BY subject_id, metric, claimant_id ORDER BY stated_on DESC, recorded_at DESC) AS recency FROM current_figures)",
                f"recency = 1 AND supersedes IS NULL AND metric IN ({metrics}) AND value_low >= 20 AND qualifier = 'exact'",
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
        row["figure_id"] = f"injected-{kind.replace('_', '-')}-{seed}"
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
        "document_id": hashlib.sha256(text.encode("utf-8")).hexdigest(),
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


__all__ = [
    "GENERATED_QUALIFIERS",
    "INJECTION_KINDS",
    "LANGUAGES",
    "count_text",
    "generate_warehouse",
    "inject_violation",
    "metric_phrase",
    "published_sentence",
    "ratio_sentence",
    "statement",
    "value_text",
]
