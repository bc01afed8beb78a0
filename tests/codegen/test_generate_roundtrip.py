"""Each generated format read back gives the catalog: docs, JSON, Python constants, schemas."""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from together_catalog import validate

from catalog.contents import Catalog
from catalog.models import FineTuneRow, FineTuneTable, ServerlessTable
from codegen import context, schemas
from codegen.render import environment, render
from codegen.verify import expected_rows
from scrapers.inputs import newest
from scrapers.parse import parse_file, parse_text
from tests.conftest import SNAPSHOTS_DIR

# --- docs --------------------------------------------------------------------------------


def test_docs_pages_parse_back_into_the_catalog_rows(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    seen = set()
    for page in sorted({t.source.page for t in catalog.tables.values()}):
        rel = f"docs/{page}.md"
        scraped = parse_text(generated_files[rel], Path(rel))
        for table in scraped.to_json():
            want = catalog.tables[table["table"]]
            seen.add(table["table"])
            assert table["section"] == want.source.section
            assert table["columns"] == [c.model_dump() for c in want.columns]
            assert table["rows"] == expected_rows(want)
            assert table["source"]["url"] == want.source.url
            assert table["source"]["snapshot"] == want.source.snapshot.isoformat()
    # The docs reproduce each page as its newest snapshot publishes it: a table that page
    # dropped (long-context, code, language, rerank by 2026) is history, with no current row.
    published = {t.spec.table for page in newest(SNAPSHOTS_DIR) for t in parse_file(page).tables}
    assert seen == published
    assert all(not catalog.tables[name].rows for name in set(catalog.tables) - published)
    assert set(catalog.tables) - published  # (so the line above tests something)


def test_docs_keep_the_published_headings(generated_files: dict[str, str]) -> None:
    page = generated_files["docs/serverless-models.md"]
    assert "\n# Together.ai Models\n" in page
    assert "\n## Serverless Models\n" in page
    assert "\n### Chat Models\n" in page
    lora_bases = generated_files["docs/serverless-lora-bases.md"]
    assert lora_bases.count("\n# Serverless LoRA base models\n") == 1


def test_na_and_dash_spellings_survive(catalog: Catalog) -> None:
    """An empty cell the docs spelled N/A is rendered N/A, and one spelled "-" stays "-". No
    current row spells N/A today (FLUX.1-schnell-Free, which did, is retired, and the docs
    reproduce current rows), so one image row's empty default steps is marked N/A here."""
    image = catalog.tables["serverless-image"]
    empty = [r for r in image.rows if r.default_steps is None]
    spelled, dashed = empty[0], next(r for r in empty[1:] if not r.na)
    rows = tuple(
        r.model_copy(update={"na": ("default_steps",)}) if r is spelled else r for r in image.rows
    )
    tables = {**catalog.tables, image.table: image.model_copy(update={"rows": rows})}
    variant = dataclasses.replace(catalog, tables=tables)
    (page,) = [p for p in context.doc_pages(variant) if p.name == image.source.page]
    text = render(environment(), "docs/page.md.j2", page=page)
    lines = {
        m: next(x for x in text.splitlines() if f"| {m} |" in x)
        for m in (spelled.model, dashed.model)
    }
    assert lines[spelled.model].endswith("| N/A |")
    assert lines[dashed.model].endswith("| - |")
    back = {
        row["model"]: row
        for table in parse_text(text, Path("serverless-models.md")).to_json()
        if table["table"] == image.table
        for row in table["rows"]
    }
    assert back[spelled.model].get("na") == ["default_steps"]
    assert back[dashed.model].get("na", []) == []


def test_model_index_lists_every_table_of_each_model(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    index = generated_files["docs/model-index.md"]
    lines = {line.split(" | ")[0].removeprefix("| "): line for line in index.splitlines()}
    for table in catalog.tables.values():
        for row in table.rows:
            assert f"({table.table})" in lines[row.model]


def test_anomalies_page_lists_every_waiver(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    page = generated_files["docs/anomalies.md"]
    for waiver in catalog.waivers.waivers:
        assert f"| {waiver.rule} | {waiver.table} |" in page


# --- JSON --------------------------------------------------------------------------------


def test_catalog_json_loads_back_into_the_same_catalog(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    document = json.loads(generated_files[schemas.CATALOG_JSON])
    back = schemas.load_document(document)
    assert list(back.tables) == list(catalog.tables)
    assert back.tables == catalog.tables
    assert back.notes == catalog.notes
    assert (
        generated_files[schemas.CATALOG_JSON]
        == json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    )


@pytest.mark.parametrize("rel", [schemas.CATALOG_SCHEMA, schemas.REQUEST_SCHEMA])
def test_schemas_pass_the_meta_schema(generated_files: dict[str, str], rel: str) -> None:
    schema = json.loads(generated_files[rel])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_catalog_json_is_valid_under_its_schema(generated_files: dict[str, str]) -> None:
    schema = json.loads(generated_files[schemas.CATALOG_SCHEMA])
    document = json.loads(generated_files[schemas.CATALOG_JSON])
    jsonschema.Draft202012Validator(schema).validate(document)
    broken = {**document, "tables": [{**document["tables"][0], "kind": "nonsense"}]}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


# --- Python constants --------------------------------------------------------------------


def test_python_constants_hold_the_catalog_values(catalog: Catalog) -> None:
    from together_catalog import _data, _ids

    by_method = {
        "lora": _data.LORA,
        "full": _data.FULL,
        "lora_long_context": _data.LORA_LONG_CONTEXT,
    }
    for table in catalog.tables.values():
        if isinstance(table, FineTuneTable):
            mapping = by_method[table.method]
            assert list(mapping) == [r.model for r in table.rows]
            for row in table.rows:
                got = mapping[row.model]._asdict()
                want = row.model_dump(exclude={"na"})
                assert got == {**want, "method": table.method, "footnotes": row.footnotes}
        elif isinstance(table, ServerlessTable):
            records = _data.SERVERLESS[table.category]
            assert list(records) == [r.model for r in table.rows]
            for served in table.rows:
                got = records[served.model]._asdict()
                assert got.pop("category") == table.category
                note = catalog.notes.categories.get(table.category)
                assert got.pop("endpoint") == (note.endpoint if note else None)
                assert got == served.model_dump(exclude={"na"})
        else:
            assert list(_data.LORA_BASES) == [r.model for r in table.rows]
        info = _data.TABLES[table.table]
        assert info.columns == tuple((c.field, c.header) for c in table.columns)
        assert info.row_count == len(table.rows)
        assert info.snapshot == table.source.snapshot.isoformat()
    assert typing.get_args(_ids.LoraModelId) == tuple(_data.LORA)
    assert typing.get_args(_ids.ChatModelId) == tuple(_data.SERVERLESS["chat"])
    assert catalog.notes.gradient_accumulation.steps == _data.GRADIENT_ACCUMULATION_STEPS
    assert set(_data.LORA_ONLY_LONG_CONTEXT_MODELS) == set(
        catalog.notes.lora_only_long_context.models
    )


# --- the fine-tuning request schema --------------------------------------------------------

_ABSENT = object()


KEYS = frozenset(
    {
        "model",
        "lora",
        "training_method",
        "batch_size",
        "max_seq_length",
        "from_checkpoint",
        "lora_r",
        "gradient_accumulation_steps",
        "train_vision",
    }
)


def _whole(value: Any, least: float) -> bool:
    """A whole number at least `least`; as in JSON Schema, 2.0 is a whole number."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and float(value).is_integer() and value >= least


def _allowed(catalog: Catalog, request: dict[str, Any]) -> bool:
    """The documented semantics (README, "Pre-flight validation"), written independently of
    the schema builder."""
    if set(request) - KEYS:
        return False
    if "model" in request and not isinstance(request["model"], str):
        return False  # absent, or a string: JSON's null is not a model
    model, checkpoint = request.get("model"), request.get("from_checkpoint")
    if (model is None) == (checkpoint is None):  # exactly one of the two
        return False
    if checkpoint is not None and not isinstance(checkpoint, str):
        return False
    lora = request.get("lora")
    if lora is not None and not isinstance(lora, bool):
        return False
    method = request.get("training_method", "sft")
    if method not in ("sft", "dpo"):
        return False
    batch = request.get("batch_size", "max")
    length = request.get("max_seq_length")
    rank = request.get("lora_r")
    steps = request.get("gradient_accumulation_steps")
    vision = request.get("train_vision", False)
    plain = (
        # No bound of its own: a model's row bounds it; a checkpoint job's batch size is its
        # parent job's (the SDK skips its batch check there, README "Pre-flight validation").
        (batch == "max" or _whole(batch, -math.inf))
        and (length is None or _whole(length, 1))
        and (rank is None or _whole(rank, 1))
        and (steps is None or _whole(steps, 0))
        and isinstance(vision, bool)
    )
    if not plain:
        return False
    if model is None:
        return True  # a checkpoint's model is not known offline: types and plain bounds
    tables = {t.method: t for t in catalog.tables.values() if isinstance(t, FineTuneTable)}
    rows: dict[str, FineTuneRow] = {}
    if lora is False:
        rows = {r.model: r for r in tables["full"].rows}
    else:
        rows = {r.model: r for r in tables["lora_long_context"].rows}
        rows.update({r.model: r for r in tables["lora"].rows})
    row = rows.get(model)
    if row is None:
        return False
    if batch != "max" and not row.min_batch_size <= batch <= getattr(
        row, f"max_batch_size_{method}"
    ):
        return False
    if length is not None and length > getattr(row, f"context_length_{method}"):
        return False
    ceiling = row.max_lora_rank if lora is not False else None
    if rank is not None and ceiling is not None and rank > ceiling:
        return False
    return not (vision and not model.endswith("-VLM"))


@st.composite
def requests(draw: st.DrawFn, catalog: Catalog) -> dict[str, Any]:
    rows = [r for t in catalog.tables.values() if isinstance(t, FineTuneTable) for r in t.rows]
    row = draw(st.sampled_from(rows))
    request: dict[str, Any] = {}
    model = draw(st.sampled_from([row.model, row.model + "x", "nope/none", None]))
    if model is not None:  # None: no model (a job from a checkpoint, or no job at all)
        request["model"] = model
    options: dict[str, st.SearchStrategy[Any]] = {
        "lora": st.sampled_from([True, False, None, 0, "yes"]),
        "training_method": st.sampled_from(["sft", "dpo", "ppo", None]),
        "batch_size": st.one_of(
            st.sampled_from(["max", "MAX", None, True, 0]),
            st.sampled_from(
                [
                    row.min_batch_size - 1,
                    row.min_batch_size,
                    row.max_batch_size_sft,
                    row.max_batch_size_sft + 1,
                    row.max_batch_size_dpo,
                    row.max_batch_size_dpo + 1,
                ]
            ),
        ),
        "max_seq_length": st.one_of(
            st.sampled_from([None, 0, 1, -1, "long"]),
            st.sampled_from(
                [
                    row.context_length_sft,
                    row.context_length_sft + 1,
                    row.context_length_dpo,
                    row.context_length_dpo + 1,
                ]
            ),
        ),
        "from_checkpoint": st.sampled_from(["ft-123", None, 7]),
        "lora_r": st.sampled_from([None, 0, 1, 8, 16, 64, 65, 1024, "8", True]),
        "gradient_accumulation_steps": st.sampled_from([None, -1, 0, 1, 8, 2.0]),
        "train_vision": st.sampled_from([True, False, None, 1]),
        "extra": st.just(1),
    }
    for key, strategy in options.items():
        if draw(st.booleans()) and (key != "extra" or draw(st.integers(0, 9)) == 0):
            request[key] = draw(strategy)
    return request


@pytest.fixture(scope="module")
def request_validator(catalog: Catalog) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schemas.finetune_request_schema(catalog), format_checker=None
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_request_schema_accepts_exactly_what_the_catalog_allows(
    catalog: Catalog, request_validator: jsonschema.Draft202012Validator, data: st.DataObject
) -> None:
    request = data.draw(requests(catalog), label="request")
    assert request_validator.is_valid(request) == _allowed(catalog, request), request


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_runtime_validator_agrees_with_the_request_schema(
    catalog: Catalog, request_validator: jsonschema.Draft202012Validator, data: st.DataObject
) -> None:
    request = data.draw(requests(catalog), label="request")
    if set(request) - KEYS:
        return  # the Python API takes keywords; unknown ones are a TypeError there
    if request.get("model") is not None and not isinstance(request["model"], str):
        return
    kwargs = {k: v for k, v in request.items() if k != "model"}
    runtime = validate.is_valid_finetune_request(request.get("model"), **kwargs)
    assert runtime == request_validator.is_valid(request), request


def test_request_schema_limits_examples(
    catalog: Catalog, request_validator: jsonschema.Draft202012Validator
) -> None:
    lora = next(t for t in catalog.tables.values() if t.table == "finetune-lora")
    row = lora.rows[0]
    assert isinstance(row, FineTuneRow)
    ok = {"model": row.model, "batch_size": row.max_batch_size_sft}
    assert request_validator.is_valid(ok)
    assert not request_validator.is_valid({**ok, "batch_size": row.max_batch_size_sft + 1})
    assert request_validator.is_valid({**ok, "max_seq_length": row.context_length_sft})
    assert not request_validator.is_valid({**ok, "max_seq_length": row.context_length_sft + 1})
    assert not request_validator.is_valid({"model": row.model, "surprise": 1})
    # Exactly one of model and from_checkpoint (together SDK 3.1.1).
    assert not request_validator.is_valid({"model": row.model, "from_checkpoint": "ft-abc"})
    assert request_validator.is_valid({"from_checkpoint": "ft-abc"})
    assert not request_validator.is_valid({})
