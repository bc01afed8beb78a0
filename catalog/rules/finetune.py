"""Rules over the fine-tuning tables (LoRA, full, LoRA long-context).

Several of them hold a full or long-context row to the model's LoRA row: the LoRA table
lists every fine-tunable model and the other two repeat its facts, so one lookup in
`catalog.lora_index` per row finds a disagreement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from catalog.columns import limit_fields
from catalog.contents import Catalog
from catalog.rules.common import finetune_tables, under_note
from catalog.rules.registry import Finding, rule

#: The fine-tuning limits a long-context row repeats from its LoRA row (every count column
#: a fine-tuning table publishes, from catalog/columns.py).
LIMIT_FIELDS = limit_fields()
CONTEXT_FIELDS = ("context_length_sft", "context_length_dpo")
IDENTITY_FIELDS = ("organization", "model_name")


@rule("long-context-subset-of-lora", "docs: fine-tuning-models / LoRA Long-context Fine-tuning")
def long_context_subset_of_lora(catalog: Catalog) -> Iterator[Finding]:
    """Every long-context LoRA row is also a LoRA row, with identical limits.

    The long-context table lists the LoRA models that reach long contexts; it repeats their
    limits rather than adding new ones, so a row absent from the LoRA table, or one whose
    context or batch limits differ from its LoRA row, contradicts the LoRA table.
    """
    lora = catalog.lora_index
    lora_fields = {c.field for t in finetune_tables(catalog, "lora") for c in t.columns}
    for table in finetune_tables(catalog, "lora_long_context"):
        # A limit only one of the two tables publishes cannot contradict the other.
        published = {c.field for c in table.columns} & lora_fields
        compared = [name for name in LIMIT_FIELDS if name in published]
        for row in table.rows:
            base = lora.get(row.model)
            if base is None:
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"in_lora": False},
                    "long-context LoRA row has no LoRA row",
                )
                continue
            for name in compared:
                mine, theirs = getattr(row, name), getattr(base, name)
                if mine != theirs:
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {"long_context": mine, "lora": theirs},
                        f"{name} is {mine} here but {theirs} in the LoRA table",
                    )


@rule("full-subset-of-lora", "observed invariant")
def full_subset_of_lora(catalog: Catalog) -> Iterator[Finding]:
    """Every model offered for full fine-tuning is also offered for LoRA fine-tuning.

    Observed across every published version of the tables; not stated in the docs. A full
    row without a LoRA row most likely means a LoRA row was dropped or an id misspelt.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog, "full"):
        for row in table.rows:
            if row.model not in lora:
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"in_lora": False},
                    "full fine-tuning row has no LoRA row",
                )


@rule("min-batch-le-max-batch", "docs: fine-tuning-models (column meaning)")
def min_batch_le_max_batch(catalog: Catalog) -> Iterator[Finding]:
    """Min batch size is at most the max batch size, for SFT and for DPO, in every table.

    A batch size between a minimum and a maximum exists only when min <= max; otherwise no
    batch size satisfies the row and a job for it cannot be configured as published.
    """
    for table in finetune_tables(catalog):
        for row in table.rows:
            over = {
                name: getattr(row, name)
                for name in ("max_batch_size_sft", "max_batch_size_dpo")
                if row.min_batch_size > getattr(row, name)
            }
            if over:
                yield Finding(
                    table.table,
                    row.model,
                    "min_batch_size",
                    {"min_batch_size": row.min_batch_size, **over},
                    f"min batch size {row.min_batch_size} exceeds "
                    + ", ".join(f"{k} {v}" for k, v in over.items()),
                )


@rule("llama31-long-context-lora-only", "docs: fine-tuning-models / Supported Models")
def llama31_long_context_lora_only(catalog: Catalog) -> Iterator[Finding]:
    """The models in notes.yaml `lora_only_long_context` fine-tune above `min_context` with
    LoRA only: no full fine-tuning row for them offers an SFT or DPO context above it.

    The docs' note names Llama 3.1 8B/70B Reference (and 70B Instruct Reference) for contexts
    of 32K-131K. Only the models the note names are checked; their Instruct twins that the
    note leaves out are not guessed at.
    """
    note = catalog.notes.lora_only_long_context
    models = set(note.models)
    for table in finetune_tables(catalog, "full"):
        if not under_note(note.source, table):
            continue
        for row in table.rows:
            if row.model not in models:
                continue
            over = {
                f: getattr(row, f) for f in CONTEXT_FIELDS if getattr(row, f) > note.min_context
            }
            if over:
                yield Finding(
                    table.table,
                    row.model,
                    next(iter(over)),
                    {**over, "lora_only_above": note.min_context},
                    f"full fine-tuning offered above {note.min_context} tokens "
                    "for a model the docs make LoRA-only there",
                )


@rule("full-context-matches-lora", "observed invariant")
def full_context_matches_lora(catalog: Catalog) -> Iterator[Finding]:
    """A full fine-tuning row has the same SFT and DPO context lengths as the model's LoRA row.

    Observed for every model in both tables: the method changes the batch limits (full rows
    often allow larger batches), never the context. A differing context is most likely a
    misaligned cell.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog, "full"):
        for row in table.rows:
            base = lora.get(row.model)
            if base is None:
                continue  # full-subset-of-lora reports it
            for name in CONTEXT_FIELDS:
                if getattr(row, name) != getattr(base, name):
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {"full": getattr(row, name), "lora": getattr(base, name)},
                        f"{name} differs from the LoRA row",
                    )


@rule("finetune-identity-consistent", "observed invariant")
def finetune_identity_consistent(catalog: Catalog) -> Iterator[Finding]:
    """A model in several fine-tuning tables has the same organization and name in each.

    The full and long-context tables repeat the LoRA table's organization and model name;
    a difference means one table was edited and the other was not.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog):
        if table.method == "lora":
            continue
        for row in table.rows:
            base = lora.get(row.model)
            if base is None:
                continue
            for name in IDENTITY_FIELDS:
                if getattr(row, name) != getattr(base, name):
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {"here": getattr(row, name), "lora": getattr(base, name)},
                        f"{name} differs from the LoRA row",
                    )


#: A context size written into an id: `...-32k-...`, `...-131k`.
CONTEXT_SUFFIX = re.compile(r"-(\d+)k(?=-|$)")


def named_context(thousands: int) -> int:
    """The size an id's `-<N>k` stands for: `k` is a rounded thousand of a power of two
    (32k -> 32768, 131k -> 131072), so the size is the power of two nearest N * 1000."""
    return 1 << round(math.log2(thousands * 1000))


@rule("context-size-suffix", "observed invariant (id naming)")
def context_size_suffix(catalog: Catalog) -> Iterator[Finding]:
    """An id naming a context size (`-32k`, `-131k`) offers exactly that SFT context, and no
    context above it.

    Together publishes long-context variants as separate ids that carry their size; the
    SFT limit of every such row equals the size, so a limit above it contradicts the id.
    """
    for table in finetune_tables(catalog):
        for row in table.rows:
            match = CONTEXT_SUFFIX.search(row.model.partition("/")[2])
            if match is None or int(match.group(1)) == 0:
                continue
            size = named_context(int(match.group(1)))
            for name in CONTEXT_FIELDS:
                value = getattr(row, name)
                if value > size or (name == "context_length_sft" and value != size):
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {name: value, "named_size": size},
                        f"{name} {value} does not fit the {match.group(1)}k in the id",
                    )


@rule("contact-only-not-self-serve", "docs: fine-tuning-models / Supported Models")
def contact_only_not_self_serve(catalog: Catalog) -> Iterator[Finding]:
    """Families the docs offer for fine-tuning only through sales (notes.yaml `contact_only`)
    do not appear in the self-serve fine-tuning tables.
    """
    notes = catalog.notes.contact_only
    for table in finetune_tables(catalog):
        prefixes = tuple(
            p for note in notes if under_note(note.source, table) for p in note.model_prefixes
        )
        if not prefixes:
            continue
        for row in table.rows:
            if row.model.startswith(prefixes):
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"prefixes": [p for p in prefixes if row.model.startswith(p)]},
                    "contact-only model listed as self-serve fine-tunable",
                )
