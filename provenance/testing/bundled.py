"""The bundled warehouse's founding article, as tests and benchmarks write figures of it.

The article (Maria Zakharova, 28 May 2017) is archived in ``warehouse/``; a figure quoting its
Mosul sentence anchors there, so a row built here appends to a copy of the bundled warehouse.
"""

from __future__ import annotations

from typing import Any

ARTICLE_ID = "262828e54b5e786d48e435767f767d44a767935a9cd34a819c315714039a62d7"
MOSUL_QUOTE = "Le Pentagone a reconnu le jeudi 25 mai la mort d’une centaine de civils irakiens"


def bundled_figure(figure_id: str, **overrides: Any) -> dict[str, Any]:
    """A figure of the bundled article, quoting its Mosul sentence unless told otherwise."""
    row: dict[str, Any] = {
        "figure_id": figure_id,
        "document_id": ARTICLE_ID,
        "subject_id": "mosul-residential-strike",
        "metric": "civilians_killed",
        "claimant_id": "us-pentagon",
        "stated_on": "2017-05-28",
        "value_low": 80,
        "value_high": 120,
        "qualifier": "approximately",
        "value_text": "une centaine",
        "quote": MOSUL_QUOTE,
    }
    row.update(overrides)
    return row
