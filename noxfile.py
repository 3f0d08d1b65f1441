"""Developer sessions: `nox -s tests lint typecheck docs validate bench`."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, against the installed package."""
    session.install(".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: style, imports, formatting, and the ban on importing great_expectations eagerly."""
    session.install("ruff")
    session.run("ruff", "check", "provenance", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "provenance", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over the whole package, CLI included."""
    session.install(".[test]", "mypy", "pandas-stubs", "types-PyYAML")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """The README's generated parts and examples agree with the code."""
    session.install(".[test]")
    session.run("pytest", "tests/test_docs.py", "tests/cli/test_reference.py", *session.posargs)


@nox.session
def reference(session: nox.Session) -> None:
    """Regenerate what is generated: docs/cli.md, the README's tables, the rules.yaml headers."""
    session.install("-e", ".")
    session.run("python", "-m", "provenance.cli.reference", "--write")


@nox.session
def validate(session: nox.Session) -> None:
    """The main job: validate the bundled warehouse."""
    session.install(".")
    session.run("provenance", "validate", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: validate (whole, less the GX import, per layer) and append as multiples of a
    scan and a pyarrow copy, per size; extraction; then a lake: 1, 4 and 8 concurrent appenders,
    validate at 1M figures. `nox -s bench -- --sizes 10000000` for ten million; with two sizes
    or more (`-- --sizes 1000000 10000000`) each size's cost per figure relative to 1M."""
    session.install(".[test]")
    session.run("python", "benchmarks/bench.py", *session.posargs)
    session.run("python", "benchmarks/lake_bench.py")
