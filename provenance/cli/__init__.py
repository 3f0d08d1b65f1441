"""The `provenance` command: a thin layer over the public API, one command per verb."""

from provenance.cli.app import main

__all__ = ["main"]
