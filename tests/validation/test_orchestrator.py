"""`provenance validate`: exit codes, rule selection, report files, stored runs, CLI = API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from provenance.cli import main
from provenance.storage.views import has_runs, runs_views_sql
from provenance.storage.warehouse import Warehouse
from provenance.validation import orchestrator, running
from provenance.validation.builtin_checks import ANCHOR_TEXTS
from provenance.validation.orchestrator import validate
from tests.conftest import copy_bundled, figure


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the bundled warehouse and its rules (GX suites left out to stay fast)."""
    target = tmp_path / "project"
    copy_bundled(target, with_gx=False)
    return target


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "validate", *args])


def test_bundled_warehouse_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled warehouse exits 0 and shows the ratio measurement and the Mosul gap warning."""
    assert run(root) == 0
    out = capsys.readouterr().out
    assert "3100/352 ≥ 8.81, 10.1 % above the stated 8 (tolerance 15 %)" in out
    assert (
        "mosul-local-officials-witnesses ≥ 241 (article-local-mosul-240, 2017-05-28) vs us-pentagon"
        " 80–120 (article-pentagon-mosul-100, 2017-05-25): factor 2.01" in out
    )
    assert "«ce dimanche 28 mai» is 2017-05-28, a dimanche" in out
    assert "«le jeudi 25 mai» is 2017-05-25, a jeudi" in out


@pytest.mark.parametrize(("tolerance", "code"), [(0.15, 0), (0.05, 1)])
def test_ratio_tolerance_decides(
    root: Path, tmp_path: Path, tolerance: float, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "multiplié par huit" for 3100/352 (10.1 % off) passes at 15 % and fails at 5 %."""
    text = (root / "expectations" / "rules.yaml").read_text(encoding="utf-8")
    rules = tmp_path / "ratio.yaml"
    rules.write_text(text.replace("tolerance: 0.15", f"tolerance: {tolerance}"), encoding="utf-8")
    assert run(root, "--rules", str(rules), "--rule", "relation-ratio") == code
    out = capsys.readouterr().out
    assert f"10.1 % above the stated 8 (tolerance {tolerance * 100:g} %)" in out
    if code:
        assert "ERROR relation-ratio: relations zakharova-airwars-eight-times-washington" in out


def test_broken_warehouse_names_each_broken_record(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A contradicted quote, a falling revision and a wrong weekday exit 1, each record named."""
    warehouse = Warehouse(root)
    document = warehouse.add_document(
        "Le mardi 25 mai, l’armée a annoncé 12 morts.", language="fr", published_on="2017-05-28"
    ).ids["documents"][0]
    warehouse.append_rows(
        {
            "figures": [
                figure("contradicts-its-quote", value_low=150, value_high=150, qualifier="exact"),
                figure(
                    "falls-later",
                    stated_on="2017-06-10",
                    value_low=50,
                    value_high=50,
                    qualifier="exact",
                    value_text=None,
                ),
            ]
        }
    )
    assert run(root) == 1
    out = capsys.readouterr().out
    assert (
        "ERROR quote-number-reads-back: figures contradicts-its-quote: «une centaine» reads as approximately 80–120"
        in out
    )
    assert (
        "ERROR revision-lower-bound-falls: figures falls-later: mosul-residential-strike civilians_killed by us-pentagon"
        in out
    )
    assert (
        f"WARNING weekday-matches-date: documents {document}: «Le mardi 25 mai» resolves to 2017-05-25, which is a jeudi"
        in out
    )
    assert "validation FAILED" in out


@pytest.mark.parametrize(
    ("rules_text", "expected"),
    [
        (
            "rules:\n  - name: x\n    kind: magic\n    severity: error\n    description: d\n",
            "rule x: unknown kind 'magic'",
        ),
        ("rules:\n  - name: x\n    kind: [oops\n", "malformed YAML at line"),
    ],
)
def test_configuration_errors_exit_2(
    root: Path, tmp_path: Path, rules_text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken rules file exits 2 with one clear line on stderr and no traceback."""
    rules = tmp_path / "bad.yaml"
    rules.write_text(rules_text, encoding="utf-8")
    assert run(root, "--rules", str(rules)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "bad.yaml" in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_unknown_rule_name_exits_2(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--rule with a name no check has is a usage error listing the checks."""
    assert run(root, "--rule", "no-such-rule") == 2
    assert (
        "--rule no-such-rule: no such check; checks are file-integrity" in capsys.readouterr().err
    )


def test_rule_selection_runs_only_named_checks(root: Path) -> None:
    """--rule NAME (and patterns) runs just those checks; built-ins only when named."""
    report = validate(Warehouse(root), only=["relation-*", "file-integrity"])
    assert [r.name for r in report.results] == [
        "file-integrity",
        "relation-ratio",
        "relation-sum-exact",
        "relation-share",
        "relation-difference",
    ]


def test_missing_rules_file_falls_back_to_packaged_defaults(root: Path) -> None:
    """Without expectations/rules.yaml the packaged defaults run."""
    (root / "expectations" / "rules.yaml").unlink()
    report = validate(Warehouse(root))
    assert report.rules_file == "package:provenance/defaults/expectations/rules.yaml"
    assert "relation-ratio" in [r.name for r in report.results]


def normalised(report: dict[str, Any]) -> dict[str, Any]:
    for rule in report["rules"]:
        rule["seconds"] = 0.0
    return report


def test_cli_json_equals_api_report(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI is a thin layer: its JSON is the API's Report.to_dict()."""
    assert run(root, "--format", "json") == 0
    from_cli = json.loads(capsys.readouterr().out)
    from_api = json.loads(json.dumps(validate(Warehouse(root)).to_dict(), ensure_ascii=False))
    assert normalised(from_cli) == normalised(from_api)


@pytest.mark.parametrize("format", ["junit", "markdown", "json"])
def test_output_file_and_text_summary(
    root: Path, tmp_path: Path, format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--output writes the machine report to a file; the text summary still goes to stdout."""
    target = tmp_path / "reports" / f"report.{format}"
    assert run(root, "--format", format, "--output", str(target)) == 0
    assert target.read_text(encoding="utf-8").strip()
    captured = capsys.readouterr()
    assert "validation passed" in captured.out
    assert str(target) in captured.err


def test_store_keeps_runs_queryable(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--store writes per-rule metrics and failures as Parquet; a stored run leaves validate clean."""
    assert not has_runs(root / "warehouse")
    assert run(root, "--store") == 0
    assert run(root, "--store") == 0
    assert "stored run" in capsys.readouterr().err
    assert has_runs(root / "warehouse")
    connection = duckdb.connect()
    connection.execute(runs_views_sql((root / "warehouse").as_posix()))
    runs = connection.execute(
        "SELECT count(DISTINCT run_id), count(*) FROM validation_runs"
    ).fetchone()
    assert runs is not None and runs[0] == 2
    gap = connection.execute(
        "SELECT record_id, measured FROM validation_failures WHERE rule = 'claimant-gap' ORDER BY record_id LIMIT 1"
    ).fetchone()
    assert gap is not None and gap[0] == "article-local-mosul-240 vs article-pentagon-mosul-100"
    assert gap[1] == pytest.approx(241 / 120)
    report = validate(Warehouse(root))
    assert (
        report.exit_code() == 0
        and next(r for r in report.results if r.name == "file-integrity").failure_count == 0
    )


def test_suites_without_expectations_do_not_import_gx(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty GX suites cost nothing: great_expectations is not imported, the verdict is the same."""
    suites = root / "expectations" / "gx"
    suites.mkdir()
    (suites / "figures.json").write_text('{"name": "figures", "expectations": []}\n')

    def no_gx() -> None:
        raise AssertionError("great_expectations imported for suites without expectations")

    monkeypatch.setattr("provenance.validation.gx._import_gx", no_gx)
    report = validate(Warehouse(root))
    assert report.exit_code() == 0
    assert not [r for r in report.results if r.name.startswith("gx-")]
    # One expectation in a suite is enough to need GX.
    (suites / "figures.json").write_text(
        '{"name": "figures", "expectations": [{"type": "expect_table_row_count_to_be_between",'
        ' "kwargs": {"min_value": 1}}]}\n'
    )
    with pytest.raises(AssertionError, match="great_expectations imported"):
        validate(Warehouse(root))


def test_validate_tells_its_progress_check_by_check_then_suite_by_suite(root: Path) -> None:
    """``progress`` hears ("checking", done, total) from 0 to every check that runs, one at a
    time, then ("GX suites", done, total) from before GX is imported to the last suite."""
    suites = root / "expectations" / "gx"
    suites.mkdir()
    (suites / "figures.json").write_text(
        '{"name": "figures", "expectations": [{"type": "expect_table_row_count_to_be_between",'
        ' "kwargs": {"min_value": 1}}]}\n'
    )
    heard: list[tuple[str, int, int]] = []
    report = validate(Warehouse(root), progress=lambda *told: heard.append(told))
    checks = [r for r in report.results if r.kind != "expectation" and r.name != "file-integrity"]
    checking = [(done, total) for stage, done, total in heard if stage == "checking"]
    assert checking == [(done, len(checks)) for done in range(len(checks) + 1)]
    assert [told for told in heard if told[0] == "GX suites"] == [
        ("GX suites", 0, 1),
        ("GX suites", 1, 1),
    ]
    assert heard.index(("GX suites", 0, 1)) > heard.index(("checking", len(checks), len(checks)))
    # A run narrowed to some checks counts those alone.
    heard.clear()
    validate(Warehouse(root), only=["relation-ratio"], progress=lambda *told: heard.append(told))
    assert heard == [("checking", 0, 1), ("checking", 1, 1)]


def test_memory_limit_is_set_and_checked(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DuckDB's memory is capped (spilling to a temporary folder); a bad cap is a usage error."""
    seen: list[str] = []
    real_start_check = running.start_check

    def spy(connection: duckdb.DuckDBPyConnection, *args: Any) -> Any:
        if not seen:
            row = connection.execute("SELECT current_setting('memory_limit')").fetchone()
            seen.append(str(row[0]) if row else "")
        return real_start_check(connection, *args)

    monkeypatch.setattr(running, "start_check", spy)
    monkeypatch.setenv("PROVENANCE_MEMORY_LIMIT", "300MB")
    assert run(root) == 0
    assert seen and seen[0].replace(" ", "") in ("286.1MiB", "300.0MB", "300MB")
    monkeypatch.setenv("PROVENANCE_MEMORY_LIMIT", "lots")
    assert run(root) == 2
    assert "PROVENANCE_MEMORY_LIMIT='lots' is not a memory size" in capsys.readouterr().err


def test_running_out_of_memory_is_the_environment_not_a_bug(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cap too small for the work is the user's to raise: one line and exit 2, not a crash."""
    monkeypatch.setenv("PROVENANCE_MEMORY_LIMIT", "4MB")
    assert run(root) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "config-error: validate ran out of memory under PROVENANCE_MEMORY_LIMIT=4MB"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_for_the_wordings_readings_is_write_failed(
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """quote-number-reads-back writes its readings to a temporary file for DuckDB to read.
    Found filling a small tmpfs used as TMPDIR: the line said only 'a file operation
    failed'. /dev/full answers every write with ENOSPC, as a full disk does."""
    import contextlib
    import types
    from collections.abc import Iterator

    from provenance.validation import text_rules

    folder = tmp_path / "readings"
    folder.mkdir()
    (folder / "readings.jsonl").symlink_to("/dev/full")

    @contextlib.contextmanager
    def full_folder(prefix: str = "") -> Iterator[str]:
        yield str(folder)

    monkeypatch.setattr(
        text_rules, "tempfile", types.SimpleNamespace(TemporaryDirectory=full_folder)
    )
    assert run(root) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("write-failed: cannot write the readings of the figures' wordings")
    assert "No space left on device" in line


class _CountingConnection:
    """A DuckDB connection that records every statement run through it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
        self._connection = connection
        self.statements = statements

    def execute(self, sql: str, *args: Any) -> Any:
        self.statements.append(sql)
        return self._connection.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def test_each_rule_base_is_computed_once_per_run(
    market: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live figures, each revision series and each rule's own base are computed by one
    statement in a run: failures, measurements and the checked count read them, and every
    temporary table is gone when the run ends."""
    statements: list[str] = []
    checks: list[running.Check] = []
    real_start_check = running.start_check

    def spy(connection: duckdb.DuckDBPyConnection, check: running.Check, *args: Any) -> Any:
        checks.append(check)
        return real_start_check(_CountingConnection(connection, statements), check, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(running, "start_check", spy)
    real_drop = running.drop_shared
    dropped: list[bool] = []

    def drop_and_look(connection: duckdb.DuckDBPyConnection, compiled: Any, keep: Any = ()) -> None:
        keep = list(keep)
        real_drop(connection, compiled, keep)
        # What is left after a rule is what a rule still to run reads; nothing after the last.
        left = connection.execute("SELECT table_name FROM duckdb_tables() WHERE temporary")
        rule_tables = {r[0] for r in left.fetchall() if r[0].startswith("rule_")}
        assert rule_tables <= {t.name for c in keep for t in c.tables}
        dropped.append(not keep and not rule_tables)

    monkeypatch.setattr(running, "drop_shared", drop_and_look)
    report = validate(market)
    assert dropped and dropped[-1]
    by_name = {r.name: r for r in report.results}
    assert by_name["revision-lower-bound-falls"].rows_checked > 0
    assert (
        by_name["revision-jump"].rows_checked == by_name["revision-lower-bound-falls"].rows_checked
    )
    # The documents' texts as the built-in checks read them are theirs (made once, IF NOT
    # EXISTS, by whichever runs first): document-text-length finds them made.
    bases = {
        t.sql: t.name for c in checks for t in c.compiled.tables if t.sql and t.name != ANCHOR_TEXTS
    }
    assert all(
        t.name.startswith("rule_") or t.name == ANCHOR_TEXTS
        for c in checks
        for t in c.compiled.tables
    )
    assert not any(f"OR REPLACE TEMP TABLE {ANCHOR_TEXTS} " in s for s in statements)
    # Every rule over series, texts or relations reads a materialised base.
    based = {c.kind for c in checks if c.compiled.tables}
    assert {"revision_falls", "revision_jump", "claimant_gap", "document_disagreement"} <= based
    assert {"weekday", "relation", "quote_number"} <= based
    assert len(bases) >= 8
    for sql, name in bases.items():
        assert sum(sql in s for s in statements) == 1, name


def _verdicts(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    report = validate(warehouse)
    return [
        (r.name, r.rows_checked, [(f.record_id, f.message, f.measured) for f in r.failures])
        for r in report.results
    ]


def test_small_warehouse_in_memory_gives_the_same_verdicts(
    market: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small warehouse is read into memory on one DuckDB thread; a large one is read where
    it lies on every thread. Both give the same rows, messages and measured values."""
    threads: list[int] = []
    real_start_check = running.start_check

    def spy(connection: duckdb.DuckDBPyConnection, *args: Any) -> Any:
        row = connection.execute("SELECT current_setting('threads')").fetchone()
        threads.append(int(row[0]) if row else 0)
        return real_start_check(connection, *args)

    monkeypatch.setattr(running, "start_check", spy)
    small = _verdicts(market)
    assert set(threads) == {1}
    assert any(failures for _, _, failures in small)
    monkeypatch.setattr(orchestrator, "SMALL_WAREHOUSE_ROWS", -1)
    threads.clear()
    assert _verdicts(market) == small
    with duckdb.connect() as fresh:
        every_thread = fresh.execute("SELECT current_setting('threads')").fetchone()
    assert every_thread and set(threads) == {int(every_thread[0])}
