"""`provenance history`: each claimant's series, flagged revisions marked, and its chart."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.core.errors import ConfigError
from provenance.publish.chart import render_svg, write_chart
from provenance.publish.history import history, render_history

SUBJECT = "central-market-strike-2024-03-03"


def test_series_per_claimant_with_the_rules_flags(market: Warehouse) -> None:
    """The ministry's jump and unexplained fall are flagged by the rules that report them."""
    result = history(market, SUBJECT, "killed")
    by_claimant = {s.claimant_id: s for s in result.series}
    assert set(by_claimant) == {"health-ministry", "civil-defence"}
    ministry = by_claimant["health-ministry"]
    assert [p.figure_id for p in ministry.points] == [
        "market-ministry-0303",
        "market-ministry-0310",
        "market-ministry-0317",
    ]
    flags = {p.figure_id: [f.split(":")[0] for f in p.flags] for p in ministry.points}
    assert flags == {
        "market-ministry-0303": [],
        "market-ministry-0310": ["revision-jump"],
        "market-ministry-0317": ["revision-lower-bound-falls"],
    }
    assert [p.change_low for p in ministry.points] == [None, 290, -60]
    assert not by_claimant["civil-defence"].flagged


def test_text_table_and_json_agree(market: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    """The printed series names claimants and flags; --format json is History.to_dict()."""
    text = render_history(history(market, SUBJECT))
    assert "killed — Health ministry (health-ministry), 3 figures" in text
    assert "killed — Civil defence (civil-defence), 1 figure\n" in text
    assert "⚑ revision-lower-bound-falls" in text
    assert main(["--root", str(market.root), "history", SUBJECT, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == history(market, SUBJECT).to_dict()


def test_unknown_subject_or_metric_is_a_usage_error(market: Warehouse) -> None:
    """A subject without that metric lists the metrics it has."""
    with pytest.raises(ConfigError, match=r"its metrics: killed"):
        history(market, SUBJECT, "injured")
    assert main(["--root", str(market.root), "history", "nowhere"]) == 2


def test_chart_files_in_three_formats(market: Warehouse, tmp_path: Path) -> None:
    """PNG, SVG and HTML charts are written; the SVG marks both flagged revisions."""
    series = history(market, SUBJECT, "killed")
    png = write_chart(series, tmp_path / "c.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    svg = (write_chart(series, tmp_path / "c.svg")).read_text(encoding="utf-8")
    ET.fromstring(svg)  # well-formed
    assert "revision-jump" in svg and "revision-lower-bound-falls" in svg
    assert "Health ministry" in svg and "Civil defence" in svg
    page = write_chart(series, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<svg" in page and "market-ministry-0317" in page and "<script" not in page
    with pytest.raises(ConfigError, match=r"\.png, \.svg or \.html"):
        write_chart(series, tmp_path / "c.pdf")


def test_svg_is_deterministic(market: Warehouse) -> None:
    """The same series gives the same bytes: charts can be committed and diffed."""
    series = history(market, SUBJECT).series
    assert render_svg(series, "t") == render_svg(series, "t")


def test_cli_writes_the_chart(market: Warehouse, tmp_path: Path) -> None:
    """`history SUBJECT METRIC --chart FILE` exits 0 and writes the file."""
    chart = tmp_path / "out" / "market.svg"
    argv = ["--root", str(market.root), "history", SUBJECT, "killed", "--chart", str(chart)]
    assert main(argv) == 0
    assert chart.read_text(encoding="utf-8").startswith("<svg")


def test_chart_without_matplotlib_is_a_usage_error(
    market: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the chart extra, --chart says what to install and exits 2, writing nothing."""
    from provenance.publish import chart

    monkeypatch.setattr(chart, "has_matplotlib", lambda: False)
    target = tmp_path / "c.png"
    with pytest.raises(ConfigError, match=r"provenance-figures\[chart\]"):
        write_chart(history(market, SUBJECT), target)
    assert not target.exists()


def test_many_flags_are_named_once_in_the_legend() -> None:
    """A long series with many flagged revisions (as in the JHU data) names the rule once."""
    from datetime import date, timedelta

    from provenance.publish.chart import MAX_LABELS
    from provenance.publish.history import Point, Series

    points = [
        Point(f"f{i}", date(2022, 1, 1) + timedelta(days=i), 100 + i - 3 * (i % 2), 100 + i - 3 * (i % 2),
              "exact", None, None, None, None, ["revision-lower-bound-falls: falls"] if i % 2 else [])
        for i in range(4 * MAX_LABELS)
    ]  # fmt: skip
    svg = render_svg([Series("s", "deaths", "jhu", "JHU", points)], "s — deaths")
    assert svg.count("revision-lower-bound-falls") == 1
    assert "flagged revision: revision-lower-bound-falls" in svg


def test_flags_follow_the_warehouses_own_metric_vocabulary(market: Warehouse) -> None:
    """A warehouse whose metrics.yaml makes `killed` a period count gets no fall flag, as in validate."""
    vocabulary = market.expectations_dir / "metrics.yaml"
    source = (Path(__file__).resolve().parents[2] / "expectations" / "metrics.yaml").read_text(
        encoding="utf-8"
    )
    vocabulary.write_text(
        source.replace("killed: {counts: cumulative,", "killed: {counts: period,", 1),
        encoding="utf-8",
    )
    ministry = {s.claimant_id: s for s in history(market, SUBJECT, "killed").series}[
        "health-ministry"
    ]
    assert not any(
        f.startswith("revision-lower-bound-falls") for p in ministry.points for f in p.flags
    )


def test_revision_flags_leave_the_connection_as_they_found_it(market: Warehouse) -> None:
    """The revision rules' shared tables are dropped: a later query sees the data, not a copy."""
    from provenance.publish.history import revision_flags

    with market.connect() as connection:
        before = connection.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary")
        assert before.fetchone() == (0,)
        flags = revision_flags(market, connection)
        assert {f.split(":")[0] for fs in flags.values() for f in fs} == {
            "revision-jump",
            "revision-lower-bound-falls",
        }
        after = connection.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary")
        assert after.fetchone() == (0,)
