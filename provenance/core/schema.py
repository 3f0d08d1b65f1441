"""The tables of a warehouse, declared once.

Everything else derives from these declarations: the Arrow schemas the store writes, the
pandera contracts every incoming batch must pass, the DuckDB views in ``views.sql``, the
hypothesis strategies in :mod:`provenance.testing` and the table reference in the README.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from provenance.core.metrics import packaged_vocabulary
from provenance.core.qualifiers import QUALIFIER_NAMES

if TYPE_CHECKING:
    import pyarrow as pa


class Kind(StrEnum):
    """The logical type of a column; each maps to one Arrow and one DuckDB type."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    TIMESTAMP = "timestamp"
    STRING_LIST = "string_list"
    INTEGER_LIST = "integer_list"


@cache
def arrow_types() -> dict[Kind, pa.DataType]:
    """Each kind's Arrow type; pyarrow is imported on first use, so that commands which never
    touch Arrow (``--help``, ``sql``) start without it."""
    import pyarrow as pa

    return {
        Kind.STRING: pa.string(),
        Kind.INTEGER: pa.int64(),
        Kind.NUMBER: pa.float64(),
        Kind.DATE: pa.date32(),
        Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
        Kind.STRING_LIST: pa.list_(pa.string()),
        Kind.INTEGER_LIST: pa.list_(pa.int64()),
    }


SQL_TYPES: dict[Kind, str] = {
    Kind.STRING: "VARCHAR",
    Kind.INTEGER: "BIGINT",
    Kind.NUMBER: "DOUBLE",
    Kind.DATE: "DATE",
    Kind.TIMESTAMP: "TIMESTAMP WITH TIME ZONE",
    Kind.STRING_LIST: "VARCHAR[]",
    Kind.INTEGER_LIST: "BIGINT[]",
}

# Enumerations. Adding a member here is the whole change needed to accept a new value.
QUALIFIERS = QUALIFIER_NAMES  # declared once, with their meaning, in core/qualifiers.py
PRECISIONS = ("day", "month", "year")
ENTITY_KINDS = (
    "government",
    "military",
    "monitor",
    "ngo",
    "officials",
    "witnesses",
    "media",
    "person",
)
# The metric vocabulary is data (expectations/metrics.yaml, packaged as the default): the enum
# follows it, so adding a metric is one line there.
VOCABULARY = packaged_vocabulary()
METRICS = tuple(m.name for m in VOCABULARY)
RELATION_KINDS = ("ratio", "sum", "share", "difference", "revision", "same_as", "restart")

# Annotations a review file carries for the person reviewing it; `append` ignores them.
REVIEW_FIELDS = ("confidence", "pattern", "source_file")

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_.:-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    references: str | None = None  # "table.column" that every non-null value must exist in
    # Filled in by the store, never taken from input: batch_id, recorded_at.
    generated: bool = False
    # Derived from other columns when the input leaves it empty (ids, offsets, precision).
    derivable: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return arrow_types()[self.kind]

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: str
    columns: tuple[Column, ...]
    # The columns whose values identify a row's content: the content hash that makes
    # re-appending a no-op is taken over these when the key is not given.
    identity: tuple[str, ...] = field(default_factory=tuple)
    # Columns that may differ when the same row is appended again (a document archived a
    # second time is still the same document).
    volatile: tuple[str, ...] = ()
    # Tables stored as Parquet (everything but the batch log, which is the manifests).
    stored: bool = True

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def input_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.generated]

    def arrow_schema(self) -> pa.Schema:
        return _arrow_schema(self.columns)

    def input_arrow_schema(self) -> pa.Schema:
        """The Arrow schema of a batch's rows: without the columns its commit stamps."""
        return _arrow_schema(self.input_columns)


def _arrow_schema(columns: Iterable[Column]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(c.name, c.arrow_type, nullable=not c.required) for c in columns])


BATCH_COLUMNS = (
    Column(
        "batch_id", Kind.STRING, "The batch (append) that wrote this row.", True, generated=True
    ),
    Column("recorded_at", Kind.TIMESTAMP, "When the row was appended (UTC).", True, generated=True),
)

_STATEMENT_COLUMNS = (
    Column(
        "document_id",
        Kind.STRING,
        "The archived document the quote is taken from.",
        True,
        pattern=SHA256_PATTERN,
        references="documents.document_id",
    ),
    Column(
        "claimant_id",
        Kind.STRING,
        "Who originated the number (e.g. the Pentagon).",
        True,
        references="entities.entity_id",
    ),
    Column(
        "speaker_id",
        Kind.STRING,
        "Who relays it in this document (e.g. a spokeswoman quoting the Pentagon); null if the "
        "claimant speaks.",
        references="entities.entity_id",
    ),
    Column("stated_on", Kind.DATE, "When the claimant stated the number.", True),
    Column(
        "stated_precision",
        Kind.STRING,
        "How much of stated_on is known: day, month or year.",
        True,
        enum=PRECISIONS,
        derivable=True,
    ),
)

_VALUE_COLUMNS = (
    Column(
        "value_low", Kind.NUMBER, "Lower bound of the stated interval; null = unbounded.", minimum=0
    ),
    Column(
        "value_high",
        Kind.NUMBER,
        "Upper bound of the stated interval; null = unbounded.",
        minimum=0,
    ),
    Column(
        "qualifier",
        Kind.STRING,
        "How the number is stated; fixes how the interval is read.",
        True,
        enum=QUALIFIERS,
    ),
    Column("value_text", Kind.STRING, 'The number as written ("au moins 3 100").'),
)

_QUOTE_COLUMNS = (
    Column("quote", Kind.STRING, "The verbatim passage that states the number.", True),
    Column(
        "quote_start",
        Kind.INTEGER,
        "Code-point offset of the quote's first character in the NFC document text.",
        True,
        minimum=0,
        derivable=True,
    ),
    Column(
        "quote_end",
        Kind.INTEGER,
        "Code-point offset just past the quote's last character.",
        True,
        minimum=0,
        derivable=True,
    ),
)

DOCUMENTS = Table(
    "documents",
    "One archived source text; quotes are anchored in it.",
    key="document_id",
    columns=(
        Column(
            "document_id",
            Kind.STRING,
            "sha256 of the NFC text.",
            True,
            pattern=SHA256_PATTERN,
            derivable=True,
        ),
        Column("url", Kind.STRING, "Where the document was published."),
        Column("title", Kind.STRING, "Its headline or title."),
        Column("outlet", Kind.STRING, "Who published it."),
        Column(
            "language", Kind.STRING, "ISO 639 code of its language.", True, pattern=LANGUAGE_PATTERN
        ),
        Column("published_on", Kind.DATE, "Publication date.", True),
        Column(
            "published_precision",
            Kind.STRING,
            "How much of published_on is known.",
            True,
            enum=PRECISIONS,
            derivable=True,
        ),
        Column("retrieved_at", Kind.TIMESTAMP, "When the text was archived."),
        Column("text", Kind.STRING, "The archived text, NFC-normalised.", True),
        *BATCH_COLUMNS,
    ),
    volatile=("retrieved_at",),
)

ENTITIES = Table(
    "entities",
    "Claimants and speakers.",
    key="entity_id",
    columns=(
        Column("entity_id", Kind.STRING, "Slug, e.g. us-pentagon.", True, pattern=SLUG_PATTERN),
        Column("name", Kind.STRING, "Display name.", True),
        Column("kind", Kind.STRING, "What sort of source it is.", True, enum=ENTITY_KINDS),
        Column("aliases", Kind.STRING_LIST, "Other names it goes by (in CSV: separated by |)."),
        *BATCH_COLUMNS,
    ),
)

SUBJECTS = Table(
    "subjects",
    "What a figure counts: an incident or an aggregate.",
    key="subject_id",
    columns=(
        Column(
            "subject_id",
            Kind.STRING,
            "Slug, e.g. mosul-al-jadida-strike-2017-03-17.",
            True,
            pattern=SLUG_PATTERN,
        ),
        Column("description", Kind.STRING, "What is counted.", True),
        Column("place", Kind.STRING, "Where."),
        Column("period_start", Kind.DATE, "First day of the period counted."),
        Column("period_end", Kind.DATE, "Last day of the period counted."),
        Column(
            "parent_subject_id",
            Kind.STRING,
            "An enclosing subject (an incident within a campaign).",
            references="subjects.subject_id",
        ),
        *BATCH_COLUMNS,
    ),
)

FIGURES = Table(
    "figures",
    "One stated number with its provenance.",
    key="figure_id",
    columns=(
        Column(
            "figure_id",
            Kind.STRING,
            "Content hash unless given: re-appending the same figure is a no-op.",
            True,
            pattern=SLUG_PATTERN,
            derivable=True,
        ),
        *_STATEMENT_COLUMNS[:1],
        Column(
            "subject_id",
            Kind.STRING,
            "What the number counts.",
            True,
            references="subjects.subject_id",
        ),
        Column("metric", Kind.STRING, "What is counted.", True, enum=METRICS),
        *_STATEMENT_COLUMNS[1:],
        *_VALUE_COLUMNS,
        *_QUOTE_COLUMNS,
        Column(
            "supersedes",
            Kind.STRING,
            "The figure this one corrects, if any.",
            references="figures.figure_id",
        ),
        Column("note", Kind.STRING, "Free text."),
        *BATCH_COLUMNS,
    ),
    identity=(
        "document_id",
        "subject_id",
        "metric",
        "claimant_id",
        "speaker_id",
        "stated_on",
        "value_low",
        "value_high",
        "qualifier",
        "quote_start",
        "quote_end",
        "supersedes",
    ),
)

RELATIONS = Table(
    "relations",
    'A stated relation between figures ("eight times the official toll"), itself sourced.',
    key="relation_id",
    columns=(
        Column(
            "relation_id",
            Kind.STRING,
            "Content hash unless given.",
            True,
            pattern=SLUG_PATTERN,
            derivable=True,
        ),
        Column(
            "kind",
            Kind.STRING,
            "ratio, sum, share, difference, revision, same_as, or restart (figure_id starts a new "
            "count of the same toll; reference_ids end the old one).",
            True,
            enum=RELATION_KINDS,
        ),
        Column(
            "figure_id",
            Kind.STRING,
            'The figure the relation speaks of (the 3 100 in "3 100 is 8 times 352").',
            True,
            references="figures.figure_id",
        ),
        Column(
            "reference_ids",
            Kind.STRING_LIST,
            "The figures it is compared with (the 352; for a sum, the parts). In CSV: separated by |.",
            True,
            references="figures.figure_id",
        ),
        *_STATEMENT_COLUMNS,
        Column("value_low", Kind.NUMBER, "Lower bound of the stated factor, share or difference."),
        Column("value_high", Kind.NUMBER, "Upper bound of the stated factor, share or difference."),
        Column(
            "qualifier",
            Kind.STRING,
            'How the value is stated (exact for "multiplié par huit").',
            True,
            enum=QUALIFIERS,
        ),
        Column("value_text", Kind.STRING, 'The value as written ("huit").'),
        *_QUOTE_COLUMNS,
        Column("note", Kind.STRING, "Free text."),
        *BATCH_COLUMNS,
    ),
    identity=(
        "kind",
        "figure_id",
        "reference_ids",
        "document_id",
        "claimant_id",
        "speaker_id",
        "value_low",
        "value_high",
        "qualifier",
        "quote_start",
        "quote_end",
    ),
)

BATCHES = Table(
    "batches",
    "The append log, read from the batch manifests.",
    key="batch_id",
    columns=(
        Column("batch_id", Kind.STRING, "Sortable id: UTC time and a content hash.", True),
        Column("recorded_at", Kind.TIMESTAMP, "When the batch was committed.", True),
        Column("recorded_by", Kind.STRING, "Who appended it (user@host).", True),
        Column("input_file", Kind.STRING, "The file appended, as given."),
        Column("input_sha256", Kind.STRING, "sha256 of that file's bytes."),
        Column("tables", Kind.STRING_LIST, "The tables the batch wrote rows to.", True),
        Column("row_count", Kind.INTEGER, "Rows written, all tables together.", True),
        Column("files", Kind.STRING_LIST, "Parquet files written, relative to warehouse/.", True),
        Column("file_rows", Kind.INTEGER_LIST, "Rows in each of those files.", True),
        Column("file_sha256", Kind.STRING_LIST, "sha256 of each of those files.", True),
        Column(
            "parents",
            Kind.STRING_LIST,
            "The batches it was appended after: the log's head then (null before the log was chained).",
        ),
        Column(
            "parent_sha256",
            Kind.STRING_LIST,
            "sha256 of each of those batches' manifest.json: the hash chain validate checks.",
        ),
    ),
    stored=False,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (DOCUMENTS, ENTITIES, SUBJECTS, FIGURES, RELATIONS, BATCHES)
}
STORED_TABLES: tuple[Table, ...] = tuple(t for t in TABLES.values() if t.stored)
# Order of writing within a batch, so that references point backwards.
APPEND_ORDER = ("documents", "entities", "subjects", "figures", "relations")


def markdown_reference() -> str:
    """The README's table reference, derived from the declarations above."""
    lines: list[str] = []
    for t in TABLES.values():
        lines.append(f"### `{t.name}`\n\n{t.description} Key: `{t.key}`.\n")
        lines.append("| column | type | required | meaning |")
        lines.append("|---|---|---|---|")
        for c in t.columns:
            meaning = c.description
            if c.enum:
                meaning += " One of: " + ", ".join(f"`{v}`" for v in c.enum) + "."
            if c.references:
                meaning += f" References `{c.references}`."
            lines.append(
                f"| `{c.name}` | {c.sql_type} | {'yes' if c.required else ''} | {meaning} |"
            )
        lines.append("")
    return "\n".join(lines)
