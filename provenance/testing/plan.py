"""The plan of a synthetic warehouse: numbers only, as numpy arrays.

Invented names, documents, claimants, subjects, revision series, relations and sums: every
choice is made here, vectorised, before any text is written (see batch.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

import numpy as np

from provenance.core.enums import LANGUAGES
from provenance.core.intervals import band_for
from provenance.core.schema import METRICS
from provenance.testing.wording import GENERATED_QUALIFIERS, QUALIFIER_WORDS, SUM_METRICS

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
REVISED_METRICS = ("civilians_killed", "civilians_injured", "killed", "injured")
_MICROS_PER_DAY = 86_400_000_000


@dataclass
class Plan:
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


def make_plan(n_figures: int, seed: int, holdout: int) -> Plan:
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
    return Plan(
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
    low, _ = bounds(qualifier, value, np.zeros_like(value), np.zeros_like(value))
    return low.astype(np.int64)


def bounds(
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
