"""The JSON Schemas of the catalog's YAML files: committed copies are current, every catalog
file names one on its first line, and every catalog file validates against it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from pydantic import TypeAdapter, ValidationError

from catalog import yamlio
from catalog.changelog import Changelog
from catalog.load import CATALOG_DIR, TABLE
from catalog.models import Notes
from codegen import schemas, yaml_schema
from codegen.__main__ import main as codegen_main

MARKER = "# yaml-language-server: $schema="
#: The model each non-table file is validated with (a table file: TABLE).
MODELS: dict[str, TypeAdapter[Any]] = {
    "notes.yaml": TypeAdapter(Notes),
    "changelog.yaml": TypeAdapter(Changelog),
}


def schema_of(path: Path) -> tuple[str, dict[str, Any]]:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith(MARKER), f"{path.name}: first line does not name its schema"
    name = first[len(MARKER) :].strip()
    loaded: dict[str, Any] = json.loads((path.parent / name).read_text(encoding="utf-8"))
    return name, loaded


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_committed_schemas_are_current() -> None:
    for name, text in yaml_schema.schemas().items():
        path = CATALOG_DIR / name
        assert path.read_text(encoding="utf-8") == text, f"{name} is stale: make yaml-schema"
    assert sorted(p.name for p in (CATALOG_DIR / "schema").glob("*.json")) == sorted(
        Path(n).name for n in yaml_schema.SCHEMAS
    )


def test_generation_is_deterministic() -> None:
    first = yaml_schema.schemas()
    assert yaml_schema.schemas() == first
    for text in first.values():
        assert text.endswith("}\n")
        data = json.loads(text)
        assert json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text
        assert data["$schema"] == schemas.DRAFT


@pytest.mark.parametrize("name", sorted(p.name for p in CATALOG_DIR.glob("*.yaml")))
def test_every_catalog_file_validates_against_its_schema(name: str) -> None:
    path = CATALOG_DIR / name
    ref, schema = schema_of(path)
    special = {"notes.yaml", "aliases.yaml", "waivers.yaml", "changelog.yaml"}
    stem = path.stem if name in special else "table"
    assert ref == f"schema/{stem}.schema.json"
    # YAML dates become ISO strings, as a YAML 1.2 editor reads them.
    validator(schema).validate(yamlio.load_plain(path))  # equal to the round trip's reading


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("serverless-chat.yaml", r"    context_length: 128000\n", "    context_length: '128000'\n"),
        ("serverless-chat.yaml", r"    quantization: FP8\n", "    quantisation: FP8\n"),
        ("serverless-chat.yaml", r"  snapshot: [0-9-]+\n", "  snapshot: March\n"),
        ("serverless-chat.yaml", r"    last_seen: [0-9-]+\n", "    last_seen: March\n"),
        ("serverless-chat.yaml", r"    last_seen: [0-9-]+\n", ""),  # a retired row says when
        ("finetune-lora.yaml", r"method: lora\n", "method: qlora\n"),
        ("notes.yaml", r"    endpoint: images\n", "    endpoint: 3\n"),
        ("changelog.yaml", r'"change": "retired"', '"change": "removed"'),
        ("changelog.yaml", r"    snapshot: [0-9-]+\n", "    snapshot: March\n"),
    ],
    ids=[
        "quoted-number",
        "misspelt-key",
        "bad-date",
        "retired-bad-date",
        "retired-no-date",
        "bad-method",
        "notes-wrong-type",
        "changelog-bad-kind",
        "changelog-bad-date",
    ],
)
def test_schema_rejects_what_the_models_reject(name: str, old: str, new: str) -> None:
    """`old`, a regular expression, matches in the committed file; its first match becomes
    `new`, which the models refuse, and so must the schema."""
    path = CATALOG_DIR / name
    text, found = re.subn(old, new, path.read_text(encoding="utf-8"), count=1)
    assert found == 1
    doc = yamlio.loads_plain(text)  # (the changelog would take seconds round-trip)
    with pytest.raises(ValidationError):  # as the loader validates: JSON, dates as text
        MODELS.get(name, TABLE).validate_json(json.dumps(doc))
    errors = list(validator(schema_of(path)[1]).iter_errors(doc))
    assert errors


def test_cli_check_and_write(catalog_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen_main(["--catalog", str(catalog_copy), "yaml-schema", "--check"]) == 0
    stale = catalog_copy / "schema" / "table.schema.json"
    stale.write_text("{}\n")
    (catalog_copy / "schema" / "notes.schema.json").unlink()
    capsys.readouterr()
    assert codegen_main(["--catalog", str(catalog_copy), "yaml-schema", "--check"]) == 1
    out = capsys.readouterr().out
    assert "table.schema.json" in out and "notes.schema.json" in out
    assert stale.read_text() == "{}\n"  # --check writes nothing
    assert codegen_main(["--catalog", str(catalog_copy), "yaml-schema"]) == 0
    assert codegen_main(["--catalog", str(catalog_copy), "yaml-schema", "--check"]) == 0
    assert stale.read_text() == (CATALOG_DIR / "schema" / "table.schema.json").read_text()
