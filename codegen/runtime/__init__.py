"""Together AI's model catalog as typed, offline data: limits, lookups and a job validator.

Everything here is generated from Together's published docs tables (see `table_info` for the
page, section and snapshot date of each). The package imports only the standard library so
that `import together_catalog` stays in the low milliseconds and is safe in any application;
the Hypothesis strategies live in `together_catalog.testing`, imported on demand.

Quick use::

    from together_catalog import check_finetune_request, finetune_limits

    finetune_limits("Qwen/Qwen3-8B").max_batch_size_dpo          # 8
    for v in check_finetune_request("Qwen/Qwen3-8B", training_method="dpo", batch_size=16):
        print(v.code, v.suggestion)                               # batch-size-too-large ...
"""

from __future__ import annotations

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
    VisionModelId,
)
from together_catalog._records import FineTuneLimits, LoraBase, ServerlessModel, TableInfo
from together_catalog.errors import FineTuneRequestError, UnknownModelError
from together_catalog.lookup import (
    FINETUNE_METHODS,
    FineTuneMethod,
    ServerlessLoraAnswer,
    all_model_ids,
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
    serverless_lora_base,
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
    Violation,
    check_finetune_request,
    is_valid_finetune_request,
    validate_finetune_request,
)

__all__ = [
    "CODES",
    "FINETUNE_METHODS",
    "TRAINING_METHODS",
    "AudioModelId",
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
    "ModerationModelId",
    "RerankModelId",
    "ServerlessLoraAnswer",
    "ServerlessLoraBaseId",
    "ServerlessModel",
    "ServerlessModelId",
    "TableInfo",
    "UnknownModelError",
    "Violation",
    "VisionModelId",
    "all_model_ids",
    "check_finetune_request",
    "effective_batch_size",
    "fine_tunable_models",
    "fine_tuning_methods",
    "finetune_limits",
    "full_models",
    "gradient_accumulation_steps",
    "image_cost",
    "image_default_steps",
    "is_serverless_lora_base",
    "is_valid_finetune_request",
    "job_limits",
    "long_context_lora_models",
    "lora_base",
    "lora_models",
    "megapixels",
    "recommended_model",
    "serverless_categories",
    "serverless_categories_of",
    "serverless_lora_base",
    "serverless_lora_bases",
    "serverless_model",
    "serverless_models",
    "table_info",
    "validate_finetune_request",
]
