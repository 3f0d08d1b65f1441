"""A throw-away PostgreSQL server for lake tests and benchmarks.

PostgreSQL refuses to run as root, and CI runs as root: there the server runs as the
``postgres`` user (``runuser``), in a temporary folder owned by it, on a free port, with
trust authentication on 127.0.0.1 only and fsync off (nothing in it outlives the run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PROVENANCE_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "pg_ctl").is_file() and (PG_BIN / "initdb").is_file()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A running server; each lake gets a database of its own from :meth:`catalog`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._count = 0

    def catalog(self) -> str:
        """A new, empty database, as a ``--catalog`` string."""
        self._count += 1
        name = f"lake{self._count}"
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return f"postgres:dbname={name} host=127.0.0.1 port={self.port} user=postgres"


@contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """Start a server (initdb, pg_ctl start), yield it, stop it and delete its files."""
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="provenance-pg-"))
    if as_root:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=folder)

    try:
        run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        )
        try:
            yield PostgresServer(port)
        finally:
            run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
