"""Synthetic serverless rows publishing what today's docs tables do not yet (prices,
capability flags, a modality), installed where the runtime reads them, so the price,
capability and CLI tests mean something before Together's newer pages land in the catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_catalog import _data
from together_catalog._records import ServerlessModel

PRICED_CHAT = "acme/Priced-70B-Instruct-Turbo"
TOKEN_EMBED = "acme/embed-large"
TTS = "acme/voice-tts"
#: A FLUX model the per-megapixel formula applies to (FLUX.1-dev until it was retired).
FLUX_DEV = "black-forest-labs/FLUX.1-krea-dev"

Install = Callable[..., None]


def _template(category: str) -> ServerlessModel:
    return next(iter(_data.SERVERLESS[category].values()))


def priced_chat(**changes: Any) -> ServerlessModel:
    values: dict[str, Any] = {
        "model": PRICED_CHAT,
        "input_price": "0.88",
        "cached_input_price": "0.44",
        "output_price": "1.20",
        "function_calling": True,
        "structured_outputs": False,
        **changes,
    }
    return _template("chat")._replace(**values)


def token_embedding() -> ServerlessModel:
    return _template("embedding")._replace(model=TOKEN_EMBED, token_price="0.02")


def tts() -> ServerlessModel:
    return _template("audio")._replace(
        model=TTS, price="15.00 per 1M chars", modality="Text-to-Speech"
    )


def flux_priced() -> ServerlessModel:
    return _data.SERVERLESS["image"][FLUX_DEV]._replace(price_per_megapixel="0.025")
