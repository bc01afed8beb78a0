"""The pre-flight validator: every violation code, at the real limits, boundaries +-1."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import together_catalog as tc
from hypothesis import example, given, settings
from hypothesis import strategies as st
from together_catalog import _data
from together_catalog._records import FineTuneLimits

QWEN = "Qwen/Qwen3.5-9B"
LORA_ONLY = next(m for m in _data.LORA if m not in _data.FULL)
#: A LoRA row whose min batch is above a max batch, when the data has one (the 2025 tables
#: did, the 2026 ones do not); else any row, and the tests that need one skip.
NO_WHOLE_BATCH = next(
    (
        m
        for m, r in _data.LORA.items()
        if r.min_batch_size > min(r.max_batch_size_sft, r.max_batch_size_dpo)
    ),
    None,
)
NO_WHOLE_BATCH_OR_ANY = NO_WHOLE_BATCH or next(iter(_data.LORA))


def codes(**request: Any) -> list[str]:
    return [v.code for v in tc.check_finetune_request(**request)]


def test_codes_are_documented() -> None:
    from together_catalog import validate

    text = validate.__doc__ or ""
    for code in tc.CODES:
        assert f"``{code}``" in text, code


def test_codes_are_documented_in_report_order() -> None:
    """CODES, the module docstring and README list the codes in the order they are reported."""
    from together_catalog import validate

    def order(text: str, quote: str) -> list[str]:
        return sorted(tc.CODES, key=lambda code: text.index(f"{quote}{code}{quote}"))

    assert order(validate.__doc__ or "", "``") == list(tc.CODES)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    codes_paragraph = readme[readme.index("Codes: `") :]
    assert order(codes_paragraph, "`") == list(tc.CODES)


@pytest.mark.parametrize(
    ("lora", "rows"), [(None, _data.LORA), (True, _data.LORA), (False, _data.FULL)]
)
@pytest.mark.parametrize("method", ["sft", "dpo"])
def test_batch_bounds_inclusive_every_row(lora: bool | None, rows: Any, method: str) -> None:
    for model, row in rows.items():
        top = getattr(row, f"max_batch_size_{method}")
        low = row.min_batch_size
        kw = {"model": model, "lora": lora, "training_method": method}
        assert codes(**kw, batch_size="max") == []
        if low <= top:
            assert codes(**kw, batch_size=low) == []
            assert codes(**kw, batch_size=top) == []
        assert "batch-size-too-small" in codes(**kw, batch_size=low - 1)
        assert "batch-size-too-large" in codes(**kw, batch_size=top + 1)


@pytest.mark.parametrize(("lora", "rows"), [(None, _data.LORA), (False, _data.FULL)])
@pytest.mark.parametrize("method", ["sft", "dpo"])
def test_length_bounds_inclusive_every_row(lora: bool | None, rows: Any, method: str) -> None:
    for model, row in rows.items():
        top = getattr(row, f"context_length_{method}")
        kw = {"model": model, "lora": lora, "training_method": method}
        assert codes(**kw, max_seq_length=top) == []
        assert codes(**kw, max_seq_length=1) == []
        assert codes(**kw, max_seq_length=top + 1) == ["max-seq-length-too-large"]
        assert codes(**kw, max_seq_length=0) == ["max-seq-length-too-small"]


def test_violation_carries_limit_table_and_suggestion() -> None:
    (v,) = tc.check_finetune_request(QWEN, training_method="dpo", batch_size=9)
    row = _data.LORA[QWEN]
    assert v.code == "batch-size-too-large"
    assert v.field == "batch_size"
    assert v.limit == row.max_batch_size_dpo
    assert v.table == "finetune-lora"
    assert v.suggestion is not None
    assert f"max DPO batch for LoRA on {QWEN} is {row.max_batch_size_dpo}" in v.suggestion
    assert v.to_dict()["code"] == "batch-size-too-large"


def test_full_job_on_lora_only_model() -> None:
    found = tc.check_finetune_request(LORA_ONLY, lora=False)
    assert [v.code for v in found] == ["not-fine-tunable-with-method"]
    assert found[0].table == "finetune-full"
    assert codes(model=LORA_ONLY) == []


def test_no_whole_batch_size_row_accepts_only_max() -> None:
    if NO_WHOLE_BATCH is None:
        pytest.skip("no LoRA row publishes a min batch above its max")
    row = _data.LORA[NO_WHOLE_BATCH]
    assert codes(model=NO_WHOLE_BATCH) == []
    for batch in range(0, row.min_batch_size + 2):
        found = tc.check_finetune_request(NO_WHOLE_BATCH, batch_size=batch)
        assert found
        assert any("'max'" in (v.suggestion or "") for v in found)


LLAMA_REFERENCE = "meta-llama/Llama-3.3-70B-Instruct-Reference"


@pytest.fixture
def long_context(monkeypatch: pytest.MonkeyPatch) -> Mapping[str, FineTuneLimits]:
    """The long-context LoRA table: the data's, or, when the docs list none (the 2026 page
    dropped the table), the 32k and 131k variants of Llama 3.3 70B the 2025 table had,
    installed where the validator and the scan below read them."""
    from together_catalog import _limits

    rows = dict(_data.LORA_LONG_CONTEXT)
    if not rows:
        base = _data.LORA[LLAMA_REFERENCE]
        for tag, length in (("32k", 32768), ("131k", 131072)):
            model = LLAMA_REFERENCE.replace("-70B-", f"-70B-{tag}-")
            rows[model] = base._replace(
                model=model,
                method="lora_long_context",
                context_length_sft=length,
                context_length_dpo=length,
            )
        monkeypatch.setattr(_limits, "LORA_LONG_CONTEXT", rows)
        monkeypatch.setattr(_data, "LORA_LONG_CONTEXT", rows)
        monkeypatch.setattr(_limits, "_families", None)
    return rows


@pytest.mark.usefixtures("long_context")
def test_long_context_suggestion_names_the_131k_variant_with_lora() -> None:
    model = LLAMA_REFERENCE
    full = _data.FULL[model].context_length_sft
    (v,) = tc.check_finetune_request(model, lora=False, max_seq_length=full + 1)
    assert v.code == "max-seq-length-too-large" and v.limit == full
    assert v.suggestion is not None
    assert "meta-llama/Llama-3.3-70B-32k-Instruct-Reference with LoRA" in v.suggestion
    (v,) = tc.check_finetune_request(model, lora=False, max_seq_length=100_000)
    assert v.suggestion is not None
    assert "meta-llama/Llama-3.3-70B-131k-Instruct-Reference with LoRA" in v.suggestion


def test_suggested_long_context_id_really_fits() -> None:
    for rows, lora in ((_data.FULL, False), (_data.LORA, True)):
        for model, row in rows.items():
            for method in ("sft", "dpo"):
                length = getattr(row, f"context_length_{method}") + 1
                (v,) = tc.check_finetune_request(
                    model, lora=lora, training_method=method, max_seq_length=length
                )
                assert v.suggestion is not None
                if " with LoRA" in v.suggestion:
                    other = v.suggestion.split("use ", 1)[1].split(" with LoRA")[0]
                    assert (
                        tc.check_finetune_request(
                            other, training_method=method, max_seq_length=length
                        )
                        == ()
                    )


def test_unknown_and_contact_only_models() -> None:
    found = tc.check_finetune_request("Qwen/Qwen3.5-9b")
    assert [v.code for v in found] == ["unknown-model"]
    assert found[0].suggestion == "did you mean Qwen/Qwen3.5-9B?"
    prefix = _data.CONTACT_ONLY_PREFIXES[0]
    assert codes(model=prefix + "-Instruct-Reference") == ["contact-only"]
    assert codes(model=42) == ["unknown-model"]


def test_every_type_error_at_once() -> None:
    found = codes(
        model="nope/nope",
        lora="yes",
        training_method="ppo",
        batch_size="8",
        max_seq_length="4096",
        from_checkpoint=7,
        lora_r="8",
        gradient_accumulation_steps=2.5,
        train_vision="yes",
    )
    assert found == [
        "unknown-model",
        "model-and-checkpoint",
        "invalid-lora-type",
        "invalid-training-method",
        "invalid-batch-size-type",
        "invalid-max-seq-length-type",
        "invalid-lora-r-type",
        "invalid-gradient-accumulation-steps-type",
        "invalid-train-vision-type",
        "invalid-from-checkpoint-type",
    ]


def test_limits_still_checked_beside_a_bad_checkpoint() -> None:
    assert codes(model=QWEN, batch_size=9, from_checkpoint=1) == [
        "model-and-checkpoint",
        "batch-size-too-large",
        "invalid-from-checkpoint-type",
    ]


def test_bool_is_not_an_int_but_whole_floats_are() -> None:
    assert codes(model=QWEN, batch_size=True) == ["invalid-batch-size-type"]
    assert codes(model=QWEN, max_seq_length=True) == ["invalid-max-seq-length-type"]
    assert codes(model=QWEN, batch_size=8.0) == []
    assert codes(model=QWEN, batch_size=8.5) == ["invalid-batch-size-type"]
    assert codes(model=QWEN, lora=1) == ["invalid-lora-type"]


def test_from_checkpoint_replaces_the_model() -> None:
    """SDK 3.1.1: a job starts from a model or from a checkpoint, never both, never neither."""
    assert codes(model=None, from_checkpoint="ft-abc:10") == []
    assert codes(model=QWEN, from_checkpoint="ft-abc:10") == ["model-and-checkpoint"]
    assert codes(model=None) == ["unknown-model"]


def test_raising_variant_carries_every_violation() -> None:
    tc.validate_finetune_request(QWEN, batch_size=8)
    with pytest.raises(tc.FineTuneRequestError) as info:
        tc.validate_finetune_request(QWEN, batch_size=9, max_seq_length=0)
    assert [v.code for v in info.value.violations] == [
        "batch-size-too-large",
        "max-seq-length-too-small",
    ]
    assert "2 violations" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert tc.is_valid_finetune_request(QWEN) and not tc.is_valid_finetune_request(QWEN, lora=0)  # type: ignore[arg-type]


def test_violation_is_an_immutable_value() -> None:
    import pickle

    (v,) = tc.check_finetune_request(QWEN, batch_size=9)
    (again,) = tc.check_finetune_request(QWEN, batch_size=9)
    assert v == again and hash(v) == hash(again) and v is not again
    assert v != tc.Violation("other", v.field, v.message)
    with pytest.raises(AttributeError):
        v.code = "x"
    assert pickle.loads(pickle.dumps(v)) == v
    assert repr(v).startswith("Violation(code='batch-size-too-large'")
    match v:
        case tc.Violation("batch-size-too-large", "batch_size", _, limit):
            assert limit == _data.LORA[QWEN].max_batch_size_sft
        case _:
            pytest.fail("Violation does not pattern-match positionally")


def _longer_context_by_scan(model: str, method: str, length: int, *, lora_job: bool) -> str | None:
    """The long-context suggestion as first written: a scan of every LoRA row per call.

    The validator now groups the rows by family once; this is the oracle it must agree with.
    """
    from together_catalog._limits import family_key

    column = "context_length_sft" if method == "sft" else "context_length_dpo"
    key = family_key(model)
    candidates = [
        row
        for rows in (_data.LORA, _data.LORA_LONG_CONTEXT)
        for other, row in rows.items()
        if not (lora_job and other == model)
        and (other == model or family_key(other) == key)
        and getattr(row, column) >= length
    ]
    candidates.sort(key=lambda r: (r.model != model, getattr(r, column)))
    return candidates[0].model if candidates else None


@pytest.mark.usefixtures("long_context")
def test_indexed_long_context_suggestion_agrees_with_a_full_scan() -> None:
    from together_catalog._limits import longer_context

    tables = (_data.LORA, _data.FULL, _data.LORA_LONG_CONTEXT)
    limits = {
        x for t in tables for r in t.values() for x in (r.context_length_sft, r.context_length_dpo)
    }
    lengths = sorted({n + d for n in (*limits, 32768, 65536, 131072) for d in (-1, 0, 1)})
    suggested = 0
    for model in ["no/such-model-131k", *dict.fromkeys(m for t in tables for m in t)]:
        for method in ("sft", "dpo"):
            for length in lengths:
                for lora_job in (True, False):
                    want = _longer_context_by_scan(model, method, length, lora_job=lora_job)
                    got = longer_context(model, method, length, lora_job=lora_job)
                    assert got == want, (model, method, length, lora_job)
                    suggested += got is not None and got != model
    assert suggested > 0  # some request is pointed at a long-context variant


# Any value for every argument: listed, contact-only, misspelt and non-string models; every
# lora and training_method spelling; batch sizes and lengths around and beyond the limits.
_MODELS = sorted({*_data.LORA, *_data.FULL, *_data.LORA_LONG_CONTEXT, *_data.LORA_BASES})
_any_request = st.fixed_dictionaries(
    {
        "model": st.one_of(
            st.sampled_from(_MODELS),
            st.sampled_from(_data.CONTACT_ONLY_PREFIXES).map(lambda p: p + "-Instruct"),
            st.sampled_from(_MODELS).map(str.lower),
            st.text(max_size=12),
            st.sampled_from([None, 42, b"Qwen/Qwen3.5-9B"]),
            st.sampled_from(_MODELS).map(lambda m: m.rpartition("/")[2]),
        ),
        "lora": st.sampled_from([None, True, False, "yes", 1, 0]),
        "training_method": st.sampled_from(["sft", "dpo", "ppo", "SFT", None, 1]),
        "batch_size": st.one_of(
            st.just("max"),
            st.integers(-2, 300),
            st.floats(-2, 300),
            st.sampled_from(["8", "MAX", True, None, float("nan"), float("inf")]),
        ),
        "max_seq_length": st.one_of(
            st.none(),
            st.integers(-2, 300_000),
            st.floats(allow_nan=True),
            st.sampled_from(["4096", True]),
        ),
        "from_checkpoint": st.one_of(st.none(), st.text(max_size=4), st.sampled_from([7, b"x"])),
        "lora_r": st.one_of(st.none(), st.integers(-2, 600), st.sampled_from(["8", 8.0, True])),
        "gradient_accumulation_steps": st.one_of(
            st.none(), st.integers(-2, 64), st.sampled_from(["8", 2.5, False])
        ),
        "train_vision": st.sampled_from([False, True, None, 1, "yes"]),
    }
)


@settings(max_examples=500, deadline=None)
@given(_any_request)
@example(
    {
        "model": "nope/nope",
        "lora": "yes",
        "training_method": "ppo",
        "batch_size": "8",
        "max_seq_length": "4096",
        "from_checkpoint": 7,
    }
)
@example({"model": _data.CONTACT_ONLY_PREFIXES[0], "lora": 1})
@example({"model": LORA_ONLY, "lora": False, "batch_size": 0, "max_seq_length": 0})
@example(  # a row whose min batch is above its max: every whole batch size is off
    {
        "model": NO_WHOLE_BATCH_OR_ANY,
        "training_method": "sft",
        "batch_size": _data.LORA[NO_WHOLE_BATCH_OR_ANY].max_batch_size_sft + 1,
        "max_seq_length": _data.LORA[NO_WHOLE_BATCH_OR_ANY].context_length_sft + 1,
        "from_checkpoint": 7,
    }
)
def test_violations_come_in_codes_order(request: dict[str, Any]) -> None:
    """Whatever is wrong, the codes reported are a subsequence of CODES (the README order)."""
    found = [v.code for v in tc.check_finetune_request(**request)]
    positions = [tc.CODES.index(code) for code in found]
    assert positions == sorted(set(positions)), found
