"""The Python validator and generated/schema/finetune-request.schema.json give one verdict.

Requests come from the package's own strategies (valid and invalid, boundaries weighted in)
and from an exhaustive sweep of every row's bounds +-1. The Python API spells "not given" as
None for lora / max_seq_length / from_checkpoint; the schema spells it as an absent key, so
those Nones are dropped before the schema sees the request.
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

SCHEMA = "generated/schema/finetune-request.schema.json"  # the committed one, beside the package
OMITTED_WHEN_NONE = ("lora", "max_seq_length", "from_checkpoint")


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
    assert len(verdicts) > 1500
    assert any(verdicts) and not all(verdicts)


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
]


@pytest.mark.parametrize("edge", EDGES, ids=repr)
def test_type_edges_agree(schema: Draft202012Validator, edge: dict[str, Any]) -> None:
    assert_agree(schema, {"model": "Qwen/Qwen3-8B", **edge})
