"""The small closed vocabularies every wing shares, declared once.

They are ``StrEnum``s: a member equals its string (``Severity.ERROR == "error"``), so YAML,
JSON and Parquet keep plain strings while code names the values.
"""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """The languages the extractor, the number reader and the weekday rule read."""

    FRENCH = "fr"
    ENGLISH = "en"


class Severity(StrEnum):
    """What a failing check does: ``error`` fails the run, ``warning`` reports."""

    ERROR = "error"
    WARNING = "warning"


class CheckStatus(StrEnum):
    """The outcome of one check in a validation report."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


LANGUAGES: tuple[str, ...] = tuple(m.value for m in Language)
SEVERITIES: tuple[str, ...] = tuple(m.value for m in Severity)
