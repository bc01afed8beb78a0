"""The Python validator and generated/schema/finetune-request.schema.json give one verdict.

Requests come from the package's own strategies (valid and invalid, boundaries weighted in),
from an exhaustive sweep of every row's bounds +-1, and from a schema rendered from a synthetic
catalog whose rows publish what today's tables do not yet (a Max LoRA rank, a -VLM model),
checked against the validator reading the same rows. The Python API spells "not given" as
None for model / lora / max_seq_length / from_checkpoint / lora_r /
gradient_accumulation_steps; the schema spells it as an absent key, so those Nones are
dropped before the schema sees the request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import together_catalog as tc
from hypothesis import given, settings
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from together_catalog import _data
from together_catalog.testing import (
    TaggedRequest,
    invalid_finetune_requests,
    valid_finetune_requests,
)

from catalog.contents import Catalog
from catalog.models import FineTuneTable
from codegen.schemas import finetune_request_schema

SCHEMA = "generated/schema/finetune-request.schema.json"  # the committed one, beside the package
OMITTED_WHEN_NONE = (
    "model",
    "lora",
    "max_seq_length",
    "from_checkpoint",
    "lora_r",
    "gradient_accumulation_steps",
)


@pytest.fixture(scope="module")
def schema(root: Path) -> Draft202012Validator:
    path = root / SCHEMA
    if not path.exists():
        pytest.fail(f"{path} is missing; run python -m codegen generate")
    doc = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(doc)
    return Draft202012Validator(doc)


def as_json_request(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if not (v is None and k in OMITTED_WHEN_NONE)}


def assert_agree(validator: Draft202012Validator, request: dict[str, Any]) -> bool:
    found = tc.check_finetune_request(**request)
    schema_ok = bool(validator.is_valid(as_json_request(request)))
    assert schema_ok == (not found), (
        f"schema says {'valid' if schema_ok else 'invalid'}, Python says "
        f"{[v.code for v in found] or 'valid'} for {request!r}"
    )
    return schema_ok


def boundary_requests() -> Iterator[dict[str, Any]]:
    """Every row of the job tables, both methods: each bound, and one past each bound.

    Not the full cross product: each limit is probed on its own (the schema checks the
    fields independently), which keeps the sweep to a few seconds of jsonschema time.
    """
    rows_by_lora = ((None, _data.LORA), (True, _data.LORA_LONG_CONTEXT), (False, _data.FULL))
    for lora, rows in rows_by_lora:
        for model, row in rows.items():
            for method in ("sft", "dpo"):
                top = getattr(row, f"max_batch_size_{method}")
                context = getattr(row, f"context_length_{method}")
                probes: tuple[tuple[object, int | None], ...] = (
                    (row.min_batch_size, context),
                    (top, 1),
                    (row.min_batch_size - 1, None),
                    (top + 1, None),
                    ("max", context + 1),
                )
                for batch, length in probes:
                    yield {
                        "model": model,
                        "lora": lora,
                        "training_method": method,
                        "batch_size": batch,
                        "max_seq_length": length,
                    }


def test_boundary_sweep_agrees(schema: Draft202012Validator) -> None:
    verdicts = [assert_agree(schema, r) for r in boundary_requests()]
    rows = len(_data.LORA) + len(_data.LORA_LONG_CONTEXT) + len(_data.FULL)
    assert len(verdicts) == 10 * rows > 300  # five probes a method, every job row
    assert any(verdicts) and not all(verdicts)


def test_rank_and_vision_sweep_agrees(schema: Draft202012Validator) -> None:
    """Every real row: train_vision, and the published Max LoRA rank +-1 where there is one."""
    rows_by_lora = ((None, _data.LORA), (True, _data.LORA_LONG_CONTEXT), (False, _data.FULL))
    for lora, rows in rows_by_lora:
        for model, row in rows.items():
            request = {"model": model, "lora": lora}
            assert_agree(schema, {**request, "train_vision": True})
            if row.max_lora_rank is not None:
                for rank in (row.max_lora_rank, row.max_lora_rank + 1):
                    assert_agree(schema, {**request, "lora_r": rank})


def test_wrong_method_and_unknown_ids_agree(schema: Draft202012Validator) -> None:
    ids = [*tc.all_model_ids(), "nope/nope", "", *_data.CONTACT_ONLY_PREFIXES]
    for model in ids:
        for lora in (None, False):
            assert_agree(schema, {"model": model, "lora": lora})


@settings(max_examples=300, deadline=None)
@given(valid_finetune_requests())
def test_valid_requests_agree(schema: Draft202012Validator, request: dict[str, Any]) -> None:
    assert assert_agree(schema, request)


@settings(max_examples=400, deadline=None)
@given(invalid_finetune_requests())
def test_invalid_requests_agree(schema: Draft202012Validator, tagged: TaggedRequest) -> None:
    assert not assert_agree(schema, tagged.request)


EDGES: list[dict[str, Any]] = [
    {"batch_size": 8.0},
    {"batch_size": 8.5},
    {"batch_size": True},
    {"batch_size": None},
    {"batch_size": "MAX"},
    {"max_seq_length": 1.0},
    {"max_seq_length": 0.0},
    {"max_seq_length": True},
    {"max_seq_length": float("inf")},
    {"lora": 0},
    {"lora": 1},
    {"lora": "false"},
    {"training_method": None},
    {"training_method": "SFT"},
    {"from_checkpoint": ""},
    {"from_checkpoint": 0},
    {"model": None, "from_checkpoint": "ft-1:3"},
    {"model": None, "from_checkpoint": "ft-1:3", "batch_size": 10**6, "lora": False},
    {"model": None, "from_checkpoint": None},
    {"model": None, "from_checkpoint": 7},
    {"lora_r": 1},
    {"lora_r": 0},
    {"lora_r": 8.0},
    {"lora_r": 8.5},
    {"lora_r": True},
    {"lora_r": 10**6, "lora": False},
    {"gradient_accumulation_steps": 0},
    {"gradient_accumulation_steps": -1},
    {"gradient_accumulation_steps": 2.0},
    {"gradient_accumulation_steps": False},
    {"train_vision": True},
    {"train_vision": False},
    {"train_vision": None},
    {"train_vision": 1},
]


@pytest.mark.parametrize("edge", EDGES, ids=repr)
def test_type_edges_agree(schema: Draft202012Validator, edge: dict[str, Any]) -> None:
    assert_agree(schema, {"model": "Qwen/Qwen3.5-9B", **edge})


# --- a synthetic catalog: a Max LoRA rank and a vision-language model ----------------------

QWEN = "Qwen/Qwen3.5-9B"
RANKED = "acme/Ranked-8B-Instruct"
VLM = "acme/Vision-8B-Instruct-VLM"


@pytest.fixture
def synthetic(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> Draft202012Validator:
    """The request schema of a catalog holding RANKED (rank 64, LoRA only) and VLM (LoRA and
    Full) beside Qwen3.5-9B, and the validator reading the same rows."""
    from together_catalog import _checks, lookup, validate

    base = catalog.lora_index[QWEN]
    lora_rows = (
        base,
        base.model_copy(update={"model": RANKED, "max_lora_rank": 64}),
        base.model_copy(update={"model": VLM}),
    )
    full_rows = (base.model_copy(update={"model": VLM}),)
    tables = {}
    for table_id, table in catalog.tables.items():
        if isinstance(table, FineTuneTable) and table.method in ("lora", "full"):
            rows = lora_rows if table.method == "lora" else full_rows
            table = table.model_copy(update={"rows": rows})
        elif isinstance(table, FineTuneTable):
            table = table.model_copy(update={"rows": ()})
        tables[table_id] = table
    doc = finetune_request_schema(Catalog(tables=tables, notes=catalog.notes))
    Draft202012Validator.check_schema(doc)

    record = _data.LORA[QWEN]
    lora = {
        QWEN: record,
        RANKED: record._replace(model=RANKED, max_lora_rank=64),
        VLM: record._replace(model=VLM),
    }
    full = {VLM: record._replace(model=VLM, method="full")}
    for module in (validate, _checks, lookup):
        monkeypatch.setattr(module, "LORA_JOB", lora)
    for module in (validate, _checks):
        monkeypatch.setattr(module, "FULL", full)
    return Draft202012Validator(doc)


SYNTHETIC: list[dict[str, Any]] = [
    *(
        {"model": m, "lora": lora, "lora_r": r}
        for m in (QWEN, RANKED, VLM)
        for lora in (None, True, False)
        for r in (None, 0, 1, 63, 64, 65, 10**6)
    ),
    *(
        {"model": m, "lora": lora, "train_vision": v}
        for m in (QWEN, RANKED, VLM)
        for lora in (None, False)
        for v in (False, True, None)
    ),
    *(
        {"model": m, "gradient_accumulation_steps": g, "from_checkpoint": c}
        for m in (RANKED, None)
        for g in (None, -1, 0, 4)
        for c in (None, "ft-1:3")
    ),
]


def test_synthetic_rank_and_vision_rules_agree(synthetic: Draft202012Validator) -> None:
    verdicts = [assert_agree(synthetic, request) for request in SYNTHETIC]
    assert any(verdicts) and not all(verdicts)
    assert not tc.is_valid_finetune_request(RANKED, lora_r=65)  # the rule is really in play
    assert tc.is_valid_finetune_request(VLM, lora=False, train_vision=True)
