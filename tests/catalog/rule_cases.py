"""The one-break fixtures every tests/catalog/test_rules_<family>.py shares: a minimal
catalog that breaks no rule (`minimal`), the lookups a break edits it with (`rows`, `row`),
what the rules then report (`fired`), and the case list each family fills (`registrar`).

Each rule is tested on its own, in the module named for the catalog/rules/<family>.py that
defines it: a minimal catalog broken in one place fires exactly that rule, on exactly the
rows broken. The family modules share one minimal catalog so that a case in one family is
also a check that it fires nothing of another's; test_rules_registry.py gathers their
cases to hold every registered rule to at least one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from catalog.rules import run_rules
from tests.support.catalog_strategies import (
    BASE_COLUMNS,
    BASES,
    CHAT_COLUMNS,
    FINETUNE_COLUMNS,
    FULL,
    LONG,
    LORA,
    SERVERLESS_COLUMNS,
    CatalogDocs,
    build_catalog,
    finetune_row,
    notes_doc,
    table_doc,
)

NOVA = "acme-ai/Nova-7B"
L31_8B = "meta-llama/Meta-Llama-3.1-8B-Reference"
L33_32K = "meta-llama/Llama-3.3-70B-32k-Instruct-Reference"
Q235 = "Qwen/Qwen3-235B-A22B-Instruct-2507"
TPUT = f"{Q235}-tput"
TURBO = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
LITE = "acme-ai/Nova-7B-Instruct-Lite"
QWEN7 = "Qwen/Qwen2.5-7B-Instruct"
CHAT, VISION = "serverless-chat", "serverless-vision"


def minimal() -> CatalogDocs:
    """A small catalog that breaks no rule, with one row of each shape the rules look at."""
    lora = [
        finetune_row(NOVA, "Acme AI", (32768, 32768), (8, 8, 8)),
        finetune_row(L31_8B, "Meta", (131072, 65536), (8, 8, 8)),
        finetune_row(L33_32K, "Meta", (32768, 32768), (1, 1, 1)),
        finetune_row(Q235, "Qwen", (32768, 24576), (1, 1, 1)),
    ]
    full = [finetune_row(NOVA, "Acme AI", (32768, 32768), (16, 16, 16))]
    long_context = [dict(lora[2])]
    chat = [
        {
            "model": TURBO,
            "organization": "Meta",
            "model_name": "Llama 3.3 70B Instruct Turbo",
            "context_length": 131072,
            "quantization": "FP8",
        },
        {
            "model": LITE,
            "organization": "Acme AI",
            "model_name": "Nova 7B Instruct Lite",
            "context_length": 8192,
            "quantization": "INT4",
        },
        {
            "model": QWEN7,
            "organization": "Qwen",
            "model_name": "Qwen 2.5 7B Instruct",
            "context_length": 32768,
            "quantization": "FP16",
        },
    ]
    vision = [
        {
            "model": QWEN7,
            "organization": "Qwen",
            "model_name": "Qwen 2.5 7B",
            "context_length": 32768,
        }
    ]
    bases = [
        {
            "model": L31_8B,
            "organization": "Meta",
            "model_name": "Llama 3.1 8B",
            "quantization": "BF16",
        },
        {
            "model": TPUT,
            "organization": "Alibaba",
            "model_name": "Qwen3 235B",
            "quantization": "FP8",
        },
    ]
    ft = {"kind": "finetune"}
    page = "serverless-models"
    tables = {
        LORA: table_doc(LORA, {**ft, "method": "lora"}, "ft", "LoRA", FINETUNE_COLUMNS, lora),
        FULL: table_doc(FULL, {**ft, "method": "full"}, "ft", "Full", FINETUNE_COLUMNS, full),
        LONG: table_doc(
            LONG,
            {**ft, "method": "lora_long_context"},
            "ft",
            "Long",
            FINETUNE_COLUMNS,
            long_context,
        ),
        CHAT: table_doc(
            CHAT,
            {"kind": "serverless", "category": "chat"},
            page,
            "Chat Models",
            CHAT_COLUMNS,
            chat,
        ),
        VISION: table_doc(
            VISION,
            {"kind": "serverless", "category": "vision"},
            page,
            "Vision Models",
            SERVERLESS_COLUMNS,
            vision,
        ),
        BASES: table_doc(
            BASES, {"kind": "serverless_lora_base"}, "bases", "Bases", BASE_COLUMNS, bases
        ),
    }
    categories = {
        "chat": {"source": {"page": page, "section": "Chat Models"}, "recommended": TURBO},
        "vision": {"source": {"page": page, "section": "Vision Models"}},
    }
    return {
        "tables": tables,
        "notes": notes_doc(categories, [L31_8B], L31_8B, TURBO),
        "aliases": {
            "organizations": {"Meta": ["meta-llama"], "Alibaba": ["Qwen"]},
            "serving_variants": {TPUT: Q235},
        },
    }


def rows(docs: CatalogDocs, table: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = docs["tables"][table]["rows"]
    return result


def row(docs: CatalogDocs, table: str, model: str) -> dict[str, Any]:
    return next(r for r in rows(docs, table) if r["model"] == model)


def fired(docs: CatalogDocs) -> set[tuple[str, str, str]]:
    return {(v.rule, v.table, v.model) for v in run_rules(build_catalog(docs))}


Edit = Callable[[CatalogDocs], None]
#: (rule, case name, edit breaking the minimal catalog, the (table, model) rows it fires on)
Case = tuple[str, str, Edit, set[tuple[str, str]]]
Register = Callable[[str, str, set[tuple[str, str]]], Callable[[Edit], Edit]]


def registrar(cases: list[Case]) -> Register:
    """The `@case(rule, name, expected)` decorator that appends to `cases`."""

    def case(rule: str, name: str, expected: set[tuple[str, str]]) -> Callable[[Edit], Edit]:
        def register(edit: Edit) -> Edit:
            cases.append((rule, name, edit, expected))
            return edit

        return register

    return case


def one_break_params(cases: list[Case]) -> list[Any]:
    """A family's cases as `(rule, edit, expected)` parameters, each named `rule:case`."""
    return [
        pytest.param(rule, edit, rows_, id=f"{rule}:{name}") for rule, name, edit, rows_ in cases
    ]


def fired_after(edit: Edit) -> set[tuple[str, str, str]]:
    """What the rules report on the minimal catalog once `edit` has broken it."""
    docs = minimal()
    edit(docs)
    return fired(docs)
