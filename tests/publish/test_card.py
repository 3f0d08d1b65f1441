"""`provenance show`: one card says where a number comes from and who else said what."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import Warehouse
from provenance.cli import main
from provenance.core.errors import ConfigError
from provenance.publish.card import show
from provenance.publish.card_text import MARK_CLOSE, MARK_OPEN, render_card
from provenance.publish.records import around, paragraph
from tests.conftest import ARTICLE_ID


def test_figure_card_traces_the_number_to_its_quote_and_people(bundled: Warehouse) -> None:
    """The 3 100 names Airwars as claimant, Zakharova as speaker, and sits in its paragraph."""
    card = show(bundled, "zakharova-airwars-3100")
    assert card["kind"] == "figure"
    assert card["claimant"]["name"] == "Airwars"
    assert card["speaker"]["name"] == "Maria Zakharova"
    assert card["value"] == {
        "interval": "[3100, ∞)",
        "low": 3100,
        "high": None,
        "qualifier": "at_least",
        "wording": "au moins 3 100",
    }
    quote = card["quote"]
    assert quote["paragraph"][quote["paragraph_start"] : quote["paragraph_end"]] == quote["text"]
    assert "Washington évoque un bilan de 352" in quote["paragraph"]  # the context around it
    assert card["document"]["document_id"] == ARTICLE_ID
    assert card["batch"]["input_file"].endswith("figures.csv")


def test_figure_card_shows_relations_and_everyone_elses_figures(bundled: Warehouse) -> None:
    """The ratio that uses the 3 100, and Washington's 352 for the same subject and metric."""
    card = show(bundled, "zakharova-washington-352")
    (relation,) = card["relations"]
    assert relation["relation_id"] == "zakharova-airwars-eight-times-washington"
    assert relation["value"]["wording"] == "huit"
    others = {r["figure_id"]: r for r in card["revisions"]}
    assert set(others) == {"zakharova-washington-352", "zakharova-airwars-3100"}
    assert others["zakharova-washington-352"]["this"] is True
    assert others["zakharova-airwars-3100"]["claimant"]["name"] == "Airwars"


def test_every_bundled_figure_card_marks_its_quote(bundled: Warehouse) -> None:
    """For each figure, the printed card holds ⟦quote⟧ inside its paragraph."""
    _, figure_ids = bundled.query("select figure_id, quote from figures")
    for figure_id, quote in figure_ids:
        text = render_card(show(bundled, figure_id))
        assert f"{MARK_OPEN}{quote}{MARK_CLOSE}" in text, figure_id


def test_relation_subject_entity_and_document_cards(bundled: Warehouse) -> None:
    """Every kind of id has a card, and a document is found by a prefix of its sha256."""
    relation = show(bundled, "zakharova-airwars-eight-times-washington")
    assert relation["figure"]["figure_id"] == "zakharova-airwars-3100"
    assert [f["figure_id"] for f in relation["references"]] == ["zakharova-washington-352"]
    subject = show(bundled, "mosul-residential-strike")
    assert {f["claimant"]["entity_id"] for f in subject["figures"]} == {
        "us-pentagon",
        "mosul-local-officials-witnesses",
        "russia-mfa",
    }
    entity = show(bundled, "maria-zakharova")
    assert len(entity["relayed"]) == 5 and entity["claimed"] == []
    document = show(bundled, ARTICLE_ID[:10])
    assert document["id"] == ARTICLE_ID and len(document["figures"]) == 7
    assert "1 relation:" in render_card(document)  # singular when there is one


def test_unknown_id_is_a_usage_error(bundled: Warehouse) -> None:
    """A mistyped id says so in one line and exits 2."""
    with pytest.raises(ConfigError) as caught:
        show(bundled, "no-such-figure")
    assert caught.value.problems[0].code == "unknown-id"
    assert main(["--root", str(bundled.root), "show", "no-such-figure"]) == 2


def test_cli_json_is_the_api_card(bundled: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    """`show --format json` prints exactly what the API returns."""
    args = ["--root", str(bundled.root), "show", "article-local-mosul-240", "--format", "json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == show(bundled, "article-local-mosul-240")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab \n", max_size=12), min_size=1, max_size=6).map("\n".join),
    st.data(),
)
def test_paragraph_holds_the_span_and_no_line_break(text: str, data: st.DataObject) -> None:
    """The paragraph around any span within one line contains exactly that span."""
    start = data.draw(st.integers(0, len(text)))
    line_end = text.find("\n", start)
    end = data.draw(st.integers(start, len(text) if line_end == -1 else line_end))
    para, s, e = paragraph(text, start, end)
    assert para[s:e] == text[start:end]
    assert "\n" not in para


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab ", max_size=80), st.data(), st.integers(0, 20))
def test_context_around_a_quote_is_bounded_and_keeps_the_quote(
    text: str, data: st.DataObject, limit: int
) -> None:
    """However long the paragraph, the quote is whole and each side is at most limit + 1."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    before, quoted, after = around(text, start, end, limit)
    assert quoted == text[start:end]
    assert len(before) <= limit + 1 and len(after) <= limit + 1
    assert before.lstrip("…") == text[:start][len(text[:start]) - len(before.lstrip("…")) :]
