"""The catalogue of problems, and the exceptions and exit codes built on it.

Each problem kind has a stable code and a one-line template. The text report, the JSON report
and the README's table of codes all come from :data:`CODES`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any

from provenance.core.text import first_line, one_line, shorten, shorten_value


class ExitCode(IntEnum):
    OK = 0
    FAILURES = 1  # the data has problems: a refused batch, an error-level rule failing
    USAGE = 2  # the command or its configuration is wrong: nothing was checked
    INTERNAL = 3  # a bug in provenance itself (run with --debug for the traceback)
    INTERRUPTED = 130  # stopped by Ctrl-C: the shell's code (128 + SIGINT)


# code → what it means. Kept in one table so docs and reports cannot drift apart.
CODES: dict[str, str] = {
    "missing-value": "a required column is empty",
    "bad-type": "a value cannot be read as the column's type (number, integer, list)",
    "bad-date": "a date or timestamp is malformed",
    "unknown-enum": "a value is not one of the column's allowed values (qualifier, metric, kind…)",
    "bad-pattern": "a value does not have the column's form (slug, sha256, language code)",
    "out-of-range": "a number is below the column's minimum",
    "bad-interval": "value_low/value_high do not form the interval the qualifier says",
    "unknown-column": "an input column the table does not have",
    "duplicate-id": "the same id twice in one batch",
    "id-conflict": "an id already in the warehouse with different content: history is never rewritten",
    "unknown-document": "the document a row refers to is in neither the warehouse nor the batch",
    "unknown-subject": "the subject a row refers to is in neither the warehouse nor the batch",
    "unknown-entity": "the claimant or speaker is in neither the warehouse nor the batch",
    "unknown-figure": "the figure a row refers to is in neither the warehouse nor the batch",
    "quote-not-found": "the quote does not occur in its document",
    "ambiguous-quote": "the quote occurs more than once in its document: give quote_start",
    "quote-mismatch": "the document text at quote_start..quote_end is not the quote",
    "document-id-mismatch": "document_id is not the sha256 of the NFC text",
    "not-utf8": "the input file is not valid UTF-8",
    "unreadable-file": "the input file cannot be read as CSV, JSONL or Parquet",
    "empty-input": "the input file has no rows",
    "file-hash-mismatch": "a Parquet file's sha256 differs from its batch manifest",
    "missing-file": "a file named in a batch manifest is missing",
    "unlisted-file": "a file under batches/ that no manifest lists: reported, never read",
    "bad-manifest": "a batch manifest cannot be read, or does not describe its own folder",
    "broken-chain": "a manifest names a predecessor (by hash) that no manifest has: a batch was deleted, altered or re-ordered",
    "head-mismatch": "the head pinned with --expect-head is not in the batch log: newest batches removed or rewritten",
    "too-long": "an id or key is longer than the maximum (200 characters)",
    "write-failed": "the warehouse could not be written (disk full, permissions): nothing was appended",
    "not-allowed": "a statement that could write or reach outside the warehouse's views (provenance sql reads only)",
    "rule-failed": "a consistency rule returned offending rows",
    "expectation-failed": "a Great Expectations expectation failed",
    "config-error": "a rules or suite file is malformed",
    "unknown-id": "no figure, relation, document, subject or entity has the id asked for",
    "bad-query": "a SQL query does not run on the warehouse's views",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record, printable as one line."""

    code: str
    message: str
    table: str | None = None
    row: int | None = None  # 1-based position in the input batch
    column: str | None = None
    value: Any = None
    record_id: str | None = None
    file: str | None = None  # set when ``row`` is a line of this input file (CSV, JSONL)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered problem code {self.code!r}")

    def line(self) -> str:
        """One printable line, whatever the input held: long parts cut, line breaks escaped."""
        where = []
        if self.file and self.row is not None:
            # the file's name usually says the table; a mixed review file needs it spelt out
            named = self.table is None or self.file.lower().startswith(self.table)
            where.append(f"{self.file} line {self.row}" + ("" if named else f" ({self.table})"))
        else:
            if self.table:
                where.append(self.table)
            if self.row is not None:
                where.append(f"row {self.row}")
        if self.record_id:
            where.append(shorten(str(self.record_id), 120))
        if self.column:
            where.append(f"column {shorten(str(self.column), 80)}")
        place = " ".join(where)
        value = "" if self.value is None else f" (value: {shorten_value(self.value, 80)})"
        return one_line(
            f"{self.code}: {place + ': ' if place else ''}{shorten(self.message, 400)}{value}"
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = None if self.value is None else str(self.value)
        return d


class ProvenanceError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = ExitCode.FAILURES

    def __init__(self, problems: list[Problem] | Problem | str, code: str = "config-error") -> None:
        if isinstance(problems, str):
            problems = [Problem(code, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as raised, whatever the subclass's __init__ takes: a worker process's error
        # (validation.gx_worker) reaches the parent with its type and problems.
        return (_unpickled_error, (type(self), self.args), self.__dict__)


def _unpickled_error(cls: type[ProvenanceError], args: tuple[Any, ...]) -> ProvenanceError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    return error


class BatchRejected(ProvenanceError):
    """An append was refused; nothing was written."""


class IntegrityError(ProvenanceError):
    """The warehouse's files do not match its manifests."""


class ConfigError(ProvenanceError):
    """A rules or suite file, or a command's arguments, are wrong."""

    exit_code = ExitCode.USAGE


class WarehouseNotFound(ConfigError):
    """No warehouse where one was expected."""


class WriteFailed(ProvenanceError):
    """The environment refused a write (disk full, read-only, permissions); nothing was appended."""

    exit_code = ExitCode.USAGE

    def __init__(self, action: str, error: Exception) -> None:
        if isinstance(error, OSError):
            reason = f"{error.strerror or type(error).__name__} (errno {error.errno})"
        else:  # DuckDB's own I/O error, writing a lake's Parquet
            reason = first_line(error)
        super().__init__(Problem("write-failed", f"{action}: {reason}"))
