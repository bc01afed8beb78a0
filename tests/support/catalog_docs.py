"""Hypothesis strategies for catalog documents that respect every consistency rule.

A catalog is drawn as JSON-shaped documents, the same shape the YAML files have, and built
through the same pydantic models the loader uses (the `catalog` package's models and
`catalog.load`), so a drawn catalog is one a maintainer could have written. The table ids,
columns and helpers that build single rows and documents are here too, for tests that write
a catalog by hand. tests/support/catalog_mutations.py breaks these catalogs one rule at a time.

    valid_docs()            -> CatalogDocs that break no rule
    catalogs()              -> Catalog built from valid_docs()
    build_catalog(docs)     -> Catalog (validates every document)
    table_doc, finetune_row, notes_doc -> single documents
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st
from pydantic import TypeAdapter

from catalog.contents import Catalog
from catalog.load import TABLE, catalog_from_docs
from catalog.models import Notes, Table

#: {"tables": {table id: table doc}, "notes": notes doc, "aliases": aliases doc}
CatalogDocs = dict[str, Any]
Doc = dict[str, Any]

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

_NOTES = TypeAdapter(Notes)


# --- building --------------------------------------------------------------------------------


def build_catalog(docs: CatalogDocs) -> Catalog:
    """Validate every document through the catalog models (as catalog.load does) into a Catalog."""
    tables: dict[str, Table] = {}
    for doc in docs["tables"].values():
        table = TABLE.validate_json(json.dumps(doc))
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


def readable_name(model: str) -> str:
    """A model name spelled from its id: `org/Nova3-7B` -> `Nova3 7B`."""
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
                "model_name": readable_name(model),
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
