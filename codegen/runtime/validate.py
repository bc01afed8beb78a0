"""Pre-flight check of a fine-tuning job against the published per-model limits.

The arguments are named and mean what they mean in the Together SDK 3.1.1's
`client.fine_tuning.create` (its `create_finetune_request`), so the same keyword arguments
can be checked before they are sent. Every violation is reported at once, each with a stable
code (safe to match on), the field it concerns, the limit, the catalog table the limit comes
from, and a suggestion.

Semantics (shared with generated/schema/finetune-request.schema.json; both must agree):

- ``model`` or ``from_checkpoint``, not both (the SDK refuses both, and neither). A job from
  a checkpoint continues the parent job's model, which the catalog cannot know offline, so
  only the arguments' types and plain bounds are checked then.
- ``lora`` None: the SDK sends no training type and the API decides: LoRA for a job from a
  model, the parent job's type for a job from a checkpoint. With a model, None and True are
  held to the LoRA table's row (or the long-context LoRA table's row for a model listed only
  there); False is a full job, held to the Full table.
- ``training_method`` is "sft" (the default) or "dpo"; it picks the SFT or DPO columns.
- ``batch_size`` is "max" (the default) or an int within [min batch, max batch] inclusive.
- ``max_seq_length`` is None or an int within [1, context length] inclusive.
- ``lora_r`` is None (the model's default rank) or an int of at least 1; a LoRA job's rank
  is at most the row's published Max LoRA rank, when it publishes one (equal is fine). The
  SDK sends it only with ``lora=True``, and ignores it for a full job.
- ``gradient_accumulation_steps`` is None or an int of at least 0; None and 0 both mean the
  model's default (its published Grad accum).
- ``train_vision`` is True or False (the default); True trains the vision encoder too, which
  only vision-language models have: those whose id ends in ``-VLM``, the docs' convention.
- ``from_checkpoint`` is None or a string, a job id or ``JOB_ID/OUTPUT_MODEL_NAME:STEP``.

Violation codes (stable; the field each concerns in brackets):

- ``unknown-model`` [model]: not in any fine-tuning table (or neither a model nor a
  from_checkpoint was given); the suggestion names close ids.
- ``contact-only`` [model]: a family fine-tuned only by arrangement with Together's sales team
  (recognised whatever the case, with or without its namespace).
- ``retired-model`` [model]: the table the job would use (the Full table for ``lora=False``,
  else the LoRA and long-context tables) listed the model once, but the docs no longer do;
  the message gives the as-of date of the last snapshot that listed it, the table is the
  one it left, and the suggestion names its successor where one is evident. A model retired
  from one table but listed in the job's own (retired from LoRA, current in Full, with
  ``lora=False``) is fine.
- ``model-and-checkpoint`` [from_checkpoint]: both a model and a from_checkpoint were given.
- ``invalid-lora-type`` [lora]: not None, True or False.
- ``not-fine-tunable-with-method`` [lora]: listed, but not for this method (e.g. a full job
  on a LoRA-only model); the suggestion names the method that is offered.
- ``invalid-training-method`` [training_method]: not "sft" or "dpo".
- ``invalid-batch-size-type`` [batch_size]: not an int or "max".
- ``batch-size-too-small`` / ``batch-size-too-large`` [batch_size]: outside the row's
  inclusive [min batch, max batch] for the training method.
- ``invalid-max-seq-length-type`` [max_seq_length]: not None or an int.
- ``max-seq-length-too-small`` [max_seq_length]: below 1.
- ``max-seq-length-too-large`` [max_seq_length]: above the row's context length for the
  training method; the suggestion names a related long-context LoRA id when one fits.
- ``invalid-lora-r-type`` [lora_r]: not None or an int.
- ``lora-rank-too-small`` [lora_r]: below 1.
- ``lora-rank-too-large`` [lora_r]: above the LoRA row's published Max LoRA rank.
- ``invalid-gradient-accumulation-steps-type`` [gradient_accumulation_steps]: not None or
  an int.
- ``gradient-accumulation-steps-too-small`` [gradient_accumulation_steps]: below 0.
- ``invalid-train-vision-type`` [train_vision]: not True or False.
- ``vision-not-supported`` [train_vision]: True for a listed model that is not a
  vision-language model.
- ``invalid-from-checkpoint-type`` [from_checkpoint]: not None or a string.

Limits that depend on a field with a violation (an unknown model, an unknown training method)
are not checked, since no row or column applies. Whole numbers follow JSON Schema's
"integer" (as the request schema does): a bool is not one (True is not a batch size), and a
float with no fractional part (8.0) counts as that int.
"""

from __future__ import annotations

from together_catalog._data import FULL
from together_catalog.errors import FineTuneRequestError, Violation
from together_catalog.lookup import LORA_JOB

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Final, Literal

    from together_catalog._aliases import TrainingMethod as TrainingMethod
    from together_catalog._records import FineTuneLimits

__all__ = [
    "CODES",
    "TRAINING_METHODS",
    "VISION_MODEL_SUFFIX",
    "Violation",
    "check_finetune_request",
    "is_valid_finetune_request",
    "validate_finetune_request",
]


def __getattr__(name: str) -> object:
    # The `TrainingMethod` alias needs `typing`; it is imported only when first asked for.
    if name == "TrainingMethod":
        from together_catalog._aliases import TrainingMethod

        globals()[name] = TrainingMethod
        return TrainingMethod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


TRAINING_METHODS: Final[tuple[str, ...]] = ("sft", "dpo")

#: The ending of a vision-language model's id (the docs' convention), the models
#: `train_vision=True` applies to.
VISION_MODEL_SUFFIX: Final = "-VLM"

#: Every violation code, in the order violations are reported.
CODES: Final[tuple[str, ...]] = (
    "unknown-model",
    "contact-only",
    "retired-model",
    "model-and-checkpoint",
    "invalid-lora-type",
    "not-fine-tunable-with-method",
    "invalid-training-method",
    "invalid-batch-size-type",
    "batch-size-too-small",
    "batch-size-too-large",
    "invalid-max-seq-length-type",
    "max-seq-length-too-small",
    "max-seq-length-too-large",
    "invalid-lora-r-type",
    "lora-rank-too-small",
    "lora-rank-too-large",
    "invalid-gradient-accumulation-steps-type",
    "gradient-accumulation-steps-too-small",
    "invalid-train-vision-type",
    "vision-not-supported",
    "invalid-from-checkpoint-type",
)

_NO_ROWS: Final[Mapping[str, FineTuneLimits]] = {}
#: The slow path (`_checks.collect`), imported by the first failing check: a valid request and
#: `import together_catalog` never pay for it.
_collect: Callable[..., tuple[Violation, ...]] | None = None


def _load_collect() -> Callable[..., tuple[Violation, ...]]:
    global _collect
    from together_catalog._checks import collect

    _collect = collect
    return collect


def check_finetune_request(
    model: str | None,
    *,
    lora: bool | None = None,
    training_method: str = "sft",
    batch_size: int | Literal["max"] = "max",
    max_seq_length: int | None = None,
    from_checkpoint: str | None = None,
    lora_r: int | None = None,
    gradient_accumulation_steps: int | None = None,
    train_vision: bool = False,
) -> tuple[Violation, ...]:
    """Every violation of the published limits by this job; empty when it may be submitted."""
    # Hot path: a valid request costs one dict lookup and a few comparisons, and allocates
    # nothing. Anything unusual falls through to the slow path, which explains.
    if lora is None or lora is True:
        rows = LORA_JOB
    elif lora is False:
        rows = FULL
    else:
        rows = _NO_ROWS
    row = rows.get(model) if type(model) is str else None
    if row is not None and from_checkpoint is None:
        if training_method == "sft":
            max_batch, max_length = row.max_batch_size_sft, row.context_length_sft
        elif training_method == "dpo":
            max_batch, max_length = row.max_batch_size_dpo, row.context_length_dpo
        else:  # no row column applies: explained below
            max_batch = max_length = -1
        if (
            max_length > 0
            and (
                (batch_size == "max" if type(batch_size) is str else False)
                or (type(batch_size) is int and row.min_batch_size <= batch_size <= max_batch)
            )
            and (
                max_seq_length is None
                or (type(max_seq_length) is int and 0 < max_seq_length <= max_length)
            )
            and (
                lora_r is None
                or (
                    type(lora_r) is int
                    and lora_r > 0
                    and (rows is FULL or row.max_lora_rank is None or lora_r <= row.max_lora_rank)
                )
            )
            and (
                gradient_accumulation_steps is None
                or (type(gradient_accumulation_steps) is int and gradient_accumulation_steps >= 0)
            )
            and (
                train_vision is False
                or (train_vision is True and row.model.endswith(VISION_MODEL_SUFFIX))
            )
        ):
            return ()
    collect = _collect or _load_collect()
    return collect(
        row,
        model,
        lora,
        training_method,
        batch_size,
        max_seq_length,
        from_checkpoint,
        lora_r,
        gradient_accumulation_steps,
        train_vision,
    )


def is_valid_finetune_request(
    model: str | None,
    *,
    lora: bool | None = None,
    training_method: str = "sft",
    batch_size: int | Literal["max"] = "max",
    max_seq_length: int | None = None,
    from_checkpoint: str | None = None,
    lora_r: int | None = None,
    gradient_accumulation_steps: int | None = None,
    train_vision: bool = False,
) -> bool:
    """True when `check_finetune_request` finds nothing."""
    return not check_finetune_request(
        model,
        lora=lora,
        training_method=training_method,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        from_checkpoint=from_checkpoint,
        lora_r=lora_r,
        gradient_accumulation_steps=gradient_accumulation_steps,
        train_vision=train_vision,
    )


def validate_finetune_request(
    model: str | None,
    *,
    lora: bool | None = None,
    training_method: str = "sft",
    batch_size: int | Literal["max"] = "max",
    max_seq_length: int | None = None,
    from_checkpoint: str | None = None,
    lora_r: int | None = None,
    gradient_accumulation_steps: int | None = None,
    train_vision: bool = False,
) -> None:
    """Raise FineTuneRequestError carrying every violation, for code that prefers exceptions."""
    found = check_finetune_request(
        model,
        lora=lora,
        training_method=training_method,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        from_checkpoint=from_checkpoint,
        lora_r=lora_r,
        gradient_accumulation_steps=gradient_accumulation_steps,
        train_vision=train_vision,
    )
    if found:
        raise FineTuneRequestError(found)
