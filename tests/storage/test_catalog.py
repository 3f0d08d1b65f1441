"""Catalog strings, the extensions' wheels, and the one clear line a wrong catalog gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cli import main
from provenance.core.errors import ConfigError
from provenance.storage.catalog import LakeConfig, extension_files, is_lake, parse_catalog
from provenance.testing.postgres import free_port


def test_postgres_catalog_is_normalised(tmp_path: Path) -> None:
    config = parse_catalog(
        "postgres: dbname=lake  host=db.example.org port=5433 user=desk", "data", tmp_path
    )
    assert config.catalog == "postgres:dbname=lake host=db.example.org port=5433 user=desk"
    assert config.data_path == (tmp_path / "data").as_posix() + "/"
    assert config.ducklake_uri().startswith("ducklake:postgres:dbname=lake ")
    assert "connect_timeout=" in config.ducklake_uri()


def test_duckdb_catalog_is_an_absolute_file(tmp_path: Path) -> None:
    config = parse_catalog("duckdb:meta/catalog.ducklake", tmp_path / "files", tmp_path)
    assert config.catalog == "duckdb:" + (tmp_path / "meta" / "catalog.ducklake").as_posix()
    assert (
        config.ducklake_uri() == "ducklake:" + (tmp_path / "meta" / "catalog.ducklake").as_posix()
    )


def test_lake_json_round_trips(tmp_path: Path) -> None:
    config = parse_catalog("postgres:dbname=x host=h", "/srv/lake", tmp_path)
    assert not is_lake(tmp_path)
    config.write(tmp_path)
    assert is_lake(tmp_path) and LakeConfig.read(tmp_path) == config


@pytest.mark.parametrize(
    ("catalog", "expected"),
    [
        ("mysql:dbname=x", "expected 'postgres:"),
        ("dbname=x host=y", "expected 'postgres:"),
        ("postgres:", "expected 'postgres:"),
        ("postgres:host=localhost", "dbname"),
        ("postgres:dbname=x hots=y", "unknown connection keyword hots"),
        ("postgres:just some words", "key=value"),
    ],
)
def test_bad_catalog_strings_are_refused(catalog: str, expected: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        parse_catalog(catalog, tmp_path / "data", tmp_path)
    (problem,) = error.value.problems
    assert expected in problem.line() and "\n" not in problem.line()


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_any_catalog_string_parses_or_gives_one_config_error(text: str) -> None:
    try:
        config = parse_catalog(text, "/tmp/lake-data", Path("/tmp"))
    except ConfigError as e:
        assert len(e.problems) == 1 and "\n" not in e.problems[0].line()
    else:
        assert config.kind in ("postgres", "duckdb")


def test_extensions_load_from_the_installed_wheels() -> None:
    import duckdb

    files = extension_files()
    assert {f.name for f in files} == {
        "ducklake.duckdb_extension",
        "postgres_scanner.duckdb_extension",
    }
    assert all(f"v{duckdb.__version__}" in f.as_posix() for f in files)


def test_init_with_a_bad_catalog_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["init", str(tmp_path / "w"), "--catalog", "oracle:x", "--data-path", "d"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("config-error: bad catalog 'oracle:x'")
    assert not (tmp_path / "w").exists()


def test_init_needs_both_catalog_and_data_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["init", str(tmp_path / "w"), "--catalog", "duckdb:c.ducklake"])
    assert code == 2 and "--data-path" in capsys.readouterr().err


def test_unreachable_server_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing listens on the port: one line naming the catalog, exit 2, no lake.json left."""
    catalog = f"postgres:dbname=lake host=127.0.0.1 port={free_port()} user=nobody"
    code = main(
        ["init", str(tmp_path / "w"), "--catalog", catalog, "--data-path", str(tmp_path / "d")]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith("config-error: cannot open the lake catalog postgres:dbname=lake")
    assert not is_lake(tmp_path / "w")


def test_a_lake_whose_server_went_away_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing lake.json pointing at a server that is down: every command says so, exit 2."""
    root = tmp_path / "w"
    root.mkdir()
    catalog = f"postgres:dbname=lake host=127.0.0.1 port={free_port()} user=nobody"
    parse_catalog(catalog, tmp_path / "d", tmp_path).write(root)
    rows = tmp_path / "entities.csv"
    rows.write_text("entity_id,name,kind\na,A,media\n", "utf-8")
    for argv in (["sql", "select 1"], ["validate"], ["append", str(rows)]):
        code = main(["--root", str(root), *argv])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "cannot open the lake catalog" in err[0], (argv, err)


def test_a_duckdb_catalog_lake_round_trips_through_copy(tmp_path: Path) -> None:
    """copy folder → lake (DuckDB-file catalog) → folder: same rows, same ids, same batch log."""
    from provenance import Warehouse
    from provenance.storage.copy import copy_warehouse
    from tests.conftest import copy_bundled

    folder = Warehouse(copy_bundled(tmp_path / "a", with_gx=False))
    lake = Warehouse.init(
        tmp_path / "lake", catalog=f"duckdb:{tmp_path / 'c.ducklake'}", data_path=tmp_path / "data"
    )
    first = copy_warehouse(folder, lake)
    assert first.copied and copy_warehouse(folder, lake).copied == []  # resumable: nothing twice
    copy_warehouse(lake, tmp_path / "b")  # a new folder: copy creates the warehouse
    back = Warehouse.open(tmp_path / "b")
    for table in ("documents", "entities", "subjects", "figures", "relations"):
        query = f"select * from {table} order by all"
        assert back.query(query) == folder.query(query) == lake.query(query), table
    log = (
        "select batch_id, recorded_at, recorded_by, input_file, input_sha256, tables, row_count "
        "from batches where row_count > 0 order by batch_id"
    )
    assert back.query(log) == folder.query(log) == lake.query(log)
    assert back.verify_files() == []
