"""Required means present and not blank; ids have a maximum length; odd but valid text passes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from provenance import Warehouse
from provenance.cli import main
from provenance.storage.contracts import MAX_KEY_LENGTH
from provenance.validation.orchestrator import validate
from tests.conftest import ARTICLE, ARTICLE_ID, tree_digest

BLANK_ROWS = {
    "documents.jsonl": ({"text": "", "language": "fr", "published_on": "2017-05-28"}, "text"),
    "entities.jsonl": ({"entity_id": "nobody", "name": "", "kind": "ngo"}, "name"),
    "subjects.jsonl": ({"subject_id": "nothing", "description": "  \u00a0"}, "description"),
    "entities.csv": ({"entity_id": "nobody", "name": " ", "kind": "ngo"}, "name"),
}


def write(path: Path, row: dict[str, str]) -> Path:
    if path.suffix == ".csv":
        path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(BLANK_ROWS))
def test_blank_required_text_is_missing(
    bundled: Warehouse, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    row, column = BLANK_ROWS[name]
    before = tree_digest(bundled.data_dir)
    assert main(["--root", str(bundled.root), "append", str(write(tmp_path / name, row))]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("missing-value: ") and f"column {column}" in line
    assert tree_digest(bundled.data_dir) == before


def test_validate_finds_blank_required_text_already_stored(bundled: Warehouse) -> None:
    """Rows written without the contract (write_batch) are still held to it by validate."""
    names = pa.table(
        {"entity_id": ["blank-name"], "name": ["   "], "kind": ["ngo"], "aliases": [None]},
        schema=pa.schema(
            [
                ("entity_id", pa.string()),
                ("name", pa.string()),
                ("kind", pa.string()),
                ("aliases", pa.list_(pa.string())),
            ]
        ),
    )
    bundled.write_batch({"entities": names}, label="blank")
    report = validate(bundled, only=["contract-entities"])
    (result,) = report.results
    assert [(f.record_id, f.message) for f in result.failures] == [
        ("blank-name", "name: missing-value")
    ]


def test_ids_longer_than_the_maximum_are_refused(
    bundled: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_id = "e" * (MAX_KEY_LENGTH + 1)
    path = write(tmp_path / "entities.jsonl", {"entity_id": long_id, "name": "E", "kind": "ngo"})
    assert main(["--root", str(bundled.root), "append", str(path)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("too-long: entities.jsonl line 1 column entity_id")
    assert long_id not in line  # long values are cut in error lines
    ok = write(tmp_path / "entities.jsonl", {"entity_id": long_id[1:], "name": "E", "kind": "ngo"})
    assert main(["--root", str(bundled.root), "append", str(ok)]) == 0


def test_jsonl_with_unicode_line_separators_inside_strings_is_valid(
    bundled: Warehouse, tmp_path: Path
) -> None:
    """Lines end at \\n only: U+2028 and U+0085 are ordinary characters of a JSON string."""
    path = tmp_path / "entities.jsonl"
    row = {"entity_id": "odd-spacing", "name": "A\u2028B\u0085C\u2029D", "kind": "media"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\r\n", encoding="utf-8")
    bundled.append(path)
    assert bundled.query("select name from entities where entity_id = 'odd-spacing'")[1] == [
        ("A\u2028B\u0085C\u2029D",)
    ]


def test_adding_an_archived_document_again_prints_its_id(
    empty: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second add-document is a no-op that still answers with the id."""
    args = ["--root", str(empty.root), "add-document", str(ARTICLE), "--language", "fr"]
    args += ["--published", "2017-05-28"]
    assert main(args) == 0
    assert main(args) == 0
    out = capsys.readouterr()
    assert out.out.split() == [ARTICLE_ID, ARTICLE_ID]
    assert "nothing to append" in out.err
