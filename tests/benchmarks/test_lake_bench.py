"""lake_bench.py end to end, tiny: its commands are the CLI's, and drift there broke it once
(``sql -f`` became the query file, not the format) with nothing to say so but `nox -s bench`."""

from __future__ import annotations

from pathlib import Path

from lake_bench import bench_validate, bench_writers

from provenance.testing.postgres import PostgresServer


def test_concurrent_writers_lose_and_duplicate_nothing(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    result = bench_writers(postgres, tmp_path, writers=2, batches=2, rows=3)
    assert result["rows"] == 12
    assert (result["failed_writers"], result["lost"], result["duplicated"]) == (0, 0, 0)


def test_a_lake_and_its_folder_give_the_same_report(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    result = bench_validate(postgres, tmp_path, size=300, seed=0)
    assert result["same_report"], result["differing"]
    assert result["lake"]["status"] == result["folder"]["status"] == "pass"
