"""Data Docs post-processing: pages readable offline."""

from __future__ import annotations

from provenance.validation import gx_docs as es


def test_offline_html_strips_cdn_tags() -> None:
    """The post-processing removes CDN tags and inline scripts and links the local stylesheet."""
    html = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/b.css"/>'
        '<script src="https://cdn.example/j.js"></script><script>$(".x").modal();</script>'
        '<style>a{background:url("https://x/y.png")}</style></head>'
        '<body><img src="https://x/logo.png"><a href="https://greatexpectations.io">GX</a></body></html>'
    )
    out = es.offline_html(html, '<link rel="stylesheet" href="static/local.css">')
    assert (
        "cdn.example" not in out
        and "<script" not in out
        and "x/y.png" not in out
        and "<img" not in out
    )
    assert 'href="static/local.css"' in out and "https://greatexpectations.io" in out
