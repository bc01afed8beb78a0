"""`history(model)`: the changelog per model, oldest first, and `together-catalog history`.

Checked against catalog/changelog.yaml as loaded by the catalog layer, not against the
generated module it was rendered into.
"""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from typing import Any

import pytest
import together_catalog as tc
from together_catalog import _data

from catalog.contents import Catalog
from catalog.models import FineTuneTable, ServerlessTable, Table
from tests.runtime.cli_helpers import run

SOURCE = "(source)"  # the pseudo-model a table's own changes (its url) are logged under


def logged(catalog: Catalog) -> list[tuple[str, str, str, str, str, str | None, Any, Any]]:
    """Every change of the changelog: (date, page, table, model, kind, field, old, new)."""
    return [
        (e.snapshot.isoformat(), e.page, c.table, c.model, c.change, c.field, c.old, c.new)
        for e in catalog.changelog.entries
        for c in e.changes
    ]


def record_of(table: Table, model: str) -> Any:
    if isinstance(table, FineTuneTable):
        return tc.finetune_limits(model, table.method)
    if isinstance(table, ServerlessTable):
        return tc.serverless_model(model, table.category)
    return tc.lora_base(model)


def test_a_changed_cell_shows_its_old_and_new_values(catalog: Catalog) -> None:
    changed = [c for c in logged(catalog) if c[4] == "changed" and c[6] is not None]
    assert changed, "the changelog records some cell changing from one value to another"
    for date, page, table, model, _, field, old, new in changed:
        if model == SOURCE:
            continue
        found = [
            c
            for c in tc.history(model)
            if (c.date, c.page, c.table, c.kind, c.field) == (date, page, table, "changed", field)
        ]
        assert [(c.old, c.new) for c in found] == [(old, new)], (model, field)
        assert found[0].model == model


def test_every_change_is_in_its_models_history_oldest_first(catalog: Catalog) -> None:
    changes = [c for c in logged(catalog) if c[3] != SOURCE]
    assert len(changes) > 1000
    by_model: dict[str, list[tuple[Any, ...]]] = {}
    for date, page, table, model, kind, field, old, new in changes:
        by_model.setdefault(model, []).append((date, page, table, kind, field, old, new))
    estimated = {
        (e.snapshot.isoformat(), e.page): e.approximate is not None
        for e in catalog.changelog.entries
    }
    for model, own in by_model.items():
        found = tc.history(model)
        dates = [c.date for c in found]
        assert dates == sorted(dates), model
        mine = [
            (c.date, c.page, c.table, c.kind, c.field, c.old, c.new)
            for c in found
            if c.model == model
        ]
        assert mine == sorted(own, key=lambda c: c[0]), model  # stable: the file's order
        for change in found:
            assert change.kind in {"added", "changed", "retired", "returned"}
            assert (change.field is None) == (change.kind != "changed")
            assert change.estimated == estimated[(change.date, change.page)]


def test_replaying_history_gives_back_the_published_rows(catalog: Catalog) -> None:
    replayed = 0
    for table in catalog.tables.values():
        for row in (*table.rows, *table.retired):
            values: dict[str, Any] = {}
            for change in tc.history(row.model):
                if change.table != table.table:
                    continue
                if change.kind == "added":
                    values = {"model": change.model}  # the id is the row's, not a cell
                elif change.kind == "changed":
                    assert change.field is not None
                    assert values.get(change.field) == change.old, (row.model, change)
                    values[change.field] = change.new
            assert values, f"{table.table}: the changelog records no cell of {row.model}"
            published = record_of(table, row.model)._asdict() if row in table.rows else None
            for field, value in values.items():
                assert getattr(row, field) == value, (table.table, row.model, field)
                if published is not None:
                    assert published[field] == value, (table.table, row.model, field)
                replayed += 1
    assert replayed > 1500


def test_a_renamed_id_carries_the_history_of_its_old_id(catalog: Catalog) -> None:
    renames = [c for c in logged(catalog) if c[4] == "changed" and c[5] == "model"]
    for _, _, _, old, _, _, _, new in renames:
        history = tc.history(new)
        assert {c.model for c in history} >= {old, new}
        assert [c for c in history if c.model == old] == list(tc.history(old))


def test_unknown_and_quiet_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(tc.UnknownModelError) as info:
        tc.history("qwen/qwen3.5-9b")
    assert type(info.value) is tc.UnknownModelError
    assert info.value.suggestions == ("Qwen/Qwen3.5-9B",)
    with pytest.raises(tc.UnknownModelError):
        tc.history(SOURCE)
    with pytest.raises(tc.UnknownModelError):
        tc.history(["Qwen/Qwen3.5-9B"])  # type: ignore[arg-type]
    # A known id the changelog has nothing on (none today: every row came in by a snapshot).
    from together_catalog import _history, changes

    model = next(iter(_data.LORA))
    monkeypatch.setattr(changes, "_expanded", {})
    monkeypatch.setattr(
        _history, "HISTORY", {k: v for k, v in _history.HISTORY.items() if k != model}
    )
    assert tc.history(model) == ()
    retired = tc.retired_models()[0].model
    assert retired not in tc.all_model_ids() and tc.history(retired)


def test_change_is_a_frozen_value() -> None:
    change = tc.history("Qwen/Qwen3.5-9B")[0]
    assert change == copy.deepcopy(change) == pickle.loads(pickle.dumps(change))
    assert hash(change) == hash(copy.copy(change))
    with pytest.raises(AttributeError):
        change.date = "2000-01-01"
    assert list(change.to_dict()) == [
        "date",
        "page",
        "table",
        "kind",
        "field",
        "old",
        "new",
        "model",
        "estimated",
    ]
    assert tc.history("Qwen/Qwen3.5-9B") is tc.history("Qwen/Qwen3.5-9B")  # built once


def test_history_command(capsys: pytest.CaptureFixture[str]) -> None:
    model = "deepseek-ai/DeepSeek-V3"  # added, changed and retired
    code, out, err = run(capsys, "history", model)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{model}: {len(tc.history(model))} recorded changes"
    assert lines[2].split() == ["date", "page", "table", "change", "field", "old", "new"]
    assert "retired from: finetune-lora (last seen 2025-12-01" in out
    code, out, err = run(capsys, "history", model, "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert list(doc) == ["model", "changes", "retired", "as_of"]
    assert doc["changes"] == [c.to_dict() for c in tc.history(model)]
    pages = {c.page for c in tc.history(model)}
    assert doc["as_of"] == {p: d for p, d in tc.data_as_of().items() if p in pages}
    code, out, err = run(capsys, "history", "nope/nope", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "unknown-model"
    code, out, err = run(capsys, "history", "nope/nope")
    assert code == 1 and out == "" and err.startswith("error: 'nope/nope' is not in")


def test_the_history_is_imported_by_history_only() -> None:
    probe = (
        "import sys, together_catalog as tc\n"
        "tc.finetune_limits('Qwen/Qwen3.5-9B'); tc.retired_models()\n"
        "print('together_catalog._history' in sys.modules)\n"
        "tc.history('Qwen/Qwen3.5-9B')\n"
        "print('together_catalog._history' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]
