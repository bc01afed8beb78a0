"""One break per rule of catalog/rules/serverless.py: the serverless tables, the serverless
LoRA base list and the notes' recommended models (Turbo bases, bases nobody can fine-tune,
the quantization legend, context lengths across categories, recommendations not listed).

Each case edits the shared minimal catalog (tests/catalog/rule_cases.py) in one place and
must fire exactly that rule on exactly the rows broken; a module per rule family so that a
change to one family's rules reads against that family's cases alone. Also: the legend's
Turbo/Lite markers count only as whole words.
"""

from __future__ import annotations

import pytest

from tests.catalog.rule_cases import (
    CHAT,
    L31_8B,
    LITE,
    QWEN7,
    TPUT,
    TURBO,
    VISION,
    Case,
    Edit,
    fired,
    fired_after,
    minimal,
    one_break_params,
    registrar,
    row,
    rows,
)
from tests.support.catalog_strategies import BASES, LORA, CatalogDocs, finetune_row

CASES: list[Case] = []
case = registrar(CASES)


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


@case("serverless-context-consistent", "two-categories", {(CHAT, QWEN7), (VISION, QWEN7)})
def _(d: CatalogDocs) -> None:
    row(d, VISION, QWEN7)["context_length"] = 16384


@case("recommended-model-listed", "recommendation-not-in-table", {(CHAT, "acme-ai/Gone-7B")})
def _(d: CatalogDocs) -> None:
    d["notes"]["categories"]["chat"]["recommended"] = "acme-ai/Gone-7B"


@case("recommended-model-listed", "category-without-table", {("notes", "acme-ai/Gone-7B")})
def _(d: CatalogDocs) -> None:
    d["notes"]["categories"]["audio"] = {
        "source": {"page": "serverless-models", "section": "Audio Models"},
        "recommended": "acme-ai/Gone-7B",
    }


@pytest.mark.parametrize(("rule", "edit", "expected"), one_break_params(CASES))
def test_one_break_fires_exactly_that_rule(
    rule: str, edit: Edit, expected: set[tuple[str, str]]
) -> None:
    assert fired_after(edit) == {(rule, table, model) for table, model in expected}


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
