"""One break per rule of catalog/rules/finetune.py: the LoRA, full and long-context tables
(a row another table repeats, batch and context limits, what a model's name promises).

Each case edits the shared minimal catalog (tests/catalog/rule_cases.py) in one place and
must fire exactly that rule on exactly the rows broken; a module per rule family so that a
change to one family's rules reads against that family's cases alone. Also: the Llama 3.1
LoRA-only context threshold is exclusive (32k itself is allowed in the full table).
"""

from __future__ import annotations

import pytest

from tests.catalog.rule_cases import (
    L31_8B,
    L33_32K,
    NOVA,
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
from tests.support.catalog_strategies import FULL, LONG, LORA, CatalogDocs, finetune_row

CASES: list[Case] = []
case = registrar(CASES)


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


@case("llama31-long-context-lora-only", "full-row-above-32k", {(FULL, L31_8B)})
def _(d: CatalogDocs) -> None:
    rows(d, FULL).append(finetune_row(L31_8B, "Meta", (131072, 65536), (8, 8, 8)))


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


@pytest.mark.parametrize(("rule", "edit", "expected"), one_break_params(CASES))
def test_one_break_fires_exactly_that_rule(
    rule: str, edit: Edit, expected: set[tuple[str, str]]
) -> None:
    assert fired_after(edit) == {(rule, table, model) for table, model in expected}


def test_lora_only_threshold_is_exclusive() -> None:
    docs = minimal()
    row(docs, LORA, L31_8B).update(context_length_sft=32768, context_length_dpo=32768)
    rows(docs, FULL).append(finetune_row(L31_8B, "Meta", (32768, 32768), (8, 8, 8)))
    assert fired(docs) == set()
