"""The validator's slow path: find and explain every violation of a request.

`check_finetune_request` (in `validate`) answers a valid request itself and calls `collect`
only when something is off, so this module is imported on the first failing check, never by
`import together_catalog`. Violations are appended in CODES order (README), argument by
argument; the limits of a row are checked in `_limits`.
"""

from __future__ import annotations

from together_catalog._data import FULL
from together_catalog._limits import check_batch, check_length, check_rank
from together_catalog.errors import Violation, _retired_sentence, closest_ids
from together_catalog.lookup import (
    LORA_JOB,
    contact_only_prefix,
    fine_tunable_models,
    finetune_table_id,
    job_tables,
    table_title,
)
from together_catalog.validate import TRAINING_METHODS, VISION_MODEL_SUFFIX

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from together_catalog._records import FineTuneLimits

__all__ = ["collect", "is_int"]

_NUMBER = (int, float)


def collect(
    row: FineTuneLimits | None,
    model: object,
    lora: object,
    training_method: object,
    batch_size: object,
    max_seq_length: object,
    from_checkpoint: object,
    lora_r: object,
    gradient_accumulation_steps: object,
    train_vision: object,
) -> tuple[Violation, ...]:
    """Every violation, in CODES order (reached only when something is off).

    `row` is the row the hot path found for a string id and a bool or None `lora` (nothing
    to explain about either), or None to look it up and say why there is none.
    """
    out: list[Violation] = []
    if row is None:
        row = _row_for(model, lora, from_checkpoint, out)
    elif from_checkpoint is not None:
        out.append(_model_and_checkpoint())

    method_ok = isinstance(training_method, str) and training_method in TRAINING_METHODS
    if not method_ok:
        out.append(
            Violation(
                "invalid-training-method",
                "training_method",
                f"training_method {training_method!r} is not one of "
                + ", ".join(repr(m) for m in TRAINING_METHODS),
                limit=TRAINING_METHODS,
                suggestion='use "sft" (supervised) or "dpo" (preference)',
            )
        )
    check = row if method_ok else None

    # `type(x) is int` first: the usual value is decided without calling is_int.
    if type(batch_size) is not int and not (
        batch_size == "max" if isinstance(batch_size, str) else is_int(batch_size)
    ):
        out.append(
            Violation(
                "invalid-batch-size-type",
                "batch_size",
                f"batch_size {batch_size!r} is neither an int nor 'max'",
                suggestion="pass a whole number of examples or 'max'",
            )
        )
    elif check is not None and isinstance(batch_size, _NUMBER):
        check_batch(check, str(training_method), int(batch_size), out)

    # The optional numbers: None (the usual value) costs one comparison each.
    if max_seq_length is not None:
        if type(max_seq_length) is int and max_seq_length >= 1:
            length: int | None = max_seq_length
        else:
            length = _whole("max_seq_length", max_seq_length, out)
        if length is not None and length >= 1 and check is not None:
            check_length(check, str(training_method), length, out)
    if lora_r is not None:
        rank = _whole("lora_r", lora_r, out)
        if rank is not None and rank >= 1 and row is not None and lora is not False:
            check_rank(row, rank, out)
    if gradient_accumulation_steps is not None:
        _whole("gradient_accumulation_steps", gradient_accumulation_steps, out)

    if not isinstance(train_vision, bool):
        out.append(
            Violation(
                "invalid-train-vision-type",
                "train_vision",
                f"train_vision {train_vision!r} is neither True nor False",
                suggestion="pass True to train the vision encoder too, else False",
            )
        )
    elif train_vision and isinstance(model, str) and _listed(model) and not _vision(model):
        out.append(
            Violation(
                "vision-not-supported",
                "train_vision",
                f"{model} is not a vision-language model (its id does not end in "
                f"{VISION_MODEL_SUFFIX!r}), so it has no vision encoder to train",
                suggestion=f"pass train_vision=False, or pick a *{VISION_MODEL_SUFFIX} model",
            )
        )

    if from_checkpoint is not None and not isinstance(from_checkpoint, str):
        out.append(
            Violation(
                "invalid-from-checkpoint-type",
                "from_checkpoint",
                f"from_checkpoint {from_checkpoint!r} is neither a string nor None",
                suggestion="pass a job id or checkpoint name as a string",
            )
        )
    return tuple(out)


#: A whole-number argument: its type code, its too-small code, its lowest value, and a hint.
_WHOLE = {
    "max_seq_length": (
        "invalid-max-seq-length-type",
        "max-seq-length-too-small",
        1,
        "pass a whole number of tokens, or None for the model's default",
    ),
    "lora_r": (
        "invalid-lora-r-type",
        "lora-rank-too-small",
        1,
        "pass a whole LoRA rank, or None for the model's default",
    ),
    "gradient_accumulation_steps": (
        "invalid-gradient-accumulation-steps-type",
        "gradient-accumulation-steps-too-small",
        0,
        "pass a whole number of steps, or None (or 0) for the model's default",
    ),
}


def _whole(field: str, value: object, out: list[Violation]) -> int | None:
    """`value` (not None) as an int, after recording a violation when it is below the
    field's lowest value; None after recording one when it is not a whole number."""
    type_code, small_code, low, hint = _WHOLE[field]
    if type(value) is not int and not is_int(value):
        message = f"{field} {value!r} is neither an int nor None"
        out.append(Violation(type_code, field, message, None, None, hint))
        return None
    assert isinstance(value, _NUMBER)
    number = int(value)
    if number < low:
        message = f"{field} {number} is below {low}"
        out.append(Violation(small_code, field, message, low, None, hint))
    return number


def is_int(value: object) -> bool:
    """JSON Schema's "integer": an int (never a bool) or a float with no fractional part."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _listed(model: str) -> bool:
    return model in LORA_JOB or model in FULL


def _in_job_table(model: str, lora: object) -> bool:
    """Whether the table a job with this `lora` flag is held to lists `model` (either
    table, for a flag that is not a bool or None)."""
    if lora is False:
        return model in FULL
    if lora is None or lora is True:
        return model in LORA_JOB
    return _listed(model)


def _retired(model: str, lora: object) -> Violation | None:
    """retired-model, when the table the job would use (`job_tables`) retired `model`."""
    from together_catalog.retired import retirement

    found = retirement(model, job_tables(lora))
    if found is None:
        return None
    options = [f"use its successor {found.successor}"] if found.successor else []
    if model in LORA_JOB and lora is False:
        options.append("fine-tune it with LoRA (lora=True), which still lists it")
    elif model in FULL and lora is not False:
        options.append("fine-tune it in full (lora=False), which still lists it")
    return Violation(
        "retired-model",
        "model",
        _retired_sentence(model, table_title(found.table), found.last_seen),
        None,
        found.table,
        ", or ".join(options) or "pick a current model from fine_tunable_models()",
    )


def _vision(model: str) -> bool:
    """A vision-language model: by the docs' convention, its id ends in "-VLM"."""
    return model.endswith(VISION_MODEL_SUFFIX)


def _model_and_checkpoint() -> Violation:
    return Violation(
        "model-and-checkpoint",
        "from_checkpoint",
        "both a model and a from_checkpoint were given; a job starts from one of them",
        suggestion="drop from_checkpoint to start from the model, or drop the model to "
        "continue the checkpoint's job (its model comes with it)",
    )


def _row_for(
    model: object, lora: object, from_checkpoint: object, out: list[Violation]
) -> FineTuneLimits | None:
    """The row the job is held to, or None after recording why there is none.

    Violations are appended in CODES order: the model's (unknown-model, contact-only,
    retired-model), model-and-checkpoint, the lora type's, then the method's
    (not-fine-tunable-with-method).
    """
    listed = _check_model(model, lora, from_checkpoint, out)
    if model is not None and from_checkpoint is not None:
        out.append(_model_and_checkpoint())
    if lora is not None and not isinstance(lora, bool):
        out.append(
            Violation(
                "invalid-lora-type",
                "lora",
                f"lora {lora!r} is not True, False or None",
                suggestion="pass True or None for LoRA, False for full fine-tuning",
            )
        )
        return None
    if not listed or not isinstance(model, str):  # (a listed model is a str)
        return None
    if lora is False:
        if model in FULL:
            return FULL[model]
        out.append(
            Violation(
                "not-fine-tunable-with-method",
                "lora",
                f"{model} is not offered for full fine-tuning (it is LoRA-only)",
                table=finetune_table_id("full"),
                suggestion="fine-tune it with LoRA (lora=True)",
            )
        )
        return None
    if model in LORA_JOB:
        return LORA_JOB[model]
    out.append(
        Violation(
            "not-fine-tunable-with-method",
            "lora",
            f"{model} is not offered for LoRA fine-tuning (full fine-tuning only)",
            table=finetune_table_id("lora"),
            suggestion="fine-tune it in full (lora=False)",
        )
    )
    return None


def _check_model(
    model: object, lora: object, from_checkpoint: object, out: list[Violation]
) -> bool:
    """True when `model` is in a fine-tuning table that was not the job's own to retire it;
    otherwise record why not (nothing for a job from a checkpoint alone) and say False."""
    if model is None and from_checkpoint is not None:
        return False  # the checkpoint's job brings its model: nothing to look up offline
    if not isinstance(model, str):
        given = "no model (and no from_checkpoint)" if model is None else f"model {model!r}"
        out.append(
            Violation(
                "unknown-model",
                "model",
                f"{given} is not a model id string",
                suggestion="pass a model id such as those in fine_tunable_models(), or "
                "from_checkpoint to continue a job",
            )
        )
        return False
    if _in_job_table(model, lora):
        return True
    retired = _retired(model, lora)
    if retired is not None:
        out.append(retired)
        return False
    if _listed(model):
        return True  # listed for the other method: `_row_for` says so
    prefix = contact_only_prefix(model)
    if prefix is not None:
        out.append(
            Violation(
                "contact-only",
                "model",
                f"{model} is fine-tuned only by arrangement with Together "
                f"(models starting with {prefix!r}), not through the API",
                suggestion="contact Together's sales team, or pick a model from "
                "fine_tunable_models()",
            )
        )
        return False
    near = closest_ids(model, fine_tunable_models())
    out.append(
        Violation(
            "unknown-model",
            "model",
            f"{model!r} is not in any fine-tuning table",
            suggestion=("did you mean " + " or ".join(near) + "?")
            if near
            else "see fine_tunable_models() for the ids that can be fine-tuned",
        )
    )
    return False
