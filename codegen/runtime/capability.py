"""What serverless models can do, as the docs' yes/no columns and audio modality publish it.

A capability is a flag column (`FLAG_COLUMNS`: function calling, structured outputs, and
any the docs add later); a row that does not publish one says nothing (None), which is not
the same as No. Imported on first use of one of its names.
"""

from __future__ import annotations

from together_catalog._data import FLAG_COLUMNS, SERVERLESS
from together_catalog.lookup import serverless_model, serverless_models

__all__ = [
    "CAPABILITIES",
    "models_with",
    "supports",
    "supports_function_calling",
    "supports_structured_outputs",
]

#: The capabilities the catalog knows, by the field name of their column.
CAPABILITIES: tuple[str, ...] = FLAG_COLUMNS


def _capability(name: str) -> str:
    if name not in CAPABILITIES:
        raise ValueError(f"unknown capability {name!r}; expected one of {list(CAPABILITIES)}")
    return name


def _index() -> dict[str, dict[str, bool | None]]:
    """capability -> model -> the answer `supports` gives, built once when first imported."""
    index: dict[str, dict[str, bool | None]] = {}
    for field in CAPABILITIES:
        answers: dict[str, bool | None] = {}
        for rows in SERVERLESS.values():
            for model, record in rows.items():
                said = getattr(record, field)
                if said is True or model not in answers:
                    answers[model] = said
                elif said is False and answers[model] is None:
                    answers[model] = False
        index[field] = answers
    return index


_ANSWERS = _index()


def supports(model: str, capability: str) -> bool | None:
    """Whether the docs say `model` has `capability`: True when a listing of it says Yes,
    False when listings say No and none Yes, None when none publishes the column.
    An unknown id raises UnknownModelError; an unknown capability ValueError."""
    try:
        return _ANSWERS[capability][model]
    except (KeyError, TypeError):
        _capability(capability)
        serverless_model(model)  # an unknown id raises here, with suggestions
        raise


def supports_function_calling(model: str) -> bool | None:
    """Whether `model` accepts tools (function calling), as published; None if unpublished."""
    return supports(model, "function_calling")


def supports_structured_outputs(model: str) -> bool | None:
    """Whether `model` can be held to a JSON schema, as published; None if unpublished."""
    return supports(model, "structured_outputs")


def models_with(
    *capabilities: str, modality: str | None = None, category: str | None = None
) -> tuple[str, ...]:
    """Serverless ids whose rows say Yes to every capability named and, when `modality` is
    given, publish that modality (compared without regard to case, e.g. "text-to-speech"),
    in one category or all of them (docs order, each id once).

    `models_with("function_calling", "structured_outputs", category="chat")`. An unknown
    capability or category raises ValueError.
    """
    fields = [_capability(name) for name in capabilities]
    categories = (category,) if category is not None else tuple(SERVERLESS)
    wanted = modality.casefold() if modality is not None else None
    found: dict[str, None] = {}
    for name in categories:
        for model in serverless_models(name):  # an unknown category raises here
            record = SERVERLESS[name][model]
            if not all(getattr(record, field) is True for field in fields):
                continue
            if wanted is not None and (record.modality or "").casefold() != wanted:
                continue
            found[model] = None
    return tuple(found)
