"""Load catalog/ into validated pydantic objects, or fail naming the file, line and field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from catalog import changelog_text, model_cache, plain_cache, transaction, yamlio
from catalog.changelog import CHANGELOG_FILE, Changelog
from catalog.contents import Catalog
from catalog.models import Notes, Table
from catalog.rules import RULES
from catalog.tables import Kind
from catalog.waivers import ALIASES_FILE, WAIVERS_FILE, Aliases, Waivers, unknown_reference

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "catalog"
NOTES_FILE = "notes.yaml"
#: Files in catalog/ that are not tables.
SPECIAL_FILES = frozenset({NOTES_FILE, ALIASES_FILE, WAIVERS_FILE, CHANGELOG_FILE})

#: Validates one table document (any kind); reconcile validates what it writes with it.
#: Built on first use, as the models are (catalog/model_cache.py).
TABLE = TypeAdapter[Table](Table, config=ConfigDict(defer_build=True))
_ALIASES = TypeAdapter(Aliases)
_WAIVERS = TypeAdapter(Waivers)
#: Validates changelog.yaml; reconcile validates what it appends with it.
CHANGELOG = TypeAdapter(Changelog)
M = TypeVar("M", bound=BaseModel)


class CatalogError(Exception):
    """A catalog file that does not load or validate. Maintainer CLIs exit 2 on it."""


def extra_json(model: Aliases | Waivers) -> dict[str, Any] | None:
    """A hand-kept file's document as written (keys it leaves out stay out); None if absent."""
    if not model.model_fields_set:
        return None
    doc: dict[str, Any] = model.model_dump(mode="json", exclude_unset=True)
    return doc


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


# Discriminated-union tags (table kinds) pydantic inserts into error locations; not YAML keys.
_UNION_TAGS = frozenset(get_args(Kind))


def load_doc(path: Path) -> Any:
    try:
        return yamlio.load(path)
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None


def load_validated(adapter: TypeAdapter[Any], path: Path) -> Any:
    """Fast read-only load and validation; on a validation error, reload round-trip to locate it."""
    return validate_plain(adapter, _load_plain(path), path)


def validate_plain(
    adapter: TypeAdapter[Any], plain: Any, path: Path, *, located: bool = True
) -> Any:
    """Validate a document fast, from its JSON; on an error, validate again what locates it,
    raising the CatalogError with its line: the round-trip reload of `path` when `located`
    (the document was read from it), else the document itself."""
    text = _json_text(plain)
    try:
        return model_cache.cached(repr(adapter), text, lambda: adapter.validate_json(text))
    except ValidationError:
        return validate(adapter, load_doc(path) if located else plain, path)


def _load_plain(path: Path) -> Any:
    try:
        return yamlio.load_plain(path)
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None


def changelog_plain(text: str, path: Path) -> Any:
    """The plain document of changelog text: read line by line when it has the shape
    reconcile writes (catalog/changelog_text.py), by the YAML loader otherwise."""
    plain = plain_cache.cached(text, lambda: changelog_text.fast_plain(text), "changelog")
    if plain is not None:
        return plain
    try:
        return yamlio.loads_plain(text, str(path))
    except yamlio.YamlError as exc:
        raise CatalogError(str(exc)) from None


def read_changelog_file(path: Path) -> tuple[str, Any]:
    """changelog.yaml's text and its plain document, not yet validated."""
    try:
        text = yamlio.read_text(path)
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None
    return text, changelog_plain(text, path)


def load_table(path: Path) -> Table:
    table: Table = load_validated(TABLE, path)
    if table.table != path.stem:
        raise CatalogError(f"{path}:1: table id {table.table!r} does not match the file name")
    return table


def load_model(model: type[M], path: Path) -> M:
    result: M = load_validated(TypeAdapter(model), path)
    return result


def table_files(catalog_dir: Path) -> list[Path]:
    return sorted(p for p in catalog_dir.glob("*.yaml") if p.name not in SPECIAL_FILES)


def load_catalog(catalog_dir: Path = CATALOG_DIR) -> Catalog:
    from catalog.tables import TABLES

    if not catalog_dir.is_dir():
        raise CatalogError(f"{catalog_dir}: not a catalog folder")
    transaction.recover(catalog_dir)  # finish or undo a change a dead run left half-done
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
            f"{path}: missing{more}; every table declared in catalog/tables.py is "
            "required (a table the docs dropped keeps its file, with its rows retired)"
        )
    notes_path = catalog_dir / NOTES_FILE
    if not notes_path.exists():
        raise CatalogError(f"{notes_path}: missing")
    notes = load_model(Notes, notes_path)
    aliases, waivers = (
        _load_plain(catalog_dir / name) if (catalog_dir / name).exists() else None
        for name in (ALIASES_FILE, WAIVERS_FILE)
    )
    log_path = catalog_dir / CHANGELOG_FILE
    changelog = read_changelog_file(log_path)[1] if log_path.exists() else None
    return catalog_from_docs(tables, notes, aliases, waivers, catalog_dir, changelog=changelog)


def catalog_from_docs(
    tables: Iterable[Table],
    notes: Notes,
    aliases: Any = None,
    waivers: Any = None,
    catalog_dir: Path | None = None,
    *,
    changelog: Any = None,
) -> Catalog:
    """A Catalog from validated tables and notes and the plain documents of aliases.yaml,
    waivers.yaml and changelog.yaml (None: the file is absent), which are validated here.

    Every Catalog built from documents comes through here, so a hand-kept file that is
    malformed, or a waiver naming an unknown rule or table, is a CatalogError naming the file
    (and its line, when the documents were read from `catalog_dir`), not a later failure.
    """
    by_id = {t.table: t for t in tables}
    folder = catalog_dir or Path()
    located = catalog_dir is not None
    checked_aliases = _extra(_ALIASES, aliases, folder / ALIASES_FILE, located) or Aliases()
    checked_waivers = _extra(_WAIVERS, waivers, folder / WAIVERS_FILE, located) or Waivers()
    _check_references(checked_waivers, folder / WAIVERS_FILE, located, by_id)
    log = _extra(CHANGELOG, changelog, folder / CHANGELOG_FILE, located) or Changelog()
    return Catalog(by_id, notes, checked_aliases, checked_waivers, log)


def _extra(adapter: TypeAdapter[M], doc: Any, path: Path, located: bool) -> M | None:
    if doc is None:
        return None
    model: M = validate_plain(adapter, doc, path, located=located)
    return model


def _json_text(doc: Any) -> str:
    """JSON of a document: directly when it is plain already (as the loaders give it: string
    keys only; the changelog's thousands of nodes need no copy), else of its plain copy."""
    try:
        return json.dumps(doc)
    except (TypeError, ValueError):  # a date, a non-string key, ...
        return json.dumps(yamlio.to_plain(doc))


def _check_references(waivers: Waivers, path: Path, located: bool, tables: Iterable[str]) -> None:
    found = unknown_reference(waivers, RULES, list(tables))
    if found is not None:
        loc, message = found
        line = (yamlio.line_of(load_doc(path), loc) if located else None) or 1
        raise CatalogError(f"{path}:{line}: {'.'.join(map(str, loc))}: {message}")
