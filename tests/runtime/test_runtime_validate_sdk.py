"""The validator's SDK 3.1.1 arguments: lora_r, gradient_accumulation_steps, train_vision and
from_checkpoint instead of a model, on the real rows and on synthetic rows that publish what
today's docs tables do not yet (a Max LoRA rank, Grad accum, a -VLM model)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import together_catalog as tc
from hypothesis import given, settings
from hypothesis import strategies as st
from together_catalog import _checks, _data, lookup, validate
from together_catalog._records import FineTuneLimits

QWEN = "Qwen/Qwen3.5-9B"
VLM = "acme/Vision-8B-Instruct-VLM"
RANKED = "acme/Ranked-8B-Instruct"

Install = Callable[..., None]


def codes(**request: Any) -> list[str]:
    return [v.code for v in tc.check_finetune_request(**request)]


def synthetic(model: str, **changes: Any) -> FineTuneLimits:
    """A LoRA row like Qwen3.5-9B's, renamed, with the given fields changed."""
    return _data.LORA[QWEN]._replace(model=model, **changes)


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Replace the job tables the validator reads with the given rows."""

    def put(lora: tuple[FineTuneLimits, ...], full: tuple[FineTuneLimits, ...] = ()) -> None:
        lora_rows = {r.model: r for r in lora}
        full_rows = {r.model: r._replace(method="full") for r in full}
        for module in (validate, _checks, lookup):
            monkeypatch.setattr(module, "LORA_JOB", lora_rows)
        for module in (validate, _checks):
            monkeypatch.setattr(module, "FULL", full_rows)

    yield put


def test_rank_up_to_the_published_max_on_synthetic_rows(install: Install) -> None:
    row = synthetic(RANKED, max_lora_rank=64)
    install((row,), (row,))
    for lora in (None, True):
        assert codes(model=RANKED, lora=lora, lora_r=64) == []  # equal is fine
        assert codes(model=RANKED, lora=lora, lora_r=1) == []
        (v,) = tc.check_finetune_request(RANKED, lora=lora, lora_r=65)
        assert (v.code, v.field, v.limit, v.table) == (
            "lora-rank-too-large",
            "lora_r",
            64,
            "finetune-lora",
        )
        assert v.suggestion is not None and "at most 64" in v.suggestion
    assert codes(model=RANKED, lora=False, lora_r=65) == []  # the SDK ignores it for full
    assert codes(model=RANKED, lora_r=0) == ["lora-rank-too-small"]
    assert codes(model=RANKED, lora_r=True) == ["invalid-lora-r-type"]
    assert codes(model=RANKED, lora_r=64.0) == []


def test_no_published_rank_bounds_nothing_above_one(install: Install) -> None:
    install((synthetic(RANKED, max_lora_rank=None),))
    assert codes(model=RANKED, lora_r=10_000) == []
    assert codes(model=RANKED, lora_r=-3) == ["lora-rank-too-small"]


def test_rank_bound_on_every_row_that_publishes_one() -> None:
    for model, row in lookup.LORA_JOB.items():
        if row.max_lora_rank is None:
            assert codes(model=model, lora_r=1 << 20) == []
            continue
        assert codes(model=model, lora_r=row.max_lora_rank) == []
        assert codes(model=model, lora_r=row.max_lora_rank + 1) == ["lora-rank-too-large"]


def test_vision_only_for_vlm_ids(install: Install) -> None:
    install((synthetic(VLM), synthetic(RANKED)), (synthetic(VLM),))
    for lora in (None, True, False):
        assert codes(model=VLM, lora=lora, train_vision=True) == []
    (v,) = tc.check_finetune_request(RANKED, train_vision=True)
    assert v.code == "vision-not-supported" and v.field == "train_vision"
    assert codes(model=RANKED, train_vision=False) == []
    assert codes(model=VLM, train_vision=None) == ["invalid-train-vision-type"]
    assert codes(model="nope/nope-VLM", train_vision=True) == ["unknown-model"]


def test_vision_verdict_follows_the_id_rule_on_the_real_rows() -> None:
    for rows, lora in ((_data.LORA, None), (_data.FULL, False)):
        for model in rows:
            want = [] if model.endswith(validate.VISION_MODEL_SUFFIX) else ["vision-not-supported"]
            assert codes(model=model, lora=lora, train_vision=True) == want


def test_gradient_accumulation_steps_zero_means_the_default() -> None:
    for steps in (None, 0, 1, 8, 8.0):
        assert codes(model=QWEN, gradient_accumulation_steps=steps) == []
    (v,) = tc.check_finetune_request(QWEN, gradient_accumulation_steps=-1)
    assert (v.code, v.limit) == ("gradient-accumulation-steps-too-small", 0)
    assert codes(model=QWEN, gradient_accumulation_steps="8") == [
        "invalid-gradient-accumulation-steps-type"
    ]


def test_a_checkpoint_alone_checks_types_and_plain_bounds_only() -> None:
    checkpoint = "ft-123/acme/Qwen3-8B-mine:10"
    assert codes(model=None, from_checkpoint=checkpoint, batch_size=10**6, lora=False) == []
    assert codes(model=None, from_checkpoint=checkpoint, max_seq_length=10**9) == []
    assert codes(model=None, from_checkpoint=checkpoint, train_vision=True) == []
    assert codes(model=None, from_checkpoint=checkpoint, max_seq_length=0, lora_r=0) == [
        "max-seq-length-too-small",
        "lora-rank-too-small",
    ]
    assert codes(model=None, from_checkpoint=7) == ["invalid-from-checkpoint-type"]


def test_contact_only_is_recognised_without_namespace_or_case() -> None:
    for model in (
        "Meta-Llama-3.1-405B-Instruct",
        "meta-llama/meta-llama-3.1-405b-instruct-turbo",
        "META-LLAMA-3.1-405B",
    ):
        assert codes(model=model) == ["contact-only"], model
        with pytest.raises(tc.UnknownModelError) as info:
            tc.finetune_limits(model)
        assert "sales" in str(info.value) and "did you mean" not in str(info.value)


def test_retired_model_has_its_place_reserved() -> None:
    order = tc.CODES
    assert order.index("contact-only") < order.index("retired-model")
    assert order.index("retired-model") < order.index("model-and-checkpoint")


# The hot path answers valid requests without the slow path; both must agree on everything.
_MODELS = [*dict.fromkeys([*_data.LORA, *_data.FULL, *_data.LORA_LONG_CONTEXT])]
_requests = st.fixed_dictionaries(
    {
        "model": st.one_of(st.sampled_from(_MODELS), st.none(), st.just("nope/nope")),
        "lora": st.sampled_from([None, True, False, 1]),
        "training_method": st.sampled_from(["sft", "dpo", "ppo"]),
        "batch_size": st.one_of(st.just("max"), st.integers(-1, 300), st.just(8.0)),
        "max_seq_length": st.one_of(st.none(), st.integers(-1, 200_000)),
        "from_checkpoint": st.one_of(st.none(), st.just("ft-1:2"), st.just(3)),
        "lora_r": st.one_of(st.none(), st.integers(-1, 600), st.just(16.0)),
        "gradient_accumulation_steps": st.one_of(st.none(), st.integers(-1, 9)),
        "train_vision": st.sampled_from([False, True, None]),
    }
)


@settings(max_examples=400, deadline=None)
@given(_requests)
def test_hot_path_and_slow_path_agree(request: dict[str, Any]) -> None:
    fast = tc.check_finetune_request(**request)
    order = (
        "model",
        "lora",
        "training_method",
        "batch_size",
        "max_seq_length",
        "from_checkpoint",
        "lora_r",
        "gradient_accumulation_steps",
        "train_vision",
    )
    slow = _checks.collect(None, *(request[name] for name in order))
    assert fast == slow
