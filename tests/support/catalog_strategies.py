"""Hypothesis strategies for catalogs: ones that respect every consistency rule, and ones
broken by exactly one rule-breaking mutation.

A catalog is drawn as JSON-shaped documents, the same shape the YAML files have, and built
through the same pydantic models the loader uses, so a drawn catalog is one a maintainer
could have written. Self-contained on purpose (only Hypothesis, pydantic and codegen's
models, loader and rules): the runtime package's `together_catalog.testing` reuses these
strategies later.

    valid_docs()            -> CatalogDocs that break no rule
    catalogs()              -> Catalog built from valid_docs()
    broken_catalogs(rules)  -> Broken(rule, table, model, catalog): one mutation applied,
                               which must make exactly `rule` fire on row (table, model)
    build_catalog(docs)     -> Catalog (validates every document)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from pydantic import TypeAdapter

from catalog.contents import Catalog
from catalog.load import catalog_from_docs
from catalog.models import Notes, Table
from catalog.rules import named_context

#: {"tables": {table id: table doc}, "notes": notes doc, "aliases": aliases doc}
CatalogDocs = dict[str, Any]
Doc = dict[str, Any]

# (organization, namespace, needs an alias): the first two match by name alone.
ORGS: tuple[tuple[str, str, bool], ...] = (
    ("Acme AI", "acme-ai", False),
    ("northwind", "Northwind", False),
    ("Meta", "meta-llama", True),
    ("Alibaba", "Qwen", True),
)
STEMS = ("Nova", "Orca", "Lyra", "Vega", "Atlas", "Zephyr")
CONTEXTS = (4096, 8192, 16384, 32768, 65536, 131072)
BATCHES = (1, 2, 4, 8, 16, 32, 64)
CATEGORIES = ("chat", "vision", "code", "language")
LORA_ONLY_MIN = 32768
CONTACT_FAMILY = "Colossus"
QUANTIZATIONS = ("FP8", "INT4", "FP16", "BF16")
MARKERS = {"": "FP16", "Turbo": "FP8", "Lite": "INT4"}

LORA, FULL, LONG = "finetune-lora", "finetune-full", "finetune-lora-long-context"
BASES = "serverless-lora-bases"
FT_PAGE, SL_PAGE = "fine-tuning-models", "serverless-models"

FINETUNE_COLUMNS = (
    ("organization", "Organization"),
    ("model_name", "Model Name"),
    ("model", "Model String for API"),
    ("context_length_sft", "Context Length (SFT)"),
    ("context_length_dpo", "Context Length (DPO)"),
    ("max_batch_size_sft", "Max Batch Size (SFT)"),
    ("max_batch_size_dpo", "Max Batch Size (DPO)"),
    ("min_batch_size", "Min Batch Size"),
)
SERVERLESS_COLUMNS = (
    ("organization", "Organization"),
    ("model_name", "Model Name"),
    ("model", "API Model String"),
    ("context_length", "Context Length"),
)
CHAT_COLUMNS = (*SERVERLESS_COLUMNS, ("quantization", "Quantization"))
BASE_COLUMNS = (
    ("organization", "Organization"),
    ("model_name", "Base Model Name"),
    ("model", "Base Model String"),
    ("quantization", "Quantization"),
)

_TABLE = TypeAdapter[Table](Table)
_NOTES = TypeAdapter(Notes)


# --- building --------------------------------------------------------------------------------


def build_catalog(docs: CatalogDocs) -> Catalog:
    """Validate every document through the catalog models (as load.py does) into a Catalog."""
    tables: dict[str, Table] = {}
    for doc in docs["tables"].values():
        table = _TABLE.validate_json(json.dumps(doc))
        tables[table.table] = table
    notes = _NOTES.validate_json(json.dumps(docs["notes"]))
    return catalog_from_docs(tables.values(), notes, docs.get("aliases"), docs.get("waivers"))


def _source(page: str, section: str) -> Doc:
    return {
        "url": f"https://docs.example.invalid/{page}",
        "page": page,
        "section": section,
        "snapshot": "2026-01-01",
    }


def table_doc(
    table_id: str,
    header: Doc,
    page: str,
    section: str,
    columns: Iterable[tuple[str, str]],
    rows: list[Doc],
) -> Doc:
    return {
        "table": table_id,
        **header,
        "source": _source(page, section),
        "columns": [{"field": f, "header": h} for f, h in columns],
        "rows": rows,
    }


def finetune_row(
    model: str,
    organization: str,
    contexts: tuple[int, int] = (8192, 8192),
    batches: tuple[int, int, int] = (8, 8, 8),
) -> Doc:
    return {
        "model": model,
        "organization": organization,
        "model_name": model.partition("/")[2] or model,
        "context_length_sft": contexts[0],
        "context_length_dpo": contexts[1],
        "max_batch_size_sft": batches[0],
        "max_batch_size_dpo": batches[1],
        "min_batch_size": batches[2],
    }


def _readable(model: str) -> str:
    return (model.partition("/")[2] or model).replace("-", " ")


# --- valid catalogs ----------------------------------------------------------------------------


@st.composite
def _batches(draw: st.DrawFn) -> tuple[int, int, int]:
    sft = draw(st.sampled_from(BATCHES))
    dpo = draw(st.sampled_from(BATCHES))
    low = draw(st.sampled_from([b for b in BATCHES if b <= min(sft, dpo)]))
    return sft, dpo, low


@st.composite
def valid_docs(draw: st.DrawFn, max_rows: int = 8) -> CatalogDocs:
    """Catalog documents that break no rule in catalog.rules."""
    serial = iter(range(10**6))

    def fresh(org: tuple[str, str, bool], suffix: str = "") -> str:
        stem = draw(st.sampled_from(STEMS))
        size = draw(st.sampled_from((1, 3, 7, 13, 70)))
        return f"{org[1]}/{stem}{next(serial)}-{size}B{suffix}"

    def pick_org() -> tuple[str, str, bool]:
        return draw(st.sampled_from(ORGS))

    # LoRA: the superset of every fine-tuning table.
    lora: list[Doc] = []
    for _ in range(draw(st.integers(2, max_rows))):
        org = pick_org()
        variant = draw(st.sampled_from(("", "-Instruct", "-Base")))
        contexts = (draw(st.sampled_from(CONTEXTS)), draw(st.sampled_from(CONTEXTS)))
        lora.append(finetune_row(fresh(org, variant), org[0], contexts, draw(_batches())))

    lora_only = draw(st.lists(st.sampled_from([r["model"] for r in lora[1:]]), unique=True))

    def full_ok(row: Doc) -> bool:
        return (
            row["model"] not in lora_only
            or max(row["context_length_sft"], row["context_length_dpo"]) <= LORA_ONLY_MIN
        )

    eligible = [r for r in lora if full_ok(r)]  # lora[0] always is
    full: list[Doc] = []
    for row in draw(st.lists(st.sampled_from(eligible), min_size=1, unique_by=_model)):
        sft, dpo, low = draw(_batches())  # full rows keep the contexts, not the batches
        full.append(
            {**row, "max_batch_size_sft": sft, "max_batch_size_dpo": dpo, "min_batch_size": low}
        )
    long_context = [
        dict(r) for r in draw(st.lists(st.sampled_from(lora), min_size=1, unique_by=_model))
    ]

    # Serverless: a pool of served models, each in one or more categories with one context.
    categories = ["chat", *draw(st.lists(st.sampled_from(CATEGORIES[1:]), min_size=1, unique=True))]
    pool: list[Doc] = []
    for i in range(draw(st.integers(1, max_rows))):
        org = pick_org()
        marker = "Turbo" if i == 0 else draw(st.sampled_from(tuple(MARKERS)))
        model = fresh(org, "-Instruct" + (f"-{marker}" if marker else ""))
        pool.append(
            {
                "model": model,
                "organization": org[0],
                "model_name": _readable(model),
                "context_length": draw(st.sampled_from(CONTEXTS)),
                "quantization": MARKERS[marker],
            }
        )
    tables: dict[str, Doc] = {}
    notes_categories: dict[str, Doc] = {}
    for category in categories:
        chosen = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, unique=True))
        if category == "chat" and 0 not in chosen:
            chosen.append(0)
        rows = [dict(pool[i]) for i in sorted(chosen)]
        columns = CHAT_COLUMNS if category == "chat" else SERVERLESS_COLUMNS
        if category != "chat":
            for row in rows:
                del row["quantization"]
        section = f"{category.title()} Models"
        table_id = f"serverless-{category}"
        tables[table_id] = table_doc(
            table_id, {"kind": "serverless", "category": category}, SL_PAGE, section, columns, rows
        )
        recommended = draw(st.none() | st.sampled_from([r["model"] for r in rows]))
        notes_categories[category] = {
            "source": {"page": SL_PAGE, "section": section},
            "endpoint": None,
            "recommended": recommended,
        }

    # Serverless LoRA bases: LoRA models, plus maybe a serving variant declared as an alias.
    bases = [
        {
            "model": r["model"],
            "organization": r["organization"],
            "model_name": r["model_name"],
            "quantization": draw(st.sampled_from(("FP8", "BF16"))),
        }
        for r in draw(st.lists(st.sampled_from(lora), min_size=1, unique_by=_model))
    ]
    serving_variants: dict[str, str] = {}
    if draw(st.booleans()):
        target = draw(st.sampled_from(lora))
        variant = f"{target['model']}-tput"
        serving_variants[variant] = target["model"]
        bases.append(
            {
                **bases[0],
                "model": variant,
                "organization": target["organization"],
                "model_name": target["model_name"],
            }
        )

    section = "Fine-tuning Models"
    for table_id, method, rows in (
        (LORA, "lora", lora),
        (FULL, "full", full),
        (LONG, "lora_long_context", long_context),
    ):
        tables[table_id] = table_doc(
            table_id,
            {"kind": "finetune", "method": method},
            FT_PAGE,
            section,
            FINETUNE_COLUMNS,
            rows,
        )
    tables[BASES] = table_doc(
        BASES,
        {"kind": "serverless_lora_base"},
        "serverless-lora-bases",
        "Serverless LoRA base models",
        BASE_COLUMNS,
        bases,
    )

    needs_alias = {(org, ns) for org, ns, needs in ORGS if needs}
    used = {
        (row["organization"], row["model"].partition("/")[0])
        for table in tables.values()
        for row in table["rows"]
    }
    aliases = {
        "organizations": {org: [ns] for org, ns in sorted(used & needs_alias)},
        "serving_variants": serving_variants,
    }
    return {
        "tables": tables,
        "notes": notes_doc(notes_categories, lora_only, bases[0]["model"], pool[0]["model"]),
        "aliases": aliases,
    }


def _model(row: Doc) -> str:
    return str(row["model"])


def notes_doc(categories: Doc, lora_only: list[str], base: str, turbo: str) -> Doc:
    """A notes.yaml document: the given categories, LoRA-only models and serverless-LoRA
    examples; the docs' quantization legend; a contact-only family no drawn id starts with."""
    supported = {"page": FT_PAGE, "section": "Supported Models"}
    return {
        "categories": categories,
        "quantization_legend": {
            "source": {"page": SL_PAGE, "section": "Chat Models"},
            "markers": [{"name_contains": m, "quantization": q} for m, q in MARKERS.items() if m],
            "default": MARKERS[""],
        },
        "gradient_accumulation": {"source": supported, "batch_size": 1, "steps": 8},
        "lora_only_long_context": {
            "source": supported,
            "models": lora_only,
            "min_context": LORA_ONLY_MIN,
            "max_context": 131072,
        },
        "contact_only": [
            {
                "source": supported,
                "family": CONTACT_FAMILY,
                "model_prefixes": [f"{ORGS[0][1]}/{CONTACT_FAMILY}"],
            }
        ],
        "image_pricing": {
            "source": {"page": SL_PAGE, "section": "Image Models"},
            "model_prefix": "acme-ai/Image",
            "excluded": [],
            "megapixel_divisor": 1000000,
        },
        "rate_limits": [],
        "access_tiers": [],
        "reduced_limits": [],
        "serverless_lora": {
            "source": supported,
            "turbo_error": "No lora_model specified",
            "example_instead": base,
            "example_not": turbo,
        },
    }


def catalogs(max_rows: int = 8) -> st.SearchStrategy[Catalog]:
    """Catalogs that break no rule."""
    return valid_docs(max_rows).map(build_catalog)


# --- one-rule mutations ------------------------------------------------------------------------


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
            "model_name": _readable(model),
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
                f"{ns}/café",
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
