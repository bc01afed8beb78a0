"""The JSON outputs: the whole catalog as one document, its JSON Schema, and the schema of a
fine-tuning job request that encodes every per-model limit.

They are built as plain dicts here and reach text only through the `json` filter. Both schemas
are standard JSON Schema 2020-12 that ajv compiles in strict mode (tests/codegen/
test_schemas_ajv.py): no keyword outside the spec, a `type` beside every keyword that applies
to one type only, and every `required` field declared in `properties` beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from catalog import model_cache
from catalog.contents import Catalog
from catalog.load import CatalogError, catalog_from_docs, extra_json
from catalog.models import FineTuneRow, FineTuneTable, Notes, Table
from codegen.render import header

DRAFT = "https://json-schema.org/draft/2020-12/schema"
CATALOG_JSON = "data/catalog.json"
CATALOG_SCHEMA = "schema/catalog.schema.json"
REQUEST_SCHEMA = "schema/finetune-request.schema.json"


@functools.cache
def _pydantic_schema() -> dict[str, Any]:
    # Kept in catalog/model_cache.py under this module's source: building it means building
    # every model's core schema, about 100 ms a run for the same result.
    schema: dict[str, Any] = _cached(
        "catalog.schema.json",
        "",
        lambda: standard_schema(TypeAdapter(CatalogDocument).json_schema(by_alias=True)),
    )
    return schema


def _cached(name: str, text: str, compute: Callable[[], Any]) -> Any:
    """`compute()` through catalog/model_cache.py, keyed by this module's source too."""
    return model_cache.cached(f"codegen/schemas.py {name}", f"{_SOURCE}\0{text}", compute)


_SOURCE = Path(__file__).read_text(encoding="utf-8")


def standard_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """pydantic's JSON Schema without its one non-standard keyword, OpenAPI's `discriminator`
    (ajv in strict mode refuses it: "unknown keyword").

    The `oneOf` it annotates stays and gives pydantic's verdict on its own, because each
    member requires the discriminating property as a distinct `const` (checked here, so a
    model change that breaks this fails the generator rather than the schema).
    """
    defs = schema.get("$defs", {})

    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(v) for v in node]
        if not isinstance(node, dict):
            return node
        tag = node.get("discriminator")
        if isinstance(tag, dict) and "propertyName" in tag and "oneOf" in node:
            _check_exclusive(tag, node["oneOf"], defs)
            node = {k: v for k, v in node.items() if k != "discriminator"}
        return {k: strip(v) for k, v in node.items()}

    stripped: dict[str, Any] = strip(schema)
    return stripped


def _check_exclusive(tag: dict[str, Any], members: list[Any], defs: dict[str, Any]) -> None:
    name = tag["propertyName"]
    refs = {m.get("$ref") for m in members}
    mapping: dict[str, str] = tag.get("mapping", {})
    if set(mapping.values()) != refs or None in refs:
        raise ValueError(f"discriminator on {name!r}: mapping {mapping} is not its oneOf {refs}")
    for value, ref in mapping.items():
        member = defs[ref.removeprefix("#/$defs/")]
        if member.get("properties", {}).get(name, {}).get("const") != value or name not in (
            member.get("required", ())
        ):
            raise ValueError(f"{ref} does not require {name} == {value!r}: oneOf not exclusive")


# --- catalog.json ------------------------------------------------------------------------


def _row_json(row: Any, columns: set[str]) -> dict[str, Any]:
    keep = columns | {"footnotes", "na", "note"}
    dumped: dict[str, Any] = row.model_dump(mode="json", include=keep)
    return dumped


def table_json(table: Table) -> dict[str, Any]:
    columns = {c.field for c in table.columns}
    doc: dict[str, Any] = table.model_dump(mode="json", exclude={"rows"})
    doc["rows"] = [_row_json(row, columns) for row in table.rows]
    return doc


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """Every table (docs order), the notes, and the hand-kept aliases and waivers."""
    return {
        "$comment": header("catalog/"),
        "tables": [table_json(t) for t in catalog.tables.values()],
        "notes": catalog.notes.model_dump(mode="json"),
        "aliases": extra_json(catalog.aliases),
        "waivers": extra_json(catalog.waivers),
    }


class CatalogDocument(BaseModel):
    """The shape of data/catalog.json; its JSON Schema is generated from this model."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True
    )

    comment: str = Field(alias="$comment")
    tables: tuple[Table, ...]
    notes: Notes
    aliases: dict[str, Any] | None = Field(
        description="catalog/aliases.yaml as written (null when absent)"
    )
    waivers: dict[str, Any] | None = Field(
        description="catalog/waivers.yaml as written (null when absent)"
    )


def catalog_schema() -> dict[str, Any]:
    schema = _pydantic_schema()
    return {
        "$schema": DRAFT,
        "$comment": header("catalog/models.py"),
        **{k: v for k, v in schema.items() if k != "title"},
        "title": "together-catalog data (data/catalog.json)",
    }


def load_document(doc: dict[str, Any]) -> Catalog:
    """Read catalog.json back into the catalog it was generated from (the round trip)."""
    import json

    text = json.dumps(doc)
    parsed: CatalogDocument = _cached(
        "load_document", text, lambda: TypeAdapter(CatalogDocument).validate_json(text)
    )
    try:
        return catalog_from_docs(parsed.tables, parsed.notes, parsed.aliases, parsed.waivers)
    except CatalogError as exc:
        raise ValueError(f"{CATALOG_JSON}: {exc}") from None


# --- finetune-request.schema.json --------------------------------------------------------

#: The ending of a vision-language model's id (the docs' convention); the runtime validator
#: holds the same rule (together_catalog.validate.VISION_MODEL_SUFFIX).
VISION_MODEL_SUFFIX = "-VLM"

REQUEST_SEMANTICS = """\
A fine-tuning job request, valid exactly when the catalog allows it, with the meaning of the \
Together SDK 3.1.1's client.fine_tuning.create.
Fields: model (string) or from_checkpoint (string), not both, and one of them; lora \
(boolean; absent or null means the API decides: LoRA from a model, the parent job's type \
from a checkpoint); training_method ("sft" or "dpo"; absent means "sft"); batch_size \
(integer or the string "max"; absent means "max"); max_seq_length (integer; absent or null \
means the model's default); lora_r (integer >= 1; absent or null means the model's default \
rank); gradient_accumulation_steps (integer >= 0; absent, null or 0 means the model's \
default); train_vision (boolean; absent means false; true only for a vision-language model, \
whose id ends in "-VLM"). Any other field is invalid.
Table, for a request with a model: lora true, null or absent uses the LoRA table \
(finetune-lora); a model listed only in the long-context LoRA table \
(finetune-lora-long-context) uses that table's row instead; a model in both uses its \
LoRA-table row. lora false uses the Full table (finetune-full). A model absent from the \
table chosen this way is invalid, whatever the method. A request with from_checkpoint alone \
continues the parent job's model: only the fields' types and plain bounds apply.
Limits, from the chosen row, for the chosen method m (sft or dpo), all bounds inclusive: \
batch_size is "max" or an integer with min_batch_size <= batch_size <= max_batch_size_m \
(a row whose min exceeds its max accepts only "max"); max_seq_length is an integer with \
1 <= max_seq_length <= context_length_m; for a LoRA job, lora_r <= max_lora_rank where the \
row publishes one. "Integer" is JSON Schema's: a number with no fractional part."""


def _limits(row: FineTuneRow, method: str, *, lora_job: bool) -> dict[str, Any]:
    top = getattr(row, f"max_batch_size_{method}")
    context = getattr(row, f"context_length_{method}")
    properties: dict[str, Any] = {
        "batch_size": {
            "anyOf": [
                {"const": "max"},
                {"type": "integer", "minimum": row.min_batch_size, "maximum": top},
            ]
        },
        # Type and lower bound are checked once at the top (the type is repeated for ajv's
        # strictTypes, with the same verdict); null passes `maximum`.
        "max_seq_length": {"type": ["integer", "null"], "maximum": context},
    }
    if lora_job and row.max_lora_rank is not None:
        properties["lora_r"] = {"type": ["integer", "null"], "maximum": row.max_lora_rank}
    return {"properties": properties}  # `then` of an object: its type is the branch's


def request_rows(catalog: Catalog) -> dict[str, dict[str, FineTuneRow]]:
    """The row that limits each model, per mode ("lora" / "full"), as the schema encodes it."""
    tables: dict[str, FineTuneTable] = {
        t.method: t for t in catalog.tables.values() if isinstance(t, FineTuneTable)
    }

    def rows(method: str) -> dict[str, FineTuneRow]:
        table = tables.get(method)
        return {r.model: r for r in table.rows} if table else {}

    lora = rows("lora")
    for model, row in rows("lora_long_context").items():
        lora.setdefault(model, row)
    return {"lora": lora, "full": rows("full")}


def _branch(rows: dict[str, FineTuneRow], method: str, label: str, lora: bool) -> dict[str, Any]:
    model: Any = {"enum": list(rows)} if rows else False
    return {
        "description": f"{label}, training_method {method}: the model must be in the table.",
        # The type is for ajv's strictTypes (a $defs entry is compiled on its own); the `if` and
        # `then` below, on the same object, inherit it.
        "type": "object",
        "properties": {"model": model},
        "allOf": [
            {
                "if": {"properties": {"model": {"const": m}}},
                "then": _limits(row, method, lora_job=lora),
            }
            for m, row in rows.items()
        ],
    }


def _present(*fields: str, **constraints: Any) -> dict[str, Any]:
    """An object that has each of `fields` (meeting `constraints`, by field).

    A field without a constraint is declared `true` (anything): ajv's strictRequired wants
    each `required` field in the `properties` beside it. The `type` repeats the top level's,
    for its strictTypes where this is compiled on its own (in $defs).
    """
    return {
        "type": "object",
        "properties": {f: constraints.get(f, True) for f in fields},
        "required": list(fields),
    }


def _choose(field: str, value: Any, then: str, otherwise: str) -> dict[str, Any]:
    return {
        "if": _present(field, **{field: {"const": value}}),
        "then": {"$ref": f"#/$defs/{then}"},
        "else": {"$ref": f"#/$defs/{otherwise}"},
    }


def finetune_request_schema(catalog: Catalog) -> dict[str, Any]:
    by_mode = request_rows(catalog)
    labels = {"lora": "LoRA (finetune-lora, else finetune-lora-long-context)", "full": "Full"}
    defs: dict[str, Any] = {}
    for mode in ("lora", "full"):
        defs[mode] = _choose("training_method", "dpo", f"{mode}_dpo", f"{mode}_sft")
        for method in ("sft", "dpo"):
            defs[f"{mode}_{method}"] = _branch(by_mode[mode], method, labels[mode], mode == "lora")
    given = {"not": {"type": "null"}}
    return {
        "$schema": DRAFT,
        "$comment": header("catalog/finetune-*.yaml"),
        "title": "Together fine-tuning job request",
        "description": REQUEST_SEMANTICS,
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "lora": {"type": ["boolean", "null"], "default": None},
            "training_method": {"enum": ["sft", "dpo"], "default": "sft"},
            "batch_size": {"anyOf": [{"type": "integer"}, {"const": "max"}], "default": "max"},
            "max_seq_length": {"type": ["integer", "null"], "minimum": 1},
            "lora_r": {"type": ["integer", "null"], "minimum": 1},
            "gradient_accumulation_steps": {"type": ["integer", "null"], "minimum": 0},
            "train_vision": {"type": "boolean", "default": False},
            "from_checkpoint": {"type": ["string", "null"]},
        },
        "additionalProperties": False,
        "allOf": [
            {
                "description": "A model or a checkpoint to start from, not both.",
                "anyOf": [_present("model"), _present("from_checkpoint", from_checkpoint=given)],
                "not": _present("model", "from_checkpoint", from_checkpoint=given),
            },
            {
                "description": "train_vision true needs a vision-language model.",
                "if": _present("model", "train_vision", train_vision={"const": True}),
                "then": {
                    "properties": {
                        "model": {"type": "string", "pattern": f"{VISION_MODEL_SUFFIX}$"}
                    }
                },
            },
            {
                "description": "With a model: the row of the table lora chooses limits the job.",
                "if": _present("model"),
                "then": _choose("lora", False, "full", "lora"),
            },
        ],
        "$defs": defs,
    }
