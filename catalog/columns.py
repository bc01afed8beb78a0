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
from typing import Final

from catalog.column import OPTIONAL as OPTIONAL
from catalog.column import REQUIRED as REQUIRED
from catalog.column import Column as Column
from catalog.column import Presence, check_declarations
from catalog.column import TableKind as TableKind

_FT: Final[Mapping[TableKind, Presence]] = {"finetune": REQUIRED}
_FT_OPTIONAL: Final[Mapping[TableKind, Presence]] = {"finetune": OPTIONAL}
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
        ("Model Name", "Base Model Name", "Model"),
        "text",
        None,
        "The model's display name.",
        "name",
        {"finetune": REQUIRED, "serverless": OPTIONAL, "serverless_lora_base": REQUIRED},
        identity=True,
    ),
    Column(
        "model",
        ("Model String for API", "API Model String", "Base Model String", "API ID"),
        "text",
        None,
        "The model id the API takes.",
        "model",
        {"finetune": REQUIRED, "serverless": REQUIRED, "serverless_lora_base": REQUIRED},
        identity=True,
    ),
    Column(
        "context_length_sft",
        ("Context Length (SFT)", "Context (SFT)"),
        "count",
        "tokens",
        "Longest training sequence for supervised fine-tuning.",
        "context SFT",
        _FT,
    ),
    Column(
        "context_length_dpo",
        ("Context Length (DPO)", "Context (DPO)"),
        "count",
        "tokens",
        "Longest training sequence for preference (DPO) fine-tuning.",
        "context DPO",
        _FT,
    ),
    Column(
        "max_batch_size_sft",
        ("Max Batch Size (SFT)", "Max batch (SFT)"),
        "count",
        "examples",
        "Largest batch size for supervised fine-tuning.",
        "max batch SFT",
        _FT,
    ),
    Column(
        "max_batch_size_dpo",
        ("Max Batch Size (DPO)", "Max batch (DPO)"),
        "count",
        "examples",
        "Largest batch size for preference (DPO) fine-tuning.",
        "max batch DPO",
        _FT,
    ),
    Column(
        "min_batch_size",
        ("Min Batch Size", "Min batch"),
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
    Column(
        "training_precision",
        ("Training Precision Type",),
        "text",
        None,
        "Numeric precision fine-tuning trains in (AMP, bf16).",
        "precision",
        _FT_OPTIONAL,
    ),
    Column(
        "gradient_accumulation_steps",
        ("Grad accum", "Gradient Accumulation Steps"),
        "count",
        "steps",
        "Gradient accumulation steps a job runs with (effective batch: this x batch size).",
        "grad accum",
        _FT_OPTIONAL,
    ),
    Column(
        "max_lora_rank",
        ("Max LoRA rank",),
        "count",
        None,
        "Largest LoRA rank (lora_r) the API accepts for the model.",
        "max LoRA rank",
        _FT_OPTIONAL,
    ),
    Column(
        "input_price",
        ("Input pricing (per 1M tokens)",),
        "price",
        "USD per 1M input tokens",
        "Price of input tokens.",
        "input $/1M",
        _SL,
    ),
    Column(
        "cached_input_price",
        ("Cached input pricing (per 1M tokens)",),
        "price",
        "USD per 1M cached input tokens",
        "Price of input tokens served from the prompt cache.",
        "cached input $/1M",
        _SL,
    ),
    Column(
        "output_price",
        ("Output pricing (per 1M tokens)",),
        "price",
        "USD per 1M output tokens",
        "Price of output tokens.",
        "output $/1M",
        _SL,
    ),
    Column(
        "token_price",
        ("Pricing (per 1M tokens)",),
        "price",
        "USD per 1M tokens",
        "Price of tokens processed, for models priced by tokens in alone (embedding, moderation).",
        "$/1M tokens",
        _SL,
    ),
    Column(
        "price_per_megapixel",
        ("Price per MP",),
        "price",
        "USD per megapixel",
        "Price of one generated megapixel at the default steps.",
        "$/MP",
        _SL,
    ),
    Column(
        "price_per_video",
        ("Price per video",),
        "price",
        "USD per video",
        "Price of one generated video at the published resolution and duration.",
        "$/video",
        _SL,
    ),
    Column(
        "price",
        ("Pricing",),
        "rate",
        None,
        "Price with the unit it is charged per (characters, audio minutes).",
        "price",
        _SL,
        units=("1M chars", "audio min"),
    ),
    Column(
        "function_calling",
        ("Function Calling",),
        "flag",
        None,
        "Whether the model accepts tools (function calling).",
        "tools",
        _SL,
    ),
    Column(
        "structured_outputs",
        ("Structured Outputs",),
        "flag",
        None,
        "Whether the model can be held to a JSON schema (structured outputs).",
        "JSON mode",
        _SL,
    ),
    Column(
        "modality",
        ("Modality",),
        "text",
        None,
        "What an audio model turns into what (Text-to-Speech, Speech-to-Text).",
        "modality",
        _SL,
    ),
    Column(
        "resolution_duration",
        ("Resolution / Duration",),
        "text",
        None,
        "Resolution and length of a generated video, as published (720p / 5s).",
        "resolution / duration",
        _SL,
    ),
)

COLUMN_BY_FIELD: Final[Mapping[str, Column]] = {c.field: c for c in COLUMNS}

#: Header cell text (as published, any spelling) -> field name.
COLUMN_ALIASES: Final[Mapping[str, str]] = {h: c.field for c in COLUMNS for h in c.headers}
#: The same, case-folded: headers match without regard to case ("Context length").
COLUMN_BY_HEADER: Final[Mapping[str, Column]] = {
    h.casefold(): c for c in COLUMNS for h in c.headers
}


def column_for_header(text: str) -> Column | None:
    """The declared column a header cell names, whatever its case; None if undeclared."""
    return COLUMN_BY_HEADER.get(text.casefold())


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


check_declarations(COLUMNS)
