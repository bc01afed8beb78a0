"""Arithmetic the docs state in prose: effective batch size and the FLUX image price.

`image_cost` applies the documented per-megapixel formula at the model's published price
(an exact Decimal, see `together_catalog.prices`), or at a price the caller passes: in
Decimal when given a Decimal price (for billing code that must not round), in float
otherwise. `decimal` is imported only when a published price is read (a Decimal price passed
in means the caller already imported it), which keeps it out of the package's import time.
"""

from __future__ import annotations

import sys

from together_catalog._data import (
    GRADIENT_ACCUMULATION_BATCH_SIZE,
    GRADIENT_ACCUMULATION_STEPS,
    IMAGE_PRICING_EXCLUDED,
    IMAGE_PRICING_PREFIX,
    MEGAPIXEL_DIVISOR,
    SERVERLESS,
)
from together_catalog.lookup import job_limits

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from decimal import Decimal
    from typing import Literal, overload

__all__ = [
    "effective_batch_size",
    "gradient_accumulation_steps",
    "image_cost",
    "image_default_steps",
    "megapixels",
]


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def gradient_accumulation_steps(
    batch_size: int, *, model: str | None = None, lora: bool | None = None
) -> int:
    """Steps a job accumulates gradients over: the model's published Grad accum when its
    job row (see `job_limits`) publishes one, else the docs' rule: 8 at batch size 1, else 1.
    """
    batch = _positive_int("batch_size", batch_size)
    if model is not None:
        published = job_limits(model, lora=lora).gradient_accumulation_steps
        if published is not None:
            return published
    return GRADIENT_ACCUMULATION_STEPS if batch == GRADIENT_ACCUMULATION_BATCH_SIZE else 1


def effective_batch_size(
    batch_size: int | Literal["max"],
    *,
    model: str | None = None,
    lora: bool | None = None,
    training_method: Literal["sft", "dpo"] = "sft",
) -> int:
    """Examples per optimizer step: batch size x gradient accumulation steps.

    With `model`, the accumulation is the model's published Grad accum where its job row
    publishes one; otherwise the documented rule: a batch size of 1 runs with gradient
    accumulation 8, so it trains like a batch of 8, any other with none. "max" resolves to
    the model's max batch size for the method, so `model` is then needed. An unknown model
    raises UnknownModelError.
    """
    if batch_size == "max":
        if model is None:
            raise ValueError("batch_size 'max' needs the model to resolve it")
        row = job_limits(model, lora=lora)
        if training_method not in ("sft", "dpo"):
            raise ValueError(f"training_method must be 'sft' or 'dpo', got {training_method!r}")
        batch = row.max_batch_size_sft if training_method == "sft" else row.max_batch_size_dpo
    else:
        batch = _positive_int("batch_size", batch_size)
    return batch * gradient_accumulation_steps(batch, model=model, lora=lora)


def image_default_steps(model: str) -> int:
    """Default steps of a model the per-megapixel formula applies to; ValueError otherwise."""
    record = SERVERLESS.get("image", {}).get(model)
    if record is None:
        from together_catalog.lookup import serverless_table_id, unknown

        known = tuple(SERVERLESS.get("image", {}))
        tables = (serverless_table_id("image"),) if "image" in SERVERLESS else ()
        raise unknown(model, known, "the serverless image table", tables=tables)
    if not model.startswith(IMAGE_PRICING_PREFIX) or model in IMAGE_PRICING_EXCLUDED:
        raise ValueError(
            f"{model} is not priced per megapixel and step by the documented formula "
            f"(it applies to {IMAGE_PRICING_PREFIX}* models other than "
            f"{', '.join(sorted(IMAGE_PRICING_EXCLUDED))})"
        )
    if record.default_steps is None:
        raise ValueError(f"{model} publishes no default steps, so the step multiplier is undefined")
    return record.default_steps


def megapixels(width: int, height: int) -> float:
    """Image size in megapixels as the pricing formula counts them."""
    return _positive_int("width", width) * _positive_int("height", height) / MEGAPIXEL_DIVISOR


if TYPE_CHECKING:  # the overloads are for type checkers; `typing.overload` stays unimported

    @overload
    def image_cost(
        model: str,
        *,
        width: int,
        height: int,
        price_per_megapixel: Decimal | None = None,
        steps: int | None = None,
    ) -> Decimal: ...
    @overload
    def image_cost(
        model: str,
        *,
        width: int,
        height: int,
        price_per_megapixel: float,
        steps: int | None = None,
    ) -> float: ...


def image_cost(
    model: str,
    *,
    width: int,
    height: int,
    price_per_megapixel: float | Decimal | None = None,
    steps: int | None = None,
) -> float | Decimal:
    """Price of one FLUX image: MP x price per MP, x (steps / default steps) above the default.

    `price_per_megapixel` None (the default) is the model's published price per MP, and
    the cost an exact Decimal; PriceNotPublishedError (a ValueError) when it publishes none.
    `steps` None means the model's default. A model outside the formula (not FLUX, FLUX pro,
    or without default steps) raises ValueError; an unknown id raises UnknownModelError.
    """
    default = image_default_steps(model)
    used = default if steps is None else _positive_int("steps", steps)
    pixels = _positive_int("width", width) * _positive_int("height", height)
    if price_per_megapixel is None:
        from together_catalog.prices import price  # deferred: it imports decimal

        published = price(model, "image").per_megapixel
        if published is None:
            from together_catalog.errors import PriceNotPublishedError

            raise PriceNotPublishedError(
                model, ("price_per_megapixel",), "image", "price per megapixel"
            )
        price_per_megapixel = published.amount
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(price_per_megapixel, decimal.Decimal):
        if price_per_megapixel < 0:
            raise ValueError(
                f"price_per_megapixel must not be negative, got {price_per_megapixel!r}"
            )
        exact: type[Decimal] = decimal.Decimal
        cost: Decimal = exact(pixels) / exact(MEGAPIXEL_DIVISOR) * price_per_megapixel
        return cost * exact(used) / exact(default) if used > default else cost
    if isinstance(price_per_megapixel, bool) or not isinstance(price_per_megapixel, int | float):
        raise ValueError(f"price_per_megapixel must be a number, got {price_per_megapixel!r}")
    if price_per_megapixel < 0:
        raise ValueError(f"price_per_megapixel must not be negative, got {price_per_megapixel!r}")
    value = pixels / MEGAPIXEL_DIVISOR * price_per_megapixel
    return value * used / default if used > default else value
