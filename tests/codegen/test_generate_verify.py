"""The generator's self-check compares the Python data with the catalog itself, so a slip in
the template context (not only in the template) stops generation."""

from __future__ import annotations

import dataclasses

import pytest

from catalog.contents import Catalog
from codegen import context, history_check
from codegen.generate import render_all
from codegen.history import flat_history
from codegen.verify import VerifyError, check_python, read_records


def test_a_wrong_value_built_by_the_context_is_caught(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = context._finetune_records

    def off_by_one(table: object) -> tuple[context.Record, ...]:
        records = real(table)  # type: ignore[arg-type]
        if not records:  # a table with retired rows only (long-context since 2026)
            return records
        first = records[0]
        fields = tuple(
            (name, value + 1 if name == "max_batch_size_dpo" else value)
            for name, value in first.fields
        )
        return (context.Record(first.key, first.cls, fields), *records[1:])

    monkeypatch.setattr(context, "_finetune_records", off_by_one)
    files = render_all(catalog)
    with pytest.raises(VerifyError, match="records differ from the catalog"):
        check_python(catalog, files)


def test_the_real_output_passes(catalog: Catalog, generated_files: dict[str, str]) -> None:
    check_python(catalog, generated_files)


def test_a_waiver_changed_in_catalog_json_is_caught(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    from codegen import schemas
    from codegen.verify import check_json

    files = dict(generated_files)  # the session's rendering stays as rendered
    text = files[schemas.CATALOG_JSON]
    reason = catalog.waivers.waivers[0].reason
    assert reason in text
    files[schemas.CATALOG_JSON] = text.replace(reason, reason + " (edited)", 1)
    with pytest.raises(VerifyError, match="aliases or waivers differ"):
        check_json(catalog, files)


def test_a_renamed_id_with_no_changes_of_its_own_still_has_a_history(catalog: Catalog) -> None:
    # The 2025-12 serverless page renamed Cartesia/Sonic to cartesia/sonic; without the
    # changes later recorded under the new id, it has only what the rename carries over.
    renames = [c for e in catalog.changelog.entries for c in e.changes if c.field == "model"]
    assert renames, "the changelog records no rename to test with"
    new = str(renames[0].new)
    entries = tuple(
        e.model_copy(update={"changes": tuple(c for c in e.changes if c.model != new)})
        for e in catalog.changelog.entries
    )
    log = catalog.changelog.model_copy(update={"entries": entries})
    only_renamed = dataclasses.replace(catalog, changelog=log)
    history = flat_history(only_renamed)
    assert new in history and history[new] == history[str(renames[0].model)]
    assert history_check.check_generated(only_renamed, render_all(only_renamed)) is None


def test_read_records_takes_keyword_records_only() -> None:
    """The read-back does not look inside a record's arguments, so a record built with a
    positional argument (where another record could hide) is refused, not half read."""
    source = "A = {'x': R(a=1, b=(2, 'c')), 'y': [S(d=None)]}\nB = T(e=-1)\n"
    assert read_records(source) == [
        ("T", {"e": -1}),
        ("R", {"a": 1, "b": (2, "c")}),
        ("S", {"d": None}),
    ]
    for hidden in ("R(S(b=2), a=1)", "R(*[S(b=2)], a=1)", "R(S(b=x), a=1)"):
        with pytest.raises(ValueError, match="R record with positional arguments"):
            read_records(f"A = {hidden}\n")
    with pytest.raises(ValueError):
        read_records("A = R(a=x)\n")  # not a literal
