"""Each rule on its own: a minimal catalog broken in one place fires exactly that rule, on
exactly the rows broken; the unbroken minimal catalog fires nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from catalog.rules import RULE_ORDER, RULES, run_rules
from catalog.rules import rule as register_rule
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


def test_minimal_catalog_breaks_nothing() -> None:
    assert fired(minimal()) == set()


Edit = Callable[[CatalogDocs], None]
CASES: list[tuple[str, str, Edit, set[tuple[str, str]]]] = []


def case(rule: str, name: str, expected: set[tuple[str, str]]) -> Callable[[Edit], Edit]:
    def register(edit: Edit) -> Edit:
        CASES.append((rule, name, edit, expected))
        return edit

    return register


@case("long-context-subset-of-lora", "row-missing-from-lora", {(LONG, "acme-ai/Orca-3B")})
def _(d: CatalogDocs) -> None:
    rows(d, LONG).append(finetune_row("acme-ai/Orca-3B", "Acme AI"))


@case("long-context-subset-of-lora", "limit-differs", {(LONG, L33_32K)})
def _(d: CatalogDocs) -> None:
    row(d, LONG, L33_32K)["max_batch_size_dpo"] = 2


@case("full-subset-of-lora", "row-missing-from-lora", {(FULL, "acme-ai/Orca-3B")})
def _(d: CatalogDocs) -> None:
    rows(d, FULL).append(finetune_row("acme-ai/Orca-3B", "Acme AI"))


@case("min-batch-le-max-batch", "sft-in-full-table", {(FULL, NOVA)})
def _(d: CatalogDocs) -> None:
    row(d, FULL, NOVA).update(max_batch_size_sft=8, min_batch_size=16)


@case("min-batch-le-max-batch", "dpo-in-lora-table", {(LORA, "acme-ai/Orca-3B")})
def _(d: CatalogDocs) -> None:
    rows(d, LORA).append(finetune_row("acme-ai/Orca-3B", "Acme AI", batches=(8, 1, 2)))


@case("min-batch-le-max-batch", "both-tables", {(LORA, L33_32K), (LONG, L33_32K)})
def _(d: CatalogDocs) -> None:
    row(d, LORA, L33_32K)["min_batch_size"] = 2
    row(d, LONG, L33_32K)["min_batch_size"] = 2


@case("lora-base-not-turbo", "by-name", {(BASES, L31_8B)})
def _(d: CatalogDocs) -> None:
    row(d, BASES, L31_8B)["model_name"] = "Llama 3.1 8B Turbo"


@case("lora-base-not-turbo", "by-id", {(BASES, "meta-llama/Nova-8B-Turbo")})
def _(d: CatalogDocs) -> None:
    rows(d, LORA).append(finetune_row("meta-llama/Nova-8B-Turbo", "Meta"))
    rows(d, BASES).append(
        {
            "model": "meta-llama/Nova-8B-Turbo",
            "organization": "Meta",
            "model_name": "Nova",
            "quantization": "FP8",
        }
    )


@case("lora-base-fine-tunable", "not-in-lora", {(BASES, "acme-ai/Orca-3B")})
def _(d: CatalogDocs) -> None:
    rows(d, BASES).append(
        {
            "model": "acme-ai/Orca-3B",
            "organization": "Acme AI",
            "model_name": "Orca",
            "quantization": "FP8",
        }
    )


@case("lora-base-fine-tunable", "serving-variant-undeclared", {(BASES, TPUT)})
def _(d: CatalogDocs) -> None:
    d["aliases"]["serving_variants"] = {}


@case("lora-base-fine-tunable", "alias-target-not-in-lora", {(BASES, TPUT)})
def _(d: CatalogDocs) -> None:
    d["aliases"]["serving_variants"][TPUT] = "Qwen/Qwen3-235B-A22B"


@case("quantization-legend", "turbo-not-fp8", {(CHAT, TURBO)})
def _(d: CatalogDocs) -> None:
    row(d, CHAT, TURBO)["quantization"] = "FP16"


@case("quantization-legend", "lite-not-int4", {(CHAT, LITE)})
def _(d: CatalogDocs) -> None:
    row(d, CHAT, LITE)["quantization"] = "FP8"


@case("quantization-legend", "unmarked-not-fp16", {(CHAT, QWEN7)})
def _(d: CatalogDocs) -> None:
    row(d, CHAT, QWEN7)["quantization"] = "FP8"


@case("quantization-legend", "marker-only-in-name", {(CHAT, "acme-ai/Orca-3B")})
def _(d: CatalogDocs) -> None:
    rows(d, CHAT).append(
        {
            "model": "acme-ai/Orca-3B",
            "organization": "Acme AI",
            "model_name": "Orca 3B Turbo",
            "context_length": 8192,
            "quantization": "FP16",
        }
    )


@case("llama31-long-context-lora-only", "full-row-above-32k", {(FULL, L31_8B)})
def _(d: CatalogDocs) -> None:
    rows(d, FULL).append(finetune_row(L31_8B, "Meta", (131072, 65536), (8, 8, 8)))


@case("serverless-context-consistent", "two-categories", {(CHAT, QWEN7), (VISION, QWEN7)})
def _(d: CatalogDocs) -> None:
    row(d, VISION, QWEN7)["context_length"] = 16384


@case("organization-namespace", "unaliased-organization", {(CHAT, LITE)})
def _(d: CatalogDocs) -> None:
    row(d, CHAT, LITE)["organization"] = "Acme"


@case("organization-namespace", "alias-declared-for-another-name", {(BASES, TPUT)})
def _(d: CatalogDocs) -> None:
    row(d, BASES, TPUT)["organization"] = "Alibaba Cloud"
    del d["aliases"]["organizations"]["Alibaba"]  # now unused: keep aliases-in-use quiet


@case("model-id-unique", "duplicate-row", {(CHAT, QWEN7)})
def _(d: CatalogDocs) -> None:
    rows(d, CHAT).append(copy.deepcopy(row(d, CHAT, QWEN7)))


@case(
    "model-id-grammar",
    "whitespace-quote-control-slash",
    {
        (LORA, "acme-ai/Orca 3B"),
        (LORA, 'acme-ai/Orca"3B'),
        (LORA, "acme-ai/Orca\x073B"),
        (LORA, "acme-ai/Orca/3B"),
        (LORA, "Orca-3B"),
        (LORA, "acme-ai/Orca-3B\n"),
    },
)
def _(d: CatalogDocs) -> None:
    for model in (
        "acme-ai/Orca 3B",
        'acme-ai/Orca"3B',
        "acme-ai/Orca\x073B",
        "acme-ai/Orca/3B",
        "Orca-3B",
        "acme-ai/Orca-3B\n",
    ):
        rows(d, LORA).append(finetune_row(model, "Acme AI"))


@case("recommended-model-listed", "recommendation-not-in-table", {(CHAT, "acme-ai/Gone-7B")})
def _(d: CatalogDocs) -> None:
    d["notes"]["categories"]["chat"]["recommended"] = "acme-ai/Gone-7B"


@case("recommended-model-listed", "category-without-table", {("notes", "acme-ai/Gone-7B")})
def _(d: CatalogDocs) -> None:
    d["notes"]["categories"]["audio"] = {
        "source": {"page": "serverless-models", "section": "Audio Models"},
        "recommended": "acme-ai/Gone-7B",
    }


@case("full-context-matches-lora", "dpo-context-differs", {(FULL, NOVA)})
def _(d: CatalogDocs) -> None:
    row(d, FULL, NOVA)["context_length_dpo"] = 16384


@case("finetune-identity-consistent", "name-differs", {(FULL, NOVA)})
def _(d: CatalogDocs) -> None:
    row(d, FULL, NOVA)["model_name"] = "Nova 7B"


@case("context-size-suffix", "dpo-above-named-size", {(LORA, L33_32K), (LONG, L33_32K)})
def _(d: CatalogDocs) -> None:
    row(d, LORA, L33_32K)["context_length_dpo"] = 65536
    row(d, LONG, L33_32K)["context_length_dpo"] = 65536


@case("context-size-suffix", "sft-below-named-size", {(LORA, "acme-ai/Orca-131k")})
def _(d: CatalogDocs) -> None:
    rows(d, LORA).append(finetune_row("acme-ai/Orca-131k", "Acme AI", (65536, 65536)))


@case("contact-only-not-self-serve", "contact-only-family", {(LORA, "acme-ai/Colossus-405B")})
def _(d: CatalogDocs) -> None:
    rows(d, LORA).append(finetune_row("acme-ai/Colossus-405B", "Acme AI"))


@case(
    "notes-models-listed",
    "rate-limit-and-lora-only",
    {
        ("notes", "acme-ai/Gone-7B"),
        ("notes", "meta-llama/Gone-8B"),
    },
)
def _(d: CatalogDocs) -> None:
    d["notes"]["rate_limits"].append(
        {
            "source": {"page": "serverless-models", "section": "Chat Models"},
            "model": "acme-ai/Gone-7B",
            "limit": 10,
            "per": "minute",
            "unit": "requests",
        }
    )
    d["notes"]["lora_only_long_context"]["models"].append("meta-llama/Gone-8B")


@case(
    "aliases-in-use",
    "unused-namespace-and-variant",
    {
        ("aliases", "unused-ns"),
        ("aliases", "Qwen/Gone-tput"),
        ("aliases", "acme-ai"),
    },
)
def _(d: CatalogDocs) -> None:
    d["aliases"]["organizations"]["Meta"].append("unused-ns")
    d["aliases"]["organizations"]["Acme AI"] = ["acme-ai"]  # the name match already covers it
    d["aliases"]["serving_variants"]["Qwen/Gone-tput"] = Q235


@pytest.mark.parametrize(
    ("rule", "edit", "expected"),
    [pytest.param(r, e, x, id=f"{r}:{n}") for r, n, e, x in CASES],
)
def test_one_break_fires_exactly_that_rule(
    rule: str, edit: Edit, expected: set[tuple[str, str]]
) -> None:
    docs = minimal()
    edit(docs)
    assert fired(docs) == {(rule, table, model) for table, model in expected}


def test_every_rule_has_a_case() -> None:
    assert {r for r, *_ in CASES} == set(RULES)


def test_rules_report_in_the_declared_order() -> None:
    # The families are separate modules; the order the check prints must not depend on
    # which of them is imported first.
    assert list(RULES) == list(RULE_ORDER)


def test_a_rule_missing_from_the_order_is_refused() -> None:
    with pytest.raises(ValueError, match="RULE_ORDER"):
        register_rule("not-in-the-order", "observed invariant")(lambda catalog: iter(()))
    assert "not-in-the-order" not in RULES


def test_every_rule_is_documented_with_its_source() -> None:
    for rule in RULES.values():
        assert rule.id == rule.id.lower() and " " not in rule.id
        assert len(rule.doc) > 40, rule.id
        assert rule.source.startswith(("docs:", "observed invariant", "catalog integrity"))


def test_legend_marker_must_be_a_whole_word() -> None:
    docs = minimal()
    rows(docs, CHAT).append(
        {
            "model": "acme-ai/Turbocharged-7B",
            "organization": "Acme AI",
            "model_name": "Turbocharged Satellite 7B",
            "context_length": 8192,
            "quantization": "FP16",
        }
    )
    assert fired(docs) == set()


def test_lora_only_threshold_is_exclusive() -> None:
    docs = minimal()
    row(docs, LORA, L31_8B).update(context_length_sft=32768, context_length_dpo=32768)
    rows(docs, FULL).append(finetune_row(L31_8B, "Meta", (32768, 32768), (8, 8, 8)))
    assert fired(docs) == set()


def test_violation_names_field_and_values() -> None:
    docs = minimal()
    row(docs, FULL, NOVA).update(max_batch_size_dpo=4, min_batch_size=8, max_batch_size_sft=16)
    (violation,) = run_rules(build_catalog(docs))
    assert violation.field == "min_batch_size"
    assert dict(violation.values) == {"min_batch_size": 8, "max_batch_size_dpo": 4}
    assert "8" in violation.message
