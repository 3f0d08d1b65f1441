"""Consistency and revision rules: what a rule says, read from YAML, and its DuckDB compilation.

A rules file (``expectations/rules.yaml``) is a list of rules; each names a ``kind`` and that
kind's parameters::

    rules:
      - name: relation-ratio
        kind: relation
        relation: ratio
        tolerance: 0.15
        severity: error
        description: a stated ratio holds within 15 %

This module is the declaration: one frozen dataclass per kind, checked when the file is read
(unknown kind or parameter, missing field, bad value → one line per problem in a
:class:`~provenance.core.errors.ConfigError`). :mod:`provenance.validation.compile_duckdb` is the DuckDB engine
that compiles them to SQL; another engine (Spark) would be its sibling, reusing these
declarations unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from provenance.core.enums import LANGUAGES, SEVERITIES
from provenance.core.errors import ConfigError, Problem
from provenance.core.schema import METRICS
from provenance.core.yaml_files import load_yaml

RELATIONS = ("ratio", "sum", "share", "difference")
# Where the weekday rule looks: the passages that state figures, or whole archived texts.
SCOPES = ("quotes", "documents")
# How the reference shows a revision rule's default metrics (resolved when rules compile).
CUMULATIVE_DEFAULT = "the cumulative metrics of metrics.yaml"
RULE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.:-]*$")
# Passing measurements kept for the report (a ratio's deviation even when it holds).
OBSERVATION_LIMIT = 20


def _param(kind: str, default: Any = dataclasses.MISSING, help: str = "") -> Any:
    """A kind-specific parameter; ``kind`` is how YAML values are checked (see _coerce);
    ``help`` is how the reference shows a default of None (else "all" metrics, "none")."""
    metadata = {"param": kind, "help": help}
    if default is dataclasses.MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Fields every rule has; subclasses add their kind's parameters with :func:`_param`."""

    kind: ClassVar[str]
    name: str
    severity: str
    description: str
    warn_above: int | None = None
    fail_above: int | None = None

    @classmethod
    def parameters(cls) -> list[dataclasses.Field[Any]]:
        return [f for f in dataclasses.fields(cls) if "param" in f.metadata]


@dataclass(frozen=True, kw_only=True)
class QuoteNumberRule(Rule):
    """``value_text`` is in the quote and reads back to the stored interval and qualifier ("au
    moins 3 100" ↔ at_least 3100); only distinct wordings are parsed in Python."""

    kind: ClassVar[str] = "quote_number"
    tables: tuple[str, ...] = _param("tables", ("figures", "relations"))


@dataclass(frozen=True, kw_only=True)
class WeekdayRule(Rule):
    """A weekday written next to a date ("le jeudi 25 mai") agrees with it; a date without its
    year takes the year nearest the publication."""

    kind: ClassVar[str] = "weekday"
    languages: tuple[str, ...] = _param("languages", LANGUAGES)
    # "quotes": only the passages that state figures (quote integrity); "documents": whole
    # archived texts, where a monitor's own slip is worth a warning rather than a failed run.
    scope: str = _param("scope", "quotes")


@dataclass(frozen=True, kw_only=True)
class RelationRule(Rule):
    """The stated relation holds under interval arithmetic within the tolerance; the measured
    deviation is reported even on a pass."""

    kind: ClassVar[str] = "relation"
    relation: str = _param("relation")
    tolerance: float = _param("fraction")


@dataclass(frozen=True, kw_only=True)
class RevisionFallsRule(Rule):
    """Per subject, metric and claimant, day after day, a cumulative toll's lower bound does not
    fall; a fall explained by a correction (``supersedes``) or a recorded restart (a ``restart``
    relation) is listed as explained, not failed."""

    kind: ClassVar[str] = "revision_falls"
    metrics: tuple[str, ...] | None = _param("metrics", None, help=CUMULATIVE_DEFAULT)


@dataclass(frozen=True, kw_only=True)
class RevisionJumpRule(Rule):
    """A claimant's toll rises by more than ``factor`` from one day to a later one (rises only: a
    fall is a fall; see the ``revision_history`` macro)."""

    kind: ClassVar[str] = "revision_jump"
    factor: float = _param("factor")
    metrics: tuple[str, ...] | None = _param("metrics", None, help=CUMULATIVE_DEFAULT)


@dataclass(frozen=True, kw_only=True)
class ClaimantGapRule(Rule):
    """Claimants' figures for one subject and metric stated within ``window_days`` of each other
    (default 0: the same day) lie more than ``factor`` apart; each figure meets every other
    claimant's latest figure as of its date, never one older than the window."""

    kind: ClassVar[str] = "claimant_gap"
    factor: float = _param("factor")
    metrics: tuple[str, ...] | None = _param("metrics", None)
    window_days: int = _param("days", 0)


@dataclass(frozen=True, kw_only=True)
class DateOrderRule(Rule):
    """stated_on ≤ published_on ≤ retrieved_at ≤ recorded_at: a statement is not dated after
    its document's publication, which is not after its retrieval, which is not after the row
    was appended (a later retrieval is a wrong clock or date)."""

    kind: ClassVar[str] = "date_order"


@dataclass(frozen=True, kw_only=True)
class TextLengthRule(Rule):
    """An archived text has at least `min_characters` characters: a shorter one is a failed
    download or a headline alone, with nothing to read a quote in context in."""

    kind: ClassVar[str] = "text_length"
    min_characters: int = _param("characters", 50)


@dataclass(frozen=True, kw_only=True)
class SubjectPeriodRule(Rule):
    """A subject's period does not start after a statement about it."""

    kind: ClassVar[str] = "subject_period"


@dataclass(frozen=True, kw_only=True)
class DocumentDisagreementRule(Rule):
    """One document's figures for the same subject, metric, claimant and date do not overlap (a
    monitor's narrative vs its structured toll; a monthly report's months are not compared)."""

    kind: ClassVar[str] = "document_disagreement"
    metrics: tuple[str, ...] | None = _param("metrics", None)


@dataclass(frozen=True, kw_only=True)
class SqlRule(Rule):
    """Your own query returning offending rows: ``record_id``, ``message`` (and optionally
    ``table_name``, ``quote``, ``measured``); ``checked_sql`` (one number) says how many rows
    were looked at."""

    kind: ClassVar[str] = "sql"
    sql: str = _param("sql")
    checked_sql: str | None = _param("sql", None)


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (
        QuoteNumberRule,
        WeekdayRule,
        RelationRule,
        RevisionFallsRule,
        RevisionJumpRule,
        ClaimantGapRule,
        DateOrderRule,
        TextLengthRule,
        SubjectPeriodRule,
        DocumentDisagreementRule,
        SqlRule,
    )
}
COMMON_FIELDS = ("name", "kind", "severity", "description", "warn_above", "fail_above")


def load_rules(path: Path, display: str | None = None) -> list[Rule]:
    """The rules of a YAML file; every problem in it at once, as a ConfigError."""
    import yaml

    where = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: rules file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{where}: cannot read rules file: {e}") from None
    try:
        document = load_yaml(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{where}: malformed YAML{at}: {reason}") from None
    return parse_rules(document, where)


def parse_rules(document: Any, where: str) -> list[Rule]:
    """Rules from a parsed YAML document (``{"rules": [...]}`` or a bare list)."""
    if document is None:
        return []
    if isinstance(document, dict):
        extra = sorted(set(document) - {"rules", "version"})
        if extra:
            raise ConfigError(
                f"{where}: unknown top-level key(s) {', '.join(map(str, extra))}; expected 'rules'"
            )
        document = document.get("rules") or []
    if not isinstance(document, list):
        raise ConfigError(f"{where}: expected a list of rules under 'rules:'")
    problems: list[str] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(document, start=1):
        rule, rule_problems = _parse_rule(entry, f"{where}: rule #{index}")
        problems += rule_problems
        if rule is not None:
            if rule.name in seen:
                problems.append(f"{where}: rule {rule.name}: the name is used twice")
            seen.add(rule.name)
            rules.append(rule)
    if problems:
        raise ConfigError([Problem("config-error", p) for p in problems])
    return rules


def _parse_rule(entry: Any, where: str) -> tuple[Rule | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"{where}: expected a mapping with name, kind, severity, description"]
    name = entry.get("name")
    if isinstance(name, str) and name:
        where = where.rsplit(": ", 1)[0] + f": rule {name}"
    problems = [
        f"{where}: missing field '{f}'"
        for f in ("name", "kind", "severity", "description")
        if f not in entry
    ]
    kind = entry.get("kind")
    cls = RULE_KINDS.get(kind) if isinstance(kind, str) else None
    if "kind" in entry and cls is None:
        problems.append(f"{where}: unknown kind {kind!r}; kinds are {', '.join(RULE_KINDS)}")
    if name is not None and not (isinstance(name, str) and RULE_NAME_PATTERN.match(name)):
        problems.append(
            f"{where}: name {name!r} must be a slug (lower-case letters, digits, - _ . :)"
        )
    severity = entry.get("severity")
    if "severity" in entry and severity not in SEVERITIES:
        problems.append(f"{where}: severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    if "description" in entry and not isinstance(entry.get("description"), str):
        problems.append(f"{where}: description must be text")
    for threshold in ("warn_above", "fail_above"):
        value = entry.get(threshold)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            problems.append(f"{where}: {threshold} must be a whole number ≥ 0, got {value!r}")
    if cls is None:
        return None, problems
    params = {f.name: f for f in cls.parameters()}
    values: dict[str, Any] = {}
    for key, value in entry.items():
        if key in COMMON_FIELDS:
            continue
        if key not in params:
            allowed = ", ".join(params) or "no parameters"
            problems.append(
                f"{where}: unknown parameter {key!r} for kind {kind} (it takes {allowed})"
            )
            continue
        coerced, problem = _coerce(params[key].metadata["param"], value)
        if problem:
            problems.append(f"{where}: {key} {problem}")
        else:
            values[key] = coerced
    for pname, pfield in params.items():
        if pname not in entry and pfield.default is dataclasses.MISSING:
            problems.append(f"{where}: kind {kind} needs parameter '{pname}'")
    if problems:
        return None, problems
    common: dict[str, Any] = {k: entry.get(k) for k in COMMON_FIELDS if k != "kind"}
    return cls(**common, **values), []


# Parameters that count something (``_param`` kinds), with the least each may be.
WHOLE_NUMBERS = {"days": 0, "characters": 1}


def whole_number(param: str) -> str:
    """How a counting parameter's values read: ``a whole number of days ≥ 0``."""
    return f"a whole number of {param} ≥ {WHOLE_NUMBERS[param]}"


def _coerce(param: str, value: Any) -> tuple[Any, str | None]:
    """The parameter's value in its Python form, or why it is not acceptable."""
    if param == "fraction" or param == "factor":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"must be a number, got {value!r}"
        if param == "fraction" and not 0 <= value < 1:
            return None, f"must be a fraction between 0 and 1 (0.15 = 15 %), got {value!r}"
        if param == "factor" and value < 1:
            return None, f"must be a factor ≥ 1, got {value!r}"
        return float(value), None
    if param in WHOLE_NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int) or value < WHOLE_NUMBERS[param]:
            return None, f"must be {whole_number(param)}, got {value!r}"
        return value, None
    if param in ("relation", "scope"):
        choices = RELATIONS if param == "relation" else SCOPES
        if value not in choices:
            return None, f"must be one of {', '.join(choices)}, got {value!r}"
        return value, None
    if param == "sql":
        return (
            (value, None)
            if isinstance(value, str) and value.strip()
            else (None, "must be a SQL query")
        )
    allowed = {"metrics": METRICS, "languages": LANGUAGES, "tables": ("figures", "relations")}[
        param
    ]
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        return None, f"must be a list of {', '.join(allowed)}"
    unknown = [v for v in items if v not in allowed]
    if unknown:
        return (
            None,
            f"has unknown value(s) {', '.join(map(str, unknown))}; allowed: {', '.join(allowed)}",
        )
    return tuple(items), None
