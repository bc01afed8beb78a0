"""Hypothesis strategies for catalogs broken by exactly one rule-breaking mutation.

Each mutation takes documents drawn by tests/support/catalog_docs.py's `valid_docs()`, which
break no rule, and changes them so that exactly one rule of `catalog.rules` fires, on one row
it names. A rule with no mutation here is one the property tests cannot break on purpose.

    MUTATIONS               -> {rule id: mutation}, one per rule that can be broken alone
    broken_catalogs(rules)  -> Broken(rule, table, model, catalog): one mutation applied,
                               which must make exactly `rule` fire on row (table, model)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hypothesis import strategies as st

from catalog.contents import Catalog
from catalog.rules import named_context
from tests.support.catalog_docs import (
    BASES,
    CONTACT_FAMILY,
    FULL,
    LONG,
    LORA,
    LORA_ONLY_MIN,
    MARKERS,
    ORGS,
    QUANTIZATIONS,
    CatalogDocs,
    Doc,
    build_catalog,
    finetune_row,
    readable_name,
    valid_docs,
)


@dataclass(frozen=True)
class Broken:
    """A catalog that one mutation made break `rule` on row (`table`, `model`)."""

    rule: str
    table: str
    model: str
    catalog: Catalog


Mutation = Callable[[st.DrawFn, CatalogDocs], tuple[str, str]]
MUTATIONS: dict[str, Mutation] = {}


def mutation(rule_id: str) -> Callable[[Mutation], Mutation]:
    def register(fn: Mutation) -> Mutation:
        MUTATIONS[rule_id] = fn
        return fn

    return register


def _rows(docs: CatalogDocs, table_id: str) -> list[Doc]:
    rows: list[Doc] = docs["tables"][table_id]["rows"]
    return rows


def _fresh(docs: CatalogDocs, namespace: str, suffix: str = "-9B") -> str:
    taken = {r["model"] for t in docs["tables"].values() for r in t["rows"]}
    n = len(taken)
    while f"{namespace}/Fresh{n}{suffix}" in taken:
        n += 1
    return f"{namespace}/Fresh{n}{suffix}"


_PLAIN = ORGS[0]  # an organization that needs no alias


def _add_lora(docs: CatalogDocs, row: Doc) -> tuple[str, str]:
    _rows(docs, LORA).append(row)
    return LORA, row["model"]


@mutation("long-context-subset-of-lora")
def _mut_long_context(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    rows = _rows(docs, LONG)
    if draw(st.booleans()):
        row = finetune_row(_fresh(docs, _PLAIN[1]), _PLAIN[0])
        rows.append(row)
        return LONG, row["model"]
    row = draw(st.sampled_from(rows))
    name = draw(
        st.sampled_from(
            ("context_length_sft", "context_length_dpo", "max_batch_size_sft", "max_batch_size_dpo")
        )
    )
    row[name] *= 2  # grows a limit: min <= max still holds
    return LONG, row["model"]


@mutation("full-subset-of-lora")
def _mut_full_subset(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    row = finetune_row(_fresh(docs, _PLAIN[1]), _PLAIN[0])
    _rows(docs, FULL).append(row)
    return FULL, row["model"]


@mutation("min-batch-le-max-batch")
def _mut_min_batch(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    if draw(st.booleans()):
        row = draw(st.sampled_from(_rows(docs, FULL)))
        row["min_batch_size"] = max(row["max_batch_size_sft"], row["max_batch_size_dpo"]) + 1
        return FULL, row["model"]
    batches = draw(st.sampled_from(((1, 8, 2), (8, 1, 2), (1, 1, 8))))
    return _add_lora(docs, finetune_row(_fresh(docs, _PLAIN[1]), _PLAIN[0], batches=batches))


@mutation("lora-base-not-turbo")
def _mut_base_turbo(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    row = draw(st.sampled_from(_rows(docs, BASES)))
    row["model_name"] += draw(st.sampled_from((" Turbo", "-turbo", " (TURBO)")))
    return BASES, row["model"]


@mutation("lora-base-fine-tunable")
def _mut_base_fine_tunable(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    model = _fresh(docs, _PLAIN[1])
    _rows(docs, BASES).append(
        {
            "model": model,
            "organization": _PLAIN[0],
            "model_name": readable_name(model),
            "quantization": "BF16",
        }
    )
    return BASES, model


@mutation("quantization-legend")
def _mut_quantization(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    row = draw(st.sampled_from(_rows(docs, "serverless-chat")))
    row["quantization"] = draw(
        st.sampled_from([q for q in QUANTIZATIONS if q != row["quantization"]])
    )
    return "serverless-chat", row["model"]


@mutation("llama31-long-context-lora-only")
def _mut_lora_only(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    model = draw(st.sampled_from(_rows(docs, FULL)))["model"]
    field = draw(st.sampled_from(("context_length_sft", "context_length_dpo")))
    for table_id in (LORA, FULL, LONG):  # every fine-tuning row of the model, kept identical
        for row in _rows(docs, table_id):
            if row["model"] == model:
                row[field] = 2 * LORA_ONLY_MIN
    models = docs["notes"]["lora_only_long_context"]["models"]
    if model not in models:
        models.append(model)
    return FULL, model


@mutation("serverless-context-consistent")
def _mut_serverless_context(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    tables = {k: v for k, v in docs["tables"].items() if v["kind"] == "serverless"}
    listed = {k: {r["model"] for r in t["rows"]} for k, t in tables.items()}
    options = [
        (k, r, other)
        for k, t in tables.items()
        for r in t["rows"]
        for other in tables
        if r["model"] not in listed[other]
    ]
    if options:
        _, row, other = draw(st.sampled_from(options))
        copy_ = {**row, "context_length": row["context_length"] * 2}
        copy_.pop("quantization", None)
        if other == "serverless-chat":
            copy_["quantization"] = _legend(copy_)
        tables[other]["rows"].append(copy_)
        return other, row["model"]
    # every model is in every table: change one listing
    other = draw(st.sampled_from(sorted(tables)))
    row = draw(st.sampled_from(tables[other]["rows"]))
    row["context_length"] *= 2
    return other, row["model"]


def _legend(row: Doc) -> str:
    name = row["model"].partition("/")[2]
    return next((MARKERS[m] for m in MARKERS if m and m in name.split("-")), MARKERS[""])


@mutation("organization-namespace")
def _mut_organization(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    org = draw(st.sampled_from(("Wrong Org", "Acme", "Meta Platforms")))
    return _add_lora(docs, finetune_row(_fresh(docs, _PLAIN[1]), org))


@mutation("model-id-unique")
def _mut_unique(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    table_id = draw(st.sampled_from(sorted(docs["tables"])))
    rows = _rows(docs, table_id)
    row = draw(st.sampled_from(rows))
    rows.append(copy.deepcopy(row))
    return table_id, row["model"]


@mutation("model-id-grammar")
def _mut_grammar(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    ns = _PLAIN[1]
    bad = draw(
        st.sampled_from(
            (
                f"{ns}/bad name",
                f'{ns}/bad"quote',
                f"{ns}/bell\x07",
                f"{ns}/tab\tx",
                f"{ns}-no-slash",
                f"{ns}/a/b",
                f"{ns}/it's",
                f"{ns}/-dash-first",
                f"{ns}/semi;colon",
                # (A non-ASCII id never reaches the rules: the loader refuses it first.)
            )
        )
    )
    return _add_lora(docs, finetune_row(bad, _PLAIN[0]))


@mutation("recommended-model-listed")
def _mut_recommended(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    category = draw(st.sampled_from(sorted(docs["notes"]["categories"])))
    model = _fresh(docs, _PLAIN[1])
    docs["notes"]["categories"][category]["recommended"] = model
    return f"serverless-{category}", model


@mutation("full-context-matches-lora")
def _mut_full_context(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    row = draw(st.sampled_from(_rows(docs, FULL)))
    field = draw(st.sampled_from(("context_length_sft", "context_length_dpo")))
    row[field] //= 2  # smaller: cannot cross the LoRA-only threshold
    return FULL, row["model"]


@mutation("finetune-identity-consistent")
def _mut_identity(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    table_id = draw(st.sampled_from((FULL, LONG)))
    row = draw(st.sampled_from(_rows(docs, table_id)))
    row["model_name"] = draw(
        st.sampled_from((f"{row['model_name']} v2", f"The {row['model_name']}"))
    )
    return table_id, row["model"]


@mutation("context-size-suffix")
def _mut_suffix(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    thousands = draw(st.sampled_from((8, 16, 32, 65, 131)))
    size = named_context(thousands)
    contexts = draw(st.sampled_from(((size * 2, size), (size, size * 2), (size // 2, size))))
    model = _fresh(docs, _PLAIN[1], f"-{thousands}k")
    return _add_lora(docs, finetune_row(model, _PLAIN[0], contexts))


@mutation("contact-only-not-self-serve")
def _mut_contact_only(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    model = f"{_PLAIN[1]}/{CONTACT_FAMILY}-{draw(st.integers(100, 999))}B"
    return _add_lora(docs, finetune_row(model, _PLAIN[0]))


@mutation("notes-models-listed")
def _mut_notes(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    model = _fresh(docs, _PLAIN[1])
    notes = docs["notes"]
    if draw(st.booleans()):
        notes["lora_only_long_context"]["models"].append(model)
    else:
        notes["serverless_lora"]["example_instead"] = model
    return "notes", model


@mutation("aliases-in-use")
def _mut_aliases(draw: st.DrawFn, docs: CatalogDocs) -> tuple[str, str]:
    aliases = docs["aliases"]
    if draw(st.booleans()):
        model = _fresh(docs, _PLAIN[1], "-tput")
        aliases["serving_variants"][model] = _rows(docs, LORA)[0]["model"]
        return "aliases", model
    aliases["organizations"].setdefault(_PLAIN[0], []).append("unused-namespace")
    return "aliases", "unused-namespace"


@st.composite
def broken_catalogs(draw: st.DrawFn, rules: Iterable[str] | None = None) -> Broken:
    """A valid catalog after one mutation that breaks exactly one rule."""
    rule_id = draw(st.sampled_from(sorted(rules if rules is not None else MUTATIONS)))
    docs = copy.deepcopy(draw(valid_docs()))
    table, model = MUTATIONS[rule_id](draw, docs)
    return Broken(rule_id, table, model, build_catalog(docs))
