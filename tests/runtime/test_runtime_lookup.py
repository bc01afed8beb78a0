"""Lookups of the runtime package against the generated data: ids, limits, suggestions."""

from __future__ import annotations

import pytest
import together_catalog as tc
from together_catalog import _data


def test_finetune_limits_reads_each_table() -> None:
    for method, rows in (
        ("lora", _data.LORA),
        ("full", _data.FULL),
        ("lora_long_context", _data.LORA_LONG_CONTEXT),
    ):
        for model, row in rows.items():
            assert tc.finetune_limits(model, method) is row  # type: ignore[arg-type]
            assert method in tc.fine_tuning_methods(model)


def test_known_row_values() -> None:
    row = tc.finetune_limits("Qwen/Qwen3.5-9B")
    assert (row.max_batch_size_dpo, row.context_length_dpo, row.min_batch_size) == (8, 49152, 8)
    assert tc.finetune_limits("Qwen/Qwen3.5-9B", "full").method == "full"


def test_lists_follow_docs_order_and_capabilities() -> None:
    assert tc.lora_models() == tuple(_data.LORA)
    assert tc.full_models() == tuple(_data.FULL)
    assert tc.long_context_lora_models() == tuple(_data.LORA_LONG_CONTEXT)
    assert set(tc.fine_tunable_models()) == {*_data.LORA, *_data.FULL, *_data.LORA_LONG_CONTEXT}
    assert tc.serverless_categories() == tuple(_data.SERVERLESS)
    for category, rows in _data.SERVERLESS.items():
        assert tc.serverless_models(category) == tuple(rows)
    assert tc.serverless_lora_bases() == tuple(_data.LORA_BASES)
    assert len(set(tc.all_model_ids())) == len(tc.all_model_ids())


def test_unknown_category_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="chat"):
        tc.serverless_models("chatt")


def test_unknown_id_is_a_keyerror_with_suggestions() -> None:
    with pytest.raises(KeyError) as info:
        tc.finetune_limits("qwen/qwen3.5-9b")
    err = info.value
    assert isinstance(err, tc.UnknownModelError)
    assert err.model == "qwen/qwen3.5-9b"
    assert err.suggestions == ("Qwen/Qwen3.5-9B",)
    assert "did you mean 'Qwen/Qwen3.5-9B'?" in str(err)
    assert not str(err).startswith('"')  # not KeyError's quoted repr


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("Qwen3.5-9B", "Qwen/Qwen3.5-9B"),  # namespace left out
        ("Qwen/Qwen3.5-9b", "Qwen/Qwen3.5-9B"),  # case
        (
            "meta-llama/Meta-Llama-3.1-8B-Instruct-Refrence",
            "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
        ),
    ],
)
def test_did_you_mean(typo: str, expected: str) -> None:
    with pytest.raises(tc.UnknownModelError) as info:
        tc.finetune_limits(typo)
    assert info.value.suggestions[0] == expected


def test_wrong_table_names_the_tables_that_list_it() -> None:
    lora_only = next(m for m in _data.LORA if m not in _data.FULL)
    with pytest.raises(tc.UnknownModelError) as info:
        tc.finetune_limits(lora_only, "full")
    assert "finetune-lora" in info.value.listed_in
    assert "finetune-lora" in str(info.value)


def test_nothing_close_gives_no_suggestion() -> None:
    with pytest.raises(tc.UnknownModelError) as info:
        tc.finetune_limits("zzzzzzzzzzzzzzzzzzzz")
    assert info.value.suggestions == ()
    assert "did you mean" not in str(info.value)


def test_job_limits_lora_falls_back_to_long_context_only_rows() -> None:
    for model in _data.LORA:
        assert tc.job_limits(model) is _data.LORA[model]
        assert tc.job_limits(model, lora=True) is _data.LORA[model]
    for model in _data.LORA_LONG_CONTEXT:
        expected = _data.LORA.get(model, _data.LORA_LONG_CONTEXT[model])
        assert tc.job_limits(model) is expected
    for model in _data.FULL:
        assert tc.job_limits(model, lora=False) is _data.FULL[model]


def test_serverless_model_and_categories() -> None:
    record = tc.serverless_model("meta-llama/Llama-3.3-70B-Instruct-Turbo")
    assert (record.category, record.context_length, record.quantization) == ("chat", 131072, "FP8")
    multi = [m for m in tc.all_model_ids() if len(tc.serverless_categories_of(m)) > 1]
    assert multi, "the docs list some models in two categories"
    for model in multi:
        first, *rest = tc.serverless_categories_of(model)
        assert tc.serverless_model(model).category == first
        for category in rest:
            assert tc.serverless_model(model, category).category == category
    embedding = tc.serverless_model("intfloat/multilingual-e5-large-instruct", "embedding")
    assert embedding.embedding_dimension == 1024


def test_serverless_unknown_in_category() -> None:
    with pytest.raises(tc.UnknownModelError) as info:
        tc.serverless_model("intfloat/multilingual-e5-large-instruct", "chat")
    assert "serverless-embedding" in info.value.listed_in


def test_recommended_and_table_info() -> None:
    for category, model in _data.RECOMMENDED.items():
        assert tc.recommended_model(category) == model
        assert model in tc.serverless_models(category) or model in tc.all_model_ids()
    info = tc.table_info("finetune-lora")
    assert info.row_count == len(_data.LORA)
    with pytest.raises(ValueError, match="finetune-lora"):
        tc.table_info("finetune-loraa")


def test_turbo_is_not_a_lora_base_and_names_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from together_catalog import serving

    turbo = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    reference = "meta-llama/Llama-3.3-70B-Instruct-Reference"
    answer = tc.serverless_lora_base(turbo)
    assert not answer
    assert answer.base == (reference if reference in _data.LORA_BASES else None)
    assert _data.SERVERLESS_LORA_TURBO_ERROR in answer.reason
    assert not tc.is_serverless_lora_base(turbo)
    # With the Reference twin on the base list (the 2025 list had such pairs), it is named.
    base = next(iter(_data.LORA_BASES.values()))._replace(model=reference)
    monkeypatch.setattr(serving, "LORA_BASES", {**_data.LORA_BASES, reference: base})
    answer = tc.serverless_lora_base(turbo)
    assert not answer and answer.base == reference and reference in answer.reason


def test_every_listed_base_answers_yes() -> None:
    for model in _data.LORA_BASES:
        answer = tc.serverless_lora_base(model)
        assert answer.ok and answer.base == model
        assert tc.is_serverless_lora_base(model)
        assert tc.lora_base(model).model == model


def test_serving_alias_names_the_base_for_the_fine_tunable_id() -> None:
    for base, target in _data.SERVING_ALIASES.items():
        answer = tc.serverless_lora_base(target)
        if target in _data.LORA_BASES:
            assert answer.ok
        else:
            assert not answer.ok and answer.base == base


def test_model_with_no_base() -> None:
    answer = tc.serverless_lora_base("Qwen/Qwen3.5-9B")
    assert not answer.ok and answer.base is None


@pytest.mark.parametrize(
    ("typo", "first", "before"),
    [
        (  # a Turbo id: its Reference twin, ahead of a merely similar spelling
            "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
            "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
            "meta-llama/Llama-3.3-70B-Instruct-Reference",
        ),
        ("meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct-Reference", None),
        ("Llama-3.3-70B-Instruct-Turbo", "meta-llama/Llama-3.3-70B-Instruct-Reference", None),
    ],
)
def test_serving_twins_rank_first(typo: str, first: str, before: str | None) -> None:
    with pytest.raises(tc.UnknownModelError) as info:
        tc.finetune_limits(typo)
    suggestions = info.value.suggestions
    assert suggestions[0] == first
    if before is not None:
        assert before in suggestions and suggestions.index(first) < suggestions.index(before)


def test_a_case_slip_suggests_the_right_case_first() -> None:
    for model in [*_data.LORA][:20]:
        for typo in (model.lower(), model.upper(), model.swapcase()):
            if typo == model:
                continue
            assert tc.errors.closest_ids(typo, tc.lora_models())[0] == model


def test_closest_ids_twins_from_any_pool() -> None:
    from together_catalog.errors import closest_ids

    pool = ["acme/Big-9B-Instruct-Reference", "acme/Big-9B-Instruct", "acme/Big-8B-Instruct"]
    assert closest_ids("acme/Big-9B-Instruct-Turbo", pool)[:2] == (pool[0], pool[1])
    assert closest_ids("ACME/big-9b-instruct", pool) == ("acme/Big-9B-Instruct",)
    assert closest_ids("zzz", pool) == ()


def test_contact_only_family_without_namespace_is_not_unknown() -> None:
    prefix = _data.CONTACT_ONLY_PREFIXES[0]
    bare = prefix.rpartition("/")[2] + "-Instruct"
    assert tc.lookup.contact_only_prefix(bare) == prefix
    with pytest.raises(tc.UnknownModelError) as info:
        tc.job_limits(bare)
    assert info.value.hint is not None and prefix in info.value.hint
    assert [v.code for v in tc.check_finetune_request(bare)] == ["contact-only"]
