"""Published prices as exact Decimals, the token cost estimate, and capabilities: on whatever
rows the generated data prices today, and on synthetic rows (tests/runtime/synthetic.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import together_catalog as tc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from together_catalog import _data, prices

from tests.runtime.synthetic import (
    FLUX_DEV,
    PRICED_CHAT,
    TOKEN_EMBED,
    TTS,
    Install,
    flux_priced,
    priced_chat,
    token_embedding,
    tts,
)

RECORDS = [(c, m, r) for c, rows in _data.SERVERLESS.items() for m, r in rows.items()]


def _hand_cost(record: object, inputs: int, outputs: int, cached: int) -> Decimal:
    """The estimate as a person computes it from the published text: dollars per 1M tokens."""
    cached_text = getattr(record, "cached_input_price") or getattr(record, "input_price")  # noqa: B009
    dollars = (
        (inputs - cached) * Decimal(getattr(record, "input_price"))  # noqa: B009
        + cached * Decimal(cached_text)
        + outputs * Decimal(getattr(record, "output_price"))  # noqa: B009
    )
    return dollars / Decimal(1_000_000)


def test_every_published_price_is_its_exact_text() -> None:
    for category, model, record in RECORDS:
        found = tc.price(model, category)
        assert (found.model, found.category) == (model, category)
        assert found.as_of == tc.table_info(f"serverless-{category}").snapshot
        for name, column in prices.PRICE_FIELDS.items():
            text = getattr(record, column)
            value = getattr(found, name)
            if text is None:
                assert value is None  # "-" is None, never 0
                continue
            assert value is not None and value.text == f"${text}"
            assert value.amount == Decimal(text.partition(" per ")[0])


def test_every_token_priced_model_costs_its_hand_computation() -> None:
    priced = [
        (c, m, r) for c, m, r in RECORDS if r.input_price is not None and r.output_price is not None
    ]
    for category, model, record in priced:
        for inputs, outputs, cached in ((0, 0, 0), (1_000_000, 0, 0), (1234, 567, 200)):
            got = tc.estimate_cost(
                model,
                input_tokens=inputs,
                output_tokens=outputs,
                cached_input_tokens=cached,
                category=category,
            )
            assert got == _hand_cost(record, inputs, outputs, cached)


def test_price_fields_cover_every_declared_price_column() -> None:
    assert sorted(prices.PRICE_FIELDS.values()) == sorted(f for f, _ in _data.PRICE_COLUMNS)
    assert list(prices.PRICE_FIELDS) == list(tc.ModelPrices._fields[3:])
    for field, unit in _data.PRICE_COLUMNS:  # token prices are quoted per 1M tokens
        if field in ("input_price", "cached_input_price", "output_price", "token_price"):
            assert unit is not None and "per 1M" in unit


def test_synthetic_chat_prices_and_cost(serverless_rows: Install) -> None:
    serverless_rows(priced_chat())
    found = tc.price(PRICED_CHAT)
    assert found.input == tc.Price(Decimal("0.88"), "USD per 1M input tokens", "$0.88")
    assert found.cached_input is not None and found.cached_input.amount == Decimal("0.44")
    assert found.output is not None and found.output.text == "$1.20"
    assert found.token is None and found.rate is None and bool(found)
    assert list(found.published()) == ["input", "cached_input", "output"]
    cost = tc.estimate_cost(
        PRICED_CHAT, input_tokens=1_000_000, output_tokens=500_000, cached_input_tokens=250_000
    )
    assert cost == Decimal("0.66") + Decimal("0.11") + Decimal("0.60")
    assert isinstance(cost, Decimal)


def test_without_a_cached_price_cached_tokens_cost_the_input_price(
    serverless_rows: Install,
) -> None:
    serverless_rows(priced_chat(cached_input_price=None))
    cost = tc.estimate_cost(
        PRICED_CHAT, input_tokens=1_000_000, output_tokens=0, cached_input_tokens=1_000_000
    )
    assert cost == Decimal("0.88")


def test_missing_prices_raise_naming_model_and_price(serverless_rows: Install) -> None:
    serverless_rows(priced_chat(output_price=None))
    assert tc.estimate_cost(PRICED_CHAT, input_tokens=10, output_tokens=0) == Decimal("0.0000088")
    with pytest.raises(tc.PriceNotPublishedError) as info:
        tc.estimate_cost(PRICED_CHAT, input_tokens=10, output_tokens=1)
    assert isinstance(info.value, ValueError)
    assert info.value.missing == ("output_price",) and info.value.model == PRICED_CHAT
    assert PRICED_CHAT in str(info.value) and "output_price" in str(info.value)
    unpriced = priced_chat(
        model="acme/unpriced", input_price=None, cached_input_price=None, output_price=None
    )
    serverless_rows(unpriced)
    with pytest.raises(tc.PriceNotPublishedError, match="input_price"):
        tc.estimate_cost(unpriced.model, input_tokens=0, output_tokens=0)


def test_counts_are_checked(serverless_rows: Install) -> None:
    serverless_rows(priced_chat())
    for bad in ({"input_tokens": -1}, {"output_tokens": 1.5}, {"cached_input_tokens": True}):
        counts = {"input_tokens": 10, "output_tokens": 10, **bad}
        with pytest.raises(ValueError, match="whole number"):
            tc.estimate_cost(PRICED_CHAT, **counts)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot exceed"):
        tc.estimate_cost(PRICED_CHAT, input_tokens=1, output_tokens=0, cached_input_tokens=2)


def test_token_priced_and_rate_priced_models(serverless_rows: Install) -> None:
    serverless_rows(token_embedding(), tts())
    assert tc.estimate_cost(TOKEN_EMBED, input_tokens=500_000, output_tokens=0) == Decimal("0.01")
    rate = tc.price(TTS).rate
    assert rate == tc.Price(Decimal("15.00"), "USD per 1M chars", "$15.00 per 1M chars")
    with pytest.raises(tc.PriceNotPublishedError):
        tc.estimate_cost(TTS, input_tokens=1, output_tokens=1)


def test_image_cost_takes_the_published_price_by_default(serverless_rows: Install) -> None:
    serverless_rows(flux_priced())
    default = tc.image_default_steps(FLUX_DEV)
    cost = tc.image_cost(FLUX_DEV, width=1024, height=768, steps=2 * default)
    assert cost == Decimal(1024 * 768) / Decimal(10**6) * Decimal("0.025") * 2
    given = tc.image_cost(FLUX_DEV, width=1000, height=1000, price_per_megapixel=0.5)
    assert given == pytest.approx(0.5)  # a price passed in still wins


def test_image_cost_without_a_published_price_says_so(serverless_rows: Install) -> None:
    serverless_rows(flux_priced()._replace(price_per_megapixel=None))
    with pytest.raises(tc.PriceNotPublishedError, match="price_per_megapixel"):
        tc.image_cost(FLUX_DEV, width=512, height=512)


def test_unknown_model_and_category() -> None:
    with pytest.raises(tc.UnknownModelError):
        tc.price("nope/nope")
    with pytest.raises(ValueError, match="chat"):
        tc.price(next(iter(_data.SERVERLESS["chat"])), "chatt")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 10**9), st.integers(0, 10**9), st.data())
def test_estimate_is_exact_for_any_counts(
    serverless_rows: Install, inputs: int, outputs: int, data: st.DataObject
) -> None:
    serverless_rows(priced_chat())
    cached = data.draw(st.integers(0, inputs))
    got = tc.estimate_cost(
        PRICED_CHAT, input_tokens=inputs, output_tokens=outputs, cached_input_tokens=cached
    )
    assert got == _hand_cost(priced_chat(), inputs, outputs, cached)


# --- capabilities --------------------------------------------------------------------------


def test_capabilities_follow_every_published_flag() -> None:
    assert tc.CAPABILITIES == _data.FLAG_COLUMNS
    for capability in tc.CAPABILITIES:
        with_it = set(tc.models_with(capability))
        for _, model, record in RECORDS:
            if getattr(record, capability) is True:
                assert model in with_it and tc.supports(model, capability) is True
        for model in {m for _, m, _ in RECORDS} - with_it:
            assert tc.supports(model, capability) in (False, None)


def test_synthetic_capabilities(serverless_rows: Install) -> None:
    serverless_rows(priced_chat(), tts())
    assert tc.supports_function_calling(PRICED_CHAT) is True
    assert tc.supports_structured_outputs(PRICED_CHAT) is False
    assert tc.supports_function_calling(TTS) is None  # not published: unknown, not No
    assert PRICED_CHAT in tc.models_with("function_calling")
    assert PRICED_CHAT in tc.models_with("function_calling", category="chat")
    assert tc.models_with("function_calling", "structured_outputs", category="chat") == tuple(
        m
        for m, r in _data.SERVERLESS["chat"].items()
        if r.function_calling and r.structured_outputs
    )
    assert TTS in tc.models_with(modality="text-to-speech")
    assert TTS not in tc.models_with(modality="Speech-to-Text")


def test_capability_errors() -> None:
    with pytest.raises(ValueError, match="function_calling"):
        tc.models_with("tools")
    with pytest.raises(ValueError, match="unknown capability"):
        tc.supports(next(iter(_data.SERVERLESS["chat"])), "tools")
    with pytest.raises(tc.UnknownModelError):
        tc.supports_function_calling("nope/nope")
    with pytest.raises(ValueError, match="chat"):
        tc.models_with("function_calling", category="chatt")
