"""Models the docs no longer list: RetiredModelError from every lookup, retired-model from the
validator and `validate-job`, `show` of a retired id, and `retired_models()`.

The expectations are read from the catalog itself (its tables' `retired` rows), so they hold
for whatever the docs retire next.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import together_catalog as tc
from together_catalog import _data

from catalog.contents import Catalog
from catalog.models import FineTuneTable, ServerlessTable, Table
from codegen.successors import successor
from tests.conftest import SEEDS, SNAPSHOTS_DIR
from tests.runtime.cli_helpers import CLI, cli_env, run

#: A model of the seed-era fine-tuning page (2025-12) that the 2026 page no longer lists.
SEED_MODEL = "Qwen/Qwen3-8B"
#: A retired LoRA row whose successor is evident (DeepSeek-V3 -> DeepSeek-V3.1).
SUCCEEDED = "deepseek-ai/DeepSeek-V3"


def lookup_of(table: Table) -> Callable[[str], object]:
    """The lookup that reads `table` alone."""
    if isinstance(table, FineTuneTable):
        return lambda model: tc.finetune_limits(model, table.method)
    if isinstance(table, ServerlessTable):
        return lambda model: tc.serverless_model(model, table.category)
    return tc.lora_base


def retired_rows(catalog: Catalog) -> list[tuple[Table, Any]]:
    return [(table, row) for table in catalog.tables.values() for row in table.retired]


def test_every_retired_id_raises_retired_model_error(catalog: Catalog) -> None:
    rows = retired_rows(catalog)
    assert len(rows) > 100
    for table, row in rows:
        current = [r.model for r in table.rows]
        assert row.model not in current  # the catalog's own rule
        with pytest.raises(tc.RetiredModelError) as info:
            lookup_of(table)(row.model)
        err = info.value
        assert isinstance(err, tc.UnknownModelError) and isinstance(err, KeyError)
        assert (err.model, err.table) == (row.model, table.table)
        assert err.last_seen == row.last_seen.isoformat()
        assert err.successor == successor(row.model, current)
        assert err.suggestions == ((err.successor,) if err.successor else ())
        message = str(err)
        assert table.table in message and err.last_seen in message
        assert "left Together's docs after" in message
        if err.successor:
            assert current.count(err.successor) == 1
            assert f"successor there is {err.successor!r}" in message
        listed = [
            t.table for t in catalog.tables.values() if row.model in {r.model for r in t.rows}
        ]
        assert err.listed_in == tuple(listed)


def test_successors_are_named_where_one_is_evident() -> None:
    successors = {(r.table, r.model): r.successor for r in tc.retired_models()}
    assert successors[("finetune-lora", SUCCEEDED)] == "deepseek-ai/DeepSeek-V3.1"
    assert successors[("finetune-lora", SEED_MODEL)] is None  # no Qwen3.x-8B is listed
    named = [s for s in successors.values() if s is not None]
    assert 0 < len(named) < len(successors) / 4  # only where evident
    with pytest.raises(tc.RetiredModelError, match=r"DeepSeek-V3\.1"):
        tc.finetune_limits(SUCCEEDED)


def test_the_successor_rule() -> None:
    current = ["acme/GLM-5", "acme/GLM-5.1", "acme/Coder-8B", "other/GLM-6", "acme/R1"]
    assert successor("acme/GLM-4.6", current) == "acme/GLM-5.1"  # the highest version
    assert successor("acme/Coder-7B", current) is None  # a size is not a version
    assert successor("acme/R1-0528-tput", current) == "acme/R1"  # date and variant dropped
    assert successor("acme/R1-Large", current) is None
    assert successor("old/Coder-8B", current) == "acme/Coder-8B"  # a renamed namespace
    assert successor("acme/GLM-4.6", ["acme/GLM-5", "acme/glm-5"]) is None  # a tie
    assert successor("acme/GLM-4.6", ["acme/GLM-5", "acme/GLM-4.6-tput"]) == "acme/GLM-5"


def test_retired_models_hold_the_rows_as_last_published(catalog: Catalog) -> None:
    found = {(r.table, r.model): r for r in tc.retired_models()}
    rows = retired_rows(catalog)
    assert len(found) == len(rows)
    for table, row in rows:
        retired = found[(table.table, row.model)]
        assert retired.last_seen == row.last_seen.isoformat()
        record = retired.record._asdict()
        for column in table.columns:
            assert record[column.field] == getattr(row, column.field), (table.table, row.model)
        assert record["footnotes"] == tuple(row.footnotes) and record["note"] == row.note
        if isinstance(table, FineTuneTable):
            assert record["method"] == table.method
        elif isinstance(table, ServerlessTable):
            assert record["category"] == table.category
            assert record["endpoint"] == _data.ENDPOINTS.get(table.category)
    for table_id in _data.TABLES:
        assert tc.retired_models(table_id) == tuple(
            r for r in found.values() if r.table == table_id
        )
    with pytest.raises(ValueError, match="finetune-lora"):
        tc.retired_models("finetune-loraa")


def test_lookups_without_a_table_name_the_most_recent_retirement() -> None:
    gone = {r.model: r for r in tc.retired_models() if r.table.startswith("serverless-")}
    model = next(m for m in gone if not tc.serverless_categories_of(m))
    tables = [r for r in tc.retired_models() if r.model == model and r.table in _data.TABLES]
    newest = max(r.last_seen for r in tables if r.table.startswith("serverless-"))
    with pytest.raises(tc.RetiredModelError) as info:
        tc.serverless_model(model)
    assert info.value.last_seen == newest
    with pytest.raises(tc.RetiredModelError):
        tc.price(model)
    with pytest.raises(tc.RetiredModelError):
        tc.job_limits(SEED_MODEL)
    with pytest.raises(tc.RetiredModelError, match="finetune-full"):
        tc.job_limits(SEED_MODEL, lora=False)


def test_ids_that_never_existed_keep_their_suggestions() -> None:
    for typo in ("Qwen/Qwen3-8X", "qwen/qwen3-8b", "Qwen3-8B", "no/such-model"):
        with pytest.raises(tc.UnknownModelError) as info:
            tc.finetune_limits(typo)
        assert type(info.value) is tc.UnknownModelError
    with pytest.raises(tc.UnknownModelError) as info:
        tc.finetune_limits("qwen/qwen3.5-9b")
    assert info.value.suggestions == ("Qwen/Qwen3.5-9B",)


def test_a_seed_era_model_that_left_the_docs(catalog: Catalog) -> None:
    seed = SNAPSHOTS_DIR / SEEDS["fine-tuning-models"]
    assert SEED_MODEL in seed.read_text(encoding="utf-8")
    assert SEED_MODEL not in _data.LORA and SEED_MODEL not in _data.FULL
    last_seen = next(
        r.last_seen.isoformat()
        for r in catalog.tables["finetune-lora"].retired
        if r.model == SEED_MODEL
    )
    with pytest.raises(tc.RetiredModelError, match=last_seen) as info:
        tc.finetune_limits(SEED_MODEL)
    assert info.value.table == "finetune-lora"
    (v,) = tc.check_finetune_request(SEED_MODEL, batch_size=8)
    assert (v.code, v.field, v.table, v.limit) == ("retired-model", "model", "finetune-lora", None)
    assert last_seen in v.message and v.suggestion
    result = subprocess.run(
        [*CLI, "validate-job", "--model", SEED_MODEL, "--json"],
        capture_output=True,
        text=True,
        env=cli_env(),
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["valid"] is False
    assert [x["code"] for x in doc["violations"]] == ["retired-model"]
    assert last_seen in doc["violations"][0]["message"]


def test_retired_model_violation_names_the_successor(capsys: pytest.CaptureFixture[str]) -> None:
    (v,) = tc.check_finetune_request(SUCCEEDED)
    assert (
        v.code == "retired-model" and v.suggestion == "use its successor deepseek-ai/DeepSeek-V3.1"
    )
    code, out, _ = run(capsys, "validate-job", "--model", SUCCEEDED)
    assert code == 1 and "retired-model" in out and "deepseek-ai/DeepSeek-V3.1" in out
    # In CODES order, beside the violations of the other arguments.
    found = tc.check_finetune_request(SUCCEEDED, lora="yes", from_checkpoint="ft-1")  # type: ignore[arg-type]
    assert [x.code for x in found] == ["retired-model", "model-and-checkpoint", "invalid-lora-type"]


def test_retired_from_the_other_table_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    # A model retired from LoRA but current in Full: a full job is valid, a LoRA job is not.
    from together_catalog import _checks, validate

    (full,) = [r.record for r in tc.retired_models("finetune-full") if r.model == SEED_MODEL]
    rows = {**_data.FULL, SEED_MODEL: full}
    monkeypatch.setattr(validate, "FULL", rows)
    monkeypatch.setattr(_checks, "FULL", rows)
    assert tc.check_finetune_request(SEED_MODEL, lora=False) == ()
    for lora in (None, True):
        (v,) = tc.check_finetune_request(SEED_MODEL, lora=lora)
        assert (v.code, v.table) == ("retired-model", "finetune-lora")
        assert v.suggestion == "fine-tune it in full (lora=False), which still lists it"


def test_show_of_a_retired_id_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", SUCCEEDED)
    assert (code, err) == (1, "")
    assert "retired" in out and "2025-12-01" in out and "deepseek-ai/DeepSeek-V3.1" in out
    code, out, err = run(capsys, "show", SUCCEEDED, "--json")
    assert (code, err) == (1, "")
    error = json.loads(out)["error"]
    assert list(error) == ["code", "message", "model", "retired"]
    assert error["code"] == "retired-model" and error["model"] == SUCCEEDED
    tables = [r.table for r in tc.retired_models() if r.model == SUCCEEDED]
    assert [r["table"] for r in error["retired"]] == tables
    assert list(error["retired"][0]) == ["table", "last_seen", "successor"]
    code, out, _ = run(capsys, "price", SUCCEEDED, "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "retired-model"


def test_show_of_a_current_id_lists_where_it_was_retired(
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = next(r.model for r in tc.retired_models() if r.model in tc.all_model_ids())
    code, out, _ = run(capsys, "show", model, "--json")
    gone = [r.table for r in tc.retired_models() if r.model == model]
    assert code == 0 and [r["table"] for r in json.loads(out)["retired"]] == gone
    code, out, _ = run(capsys, "show", model)
    assert code == 0 and "retired from: " + gone[0] in out


def test_retired_model_error_pickles() -> None:
    with pytest.raises(tc.RetiredModelError) as info:
        tc.finetune_limits(SUCCEEDED)
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is tc.RetiredModelError and str(back) == str(info.value)
    assert (back.table, back.last_seen, back.successor) == (
        "finetune-lora",
        "2025-12-01",
        info.value.successor,
    )


def test_the_retired_rows_are_imported_on_a_miss_only() -> None:
    probe = (
        "import sys, together_catalog as tc\n"
        "tc.finetune_limits('Qwen/Qwen3.5-9B'); tc.check_finetune_request('Qwen/Qwen3.5-9B')\n"
        "print('together_catalog._retired' in sys.modules)\n"
        "try:\n    tc.finetune_limits('nope/nope')\nexcept KeyError:\n    pass\n"
        "print('together_catalog._retired' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]
