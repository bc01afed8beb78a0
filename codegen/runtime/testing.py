"""Hypothesis strategies over the catalog, for property-testing code that builds requests.

Install with ``pip install together-catalog[testing]``; nothing else in the package imports
this module, so applications never pay for Hypothesis. Requests are dicts of the keyword
arguments of `check_finetune_request` (and the SDK's `client.fine_tuning.create`), a key left
out meaning the default; limits are drawn with their boundaries (min, max, one past each)
weighted in, where request builders go wrong. ``invalid_finetune_requests(codes=None)`` gives
``TaggedRequest(request, code)`` pairs whose request breaks the rule `code` names (maybe
others too); ``invalid_codes()`` lists the codes the current data can produce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "together_catalog.testing needs Hypothesis: pip install 'together-catalog[testing]'"
    ) from exc

from together_catalog._data import CONTACT_ONLY_PREFIXES, FULL, SERVERLESS
from together_catalog._records import FineTuneLimits
from together_catalog.lookup import (
    FINETUNE_METHODS,
    LORA_JOB,
    contact_only_prefix,
    finetune_limits,
    job_tables,
)
from together_catalog.lookup import (
    fine_tunable_models as _fine_tunable_ids,
)
from together_catalog.lookup import (
    serverless_models as _serverless_ids,
)
from together_catalog.validate import CODES, VISION_MODEL_SUFFIX

__all__ = [
    "TaggedRequest",
    "fine_tunable_models",
    "invalid_codes",
    "invalid_finetune_requests",
    "serverless_models",
    "valid_finetune_requests",
]

Request = dict[str, Any]


class TaggedRequest(NamedTuple):
    """An invalid request and the violation code it is built to carry."""

    request: Request
    code: str


def fine_tunable_models(method: str | None = None) -> st.SearchStrategy[str]:
    """Ids from the fine-tuning tables (one table when `method` is "lora", "full", ...)."""
    if method is None:
        return st.sampled_from(_fine_tunable_ids())
    if method not in FINETUNE_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {list(FINETUNE_METHODS)}")
    ids = [m for m in _fine_tunable_ids() if _in_table(m, method)]
    return st.sampled_from(ids)


def _in_table(model: str, method: str) -> bool:
    try:
        finetune_limits(model, method)  # type: ignore[arg-type]
    except KeyError:
        return False
    return True


def serverless_models(category: str | None = None) -> st.SearchStrategy[str]:
    """Serverless ids, of one category ("chat", "embedding", ...) or of all of them."""
    if category is None:
        return st.sampled_from(list(dict.fromkeys(m for rows in SERVERLESS.values() for m in rows)))
    return st.sampled_from(_serverless_ids(category))


# --- the pieces of a request -------------------------------------------------------------

_MODES: tuple[tuple[Mapping[str, FineTuneLimits], tuple[object, ...]], ...] = (
    (LORA_JOB, (None, True)),  # None: the key is left out
    (FULL, (False,)),
)
_CHECKPOINTS = st.one_of(st.just("ft-00000000-0000-0000-0000-000000000000"), st.text(max_size=12))


def _bounded(low: int, high: int) -> st.SearchStrategy[int]:
    """Integers in [low, high] with both ends likely."""
    return st.one_of(st.sampled_from((low, high)), st.integers(low, high))


def _columns(row: FineTuneLimits, method: str) -> tuple[int, int]:
    if method == "sft":
        return row.max_batch_size_sft, row.context_length_sft
    return row.max_batch_size_dpo, row.context_length_dpo


@st.composite
def _job(draw: st.DrawFn) -> tuple[Request, FineTuneLimits, str]:
    """A request skeleton: model, lora flag and training method that all agree."""
    rows, flags = draw(st.sampled_from(_MODES))
    model = draw(st.sampled_from(list(rows)))
    flag = draw(st.sampled_from(flags))
    method = draw(st.sampled_from(("sft", "dpo", None)))  # None: default, i.e. sft
    request: Request = {"model": model}
    if flag is not None:
        request["lora"] = flag
    if method is not None:
        request["training_method"] = method
    return request, rows[model], method or "sft"


def _rank(row: FineTuneLimits) -> st.SearchStrategy[int]:
    """A valid lora_r: up to the published max rank (64 when none is published)."""
    return _bounded(1, row.max_lora_rank if row.max_lora_rank is not None else 64)


@st.composite
def _valid(draw: st.DrawFn) -> Request:
    if draw(st.integers(0, 9)) == 0:
        return draw(_from_checkpoint())
    request, row, method = draw(_job())
    max_batch, context = _columns(row, method)
    choices: list[st.SearchStrategy[object]] = [st.just("max"), st.just(None)]
    if row.min_batch_size <= max_batch:
        choices.append(_bounded(row.min_batch_size, max_batch))
    batch = draw(st.one_of(choices))
    if batch is not None:
        request["batch_size"] = batch
    length = draw(st.one_of(st.none(), _bounded(1, context)))
    if length is not None:
        request["max_seq_length"] = length
    rank = draw(st.one_of(st.none(), _rank(row)))
    if rank is not None:
        request["lora_r"] = rank
    steps = draw(st.one_of(st.none(), _bounded(0, 16)))
    if steps is not None:
        request["gradient_accumulation_steps"] = steps
    vision = draw(st.sampled_from((None, False, True)))
    if vision is False or (vision and row.model.endswith(VISION_MODEL_SUFFIX)):
        request["train_vision"] = vision
    return request


@st.composite
def _from_checkpoint(draw: st.DrawFn) -> Request:
    """A job continuing a checkpoint: no model, so only types and plain bounds apply."""
    request: Request = {"model": None, "from_checkpoint": draw(_CHECKPOINTS)}
    for key, values in (
        ("lora", st.sampled_from((None, True, False))),
        ("training_method", st.sampled_from(("sft", "dpo"))),
        ("batch_size", st.one_of(st.just("max"), st.integers(1, 64))),
        ("max_seq_length", st.integers(1, 131072)),
        ("lora_r", st.integers(1, 256)),
        ("gradient_accumulation_steps", st.integers(0, 16)),
        ("train_vision", st.booleans()),
    ):
        if draw(st.booleans()):
            request[key] = draw(values)
    return request


def valid_finetune_requests() -> st.SearchStrategy[Request]:
    """Requests within every published limit (boundary values included)."""
    return _valid()


# --- one strategy per violation code ------------------------------------------------------


def _retired_jobs() -> list[tuple[str, object]]:
    """(model, lora flag) of jobs on a model the job's own table retired (None: key left out)."""
    from together_catalog.retired import retired_models

    gone = retired_models()
    return [
        (r.model, flag)
        for rows, flags in _MODES
        for flag in flags
        for r in gone
        if r.table in job_tables(flag) and r.model not in rows
    ]


_RETIRED_JOBS = _retired_jobs()
_RETIRED_IDS = frozenset(model for model, _ in _RETIRED_JOBS)


def _unlisted(model: str) -> bool:
    return (
        model not in LORA_JOB
        and model not in FULL
        and model not in _RETIRED_IDS
        and contact_only_prefix(model) is None
    )


@st.composite
def _with(draw: st.DrawFn, key: str, values: st.SearchStrategy[object], code: str) -> TaggedRequest:
    request, _, _ = draw(_job())
    request[key] = draw(values)
    return TaggedRequest(request, code)


@st.composite
def _unknown_model(draw: st.DrawFn) -> TaggedRequest:
    request, _, _ = draw(_job())
    base = request["model"]
    mangled = draw(
        st.one_of(
            st.just(base.lower()),
            st.just(base.rpartition("/")[2]),
            st.just(base + "-x"),
            st.text(min_size=0, max_size=30),
        ).filter(_unlisted)
    )
    request["model"] = mangled
    return TaggedRequest(request, "unknown-model")


@st.composite
def _contact_only(draw: st.DrawFn) -> TaggedRequest:
    prefix = draw(st.sampled_from(CONTACT_ONLY_PREFIXES))
    suffix = draw(st.sampled_from(("", "-Reference", "-Instruct-Reference", "-Instruct-Turbo")))
    model = prefix + suffix
    request: Request = {"model": model}
    if draw(st.booleans()):
        request["lora"] = draw(st.booleans())
    return TaggedRequest(request, "contact-only")


@st.composite
def _retired_model(draw: st.DrawFn) -> TaggedRequest:
    model, flag = draw(st.sampled_from(_RETIRED_JOBS))
    request: Request = {"model": model}
    if flag is not None:
        request["lora"] = flag
    if draw(st.booleans()):
        request["training_method"] = draw(st.sampled_from(("sft", "dpo")))
    return TaggedRequest(request, "retired-model")


@st.composite
def _wrong_method(draw: st.DrawFn) -> TaggedRequest:
    lora_only = [m for m in LORA_JOB if m not in FULL]
    full_only = [m for m in FULL if m not in LORA_JOB]
    options: list[tuple[str, object]] = [(m, False) for m in lora_only]
    options += [(m, flag) for m in full_only for flag in (None, True)]
    model, flag = draw(st.sampled_from(options))
    request: Request = {"model": model}
    if flag is not None:
        request["lora"] = flag
    return TaggedRequest(request, "not-fine-tunable-with-method")


@st.composite
def _batch_out_of_range(draw: st.DrawFn, too_small: bool) -> TaggedRequest:
    request, row, method = draw(_job())
    max_batch, _ = _columns(row, method)
    if too_small:
        low = row.min_batch_size - 1
        request["batch_size"] = draw(st.one_of(st.just(low), st.integers(-50, low)))
        return TaggedRequest(request, "batch-size-too-small")
    high = max_batch + 1
    request["batch_size"] = draw(st.one_of(st.just(high), st.integers(high, high + 1000)))
    return TaggedRequest(request, "batch-size-too-large")


@st.composite
def _length_too_large(draw: st.DrawFn) -> TaggedRequest:
    request, row, method = draw(_job())
    _, context = _columns(row, method)
    request["max_seq_length"] = draw(st.one_of(st.just(context + 1), st.integers(context + 1)))
    return TaggedRequest(request, "max-seq-length-too-large")


@st.composite
def _rank_too_large(draw: st.DrawFn) -> TaggedRequest:
    ranked = [r for r in LORA_JOB.values() if r.max_lora_rank is not None]
    row = draw(st.sampled_from(ranked))
    assert row.max_lora_rank is not None
    high = row.max_lora_rank + 1
    request: Request = {"model": row.model, "lora_r": draw(_bounded(high, high + 1000))}
    if draw(st.booleans()):
        request["lora"] = True
    return TaggedRequest(request, "lora-rank-too-large")


@st.composite
def _vision_not_supported(draw: st.DrawFn) -> TaggedRequest:
    request, row, _ = draw(_job())
    if row.model.endswith(VISION_MODEL_SUFFIX):
        request["model"] = draw(
            st.sampled_from([m for m in LORA_JOB if not m.endswith(VISION_MODEL_SUFFIX)])
        )
        request.pop("lora", None)
    request["train_vision"] = True
    return TaggedRequest(request, "vision-not-supported")


def _by_code() -> dict[str, st.SearchStrategy[TaggedRequest]]:
    strategies: dict[str, st.SearchStrategy[TaggedRequest]] = {
        "unknown-model": _unknown_model(),
        "model-and-checkpoint": _with("from_checkpoint", _CHECKPOINTS, "model-and-checkpoint"),
        "invalid-lora-type": _with(
            "lora", st.sampled_from((0, 1, "true", "false", 1.0, "yes")), "invalid-lora-type"
        ),
        "invalid-training-method": _with(
            "training_method",
            st.one_of(st.sampled_from(("SFT", "DPO", "ppo", "", None)), st.integers()),
            "invalid-training-method",
        ).filter(lambda t: t.request["training_method"] not in ("sft", "dpo")),
        "invalid-batch-size-type": _with(
            "batch_size",
            st.one_of(
                st.sampled_from(("MAX", "Max", "8", "", None, 8.5, True, False)),
                st.lists(st.integers(1, 8), max_size=2),
            ),
            "invalid-batch-size-type",
        ),
        "batch-size-too-small": _batch_out_of_range(too_small=True),
        "batch-size-too-large": _batch_out_of_range(too_small=False),
        "invalid-max-seq-length-type": _with(
            "max_seq_length",
            st.sampled_from(("4096", "", 4096.5, True, False, b"4096")),
            "invalid-max-seq-length-type",
        ),
        "max-seq-length-too-small": _with(
            "max_seq_length",
            st.one_of(st.just(0), st.integers(max_value=0)),
            "max-seq-length-too-small",
        ),
        "max-seq-length-too-large": _length_too_large(),
        "invalid-lora-r-type": _with(
            "lora_r", st.sampled_from(("8", 8.5, True, b"8", [8])), "invalid-lora-r-type"
        ),
        "lora-rank-too-small": _with(
            "lora_r", st.one_of(st.just(0), st.integers(max_value=0)), "lora-rank-too-small"
        ),
        "invalid-gradient-accumulation-steps-type": _with(
            "gradient_accumulation_steps",
            st.sampled_from(("8", 2.5, True, b"1")),
            "invalid-gradient-accumulation-steps-type",
        ),
        "gradient-accumulation-steps-too-small": _with(
            "gradient_accumulation_steps",
            st.one_of(st.just(-1), st.integers(max_value=-1)),
            "gradient-accumulation-steps-too-small",
        ),
        "invalid-train-vision-type": _with(
            "train_vision",
            st.sampled_from((None, 0, 1, "true", "false")),
            "invalid-train-vision-type",
        ),
        "invalid-from-checkpoint-type": _with(
            "from_checkpoint",
            st.sampled_from((5, 0.5, b"ft-1", ["ft-1"], True)),
            "invalid-from-checkpoint-type",
        ),
    }
    if any(not m.endswith(VISION_MODEL_SUFFIX) for m in LORA_JOB):
        strategies["vision-not-supported"] = _vision_not_supported()
    if any(r.max_lora_rank is not None for r in LORA_JOB.values()):
        strategies["lora-rank-too-large"] = _rank_too_large()
    if CONTACT_ONLY_PREFIXES:
        strategies["contact-only"] = _contact_only()
    if _RETIRED_JOBS:
        strategies["retired-model"] = _retired_model()
    if any(m not in FULL for m in LORA_JOB) or any(m not in LORA_JOB for m in FULL):
        strategies["not-fine-tunable-with-method"] = _wrong_method()
    return {code: strategies[code] for code in CODES if code in strategies}


_STRATEGIES = _by_code()


def invalid_finetune_requests(
    codes: Iterable[str] | None = None,
) -> st.SearchStrategy[TaggedRequest]:
    """Requests that break a rule, tagged with its code; `codes` narrows which rules."""
    chosen = list(_STRATEGIES) if codes is None else list(codes)
    unknown = [c for c in chosen if c not in _STRATEGIES]
    if unknown or not chosen:
        raise ValueError(
            f"no strategy for codes {unknown or chosen}; available: {list(_STRATEGIES)}"
        )
    return st.one_of([_STRATEGIES[c] for c in chosen])


def invalid_codes() -> tuple[str, ...]:
    """The violation codes `invalid_finetune_requests` can produce from the current data."""
    return tuple(_STRATEGIES)
