"""Together AI's model catalog as typed, offline data: limits, lookups and a job validator.

Everything here is generated from Together's published docs tables (see `table_info` for the
page, section and snapshot date of each). The package imports only the standard library so
that `import together_catalog` stays in the low milliseconds and is safe in any application;
the Hypothesis strategies live in `together_catalog.testing`, imported on demand. For the same
reason nothing imported here loads `typing` or `dataclasses`: the `Literal` id aliases
(`LoraModelId`, ...) and `FineTuneMethod` are imported on first access (`__getattr__`).

Quick use::

    from together_catalog import check_finetune_request, finetune_limits

    finetune_limits("Qwen/Qwen3.5-9B").max_batch_size_dpo          # 8
    for v in check_finetune_request("Qwen/Qwen3.5-9B", training_method="dpo", batch_size=16):
        print(v.code, v.suggestion)                               # batch-size-too-large ...
"""

from __future__ import annotations

from together_catalog._records import FineTuneLimits, LoraBase, ServerlessModel, TableInfo
from together_catalog.errors import (
    FineTuneRequestError,
    PriceNotPublishedError,
    RetiredModelError,
    UnknownModelError,
    Violation,
)
from together_catalog.lookup import (
    FINETUNE_METHODS,
    all_model_ids,
    data_as_of,
    fine_tunable_models,
    fine_tuning_methods,
    finetune_limits,
    full_models,
    is_serverless_lora_base,
    job_limits,
    long_context_lora_models,
    lora_base,
    lora_models,
    recommended_model,
    serverless_categories,
    serverless_categories_of,
    serverless_lora_bases,
    serverless_model,
    serverless_models,
    table_info,
)
from together_catalog.pricing import (
    effective_batch_size,
    gradient_accumulation_steps,
    image_cost,
    image_default_steps,
    megapixels,
)
from together_catalog.validate import (
    CODES,
    TRAINING_METHODS,
    check_finetune_request,
    is_valid_finetune_request,
    validate_finetune_request,
)

#: The distribution's version. Written only here: pyproject.toml reads it from this file
#: (hatch's dynamic version), so the package and its metadata cannot disagree.
__version__ = "0.1.0"

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from together_catalog._aliases import FineTuneMethod
    from together_catalog._ids import (
        AudioModelId,
        ChatModelId,
        CodeModelId,
        EmbeddingModelId,
        FineTunableModelId,
        FullModelId,
        ImageModelId,
        LanguageModelId,
        LongContextLoraModelId,
        LoraModelId,
        ModerationModelId,
        RerankModelId,
        ServerlessLoraBaseId,
        ServerlessModelId,
        VideoModelId,
        VisionModelId,
    )
    from together_catalog.capability import (
        CAPABILITIES,
        models_with,
        supports,
        supports_function_calling,
        supports_structured_outputs,
    )
    from together_catalog.changes import Change, history
    from together_catalog.prices import ModelPrices, Price, estimate_cost, price
    from together_catalog.retired import RetiredModel, retired_models
    from together_catalog.serving import ServerlessLoraAnswer, serverless_lora_base

#: Public names served on first access by `__getattr__` -> the module that defines them: the
#: `Literal` id aliases (which need `typing`, most of the import budget), and the prices,
#: capabilities, retired rows, history and serverless-LoRA answers (modules built on first
#: use, so `import together_catalog` never pays for them).
_LAZY = {
    "CAPABILITIES": "capability",
    "Change": "changes",
    "RetiredModel": "retired",
    "history": "changes",
    "retired_models": "retired",
    "ModelPrices": "prices",
    "Price": "prices",
    "ServerlessLoraAnswer": "serving",
    "estimate_cost": "prices",
    "models_with": "capability",
    "price": "prices",
    "serverless_lora_base": "serving",
    "supports": "capability",
    "supports_function_calling": "capability",
    "supports_structured_outputs": "capability",
    "AudioModelId": "_ids",
    "ChatModelId": "_ids",
    "CodeModelId": "_ids",
    "EmbeddingModelId": "_ids",
    "FineTunableModelId": "_ids",
    "FineTuneMethod": "_aliases",
    "FullModelId": "_ids",
    "ImageModelId": "_ids",
    "LanguageModelId": "_ids",
    "LongContextLoraModelId": "_ids",
    "LoraModelId": "_ids",
    "ModerationModelId": "_ids",
    "RerankModelId": "_ids",
    "ServerlessLoraBaseId": "_ids",
    "ServerlessModelId": "_ids",
    "VideoModelId": "_ids",
    "VisionModelId": "_ids",
}


def __getattr__(name: str) -> object:
    """PEP 562: import the module defining a lazy public name on first access, then cache it."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "CAPABILITIES",
    "CODES",
    "FINETUNE_METHODS",
    "TRAINING_METHODS",
    "AudioModelId",
    "Change",
    "ChatModelId",
    "CodeModelId",
    "EmbeddingModelId",
    "FineTunableModelId",
    "FineTuneLimits",
    "FineTuneMethod",
    "FineTuneRequestError",
    "FullModelId",
    "ImageModelId",
    "LanguageModelId",
    "LongContextLoraModelId",
    "LoraBase",
    "LoraModelId",
    "ModelPrices",
    "ModerationModelId",
    "Price",
    "PriceNotPublishedError",
    "RerankModelId",
    "RetiredModel",
    "RetiredModelError",
    "ServerlessLoraAnswer",
    "ServerlessLoraBaseId",
    "ServerlessModel",
    "ServerlessModelId",
    "TableInfo",
    "UnknownModelError",
    "VideoModelId",
    "Violation",
    "VisionModelId",
    "all_model_ids",
    "check_finetune_request",
    "data_as_of",
    "effective_batch_size",
    "estimate_cost",
    "fine_tunable_models",
    "fine_tuning_methods",
    "finetune_limits",
    "full_models",
    "gradient_accumulation_steps",
    "history",
    "image_cost",
    "image_default_steps",
    "is_serverless_lora_base",
    "is_valid_finetune_request",
    "job_limits",
    "long_context_lora_models",
    "lora_base",
    "lora_models",
    "megapixels",
    "models_with",
    "price",
    "recommended_model",
    "retired_models",
    "serverless_categories",
    "serverless_categories_of",
    "serverless_lora_base",
    "serverless_lora_bases",
    "serverless_model",
    "serverless_models",
    "supports",
    "supports_function_calling",
    "supports_structured_outputs",
    "table_info",
    "validate_finetune_request",
]
