"""The bundled warehouse encodes every figure of the founding article, claimant and speaker apart."""

from __future__ import annotations

import pytest

from provenance import Warehouse

# (claimant, speaker, subject, metric, qualifier, low, high, value_text) per the article.
EXPECTED = {
    ("washington", "maria-zakharova", "coalition-strikes-iraq-syria", "civilians_killed", "exact", 352, 352, "352"),
    ("airwars", "maria-zakharova", "coalition-strikes-iraq-syria", "civilians_killed", "at_least", 3100, None, "au moins 3 100"),
    ("us-pentagon", "maria-zakharova", "mosul-residential-strike", "civilians_killed", "approximately", 80, 120, "une centaine"),
    ("us-pentagon", None, "mosul-residential-strike", "civilians_killed", "approximately", 80, 120, "une centaine"),
    ("mosul-local-officials-witnesses", None, "mosul-residential-strike", "civilians_killed", "more_than", 241, None, "plus de 240"),
    ("russia-mfa", "maria-zakharova", "mosul-residential-strike", "civilians_injured", "more_than", 201, None, "plus de 200"),
    ("russia-mfa", "maria-zakharova", "mayadin-strike", "civilians_killed", "more_than", 36, None, "plus de 35"),
}  # fmt: skip


def test_every_figure_of_the_article_is_there(bundled: Warehouse) -> None:
    """Seven figures, each with its claimant, speaker, subject, qualifier and interval."""
    _, rows = bundled.query(
        "select claimant_id, speaker_id, subject_id, metric, qualifier, value_low, value_high, value_text from figures"
    )
    assert {tuple(r) for r in rows} == EXPECTED


def test_eight_times_is_a_relation_between_airwars_and_washington(bundled: Warehouse) -> None:
    """ "multiplié par huit" is stored as a ratio of the Airwars figure to Washington's."""
    _, rows = bundled.query(
        """select r.kind, r.qualifier, r.value_low, f.claimant_id, ref.claimant_id, r.speaker_id
           from relations r join figures f using (figure_id) join figures ref on ref.figure_id = r.reference_ids[1]"""
    )
    assert rows == [("ratio", "exact", 8.0, "airwars", "washington", "maria-zakharova")]


def test_a_great_number_is_not_a_figure(bundled: Warehouse) -> None:
    """ "un grand nombre de civils" is rhetoric, not a figure."""
    _, rows = bundled.query("select count(*) from figures where quote ilike '%grand nombre%'")
    assert rows == [(0,)]


@pytest.mark.parametrize("table", ["entities", "subjects"])
def test_every_reference_has_its_row(bundled: Warehouse, table: str) -> None:
    """Entities and subjects exist for every figure."""
    key = {"entities": "entity_id", "subjects": "subject_id"}[table]
    column = {"entities": "claimant_id", "subjects": "subject_id"}[table]
    _, rows = bundled.query(
        f"select count(*) from figures where {column} not in (select {key} from {table})"
    )
    assert rows == [(0,)]
