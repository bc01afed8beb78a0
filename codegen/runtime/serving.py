"""Serving a LoRA adapter serverless: whether a model is a base the docs list, and which
listed base to upload against instead (a Turbo id's Reference twin, a serving variant)."""

from __future__ import annotations

from together_catalog._data import LORA_BASES, SERVERLESS_LORA_TURBO_ERROR, SERVING_ALIASES
from together_catalog._frozen import Frozen

__all__ = ["ServerlessLoraAnswer", "serverless_lora_base"]


class ServerlessLoraAnswer(Frozen):
    """Whether `model` can serve a LoRA adapter serverless, and which base to use instead.

    `base` is the id to upload against: `model` itself when `ok`, else the listed base that
    serves the same weights (a "-Turbo" id's "-Reference" twin, a fine-tunable id's serving
    variant), or None when there is none. `reason` is a sentence for people. Truthy when ok.
    """

    _fields = ("model", "ok", "base", "reason")
    __slots__ = _fields
    __match_args__ = ("model", "ok", "base", "reason")

    model: str
    ok: bool
    base: str | None
    reason: str

    def __init__(self, model: str, ok: bool, base: str | None, reason: str) -> None:
        setter = object.__setattr__
        setter(self, "model", model)
        setter(self, "ok", ok)
        setter(self, "base", base)
        setter(self, "reason", reason)

    def __bool__(self) -> bool:
        return self.ok


def _base_candidates(model: str) -> list[str]:
    found = [base for base, target in SERVING_ALIASES.items() if target == model]
    for suffix in ("-Turbo", "-Lite"):
        if model.endswith(suffix):
            stem = model[: -len(suffix)]
            found += [stem + "-Reference", stem]
    return [c for c in dict.fromkeys(found) if c in LORA_BASES]


def serverless_lora_base(model: str) -> ServerlessLoraAnswer:
    """Answer "can I serve a LoRA adapter on `model`?" with the base id to use when not.

    A Turbo id is the common mistake: the upload fails (the API's error is quoted in the
    reason), while the matching Reference id on the base list works.
    """
    if model in LORA_BASES:
        return ServerlessLoraAnswer(model, True, model, f"{model} is a serverless LoRA base")
    candidates = _base_candidates(model)
    base = candidates[0] if candidates else None
    if model.endswith("-Turbo"):
        reason = (
            f"{model} is a Turbo variant and is not a serverless LoRA base "
            f"(the upload fails with {SERVERLESS_LORA_TURBO_ERROR!r})"
        )
    else:
        reason = f"{model} is not on the serverless LoRA base list"
    reason += f"; use {base}" if base else "; no listed base serves it"
    return ServerlessLoraAnswer(model, False, base, reason)
