"""The validator's checks of a request against one published row: batch size, sequence length
and LoRA rank, and the long-context variant to suggest when a sequence is too long.

Imported by the slow path (`_checks`) only, on the first failing check.
"""

from __future__ import annotations

from together_catalog._data import FULL, LORA, LORA_LONG_CONTEXT
from together_catalog.errors import Violation
from together_catalog.lookup import finetune_table_id

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Mapping

    from together_catalog._records import FineTuneLimits

    Family = tuple[FineTuneLimits, ...]

__all__ = ["check_batch", "check_length", "check_rank", "family_key", "longer_context"]

_METHOD_WORD: Mapping[str, str] = {
    "lora": "LoRA",
    "full": "full fine-tuning",
    "lora_long_context": "long-context LoRA",
}

# The checks below run on most failing requests, so they build Violations positionally
# (code, field, message, limit, table, suggestion): keywords cost a dict per instance.


def check_batch(row: FineTuneLimits, method: str, batch_size: int, out: list[Violation]) -> None:
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


def check_length(row: FineTuneLimits, method: str, length: int, out: list[Violation]) -> None:
    upper = row.context_length_sft if method == "sft" else row.context_length_dpo
    if length <= upper:
        return
    word = _METHOD_WORD[row.method]
    alternative = longer_context(row.model, method, length, lora_job=row.method != "full")
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


def check_rank(row: FineTuneLimits, rank: int, out: list[Violation]) -> None:
    """A LoRA job's rank against the row's published Max LoRA rank (none published: any)."""
    upper = row.max_lora_rank
    if upper is None or rank <= upper:
        return
    where = f"{_METHOD_WORD[row.method]} on {row.model}"
    out.append(
        Violation(
            "lora-rank-too-large",
            "lora_r",
            f"lora_r {rank} exceeds the max LoRA rank {upper} for {where}",
            upper,
            finetune_table_id(row.method),
            f"use lora_r at most {upper}, or None for the model's default rank",
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


def longer_context(model: str, method: str, length: int, *, lora_job: bool) -> str | None:
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
