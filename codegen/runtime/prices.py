"""Published serverless prices as exact decimals, and what a request costs at them.

The records keep each price as the decimal text the docs published ("0.30"), so importing
the package never loads `decimal`; this module converts on first use (and is itself imported
only when one of its names is first used). A published "-" is None here, never 0.
"""

from __future__ import annotations

from decimal import Decimal

from together_catalog._data import PRICE_COLUMNS, SERVERLESS
from together_catalog._frozen import Frozen
from together_catalog.errors import PriceNotPublishedError
from together_catalog.lookup import (
    serverless_categories_of,
    serverless_model,
    serverless_table_id,
    table_info,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from together_catalog._records import ServerlessModel

__all__ = ["PRICE_FIELDS", "ModelPrices", "Price", "estimate_cost", "price"]

#: ModelPrices field -> the record's price column it reads, in declaration order.
PRICE_FIELDS = {
    "input": "input_price",
    "cached_input": "cached_input_price",
    "output": "output_price",
    "token": "token_price",
    "per_megapixel": "price_per_megapixel",
    "per_video": "price_per_video",
    "rate": "price",
}
#: Token prices are quoted per this many tokens ("USD per 1M input tokens").
TOKENS_PER_UNIT = 1_000_000
#: The power of ten a token-price total is shifted by to give dollars (-6: per 1M tokens).
_UNIT_EXPONENT = -(len(str(TOKENS_PER_UNIT)) - 1)
assert 10**-_UNIT_EXPONENT == TOKENS_PER_UNIT, "TOKENS_PER_UNIT must be a power of ten"
_UNITS = dict(PRICE_COLUMNS)


class Price(Frozen):
    """One published price: `amount` an exact Decimal in US dollars per `unit` (e.g. "USD per
    1M input tokens"), and `text` as the docs printed it ("$0.30", "$15.00 per 1M chars")."""

    _fields = ("amount", "unit", "text")
    __slots__ = _fields
    __match_args__ = ("amount", "unit", "text")

    amount: Decimal
    unit: str
    text: str

    def __init__(self, amount: Decimal, unit: str, text: str) -> None:
        setter = object.__setattr__
        setter(self, "amount", amount)
        setter(self, "unit", unit)
        setter(self, "text", text)

    def __str__(self) -> str:
        return f"{self.text} ({self.unit})"


class ModelPrices(Frozen):
    """The prices one serverless row publishes; each a `Price`, or None where the docs print
    "-" or leave the column out. `category` is the row's table; `as_of` the ISO date of the
    docs snapshot it was read from."""

    _fields = (
        "model",
        "category",
        "as_of",
        "input",
        "cached_input",
        "output",
        "token",
        "per_megapixel",
        "per_video",
        "rate",
    )
    __slots__ = _fields
    __match_args__ = (
        "model",
        "category",
        "as_of",
        "input",
        "cached_input",
        "output",
        "token",
        "per_megapixel",
        "per_video",
        "rate",
    )

    model: str
    category: str
    as_of: str
    #: Per 1M input tokens.
    input: Price | None
    #: Per 1M input tokens served from the prompt cache.
    cached_input: Price | None
    #: Per 1M output tokens.
    output: Price | None
    #: Per 1M tokens, for models priced by tokens in alone (embedding, moderation).
    token: Price | None
    #: Per generated megapixel at the default steps (image models).
    per_megapixel: Price | None
    #: Per generated video at the published resolution and duration.
    per_video: Price | None
    #: A price whose unit the docs state (per 1M characters, per audio minute).
    rate: Price | None

    def __init__(
        self,
        model: str,
        category: str,
        as_of: str,
        input: Price | None = None,
        cached_input: Price | None = None,
        output: Price | None = None,
        token: Price | None = None,
        per_megapixel: Price | None = None,
        per_video: Price | None = None,
        rate: Price | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "model", model)
        setter(self, "category", category)
        setter(self, "as_of", as_of)
        setter(self, "input", input)
        setter(self, "cached_input", cached_input)
        setter(self, "output", output)
        setter(self, "token", token)
        setter(self, "per_megapixel", per_megapixel)
        setter(self, "per_video", per_video)
        setter(self, "rate", rate)

    def __bool__(self) -> bool:
        """True when the row publishes any price."""
        return any(getattr(self, name) is not None for name in PRICE_FIELDS)

    def published(self) -> dict[str, Price]:
        """The prices published, by field name, in declaration order."""
        found = {name: getattr(self, name) for name in PRICE_FIELDS}
        return {name: value for name, value in found.items() if value is not None}


def _price(field: str, text: str | None) -> Price | None:
    if text is None:
        return None
    unit = _UNITS.get(field)
    if unit is None:  # a rate: "15.00 per 1M chars" states its own unit
        amount, _, per = text.partition(" per ")
        return Price(Decimal(amount), f"USD per {per}", f"${text}")
    return Price(Decimal(text), unit, f"${text}")


def _record(model: str, category: str | None) -> ServerlessModel:
    if category is not None:
        return serverless_model(model, category)
    record = serverless_model(model)  # an unknown id raises UnknownModelError here
    for other in serverless_categories_of(model):  # the first listing that prices it
        candidate = SERVERLESS[other][model]
        if any(getattr(candidate, column) is not None for _, column in PRICE_FIELDS.items()):
            return candidate
    return record


def price(model: str, category: str | None = None) -> ModelPrices:
    """The prices the docs publish for a serverless model: each an exact Decimal amount in
    USD with its unit and published text, or None where none is published.

    Without `category`, the first listing (docs order) that publishes a price, else the
    first listing. An unknown id raises UnknownModelError; an unknown category ValueError.
    """
    record = _record(model, category)
    values = {
        name: _price(column, getattr(record, column)) for name, column in PRICE_FIELDS.items()
    }
    as_of = table_info(serverless_table_id(record.category)).snapshot
    return ModelPrices(record.model, record.category, as_of, **values)


def _check_count(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a whole number of tokens >= 0, got {value!r}")
    return value


def estimate_cost(
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int = 0,
    category: str | None = None,
) -> Decimal:
    """What one request costs at the published token prices, in USD, as an exact Decimal.

    `input_tokens` counts every input token (as an API usage report's prompt tokens do),
    `cached_input_tokens` how many of them were served from the prompt cache: those are
    charged at the cached input price where one is published, at the input price otherwise.
    A model priced by tokens alone (one "per 1M tokens" price: embedding, moderation) is
    charged that price for input and output tokens alike. Raises PriceNotPublishedError (a
    ValueError) naming the model and the missing price when a needed one is not published,
    ValueError for a negative count or more cached tokens than input tokens.
    """
    inputs = _check_count("input_tokens", input_tokens)
    outputs = _check_count("output_tokens", output_tokens)
    cached = _check_count("cached_input_tokens", cached_input_tokens)
    if cached > inputs:
        raise ValueError(
            f"cached_input_tokens ({cached}) counts input tokens served from the cache, "
            f"so it cannot exceed input_tokens ({inputs})"
        )
    prices = price(model, category)
    if prices.input is None and prices.output is None and prices.token is not None:
        return _per_unit((inputs + outputs) * prices.token.amount)
    cached_price = prices.cached_input or prices.input
    needed = (
        ("input_price", prices.input, inputs - cached),
        ("input_price", cached_price, cached),
        ("output_price", prices.output, outputs),
    )
    missing = [name for name, given, count in needed if given is None and count > 0]
    if prices.input is None and prices.output is None:
        missing = ["input_price", "output_price"]  # not priced by tokens at all
    if missing:
        raise PriceNotPublishedError(
            model, tuple(dict.fromkeys(missing)), prices.category, "token price"
        )
    total = Decimal(0)
    for _, given, count in needed:
        if count:
            assert given is not None
            total += count * given.amount
    return _per_unit(total)


def _per_unit(total: Decimal) -> Decimal:
    """Dollars for `total` token-price units: exact (a shift of the decimal point)."""
    return total.scaleb(_UNIT_EXPONENT)
