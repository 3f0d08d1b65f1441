"""`provenance export`: figures with their provenance, in the formats desks publish."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.core.errors import ConfigError
from provenance.publish.export import FIGURE_PROVENANCE, export
from tests.conftest import SHARED


def _read(path: Path, reader: str) -> list[tuple]:
    return duckdb.sql(
        f"select figure_id, claimant_name, speaker_name, quote from {reader}('{path}') order by 1"
    ).fetchall()


@pytest.mark.parametrize(
    ("format", "reader"),
    [("csv", "read_csv"), ("parquet", "read_parquet"), ("jsonl", "read_json")],
)
def test_tabular_exports_join_names_and_quotes(
    bundled: Warehouse, tmp_path: Path, format: str, reader: str
) -> None:
    """Each figure comes out once, with claimant and speaker names and its verbatim quote."""
    path = tmp_path / f"figures.{format}"
    assert export(bundled, format, path) == 7
    found = {row[0]: row for row in _read(path, reader)}
    assert len(found) == 7
    _, claimant, speaker, quote = found["zakharova-airwars-3100"]
    assert (claimant, speaker) == ("Airwars", "Maria Zakharova")
    assert quote.startswith("le groupe d’observation britannique Airwars")


def test_where_narrows_and_bad_where_writes_nothing(bundled: Warehouse, tmp_path: Path) -> None:
    """--where is one condition on the joined columns; anything else is refused, exit 2."""
    path = tmp_path / "mosul.csv"
    assert export(bundled, "csv", path, where="subject_id = 'mosul-residential-strike'") == 4
    for bad in ("no_such_column = 1", "true; drop view figures"):
        target = tmp_path / "bad.csv"
        with pytest.raises(ConfigError) as caught:
            export(bundled, "csv", target, where=bad)
        assert caught.value.problems[0].code == "bad-query"
        assert not target.exists()
    argv = ["--root", str(bundled.root), "export", "-f", "csv", "-o", str(tmp_path / "x.csv")]
    assert main([*argv, "--where", "nope"]) == 2


def test_claimreview_carries_claim_author_appearance_and_verdict(
    bundled: Warehouse, tmp_path: Path
) -> None:
    """One ClaimReview per figure and stated relation; ratings follow the rules' verdicts."""
    path = tmp_path / "reviews.jsonld"
    export(bundled, "claimreview", path, reviewer="Example Desk")
    reviews = {r["identifier"]: r for r in json.loads(path.read_text(encoding="utf-8"))}
    assert len(reviews) == 8  # 7 figures and the ratio
    assert all(
        r["@type"] == "ClaimReview" and r["@context"] == "https://schema.org"
        for r in reviews.values()
    )
    ratio = reviews["zakharova-airwars-eight-times-washington"]
    assert ratio["claimReviewed"].startswith("Ce nombre est multiplié par huit")
    assert ratio["itemReviewed"]["author"]["name"] == "Ministère russe des Affaires étrangères"
    assert ratio["itemReviewed"]["appearance"]["author"]["name"] == "Maria Zakharova"
    assert ratio["reviewRating"]["ratingValue"] == 3
    assert "8.81" in ratio["reviewRating"]["ratingExplanation"]
    # claimant-gap warns on the 3 100 against the 352: flagged, not failed
    gap = reviews["zakharova-airwars-3100"]["reviewRating"]
    assert gap["ratingValue"] == 2 and "claimant-gap" in gap["ratingExplanation"]
    assert reviews["zakharova-mayadin-35"]["reviewRating"]["ratingValue"] == 3
    assert reviews["zakharova-mayadin-35"]["author"]["name"] == "Example Desk"


def test_claimreview_marks_a_failing_figure(market: Warehouse, tmp_path: Path) -> None:
    """The ministry's unexplained fall fails a rule: the worst rating, with the rule's words."""
    path = tmp_path / "reviews.jsonld"
    export(market, "claimreview", path)
    reviews = {r["identifier"]: r for r in json.loads(path.read_text(encoding="utf-8"))}
    rating = reviews["market-ministry-0317"]["reviewRating"]
    assert rating["ratingValue"] == 1
    assert "revision-lower-bound-falls (fail)" in rating["ratingExplanation"]


def test_prov_json_reads_back_with_the_prov_package(bundled: Warehouse, tmp_path: Path) -> None:
    """The W3C PROV-JSON export parses with `prov` and says who claimed and who relayed."""
    prov_model = pytest.importorskip("prov.model")
    path = tmp_path / "figures.prov.json"
    export(bundled, "prov-json", path)
    document = prov_model.ProvDocument.deserialize(str(path), format="json")
    provn = document.get_provn()
    assert (
        "wasAttributedTo(fig:zakharova-airwars-3100, agent:airwars, [prov:role='pf:claimant'])"
        in provn
    )
    assert (
        "wasAttributedTo(fig:zakharova-airwars-3100, agent:maria-zakharova, [prov:role='pf:speaker'])"
        in provn
    )
    assert (
        "wasDerivedFrom(rel:zakharova-airwars-eight-times-washington, fig:zakharova-washington-352"
        in provn
    )
    kinds = {type(r).__name__ for r in document.get_records()}
    assert {"ProvEntity", "ProvAgent", "ProvActivity", "ProvGeneration", "ProvDerivation"} <= kinds
    figures = [
        r
        for r in document.get_records()
        if r.identifier is not None
        and r.identifier.uri.startswith("urn:provenance-figures:figure:")
    ]
    assert len(figures) == 7


@pytest.mark.skipif(not (SHARED / "data" / "airwars").is_dir(), reason="needs ../shared")
def test_export_of_an_airwars_import(empty: Warehouse, tmp_path: Path) -> None:
    """Real data: every figure of an Airwars import exports with Airwars as its claimant."""
    from provenance.importers.airwars import import_airwars

    source = tmp_path / "airwars-40.csv"
    lines = (SHARED / "data" / "airwars" / "incidents-dev.csv").read_text(encoding="utf-8")
    # the first 40 incidents are enough and keep the test fast (narratives are multi-line CSV)
    rows = list(csv.reader(io.StringIO(lines)))
    with source.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows[:41])
    import_airwars(empty, source, extract_narratives=False)
    path = tmp_path / "airwars.parquet"
    count = export(empty, "parquet", path)
    assert count > 0
    claimants = duckdb.sql(f"select distinct claimant_name from read_parquet('{path}')").fetchall()
    assert claimants == [("Airwars",)]
    _, expected = empty.query(f"select count(*) from ({FIGURE_PROVENANCE})")
    assert expected[0][0] == count
