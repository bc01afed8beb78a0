"""Load catalog/ into validated pydantic objects, or fail naming the file, line and field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from codegen import yamlio
from codegen.models import Notes, Table

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "catalog"
NOTES_FILE = "notes.yaml"
#: Files in catalog/ that are not tables.
SPECIAL_FILES = frozenset({NOTES_FILE, "aliases.yaml", "waivers.yaml"})

_TABLE = TypeAdapter[Table](Table)
M = TypeVar("M", bound=BaseModel)


class CatalogError(Exception):
    """A catalog file that does not load or validate. Maintainer CLIs exit 2 on it."""


@dataclass(frozen=True)
class Catalog:
    """Every table, in the declared order, plus the notes and the hand-kept files."""

    tables: dict[str, Table]
    notes: Notes
    # Raw documents of aliases.yaml and waivers.yaml, validated by the rules that use them.
    extras: dict[str, Any] = field(default_factory=dict)


def validate(adapter: TypeAdapter[Any], doc: Any, path: Path) -> Any:
    try:
        return adapter.validate_json(json.dumps(yamlio.to_plain(doc)))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if not isinstance(p, str) or p not in _UNION_TAGS]
        if first["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            loc.append(str(first.get("ctx", {}).get("discriminator", "")).strip("'"))
        line = yamlio.line_of(doc, loc) or 1  # a document-level error: its first line
        where = f"{path}:{line}"
        dotted = ".".join(str(p) for p in loc) or "(document)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CatalogError(f"{where}: {dotted}: {first['msg']}{more}") from None


# Discriminated-union tags pydantic inserts into error locations; they are not YAML keys.
_UNION_TAGS = frozenset({"finetune", "serverless", "serverless_lora_base"})


def load_doc(path: Path) -> Any:
    try:
        return yamlio.load(path)
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None


def load_validated(adapter: TypeAdapter[Any], path: Path) -> Any:
    """Fast read-only load and validation; on a validation error, reload round-trip to locate it."""
    try:
        plain = yamlio.load_plain(path)
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None
    try:
        return adapter.validate_json(json.dumps(plain))
    except ValidationError:
        return validate(adapter, load_doc(path), path)


def _load_plain(path: Path) -> Any:
    try:
        return yamlio.load_plain(path)
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None


def load_table(path: Path) -> Table:
    table: Table = load_validated(_TABLE, path)
    if table.table != path.stem:
        raise CatalogError(f"{path}:1: table id {table.table!r} does not match the file name")
    return table


def load_model(model: type[M], path: Path) -> M:
    result: M = load_validated(TypeAdapter(model), path)
    return result


def table_files(catalog_dir: Path) -> list[Path]:
    return sorted(p for p in catalog_dir.glob("*.yaml") if p.name not in SPECIAL_FILES)


def load_catalog(catalog_dir: Path = CATALOG_DIR) -> Catalog:
    from scrapers.vocabulary import TABLES

    if not catalog_dir.is_dir():
        raise CatalogError(f"{catalog_dir}: not a catalog folder")
    order = {spec.table: i for i, spec in enumerate(TABLES)}
    tables = [load_table(p) for p in table_files(catalog_dir)]
    tables.sort(key=lambda t: (order.get(t.table, len(order)), t.table))
    # Every declared table is required: a missing one would load as "no such models" and
    # the generated package would fail later, far from the cause. New categories may be added.
    loaded = {t.table for t in tables}
    missing = [spec.table for spec in TABLES if spec.table not in loaded]
    if missing:
        path = catalog_dir / f"{missing[0]}.yaml"
        more = f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""
        raise CatalogError(
            f"{path}: missing{more}; every table declared in scrapers/vocabulary.py is "
            "required (if the docs dropped it, remove its TableSpec there)"
        )
    notes_path = catalog_dir / NOTES_FILE
    if not notes_path.exists():
        raise CatalogError(f"{notes_path}: missing")
    notes = load_model(Notes, notes_path)
    extras = {
        name: _load_plain(catalog_dir / name)
        for name in sorted(SPECIAL_FILES - {NOTES_FILE})
        if (catalog_dir / name).exists()
    }
    _validate_extras(extras, catalog_dir, [t.table for t in tables])
    return Catalog({t.table: t for t in tables}, notes, extras)


def _validate_extras(extras: dict[str, Any], catalog_dir: Path, tables: list[str]) -> None:
    """aliases.yaml and waivers.yaml fail here, with file and line, not later in a rule."""
    from codegen.rules import RULES  # imported here: rules imports this module
    from codegen.waivers import EXTRA_MODELS, WAIVERS_FILE, unknown_reference, waivers_of

    for name, doc in extras.items():
        if doc is not None and name in EXTRA_MODELS:
            try:
                EXTRA_MODELS[name].validate_json(json.dumps(doc))
            except ValidationError:
                path = catalog_dir / name
                validate(EXTRA_MODELS[name], load_doc(path), path)  # raises, located
    if extras.get(WAIVERS_FILE) is not None:
        found = unknown_reference(waivers_of(extras), RULES, tables)
        if found is not None:
            loc, message = found
            path = catalog_dir / WAIVERS_FILE
            line = yamlio.line_of(load_doc(path), loc) or 1
            raise CatalogError(f"{path}:{line}: {'.'.join(map(str, loc))}: {message}")
