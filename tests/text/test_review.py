"""Review files: candidate rows for a person to edit, then append (provenance.text.review)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from provenance.text.review import review_records, write_review

PUBLISHED = dt.date(2017, 5, 28)


def test_review_file_round_trips(tmp_path: Path) -> None:
    """write_review gives one JSON record per row; figures carry ISO dates and their source."""
    source = tmp_path / "a.txt"
    source.write_text(
        "« Washington évoque un bilan de 352 victimes civiles », a indiqué Maria Zakharova.",
        encoding="utf-8",
    )
    records = review_records(
        [str(source)], language="fr", published_on=PUBLISHED, outlet="Agence Kestrel"
    )
    stream = io.StringIO()
    write_review(records, stream)
    read_back = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    assert [r["table"] for r in read_back] == [
        "documents",
        "subjects",
        "entities",
        "entities",
        "figures",
    ]
    (figure,) = [r for r in read_back if r["table"] == "figures"]
    assert figure["stated_on"] == "2017-05-28" and figure["source_file"] == str(source)
    assert (figure["claimant_id"], figure["speaker_id"]) == ("washington", "maria-zakharova")
    assert (figure["value_low"], figure["qualifier"]) == (352, "exact")


def test_unattributed_figure_is_the_outlets_claim(tmp_path: Path) -> None:
    """A sentence that names no source is the outlet's own claim, with no speaker."""
    source = tmp_path / "b.txt"
    source.write_text("Au moins 12 civils ont été tués à Raqqa.", encoding="utf-8")
    records = review_records(
        [str(source)], language="fr", published_on=PUBLISHED, outlet="Agence Kestrel"
    )
    (figure,) = [r for r in records if r["table"] == "figures"]
    assert (figure["claimant_id"], figure["speaker_id"]) == ("agence-kestrel", None)
