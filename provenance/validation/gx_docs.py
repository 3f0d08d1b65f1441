"""Great Expectations Data Docs for a validation run, made readable offline.

The pages are post-processed: CDN stylesheets, scripts and images removed, a small local
stylesheet added. great_expectations is imported inside functions only.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.validation.gx_suites import COLUMN_ARGUMENTS, expectation_arguments
from provenance.validation.report import RuleResult

if TYPE_CHECKING:
    from provenance.validation.gx import SuiteFile


DATA_DOCS_SITE = "provenance"
# Unexpected-value lists kept in the Data Docs copy of a result: the report has every row.
_MAX_VALUES_IN_DOCS = 20


def write_data_docs(
    context: Any, validations: list[tuple[SuiteFile, Any, list[RuleResult]]], target: Path
) -> Path:
    """Build GX Data Docs for these results into ``target`` and make them readable offline."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_id = RunIdentifier(run_name="provenance-validate")
    with tempfile.TemporaryDirectory(prefix="provenance-docs-") as scratch:
        site = Path(scratch) / "site"
        # Only our site: the ephemeral context's default one points at a temp folder of its own.
        for existing in list(context.variables.data_docs_sites or {}):
            context.delete_data_docs_site(existing)
        context.add_data_docs_site(
            DATA_DOCS_SITE,
            {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        for suite_file, validation, rules in validations:
            _prepare_for_docs(validation, rules)
            validation.meta["run_id"] = run_id
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_file.suite.name),
                run_id=run_id,
                batch_identifier=validation.meta.get("active_batch_definition", {}).get(
                    "data_asset_name", "warehouse"
                ),
            )
            context.validation_results_store.set(key, validation)
        context.build_data_docs(site_names=[DATA_DOCS_SITE])
        make_offline(site)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(site, target, dirs_exist_ok=True)
    return target / "index.html"


def _prepare_for_docs(validation: Any, rules: list[RuleResult]) -> None:
    for result, rule in zip(validation.results, rules, strict=True):
        # GX renders an expectation as prose without a name (and ignores notes on result
        # pages): show the rule name the report uses, so a reader can find one from the other.
        config = result.expectation_config
        arguments = expectation_arguments(config, skip=COLUMN_ARGUMENTS)
        text = f"{rule.name} [{rule.severity}]" + (f": {arguments}" if arguments else "")
        config.description = text.replace("$", "$$")  # GX templates expand $name
        # The report already has every failing row; a page listing a million values helps nobody.
        details = result.result or {}
        for field in ("unexpected_list", "unexpected_index_list", "partial_unexpected_index_list"):
            if isinstance(details.get(field), list):
                details[field] = details[field][:_MAX_VALUES_IN_DOCS]
        details.pop("unexpected_index_query", None)


OFFLINE_CSS = """\
/* Written by provenance: GX Data Docs without their CDN stylesheets and scripts. */
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
a { color: #0b5cad; }
.modal, .d-none, .navbar-toggler, .sr-only, .ge-walkthrough-modal, .btn { display: none !important; }
.text-danger, .fa-times::before { color: #b00020; }
.text-success, .fa-check-circle::before { color: #1b7f3b; }
.fa-check-circle::before { content: "✔ "; }
.fa-times::before { content: "✘ "; }
.card, .ge-section { margin-bottom: 1.5rem; }
"""
OFFLINE_CSS_PATH = "static/styles/provenance_offline.css"

_REMOTE = r"""["']https?://[^"']*["']"""
_REMOTE_LINK = re.compile(rf"<link\b[^>]*\bhref\s*=\s*{_REMOTE}[^>]*>", re.IGNORECASE)
_REMOTE_SCRIPT = re.compile(
    rf"<script\b[^>]*\bsrc\s*=\s*{_REMOTE}[^>]*>\s*</script>", re.IGNORECASE
)
# GX's inline scripts all drive jQuery/Bootstrap, which come from CDNs: without them they fail.
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
_REMOTE_IMAGE = re.compile(rf"<img\b[^>]*\bsrc\s*=\s*{_REMOTE}[^>]*>", re.IGNORECASE)
_REMOTE_CSS_URL = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.IGNORECASE)


def make_offline(site: Path) -> None:
    """Strip every CDN stylesheet, script and image from the site; add a local stylesheet.

    GX's index fills its table from an inline script, which this removes, and its pages link
    suite pages it never writes: the index becomes a plain list of the validation pages, links
    to pages that do not exist become text, and the unused assets (4 MB of fonts and images)
    are not kept.
    """
    shutil.rmtree(site / "static", ignore_errors=True)
    write_index(site)
    css = site / OFFLINE_CSS_PATH
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(OFFLINE_CSS, encoding="utf-8")
    for path in site.rglob("*.css"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_REMOTE_CSS_URL.sub("none", text), encoding="utf-8")
    for path in site.rglob("*.html"):
        depth = len(path.relative_to(site).parts) - 1
        link = f'<link rel="stylesheet" href="{"../" * depth}{OFFLINE_CSS_PATH}">'
        html = offline_html(path.read_text(encoding="utf-8"), link)
        path.write_text(unlink_missing(html, path.parent), encoding="utf-8")


def offline_html(html: str, stylesheet_link: str) -> str:
    for pattern in (_REMOTE_LINK, _REMOTE_SCRIPT, _INLINE_SCRIPT, _REMOTE_IMAGE):
        html = pattern.sub("", html)
    html = _REMOTE_CSS_URL.sub("none", html)
    return html.replace("</head>", f"  {stylesheet_link}\n</head>", 1)


_LOCAL_LINK = re.compile(r'<a\b[^>]*\bhref="(?!https?:|#)([^"#]*)[^"]*"[^>]*>(.*?)</a>', re.S)
_LOCAL_HEAD_LINK = re.compile(r'<link\b[^>]*\bhref="(?!https?:)([^"]*)"[^>]*>')


def unlink_missing(html: str, folder: Path) -> str:
    """Links to pages or files that were not written become plain text (or go, in <head>)."""
    html = _LOCAL_LINK.sub(
        lambda m: m.group(0) if (folder / m.group(1)).exists() else m.group(2), html
    )
    return _LOCAL_HEAD_LINK.sub(
        lambda m: m.group(0) if (folder / m.group(1)).exists() else "", html
    )


def write_index(site: Path) -> None:
    """index.html: one link per validation page, by table."""
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "validations").rglob("*.html"))
    items = "".join(
        f'<li><a href="{page}">{page.split("/")[1]}</a> — {page}</li>' for page in pages
    )
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data Docs</title>'
        "</head><body><h1>Great Expectations validation results</h1>"
        f"<ul>{items}</ul></body></html>\n",
        encoding="utf-8",
    )
