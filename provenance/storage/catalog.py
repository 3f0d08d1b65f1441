"""Where a lake's catalog lives and how DuckDB reaches it.

A lake warehouse is a folder holding ``lake.json`` (what ``provenance init --catalog …
--data-path …`` wrote: the catalog string and the data path) and ``expectations/``. The data
is in DuckLake: a catalog database (PostgreSQL, or a DuckDB file for one machine) and Parquet
files under the data path. DuckLake and the PostgreSQL scanner are DuckDB extensions shipped as
PyPI wheels (``pip install "provenance[lake]"``); they are loaded by file path, so nothing is
downloaded at run time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.core.errors import ConfigError, WarehouseNotFound
from provenance.core.sql import sql_literal
from provenance.core.text import first_line

if TYPE_CHECKING:
    import duckdb

LAKE_FILE = "lake.json"
LAKE_SQL = "lake.sql"
# The name the lake is attached under, in every connection and in lake.sql.
ALIAS = "lake"
# The extensions' wheels: package → extension file name inside extensions/v<duckdb version>/.
EXTENSIONS = {
    "duckdb_extension_ducklake": "ducklake",
    "duckdb_extension_postgres_scanner": "postgres_scanner",
}
# libpq connection keywords we accept in a postgres: catalog string (a typo fails here, with
# one clear line, rather than as a libpq message about an unknown option).
POSTGRES_KEYS = frozenset(
    {
        "dbname",
        "host",
        "hostaddr",
        "port",
        "user",
        "password",
        "passfile",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "connect_timeout",
        "application_name",
        "options",
        "service",
        "target_session_attrs",
    }
)
# An unreachable server should fail in seconds, not after libpq's default of waiting forever.
CONNECT_TIMEOUT = 10
CATALOG_FORMS = "'postgres:dbname=… host=… port=… user=…' or 'duckdb:FILE'"


@dataclass(frozen=True)
class LakeConfig:
    """The two things that locate a lake: its catalog and its data path."""

    catalog: str  # normalised: 'postgres:<conninfo>' or 'duckdb:<absolute file>'
    data_path: str  # absolute, ending with '/'

    @property
    def kind(self) -> str:
        return self.catalog.split(":", 1)[0]

    def ducklake_uri(self) -> str:
        """The ATTACH target: ``ducklake:postgres:…`` or ``ducklake:FILE``."""
        kind, rest = self.catalog.split(":", 1)
        if kind == "postgres":
            if "connect_timeout=" not in rest:
                rest += f" connect_timeout={CONNECT_TIMEOUT}"
            return f"ducklake:postgres:{rest}"
        return f"ducklake:{rest}"

    def attach_sql(self, *, read_only: bool = False) -> str:
        options = [f"DATA_PATH {sql_literal(self.data_path)}"]
        if read_only:
            options.append("READ_ONLY")
        return f"ATTACH {sql_literal(self.ducklake_uri())} AS {ALIAS} ({', '.join(options)});"

    def describe(self) -> str:
        return f"{self.catalog} (data under {self.data_path})"

    def write(self, directory: Path) -> None:
        text = json.dumps({"catalog": self.catalog, "data_path": self.data_path}, indent=2)
        (directory / LAKE_FILE).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> LakeConfig:
        path = directory / LAKE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(str(data["catalog"]), str(data["data_path"]))
        except FileNotFoundError:
            raise WarehouseNotFound(f"no {LAKE_FILE} in {directory}") from None
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"{path}: not a lake description ({e})") from None


def is_lake(directory: Path) -> bool:
    return (directory / LAKE_FILE).is_file()


def parse_catalog(
    text: str | None, data_path: str | Path | None, base: Path | None = None
) -> LakeConfig:
    """Check a ``--catalog`` string and ``--data-path``; relative paths are taken from ``base``."""
    if text is None or data_path is None:
        raise ConfigError("a lake needs both --catalog and --data-path")
    base = (base or Path.cwd()).resolve()
    kind, sep, rest = text.strip().partition(":")
    rest = rest.strip()
    if not sep or kind not in ("postgres", "duckdb") or not rest:
        raise ConfigError(f"bad catalog {text!r}: expected {CATALOG_FORMS}")
    if kind == "postgres":
        catalog = "postgres:" + _check_conninfo(text, rest)
    else:
        catalog = "duckdb:" + (base / rest).resolve().as_posix()
    if not str(data_path).strip():
        raise ConfigError("--data-path is empty: give the folder the lake's Parquet files go to")
    path = (base / Path(data_path).expanduser()).resolve().as_posix().rstrip("/") + "/"
    return LakeConfig(catalog, path)


def _check_conninfo(text: str, conninfo: str) -> str:
    pairs = re.findall(r"(\S+?)=('(?:[^'\\]|\\.)*'|\S*)", conninfo)
    leftover = re.sub(r"(\S+?)=('(?:[^'\\]|\\.)*'|\S*)", "", conninfo).strip()
    if leftover or not pairs:
        raise ConfigError(
            f"bad catalog {text!r}: a postgres catalog is key=value pairs, e.g. {CATALOG_FORMS}"
        )
    unknown = sorted({k for k, _ in pairs} - POSTGRES_KEYS)
    if unknown:
        raise ConfigError(
            f"bad catalog {text!r}: unknown connection keyword {', '.join(unknown)} "
            f"(known: {', '.join(sorted(POSTGRES_KEYS))})"
        )
    if "dbname" not in {k for k, _ in pairs}:
        raise ConfigError(f"bad catalog {text!r}: name the database with dbname=…")
    return " ".join(f"{k}={v}" for k, v in pairs)


def extension_files(kind: str = "postgres") -> list[Path]:
    """The extension files inside the installed wheels, for this DuckDB release (the
    PostgreSQL scanner only for a postgres catalog: it is the slower one to load)."""
    import duckdb

    files = []
    for package, name in EXTENSIONS.items():
        if name == "postgres_scanner" and kind != "postgres":
            continue
        spec = util.find_spec(package)
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise ConfigError(
                f"the {package.replace('_', '-')} package is not installed: "
                'pip install "provenance[lake]" to use a lake warehouse'
            )
        path = (
            Path(locations[0])
            / "extensions"
            / f"v{duckdb.__version__}"
            / f"{name}.duckdb_extension"
        )
        if not path.is_file():
            raise ConfigError(
                f"{path} is missing: the {package.replace('_', '-')} wheel does not match "
                f"DuckDB {duckdb.__version__} (both must be the same release)"
            )
        files.append(path)
    return files


def load_sql(kind: str = "postgres") -> str:
    return "\n".join(f"LOAD {sql_literal(p.as_posix())};" for p in extension_files(kind))


def attach(
    connection: duckdb.DuckDBPyConnection, config: LakeConfig, *, read_only: bool = False
) -> None:
    """Load the extensions and attach the lake as ``lake``; failures are one ConfigError line."""
    import duckdb

    connection.execute(load_sql(config.kind))
    try:
        connection.execute(config.attach_sql(read_only=read_only))
    except duckdb.Error as e:
        raise ConfigError(
            f"cannot open the lake catalog {config.catalog}: {first_line(e)}"
        ) from None
