"""Pre-flight check of a fine-tuning job against the published per-model limits.

The arguments are named as in the Together SDK's `client.fine_tuning.create`, so the same
keyword arguments can be checked before they are sent. Every violation is reported at once,
each with a stable code (safe to match on), the field it concerns, the limit, the catalog
table the limit comes from, and a suggestion.

Semantics (shared with generated/schema/finetune-request.schema.json; both must agree):

- ``lora`` None or True is a LoRA job, held to the LoRA table's row (or the long-context LoRA
  table's row for a model listed only there); False is a full job, held to the Full table.
- ``training_method`` is "sft" (the default) or "dpo"; it picks the SFT or DPO columns.
- ``batch_size`` is "max" (the default) or an int within [min batch, max batch] inclusive.
- ``max_seq_length`` is None or an int within [1, context length] inclusive.
- ``from_checkpoint`` is passed through (None or a string); it changes no limit.

Violation codes (stable; the field each concerns in brackets):

- ``unknown-model`` [model]: not in any fine-tuning table; the suggestion names close ids.
- ``contact-only`` [model]: a family fine-tuned only by arrangement with Together's sales team.
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
- ``invalid-from-checkpoint-type`` [from_checkpoint]: not None or a string.

Limits that depend on a field with a violation (an unknown model, an unknown training method)
are not checked, since no row or column applies. Whole numbers follow JSON Schema's
"integer" (as the request schema does): a bool is not one (True is not a batch size), and a
float with no fractional part (8.0) counts as that int.
"""

from __future__ import annotations

from together_catalog._data import CONTACT_ONLY_PREFIXES, FULL, LORA, LORA_LONG_CONTEXT
from together_catalog._frozen import Frozen
from together_catalog._records import FineTuneLimits
from together_catalog.errors import FineTuneRequestError, closest_ids
from together_catalog.lookup import LORA_JOB, fine_tunable_models, finetune_table_id

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Final, Literal

    from together_catalog._aliases import TrainingMethod as TrainingMethod

    Family = tuple[FineTuneLimits, ...]

__all__ = [
    "CODES",
    "TRAINING_METHODS",
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

#: Every violation code, in the order violations are reported.
CODES: Final[tuple[str, ...]] = (
    "unknown-model",
    "contact-only",
    "invalid-lora-type",
    "not-fine-tunable-with-method",
    "invalid-training-method",
    "invalid-batch-size-type",
    "batch-size-too-small",
    "batch-size-too-large",
    "invalid-max-seq-length-type",
    "max-seq-length-too-small",
    "max-seq-length-too-large",
    "invalid-from-checkpoint-type",
)

_METHOD_WORD: Final[Mapping[str, str]] = {
    "lora": "LoRA",
    "full": "full fine-tuning",
    "lora_long_context": "long-context LoRA",
}


class Violation(Frozen):
    """One broken rule. `code` is stable; `message` and `suggestion` are for people.

    `limit` is the bound that was crossed (an int), the allowed values (a tuple of str), or
    None; `table` is the catalog table id the limit was read from, or None. Immutable and
    hashable, compared by value.
    """

    _fields = ("code", "field", "message", "limit", "table", "suggestion")
    __slots__ = _fields
    __match_args__ = ("code", "field", "message", "limit", "table", "suggestion")

    code: str
    field: str
    message: str
    limit: int | tuple[str, ...] | None
    table: str | None
    suggestion: str | None

    def __init__(
        self,
        code: str,
        field: str,
        message: str,
        limit: int | tuple[str, ...] | None = None,
        table: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        _set_code(self, code)
        _set_field(self, field)
        _set_message(self, message)
        _set_limit(self, limit)
        _set_table(self, table)
        _set_suggestion(self, suggestion)

    def __str__(self) -> str:
        text = f"{self.field}: {self.message} [{self.code}]"
        return f"{text}; {self.suggestion}" if self.suggestion else text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping with the keys in the documented order."""
        limit = list(self.limit) if isinstance(self.limit, tuple) else self.limit
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "limit": limit,
            "table": self.table,
            "suggestion": self.suggestion,
        }


# The slots' own setters, bound once: a failing check builds a Violation per broken rule, and
# calling these directly takes about half the time of `object.__setattr__` by name.
_set_code, _set_field, _set_message, _set_limit, _set_table, _set_suggestion = (
    Violation.__dict__[name].__set__ for name in Violation._fields
)


def check_finetune_request(
    model: str,
    *,
    lora: bool | None = None,
    training_method: str = "sft",
    batch_size: int | Literal["max"] = "max",
    max_seq_length: int | None = None,
    from_checkpoint: str | None = None,
) -> tuple[Violation, ...]:
    """Every violation of the published limits by this job; empty when it may be submitted."""
    # Hot path: a valid request costs one dict lookup and a few comparisons, and allocates
    # nothing. Anything unusual falls through to _collect, which explains.
    if lora is None or lora is True:
        rows = LORA_JOB
    elif lora is False:
        rows = FULL
    else:
        rows = _NO_ROWS
    row = rows.get(model) if type(model) is str else None
    if row is not None and (from_checkpoint is None or type(from_checkpoint) is str):
        if training_method == "sft":
            max_batch, max_length = row.max_batch_size_sft, row.context_length_sft
        elif training_method == "dpo":
            max_batch, max_length = row.max_batch_size_dpo, row.context_length_dpo
        else:
            return _collect(
                row, model, lora, training_method, batch_size, max_seq_length, from_checkpoint
            )
        if (
            (batch_size == "max" if type(batch_size) is str else False)
            or (type(batch_size) is int and row.min_batch_size <= batch_size <= max_batch)
        ) and (
            max_seq_length is None
            or (type(max_seq_length) is int and 0 < max_seq_length <= max_length)
        ):
            return ()
    return _collect(row, model, lora, training_method, batch_size, max_seq_length, from_checkpoint)


def is_valid_finetune_request(
    model: str,
    *,
    lora: bool | None = None,
    training_method: str = "sft",
    batch_size: int | Literal["max"] = "max",
    max_seq_length: int | None = None,
    from_checkpoint: str | None = None,
) -> bool:
    """True when `check_finetune_request` finds nothing."""
    return not check_finetune_request(
        model,
        lora=lora,
        training_method=training_method,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        from_checkpoint=from_checkpoint,
    )


def validate_finetune_request(
    model: str,
    *,
    lora: bool | None = None,
    training_method: str = "sft",
    batch_size: int | Literal["max"] = "max",
    max_seq_length: int | None = None,
    from_checkpoint: str | None = None,
) -> None:
    """Raise FineTuneRequestError carrying every violation, for code that prefers exceptions."""
    found = check_finetune_request(
        model,
        lora=lora,
        training_method=training_method,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        from_checkpoint=from_checkpoint,
    )
    if found:
        raise FineTuneRequestError(found)


_NO_ROWS: Final[Mapping[str, FineTuneLimits]] = {}
_NUMBER: Final = (int, float)


def _collect(
    row: FineTuneLimits | None,
    model: object,
    lora: object,
    training_method: object,
    batch_size: object,
    max_seq_length: object,
    from_checkpoint: object,
) -> tuple[Violation, ...]:
    """The slow path: find and explain every violation (reached only when something is off).

    `row` is the row the hot path found for a string id and a bool or None `lora` (nothing
    to explain about either), or None to look it up and say why there is none.
    """
    out: list[Violation] = []
    if row is None:
        row = _row_for(model, lora, out)

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

    # `type(x) is int` first: the usual value is decided without calling _is_int.
    if type(batch_size) is not int and not (
        batch_size == "max" if isinstance(batch_size, str) else _is_int(batch_size)
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
        _check_batch(check, str(training_method), int(batch_size), out)

    if (
        max_seq_length is not None
        and type(max_seq_length) is not int
        and not _is_int(max_seq_length)
    ):
        out.append(
            Violation(
                "invalid-max-seq-length-type",
                "max_seq_length",
                f"max_seq_length {max_seq_length!r} is neither an int nor None",
                suggestion="pass a whole number of tokens, or None for the model's default",
            )
        )
    elif isinstance(max_seq_length, _NUMBER):
        max_seq_length = int(max_seq_length)
        if max_seq_length < 1:
            out.append(
                Violation(
                    "max-seq-length-too-small",
                    "max_seq_length",
                    f"max_seq_length {max_seq_length} is below 1",
                    limit=1,
                    suggestion="pass a positive number of tokens, or None",
                )
            )
        elif check is not None:
            _check_length(check, str(training_method), max_seq_length, out)

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


def _is_int(value: object) -> bool:
    """JSON Schema's "integer": an int (never a bool) or a float with no fractional part."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _row_for(model: object, lora: object, out: list[Violation]) -> FineTuneLimits | None:
    """The row the job is held to, or None after recording why there is none.

    Violations are appended in CODES order: the model's (unknown-model, contact-only) before
    the lora type's, before the method's (not-fine-tunable-with-method).
    """
    listed = _check_model(model, out)
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


def _check_model(model: object, out: list[Violation]) -> bool:
    """True when `model` is in a fine-tuning table; otherwise record why not and say False."""
    if not isinstance(model, str):
        out.append(
            Violation(
                "unknown-model",
                "model",
                f"model {model!r} is not a model id string",
                suggestion="pass a model id such as those in fine_tunable_models()",
            )
        )
        return False
    if model in LORA_JOB or model in FULL:
        return True
    prefix = next((p for p in CONTACT_ONLY_PREFIXES if model.startswith(p)), None)
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


# The two checks below run on most failing requests, so they build Violations positionally
# (code, field, message, limit, table, suggestion): keywords cost a dict per instance.


def _check_batch(row: FineTuneLimits, method: str, batch_size: int, out: list[Violation]) -> None:
    upper = row.max_batch_size_sft if method == "sft" else row.max_batch_size_dpo
    lower = row.min_batch_size
    if lower <= batch_size <= upper:
        return
    table = finetune_table_id(row.method)
    where = f"{_METHOD_WORD[row.method]} on {row.model}"
    if lower > upper:
        hint = (
            f"the published limits leave no whole batch size (min {lower} > max {upper} "
            f"for {method.upper()}); use batch_size='max'"
        )
    elif lower == upper:
        hint = f"use batch_size={lower} or 'max'"
    else:
        hint = f"use a batch_size from {lower} to {upper}, or 'max'"
    if batch_size < lower:
        out.append(
            Violation(
                "batch-size-too-small",
                "batch_size",
                f"batch_size {batch_size} is below the min batch size {lower} for {where}",
                lower,
                table,
                f"min batch for {where} is {lower}; {hint}",
            )
        )
    if batch_size > upper:
        out.append(
            Violation(
                "batch-size-too-large",
                "batch_size",
                f"batch_size {batch_size} exceeds the max {method.upper()} batch size {upper} "
                f"for {where}",
                upper,
                table,
                f"max {method.upper()} batch for {where} is {upper}; {hint}",
            )
        )


def _check_length(row: FineTuneLimits, method: str, length: int, out: list[Violation]) -> None:
    upper = row.context_length_sft if method == "sft" else row.context_length_dpo
    if length <= upper:
        return
    word = _METHOD_WORD[row.method]
    alternative = _longer_context(row.model, method, length, lora_job=row.method != "full")
    if alternative is not None:
        suggestion = (
            f"long context on {word}: use {alternative} with LoRA "
            f"(or max_seq_length at most {upper})"
        )
    else:
        suggestion = f"use max_seq_length at most {upper}"
    out.append(
        Violation(
            "max-seq-length-too-large",
            "max_seq_length",
            f"max_seq_length {length} exceeds the {method.upper()} context length {upper} "
            f"for {word} on {row.model}",
            upper,
            finetune_table_id(row.method),
            suggestion,
        )
    )


def family_key(model: str) -> str:
    """`model` without its context-size tag: "...-3.1-8B-131k-Instruct-Reference" -> "...-8B-..."

    Together publishes long-context variants as the base id with a "-32k" / "-131k" segment,
    so ids that agree after dropping such segments are the same model at other lengths.
    """
    parts = model.split("-")
    kept = [p for p in parts if not (len(p) > 1 and p[-1] in "kK" and p[:-1].isdigit())]
    return "-".join(kept)


#: The LoRA and long-context LoRA rows of each model family (see `family_key`), LoRA rows
#: first, each table in docs order: by family key, and by every fine-tunable id. Built on the
#: first over-long request, so the import and valid requests never pay for it.
_families: tuple[Mapping[str, Family], Mapping[str, Family]] | None = None


def _family(model: str) -> Family:
    """The LoRA rows whose id is `model` or one of its other context sizes."""
    global _families
    families = _families
    if families is None:
        grouped: dict[str, list[FineTuneLimits]] = {}
        for rows in (LORA, LORA_LONG_CONTEXT):
            for other, row in rows.items():
                grouped.setdefault(family_key(other), []).append(row)
        keyed = {key: tuple(rows) for key, rows in grouped.items()}
        ids = dict.fromkeys([*LORA, *LORA_LONG_CONTEXT, *FULL])
        families = _families = (keyed, {m: keyed.get(family_key(m), ()) for m in ids})
    by_key, by_id = families
    found = by_id.get(model)
    return by_key.get(family_key(model), ()) if found is None else found


def _longer_context(model: str, method: str, length: int, *, lora_job: bool) -> str | None:
    """The related LoRA id (the same id, or a long-context variant) that fits `length`."""
    sft = method == "sft"
    best: FineTuneLimits | None = None
    best_key = (True, 0)
    for row in _family(model):
        same = row.model == model
        if lora_job and same:
            continue
        fits = row.context_length_sft if sft else row.context_length_dpo
        if fits < length:
            continue
        # Prefer the same id, then the smallest context that fits (larger variants trade
        # batch); among equals the first in table order, as a stable sort would keep it.
        key = (not same, fits)
        if best is None or key < best_key:
            best, best_key = row, key
    return None if best is None else best.model
