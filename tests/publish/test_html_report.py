"""`validate --html`: one self-contained page per run, checked in a real browser."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.publish.html_report import render_html_report
from provenance.validation.orchestrator import validate
from tests.conftest import build_market


@pytest.fixture(scope="module")
def market_with_gx(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The desk fixture with its GX suites: every layer of a run, GX's start-up paid once."""
    return build_market(tmp_path_factory.mktemp("html") / "market", with_gx=True)


@pytest.fixture(scope="module")
def page(market_with_gx: Warehouse) -> str:
    return render_html_report(market_with_gx, validate(market_with_gx))


def test_every_layer_is_on_the_page(page: str) -> None:
    """Verdict, built-ins, rules with measurements, quotes in context, charts and GX results."""
    assert "validation FAILED" in page
    for heading in ("Built-in checks", "Consistency rules", "Great Expectations", "Flagged series"):
        assert heading in page
    assert (
        "<mark>The health ministry now counts 350 killed</mark>, after removing duplicate records."
        in page
    )
    assert page.count("<svg") == 1  # one flagged series: the ministry's killed
    assert "gx-figures-expect_column_value_lengths_to_be_between-quote" in page


def test_the_page_is_self_contained(page: str) -> None:
    """No script, stylesheet, image or font is fetched: the file works offline as it is."""
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page
    assert not re.search(r"""url\(\s*["']?(?!#)""", page)  # only the SVG's own #clip paths


def test_relations_show_their_intervals(bundled: Warehouse) -> None:
    """On the bundled article, the ratio's figures and what relation-ratio measured."""
    page = render_html_report(bundled, validate(bundled, only=["relation-*", "claimant-gap"]))
    assert "[3100, ∞) «au moins 3 100»" in page
    assert "3100/352 ≥ 8.81" in page


def test_cli_writes_the_report_even_when_validation_fails(
    market: Warehouse, tmp_path: Path
) -> None:
    """Exit 1 for the failing rule, and the page is written all the same."""
    target = tmp_path / "reports" / "run.html"
    assert main(["--root", str(market.root), "validate", "--html", str(target)]) == 1
    assert "revision-lower-bound-falls" in target.read_text(encoding="utf-8")


BROWSER = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed")
def test_headless_chromium_renders_the_report(page: str, tmp_path: Path) -> None:
    """Chromium draws the page (text and chart) with networking off; the screenshot has content."""
    from PIL import Image

    page_file = tmp_path / "report.html"
    page_file.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1280,2400",
        ]
        subprocess.run(
            [BROWSER, *flags, f"--screenshot={shot}", page_file.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )
        dom = subprocess.run(
            [BROWSER, *flags, "--dump-dom", page_file.as_uri()],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    assert "revision-lower-bound-falls" in dom and "<svg" in dom
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # text, tables, the verdict banner: not a blank page


def test_without_matplotlib_the_page_says_how_to_get_charts(
    market: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart extra is optional: the report is still written, naming what to install."""
    from provenance.publish import html_report
    from provenance.publish.chart import INSTALL_HINT

    monkeypatch.setattr(html_report, "has_matplotlib", lambda: False)
    page = render_html_report(market, validate(market))
    assert "<svg" not in page and html.escape(INSTALL_HINT) in page


def test_long_lists_are_cut_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page stays readable at scale: each list shows its first rows and counts the rest."""
    from provenance.publish import html_report
    from provenance.testing.synthetic import generate_warehouse

    generate_warehouse(tmp_path / "w", n_figures=2000, seed=7, batch_size=700)
    warehouse = Warehouse(tmp_path / "w")
    report = validate(
        warehouse, only=["claimant-gap", "revision-lower-bound-falls", "relation-ratio"]
    )
    gap = next(r for r in report.results if r.name == "claimant-gap")
    falls = next(r for r in report.results if r.name == "revision-lower-bound-falls")
    with warehouse.connect() as connection:
        relations = connection.execute("select count(*) from relations").fetchone()[0]
    assert gap.failure_count > 3 and len(falls.observations) > 3 and relations > 2
    monkeypatch.setattr(html_report, "ROWS_SHOWN", 3)
    monkeypatch.setattr(html_report, "RELATIONS_SHOWN", 2)
    monkeypatch.setattr(html_report, "CHARTS_SHOWN", 1)
    page = render_html_report(warehouse, report)

    gap_section = page.split('id="check-claimant-gap"')[1].split("<h3")[0]
    assert gap_section.count("<li>") == 3
    assert f"… {gap.failure_count - 3} more rows (first 3 shown)" in gap_section
    falls_section = page.split('id="check-revision-lower-bound-falls"')[1].split("<h3")[0]
    assert f"… {len(falls.observations) - 3} more measured values" in falls_section
    relations_section = page.split("<h2>Stated relations</h2>")[1].split("<h2>")[0]
    assert relations_section.count("<tr>") == 1 + 2  # the header row and two relations
    assert f"… {relations - 2} more stated relations (first 2 shown)" in relations_section
    assert page.count("<figure>") == 1 and "more flagged series (first 1 shown)" in page
    assert render_html_report(warehouse, report) == page
