"""Rules over the serverless tables and the serverless LoRA base list: what the serverless
models page and its notes say about the models Together serves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from catalog.contents import Catalog
from catalog.models import ServerlessRow, ServerlessTable
from catalog.rules.common import (
    NOTES_TABLE,
    lora_base_tables,
    name_words,
    serverless_tables,
    under_note,
)
from catalog.rules.registry import Finding, rule


@rule("lora-base-not-turbo", "docs: fine-tuning-models / Supported Models (serverless LoRA)")
def lora_base_not_turbo(catalog: Catalog) -> Iterator[Finding]:
    """No serverless LoRA base is a Turbo variant, by id or by published name.

    The docs say adapters are served on the listed Reference/base models and that a Turbo
    base is refused at upload (notes.yaml `serverless_lora`), so a Turbo base row contradicts
    that note.
    """
    for table in lora_base_tables(catalog):
        for row in table.rows:
            if "turbo" in name_words(row.model, row.model_name):
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"model_name": row.model_name},
                    "serverless LoRA base is a Turbo variant",
                )


@rule("lora-base-fine-tunable", "docs: serverless-lora-bases / Serverless LoRA base models")
def lora_base_fine_tunable(catalog: Catalog) -> Iterator[Finding]:
    """Each serverless LoRA base is a LoRA-fine-tunable model, directly or by declared alias.

    The base list exists to serve adapters trained on Together; a base nobody can train a
    LoRA for serves nothing. Where the served id is a serving variant of the trained one
    (`...-2507-tput` serves `...-2507`), catalog/aliases.yaml `serving_variants` says so.
    """
    lora = catalog.lora_index
    variants = catalog.aliases.serving_variants
    for table in lora_base_tables(catalog):
        for row in table.rows:
            target = variants.get(row.model, row.model)
            if target not in lora:
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"resolves_to": target, "via_alias": target != row.model},
                    f"serverless LoRA base resolves to {target}, which has no LoRA row",
                )


@rule("quantization-legend", "docs: serverless-models / Chat Models (quantization legend)")
def quantization_legend(catalog: Catalog) -> Iterator[Finding]:
    """Quantization follows the docs' naming legend: Turbo -> FP8, Lite -> INT4, else FP16.

    The legend (notes.yaml `quantization_legend`) is stated on the serverless models page, so
    it applies to that page's tables that publish a quantization column. It does not apply
    to the serverless LoRA bases page: that table publishes BF16, a precision the legend has
    no word for, and its FP8 rows carry no marker; it follows another convention.
    A marker counts when it is a whole word of the id's name or of the published name.
    """
    legend = catalog.notes.quantization_legend
    for table in serverless_tables(catalog):
        if table.source.page != legend.source.page or not under_note(legend.source, table):
            continue
        if "quantization" not in {c.field for c in table.columns}:
            continue
        for row in table.rows:
            if row.quantization is None:
                continue
            found = name_words(row.model, row.model_name)
            marks = [m for m in legend.markers if m.name_contains.casefold() in found]
            expected = {m.quantization for m in marks} or {legend.default}
            if len(expected) > 1 or row.quantization not in expected:
                yield Finding(
                    table.table,
                    row.model,
                    "quantization",
                    {
                        "quantization": row.quantization,
                        "expected": sorted(expected),
                        "markers": [m.name_contains for m in marks],
                    },
                    f"published {row.quantization}, the legend implies "
                    + " or ".join(sorted(expected)),
                )


@rule("serverless-context-consistent", "observed invariant")
def serverless_context_consistent(catalog: Catalog) -> Iterator[Finding]:
    """A model listed in several serverless categories has the same context length in each.

    One served model has one context window; two categories publishing different ones for
    the same id cannot both be right. Every listing of such a model is reported.
    """
    seen: dict[str, list[tuple[str, ServerlessRow]]] = defaultdict(list)
    for table in serverless_tables(catalog):
        for row in table.rows:
            if row.context_length is not None:
                seen[row.model].append((table.table, row))
    for model, listings in seen.items():
        lengths = {t: r.context_length for t, r in listings}
        if len(set(lengths.values())) > 1:
            for table_id, row in listings:
                yield Finding(
                    table_id,
                    model,
                    "context_length",
                    dict(lengths),
                    f"context length {row.context_length} here; elsewhere "
                    + ", ".join(f"{t}: {n}" for t, n in lengths.items() if t != table_id),
                )


@rule("recommended-model-listed", "docs: serverless-models (per-category recommendation)")
def recommended_model_listed(catalog: Catalog) -> Iterator[Finding]:
    """Each category's recommended model (notes.yaml `categories`) is in that category's table.

    A recommendation pointing outside its table is a renamed or withdrawn model.
    """
    by_category: dict[str, list[ServerlessTable]] = defaultdict(list)
    for table in serverless_tables(catalog):
        by_category[table.category].append(table)
    for category, note in catalog.notes.categories.items():
        if note.recommended is None:
            continue
        tables = [t for t in by_category.get(category, []) if under_note(note.source, t)]
        if by_category.get(category) and not tables:
            continue  # the category's table is newer than the recommendation
        if not any(note.recommended in {r.model for r in t.rows} for t in tables):
            table_id = tables[0].table if tables else NOTES_TABLE
            yield Finding(
                table_id,
                note.recommended,
                "recommended",
                {"category": category},
                f"recommended {category} model is not in the {category} table",
            )
