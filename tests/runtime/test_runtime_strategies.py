"""The package's Hypothesis strategies against the validator: valid requests validate clean,
invalid ones carry the violation they are tagged with, for every code the data can produce."""

from __future__ import annotations

from typing import Any

import together_catalog as tc
from hypothesis import given, settings
from together_catalog import _data
from together_catalog.testing import (
    TaggedRequest,
    invalid_codes,
    invalid_finetune_requests,
    valid_finetune_requests,
)


def test_strategies_cover_every_code_the_data_can_produce() -> None:
    missing = set(tc.CODES) - set(invalid_codes())
    assert set(invalid_codes()) <= set(tc.CODES)
    assert missing <= {"retired-model", "lora-rank-too-large"}, missing
    ranked = any(r.max_lora_rank is not None for r in _data.LORA.values())
    assert ("lora-rank-too-large" in missing) == (not ranked)
    finetune = {t for t, info in _data.TABLES.items() if info.kind == "finetune"}
    retired = any(r.table in finetune for r in tc.retired_models())
    assert ("retired-model" in missing) == (not retired)


@settings(max_examples=200, deadline=None)
@given(valid_finetune_requests())
def test_valid_requests_validate_clean(request: dict[str, Any]) -> None:
    assert tc.check_finetune_request(**request) == ()


@settings(max_examples=300, deadline=None)
@given(invalid_finetune_requests())
def test_invalid_requests_carry_their_tag(tagged: TaggedRequest) -> None:
    found = tc.check_finetune_request(**tagged.request)
    assert tagged.code in [v.code for v in found]
    for v in found:
        assert v.code in tc.CODES
        assert v.message and v.field


@settings(max_examples=100, deadline=None)
@given(invalid_finetune_requests(["batch-size-too-large", "max-seq-length-too-large"]))
def test_limit_violations_name_limit_and_table(tagged: TaggedRequest) -> None:
    found = {v.code: v for v in tc.check_finetune_request(**tagged.request)}
    v = found[tagged.code]
    assert isinstance(v.limit, int) and v.table in _data.TABLES
