"""The generator's self-check compares the Python data with the catalog itself, so a slip in
the template context (not only in the template) stops generation."""

from __future__ import annotations

import pytest

from catalog.contents import Catalog
from codegen import context
from codegen.generate import render_all
from codegen.verify import VerifyError, check_python


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
