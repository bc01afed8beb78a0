"""Effective batch size and the FLUX per-megapixel formula."""

from __future__ import annotations

from decimal import Decimal

import pytest
import together_catalog as tc
from hypothesis import given, settings
from hypothesis import strategies as st
from together_catalog import _data

FLUX_DEV = "black-forest-labs/FLUX.1-krea-dev"


def test_batch_one_accumulates_gradients() -> None:
    assert _data.GRADIENT_ACCUMULATION_BATCH_SIZE == 1
    assert tc.effective_batch_size(1) == _data.GRADIENT_ACCUMULATION_STEPS == 8
    assert tc.gradient_accumulation_steps(1) == 8
    assert tc.effective_batch_size(2) == 2
    assert tc.effective_batch_size(16) == 16


def test_max_resolves_through_the_job_row() -> None:
    row = _data.LORA["Qwen/Qwen3.5-9B"]
    assert tc.effective_batch_size("max", model="Qwen/Qwen3.5-9B") == row.max_batch_size_sft
    full = _data.FULL["meta-llama/Llama-3.3-70B-Instruct-Reference"]
    got = tc.effective_batch_size("max", model=full.model, lora=False, training_method="dpo")
    assert got == full.max_batch_size_dpo
    one = next(m for m, r in _data.LORA.items() if r.max_batch_size_sft == 1)
    assert tc.effective_batch_size("max", model=one) == 8


def test_effective_batch_errors() -> None:
    with pytest.raises(ValueError, match="needs the model"):
        tc.effective_batch_size("max")
    with pytest.raises(tc.UnknownModelError):
        tc.effective_batch_size("max", model="nope/nope")
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError):
            tc.effective_batch_size(bad)  # type: ignore[arg-type]


def test_image_cost_formula() -> None:
    default = _data.SERVERLESS["image"][FLUX_DEV].default_steps
    assert default == tc.image_default_steps(FLUX_DEV)
    base = tc.image_cost(FLUX_DEV, width=1000, height=1000, price_per_megapixel=0.025)
    assert base == pytest.approx(0.025)
    at_default = tc.image_cost(
        FLUX_DEV, width=1000, height=1000, price_per_megapixel=0.025, steps=default
    )
    assert at_default == base
    fewer = tc.image_cost(FLUX_DEV, width=1000, height=1000, price_per_megapixel=0.025, steps=1)
    assert fewer == base  # fewer steps than the default cost the same
    double = tc.image_cost(
        FLUX_DEV, width=1000, height=1000, price_per_megapixel=0.025, steps=2 * default
    )
    assert double == pytest.approx(0.05)
    assert tc.megapixels(1024, 1024) == 1024 * 1024 / _data.MEGAPIXEL_DIVISOR


def test_image_cost_in_decimal_is_exact() -> None:
    default = tc.image_default_steps(FLUX_DEV)
    cost = tc.image_cost(
        FLUX_DEV,
        width=1024,
        height=768,
        price_per_megapixel=Decimal("0.025"),
        steps=default + 7,
    )
    assert isinstance(cost, Decimal)
    expected = Decimal(1024 * 768) / Decimal(10**6) * Decimal("0.025") * (default + 7) / default
    assert cost == expected


def test_image_cost_refuses_models_outside_the_formula() -> None:
    for model in _data.IMAGE_PRICING_EXCLUDED:
        with pytest.raises(ValueError, match="not priced"):
            tc.image_cost(model, width=512, height=512, price_per_megapixel=0.05)
    no_steps = [
        m
        for m, r in _data.SERVERLESS["image"].items()
        if m.startswith(_data.IMAGE_PRICING_PREFIX)
        and m not in _data.IMAGE_PRICING_EXCLUDED
        and r.default_steps is None
    ]
    for model in no_steps:
        with pytest.raises(ValueError, match="default steps"):
            tc.image_cost(model, width=512, height=512, price_per_megapixel=0.05)
    with pytest.raises(tc.UnknownModelError):
        tc.image_cost("black-forest-labs/FLUX.9-dev", width=512, height=512, price_per_megapixel=1)
    with pytest.raises(ValueError, match="width"):
        tc.image_cost(FLUX_DEV, width=0, height=512, price_per_megapixel=1)
    with pytest.raises(ValueError, match="negative"):
        tc.image_cost(FLUX_DEV, width=512, height=512, price_per_megapixel=-1)


PRICED = [
    m
    for m, r in _data.SERVERLESS["image"].items()
    if m.startswith(_data.IMAGE_PRICING_PREFIX)
    and m not in _data.IMAGE_PRICING_EXCLUDED
    and r.default_steps is not None
]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(PRICED),
    st.integers(1, 4096),
    st.integers(1, 4096),
    st.integers(1, 200),
)
def test_cost_grows_with_steps_only_above_default(model: str, w: int, h: int, steps: int) -> None:
    price = Decimal("0.02")
    default = tc.image_default_steps(model)
    cost = tc.image_cost(model, width=w, height=h, price_per_megapixel=price, steps=steps)
    flat = tc.image_cost(model, width=w, height=h, price_per_megapixel=price)
    assert cost == (flat if steps <= default else flat * steps / default)
    assert cost >= flat
