"""Checking grows linearly with the catalog: no rule compares every pair of rows.

Deterministic rather than timed: every table's rows are wrapped in a tuple that counts each
row a rule reads (iteration, indexing, `in`). Quadrupling every table (and every list in
the notes) must at most quadruple each rule's reads; a pairwise loop would multiply them
by sixteen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, SupportsIndex

import pytest

from catalog.contents import Catalog
from catalog.rules import RULES
from tests.support.catalog_strategies import (
    BASE_COLUMNS,
    BASES,
    CHAT_COLUMNS,
    FINETUNE_COLUMNS,
    FULL,
    LONG,
    LORA,
    SERVERLESS_COLUMNS,
    build_catalog,
    finetune_row,
    notes_doc,
    table_doc,
)

READS = [0]


class CountingRows(tuple[Any, ...]):
    """A tuple that counts every element handed out or compared."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            READS[0] += 1
            yield item

    def __getitem__(self, index: Any) -> Any:
        READS[0] += 1
        return super().__getitem__(index)

    def __contains__(self, item: object) -> bool:
        READS[0] += len(self)
        return super().__contains__(item)

    def index(self, value: Any, start: SupportsIndex = 0, stop: SupportsIndex = 2**62) -> int:
        READS[0] += len(self)
        return super().index(value, start, stop)

    def count(self, value: Any) -> int:
        READS[0] += len(self)
        return super().count(value)


def scaled(n: int) -> Catalog:
    """n rows in every table, touching each rule's paths (with some violations too)."""
    lora = [
        finetune_row(
            f"acme-ai/M{i}-32k" if i % 5 == 0 else f"acme-ai/M{i}-7B",
            "Acme AI",
            (32768, 65536 if i % 7 == 0 else 32768),
            (8, 8, 16 if i % 3 == 0 else 8),
        )
        for i in range(n)
    ]
    served = [
        {
            "model": f"meta-llama/S{i}-Turbo",
            "organization": "Meta" if i % 2 else "Wrong",
            "model_name": f"S{i} Turbo",
            "context_length": 8192 + i % 2,
            "quantization": "FP8" if i % 4 else "FP16",
        }
        for i in range(n)
    ]
    vision = [{k: v for k, v in r.items() if k != "quantization"} for r in served]
    for r in vision:
        r["context_length"] = 8192
    bases = [
        {
            "model": r["model"] + ("-tput" if i % 2 else ""),
            "organization": "Acme AI",
            "model_name": "Turbo" if i % 9 == 0 else "base",
            "quantization": "BF16",
        }
        for i, r in enumerate(lora)
    ]
    page = "serverless-models"
    ft = {"kind": "finetune"}
    tables = {
        LORA: table_doc(LORA, {**ft, "method": "lora"}, "ft", "L", FINETUNE_COLUMNS, lora),
        FULL: table_doc(FULL, {**ft, "method": "full"}, "ft", "F", FINETUNE_COLUMNS, lora),
        LONG: table_doc(
            LONG, {**ft, "method": "lora_long_context"}, "ft", "LC", FINETUNE_COLUMNS, lora
        ),
        "serverless-chat": table_doc(
            "serverless-chat",
            {"kind": "serverless", "category": "chat"},
            page,
            "Chat Models",
            CHAT_COLUMNS,
            served,
        ),
        "serverless-vision": table_doc(
            "serverless-vision",
            {"kind": "serverless", "category": "vision"},
            page,
            "Vision Models",
            SERVERLESS_COLUMNS,
            vision,
        ),
        BASES: table_doc(BASES, {"kind": "serverless_lora_base"}, "b", "B", BASE_COLUMNS, bases),
    }
    chat_source = {"page": page, "section": "Chat Models"}
    categories: dict[str, Any] = {
        "chat": {"source": chat_source, "recommended": "x/y"},
        "vision": {"source": {"page": page, "section": "Vision Models"}},
    }
    notes = notes_doc(categories, [r["model"] for r in lora[::2]], bases[0]["model"], "x/y")
    notes["rate_limits"] = [
        {
            "source": chat_source,
            "model": f"meta-llama/S{i * 2}-Turbo",
            "limit": 1,
            "per": "minute",
            "unit": "requests",
        }
        for i in range(n)
    ]
    aliases = {
        "organizations": {"Meta": ["meta-llama"], "Acme AI": ["acme-ai", "unused"]},
        "serving_variants": {f"acme-ai/M{i}-7B-tput": f"acme-ai/M{i}-7B" for i in range(n)},
    }
    catalog = build_catalog({"tables": tables, "notes": notes, "aliases": aliases})
    counted = {
        k: t.model_copy(update={"rows": CountingRows(t.rows)}) for k, t in catalog.tables.items()
    }
    return Catalog(counted, catalog.notes, catalog.aliases, catalog.waivers)


def reads(rule_id: str, catalog: Catalog) -> tuple[int, int]:
    READS[0] = 0
    found = len(RULES[rule_id].run(catalog))
    return READS[0], found


SMALL, LARGE = scaled(60), scaled(240)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_reads_grow_linearly(rule_id: str) -> None:
    small, found_small = reads(rule_id, SMALL)
    large, found_large = reads(rule_id, LARGE)
    assert large <= 4 * small + 16, (rule_id, small, large)
    assert found_large <= 4 * found_small + 16


def test_counter_sees_a_pairwise_loop() -> None:
    """The harness itself: a quadratic scan is caught."""

    def pairwise(catalog: Catalog) -> int:
        rows = catalog.tables[LORA].rows
        return sum(1 for a in rows for b in rows if a.model == b.model)

    READS[0] = 0
    pairwise(SMALL)
    small = READS[0]
    READS[0] = 0
    pairwise(LARGE)
    assert READS[0] > 4 * small + 16


def test_scaled_catalog_exercises_most_rules() -> None:
    fired = {rule_id for rule_id in RULES if reads(rule_id, SMALL)[1]}
    assert len(fired) >= len(RULES) // 2, fired
