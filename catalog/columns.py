"""Every column Together publishes, declared once.

A declaration says what a column is (its field name, the header spellings the docs have
used for it, how a cell is read and in what unit, a one-line doc, a short label) and which
kinds of table publish it, and whether those tables must fill it. Everything else derives
from this tuple: the scraper's header aliases and cell parsing, the catalog's row models and
their JSON Schemas, the runtime package's record classes, the CLI's columns, and the rules
that compare limits across tables. Adding a column is a change here, the data, and tests.

Order matters: records list their fields in this order, and the first header spelling is
the one used when nothing better is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

#: The shapes of docs table, each with its own row model and runtime record.
TableKind = Literal["finetune", "serverless", "serverless_lora_base"]
TABLE_KINDS: Final[tuple[TableKind, ...]] = ("finetune", "serverless", "serverless_lora_base")

#: How a cell's text becomes a value.
#: - text:  the cell's text, trimmed (markup unwrapped, footnote mark removed);
#: - count: a whole number >= 1 written in full ("32K" is refused: 1000 or 1024?).
CellType = Literal["text", "count"]

#: Whether a table of a kind must give a value in every row, or may leave the cell empty
#: (the docs write "-" or "N/A") or leave the column out.
Presence = Literal["required", "optional"]

REQUIRED: Final = "required"
OPTIONAL: Final = "optional"


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    #: Header cell texts the docs have published for this column, any table, any version.
    headers: tuple[str, ...]
    cell: CellType
    #: Unit of a count ("tokens", "examples", …); None for text and plain numbers.
    unit: str | None
    doc: str
    #: Short heading for terminal tables (`together-catalog show` / `list`).
    label: str
    #: Table kinds that publish it, and whether they must fill it.
    tables: Mapping[TableKind, Presence]
    #: Names the model rather than describing it (organization, name, id): not a limit or
    #: a fact to tabulate, compared across tables by the identity rules instead.
    identity: bool = False

    def presence(self, kind: TableKind) -> Presence | None:
        return self.tables.get(kind)

    @property
    def python_type(self) -> str:
        """The runtime type of a filled cell, as Python source."""
        return "int" if self.cell == "count" else "str"

    def annotation(self, kind: TableKind) -> str:
        """The runtime record's annotation for this column in tables of `kind`."""
        if self.presence(kind) == REQUIRED:
            return self.python_type
        return f"{self.python_type} | None"


_FT: Final[Mapping[TableKind, Presence]] = {"finetune": REQUIRED}
_SL: Final[Mapping[TableKind, Presence]] = {"serverless": OPTIONAL}

COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "organization",
        ("Organization",),
        "text",
        None,
        "Who publishes the model, as the docs name them.",
        "organization",
        {"finetune": REQUIRED, "serverless": OPTIONAL, "serverless_lora_base": REQUIRED},
        identity=True,
    ),
    Column(
        "model_name",
        ("Model Name", "Base Model Name"),
        "text",
        None,
        "The model's display name.",
        "name",
        {"finetune": REQUIRED, "serverless": OPTIONAL, "serverless_lora_base": REQUIRED},
        identity=True,
    ),
    Column(
        "model",
        ("Model String for API", "API Model String", "Base Model String"),
        "text",
        None,
        "The model id the API takes.",
        "model",
        {"finetune": REQUIRED, "serverless": REQUIRED, "serverless_lora_base": REQUIRED},
        identity=True,
    ),
    Column(
        "context_length_sft",
        ("Context Length (SFT)",),
        "count",
        "tokens",
        "Longest training sequence for supervised fine-tuning.",
        "context SFT",
        _FT,
    ),
    Column(
        "context_length_dpo",
        ("Context Length (DPO)",),
        "count",
        "tokens",
        "Longest training sequence for preference (DPO) fine-tuning.",
        "context DPO",
        _FT,
    ),
    Column(
        "max_batch_size_sft",
        ("Max Batch Size (SFT)",),
        "count",
        "examples",
        "Largest batch size for supervised fine-tuning.",
        "max batch SFT",
        _FT,
    ),
    Column(
        "max_batch_size_dpo",
        ("Max Batch Size (DPO)",),
        "count",
        "examples",
        "Largest batch size for preference (DPO) fine-tuning.",
        "max batch DPO",
        _FT,
    ),
    Column(
        "min_batch_size",
        ("Min Batch Size",),
        "count",
        "examples",
        "Smallest batch size, for SFT and DPO alike.",
        "min batch",
        _FT,
    ),
    Column(
        "context_length",
        ("Context Length", "Context Window"),
        "count",
        "tokens",
        "Longest context the served model accepts.",
        "context",
        _SL,
    ),
    Column(
        "quantization",
        ("Quantization",),
        "text",
        None,
        "Numeric precision the model is served at (FP8, FP16, INT4, …).",
        "quantization",
        {"serverless": OPTIONAL, "serverless_lora_base": REQUIRED},
    ),
    Column(
        "default_steps",
        ("Default Steps",),
        "count",
        "steps",
        "Diffusion steps an image request runs when it names none.",
        "default steps",
        _SL,
    ),
    Column(
        "model_size",
        ("Model Size",),
        "text",
        None,
        "Parameter count as published (e.g. 110M).",
        "size",
        _SL,
    ),
    Column(
        "embedding_dimension",
        ("Embedding Dimension",),
        "count",
        None,
        "Length of the vectors an embedding model returns.",
        "embedding dim",
        _SL,
    ),
    Column(
        "max_doc_size_tokens",
        ("Max Doc Size (tokens)",),
        "count",
        "tokens",
        "Longest document a rerank request may hold.",
        "max doc tokens",
        _SL,
    ),
    Column(
        "max_docs",
        ("Max Docs",),
        "count",
        None,
        "Most documents one rerank request may hold.",
        "max docs",
        _SL,
    ),
)

COLUMN_BY_FIELD: Final[Mapping[str, Column]] = {c.field: c for c in COLUMNS}

#: Header cell text (as published, any spelling) -> field name.
COLUMN_ALIASES: Final[Mapping[str, str]] = {h: c.field for c in COLUMNS for h in c.headers}

#: Fields whose cells are counts: plain whole numbers, never unit-suffixed.
INTEGER_FIELDS: Final[frozenset[str]] = frozenset(c.field for c in COLUMNS if c.cell == "count")


def columns_of(kind: TableKind) -> tuple[Column, ...]:
    """The columns tables of `kind` may publish, in declaration order, the model id included."""
    return tuple(c for c in COLUMNS if kind in c.tables)


def value_columns(kind: TableKind) -> tuple[Column, ...]:
    """Columns of `kind` that describe the model (not its organization, name or id)."""
    return tuple(c for c in columns_of(kind) if not c.identity)


def limit_fields() -> tuple[str, ...]:
    """The fine-tuning limits: what a long-context row must repeat from its LoRA row."""
    return tuple(c.field for c in value_columns("finetune") if c.cell == "count")


def _check_declarations() -> None:
    """Fail at import on a declaration that contradicts another, so no derived table is
    built from a half-done change."""
    fields = [c.field for c in COLUMNS]
    if len(set(fields)) != len(fields):
        raise ValueError(f"catalog/columns.py: a field is declared twice in {fields}")
    headers = [h for c in COLUMNS for h in c.headers]
    if len(set(headers)) != len(headers):
        raise ValueError("catalog/columns.py: a header spelling is claimed by two columns")
    for column in COLUMNS:
        if not column.field.isidentifier() or not column.field.islower():
            raise ValueError(f"catalog/columns.py: {column.field!r} is not a snake_case name")
        if not column.headers or not column.tables:
            raise ValueError(f"catalog/columns.py: {column.field} needs headers and tables")
        unknown = set(column.tables) - set(TABLE_KINDS)
        if unknown:
            raise ValueError(f"catalog/columns.py: {column.field}: unknown kinds {unknown}")
    if COLUMN_BY_FIELD["model"].tables.keys() != set(TABLE_KINDS):
        raise ValueError("catalog/columns.py: every table kind publishes the model id")


_check_declarations()
