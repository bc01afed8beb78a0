"""JSON Schemas of the catalog's YAML files, generated from the pydantic models.

Each catalog file names its schema on its first line (`# yaml-language-server: $schema=...`),
so editors complete keys and flag wrong values while the file is being written. The schemas
check shape only; the cross-field checks (columns against row keys, footnotes and `na` on
columns) stay with the pydantic validators that `python -m codegen validate` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from catalog import atomic
from catalog.changelog import Changelog
from catalog.models import Notes, Table
from catalog.waivers import Aliases, Waivers
from codegen.render import header, to_json
from codegen.schemas import DRAFT

#: catalog/-relative schema file -> (title, pydantic type).
SCHEMAS: dict[str, tuple[str, Any]] = {
    "schema/table.schema.json": ("A catalog table file (catalog/<table>.yaml)", Table),
    "schema/notes.schema.json": ("The catalog's prose facts (catalog/notes.yaml)", Notes),
    "schema/aliases.schema.json": ("Declared identities (catalog/aliases.yaml)", Aliases),
    "schema/waivers.schema.json": ("Known vendor contradictions (catalog/waivers.yaml)", Waivers),
    "schema/changelog.schema.json": (
        "What each docs snapshot changed (catalog/changelog.yaml, append-only)",
        Changelog,
    ),
}


def build(type_: Any, title: str) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(type_).json_schema(mode="validation")
    return {
        "$schema": DRAFT,
        "title": title,
        "$comment": header(
            "codegen/models.py",
            generator="codegen (python -m codegen yaml-schema)",
            regenerate="make yaml-schema",
        ),
        **schema,
    }


def render(schema: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indent, trailing newline."""
    return to_json(schema, indent=2) + "\n"


def schemas() -> dict[str, str]:
    """catalog/-relative path -> schema text."""
    return {name: render(build(type_, title)) for name, (title, type_) in SCHEMAS.items()}


def run(catalog_dir: Path, *, check: bool = False) -> int:
    """Write the schemas under `catalog_dir`, or with `check` report stale ones and return 1."""
    stale: list[str] = []
    for name, text in schemas().items():
        path = catalog_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(str(path))
        if not check:
            atomic.atomic_write(path, text)  # an editor reading the schema never sees half
    if check and stale:
        for path_text in stale:
            print(f"stale: {path_text} (run `python -m codegen yaml-schema`)")
        return 1
    verb = "would write" if check else "wrote"
    print("yaml schemas up to date" if not stale else f"{verb} {', '.join(stale)}")
    return 0
