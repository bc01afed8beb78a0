"""Rules that keep the hand-kept files (notes.yaml, aliases.yaml) true to the tables: both
refer to rows by id, so an upstream rename or removal would otherwise leave them pointing
at nothing without anyone noticing."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.contents import Catalog
from catalog.models import NoteSource, Table
from catalog.rules.common import (
    NOTES_TABLE,
    finetune_tables,
    lora_base_tables,
    normalise,
    same_section,
    serverless_tables,
)
from catalog.rules.registry import Finding, rule
from catalog.waivers import ALIASES_FILE

#: Pseudo-table under which findings about catalog/aliases.yaml are reported and waived.
ALIASES_TABLE = ALIASES_FILE.removesuffix(".yaml")


Reference = tuple[str, str, list[Table], NoteSource]


def _note_references(catalog: Catalog) -> Iterator[Reference]:
    """(note path, model id, tables it must be in, the note's source) for every model the
    notes name; an empty table list is a note about a section no table has (a finding)."""
    notes = catalog.notes

    def section(source: NoteSource) -> list[Table]:
        return [t for t in catalog.tables.values() if same_section(source, t)]

    for i, limit in enumerate(notes.rate_limits):
        yield f"rate_limits[{i}]", limit.model, section(limit.source), limit.source
    for i, tier in enumerate(notes.access_tiers):
        yield f"access_tiers[{i}]", tier.model, section(tier.source), tier.source
    for i, reduced in enumerate(notes.reduced_limits):
        tables = section(reduced.source)
        yield f"reduced_limits[{i}].model", reduced.model, tables, reduced.source
        paid = reduced.paid_equivalent
        yield f"reduced_limits[{i}].paid_equivalent", paid, tables, reduced.source
    pricing = notes.image_pricing
    for model in pricing.excluded:
        yield "image_pricing.excluded", model, section(pricing.source), pricing.source
    only = notes.lora_only_long_context
    lora: list[Table] = list(finetune_tables(catalog, "lora"))
    for model in only.models:
        yield "lora_only_long_context.models", model, lora, only.source
    served = notes.serverless_lora
    bases: list[Table] = list(lora_base_tables(catalog))
    yield "serverless_lora.example_instead", served.example_instead, bases, served.source
    listed: list[Table] = list(serverless_tables(catalog))
    yield "serverless_lora.example_not", served.example_not, listed, served.source


@rule("notes-models-listed", "catalog integrity (notes.yaml)")
def notes_models_listed(catalog: Catalog) -> Iterator[Finding]:
    """Every model notes.yaml names is a row of the table its note is about.

    Notes are keyed by model id; after an upstream rename a note would silently apply to
    nothing. Rate limits, access tiers, reduced limits and pricing exclusions must be in
    their section's table; LoRA-only models in the LoRA table; the serverless-LoRA examples
    in the base list and in a serverless table respectively. A note the docs still state
    names current rows; one they dropped (`until`) may name rows that left with it, and
    retired rows count.
    """
    current: dict[str, set[str]] = {}
    ever: dict[str, set[str]] = {}
    for path, model, tables, source in _note_references(catalog):
        found = False
        for table in tables:
            if table.table not in current:
                current[table.table] = {r.model for r in table.rows}
                ever[table.table] = current[table.table] | {r.model for r in table.retired}
            ids = current if source.until is None else ever
            found = found or model in ids[table.table]
        if not found:
            yield Finding(
                NOTES_TABLE,
                model,
                path,
                {"tables": [t.table for t in tables]},
                f"notes.yaml {path} names a model no matching table lists",
            )


@rule("aliases-in-use", "catalog integrity (aliases.yaml)")
def aliases_in_use(catalog: Catalog) -> Iterator[Finding]:
    """Every alias in catalog/aliases.yaml is needed by a row, current or retired.

    A serving variant must be a listed LoRA base whose id differs from its target; an
    organization's namespace must be used by a row of that organization that the plain name
    match would not already accept. An unused alias means upstream changed: it is stale, like
    a waiver that waives nothing, and should go.
    """
    aliases = catalog.aliases
    bases = {row.model for table in lora_base_tables(catalog) for row in table.rows}
    for variant, target in aliases.serving_variants.items():
        if variant not in bases or variant == target:
            yield Finding(
                ALIASES_TABLE,
                variant,
                "serving_variants",
                {"target": target, "is_lora_base": variant in bases},
                "serving variant is not a listed LoRA base"
                if variant not in bases
                else "serving variant aliases itself",
            )
    used: set[tuple[str, str]] = set()
    for table in catalog.tables.values():
        for row in (*table.rows, *table.retired):  # retired rows are still answered for
            organization = getattr(row, "organization", None)
            if organization is not None:
                used.add((organization, row.model.partition("/")[0]))
    for organization, namespaces in aliases.organizations.items():
        for namespace in namespaces:
            needed = normalise(organization) != normalise(namespace)
            if not needed or (organization, namespace) not in used:
                yield Finding(
                    ALIASES_TABLE,
                    namespace,
                    f"organizations.{organization}",
                    {"organization": organization, "namespace": namespace, "needed": needed},
                    f"no row of {organization} uses namespace {namespace}"
                    if needed
                    else "alias repeats what the name match already accepts",
                )
