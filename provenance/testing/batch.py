"""One batch of a synthetic warehouse: the plan's numbers turned into Arrow tables.

Text is assembled with Arrow string kernels, never row by row, so a million figures take
seconds; quotes are anchored by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from provenance.core.enums import LANGUAGES
from provenance.core.ids import document_id
from provenance.core.schema import METRICS
from provenance.testing.plan import Plan, bounds
from provenance.testing.wording import (
    FACTOR_TABLE,
    GENERATED_QUALIFIERS,
    GROUP_SEPARATOR,
    LEAD_TABLE,
    LEADS,
    METRIC_TABLE,
    MONTH_TABLE,
    OUTLETS,
    PART_NOUNS,
    PLACE_PREPOSITION,
    PUBLISHED_SENTENCE,
    QUALIFIER_WORDS_TABLE,
    RANGE_JOIN,
    RATIO_SENTENCE,
    SUM_SENTENCE,
    WEEKDAY_TABLE,
)

if TYPE_CHECKING:
    import pyarrow as pa


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


def build_batch(
    plan: Plan, docs: np.ndarray, figures: np.ndarray, groups: np.ndarray
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
    doc_ids = [document_id(t) for t in doc_text.to_pylist()]
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
    low, high = bounds(qualifier, plan.fig_value[figures], plan.fig_high_value[figures], lang)
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
    plan: Plan, rows: dict[str, Any], unit_start: np.ndarray, doc_ids: pa.Array, docs: np.ndarray
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


def _figure_ids(plan: Plan, index: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return _cat(
        f"syn{plan.seed}-f",
        pc.utf8_lpad(pc.cast(pa.array(index), pa.string()), width=8, padding="0"),
    )


def _subject_ids(plan: Plan, index: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = _take(["-campaign-", "-incident-"], (~plan.subject_is_campaign[index]).astype(np.int64))
    place = pc.utf8_lower(_take(plan.places, plan.subject_place[index]))
    return _cat(f"syn{plan.seed}-", place, kind, pc.cast(pa.array(index), pa.string()))


def entities_table(plan: Plan) -> pa.Table:
    import pyarrow as pa

    return pa.table(
        {
            "entity_id": pa.array(plan.entity_ids, pa.string()),
            "name": pa.array(plan.entity_names, pa.string()),
            "kind": pa.array(plan.entity_kinds, pa.string()),
            "aliases": pa.array([[] for _ in plan.entity_ids], pa.list_(pa.string())),
        }
    )


def subjects_table(plan: Plan) -> pa.Table:
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
