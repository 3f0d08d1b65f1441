"""Data Docs that hold together offline: an index that lists the pages, links that lead somewhere.

GX's index fills its table from an inline script, which the offline rewrite removes, and its
pages link suite pages it never writes; its 4 MB of fonts and images are used by nothing left.
:func:`write_index` writes a plain list of the validation pages; :func:`unlink_missing` turns
links to pages that do not exist into text. The static assets are dropped by the caller.
"""

from __future__ import annotations

import re
from pathlib import Path

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
