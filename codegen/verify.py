"""The generator checks its own output against its input before anything is written.

Each format is read back with an independent reader — docs pages with the scraper, JSON
with `json.loads` and the pydantic models, Python data with `ast` (never executed) — and
must give back exactly the catalog's values.
"""

from __future__ import annotations

import ast
import json
from collections import deque
from pathlib import Path
from typing import Any

from catalog.contents import Catalog
from catalog.models import FineTuneTable, ServerlessTable, Table
from codegen import context, history_check, schemas, site_check
from codegen.aside import aside
from codegen.records import record_classes
from scrapers.parse import ScrapeError, parse_text

Files = dict[str, str]


class VerifyError(Exception):
    """Generated output that does not read back as the catalog it came from."""


def expected_rows(table: Table) -> list[dict[str, Any]]:
    """A table's rows as the scraper reports them: its columns, plus footnote marks if any."""
    out = []
    for row in table.rows:
        values: dict[str, Any] = {c.field: getattr(row, c.field) for c in table.columns}
        if row.footnotes:
            values["footnotes"] = list(row.footnotes)
        if getattr(row, "na", ()):
            values["na"] = list(row.na)
        out.append(values)
    return out


def check_docs(catalog: Catalog, files: Files) -> None:
    scraped: dict[str, dict[str, Any]] = {}
    published = {t.table: t for ts in context.published_tables(catalog).values() for t in ts}
    pages = sorted({f"docs/{t.source.page}.md" for t in published.values()})
    for rel in pages:
        if rel not in files:
            raise VerifyError(f"{rel}: not rendered")
        try:
            page = parse_text(files[rel], Path(rel))
        except ScrapeError as exc:
            raise VerifyError(f"{rel}: the scraper cannot read it back: {exc}") from None
        for found in page.to_json():
            scraped[str(found["table"])] = found
    for table_id, table in published.items():
        where = f"docs/{table.source.page}.md: table {table_id}"
        got = scraped.pop(table_id, {})
        if not got:
            raise VerifyError(f"{where}: missing when parsed back")
        want_source = {
            "url": table.source.url,
            "snapshot": table.source.snapshot.isoformat(),
            "page": table.source.page,
            "section": table.source.section,
        }
        if table.source.approximate is not None:
            want_source["approximate"] = table.source.approximate
        if got["source"] != want_source:
            raise VerifyError(f"{where}: provenance reads back as {got['source']}")
        columns = [{"field": c.field, "header": c.header} for c in table.columns]
        if got["columns"] != columns:
            raise VerifyError(f"{where}: columns read back as {got['columns']}")
        want = expected_rows(table)
        for index, (a, b) in enumerate(zip(got["rows"], want, strict=False), start=1):
            if a != b:
                raise VerifyError(f"{where}: row {index} reads back as {a}, not {b}")
        if len(got["rows"]) != len(want):
            raise VerifyError(f"{where}: {len(got['rows'])} rows read back, not {len(want)}")
    if scraped:
        raise VerifyError(f"docs: tables not in the catalog: {sorted(scraped)}")


def check_json(catalog: Catalog, files: Files) -> None:
    rel = schemas.CATALOG_JSON
    try:
        document = json.loads(files[rel])
        back = schemas.load_document(document)
    except (KeyError, ValueError) as exc:
        raise VerifyError(f"{rel}: does not load back: {exc}") from None
    if list(back.tables) != list(catalog.tables):
        raise VerifyError(f"{rel}: tables read back as {list(back.tables)}")
    for table_id, table in catalog.tables.items():
        if back.tables[table_id] != table:
            raise VerifyError(f"{rel}: table {table_id} differs when read back")
    if back.notes != catalog.notes:
        raise VerifyError(f"{rel}: notes differ when read back")
    if (back.aliases, back.waivers) != (catalog.aliases, catalog.waivers):
        raise VerifyError(f"{rel}: aliases or waivers differ when read back")
    for rel in (schemas.CATALOG_SCHEMA, schemas.REQUEST_SCHEMA):
        try:
            json.loads(files[rel])
        except (KeyError, ValueError) as exc:
            raise VerifyError(f"{rel}: not JSON: {exc}") from None


def read_records(source: str) -> list[tuple[str, dict[str, Any]]]:
    """Every record constructor call in a data module: (class, keyword values), in order."""
    out = []
    todo: deque[ast.AST] = deque([ast.parse(source)])
    while todo:  # breadth first, as ast.walk, but not into a record's literal arguments
        node = todo.popleft()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.keywords:
            if node.args:  # records are built by keyword only; nothing else may ride along
                raise ValueError(f"{node.func.id} record with positional arguments")
            values = {str(k.arg): ast.literal_eval(k.value) for k in node.keywords}
            out.append((node.func.id, values))
        else:
            todo.extend(ast.iter_child_nodes(node))
    return out


def read_classes(module: ast.Module) -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """Each record class in a records module: name -> (its `_fields`, the required ones:
    `__init__` parameters without a default)."""
    out: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
    for node in module.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: tuple[str, ...] = ()
        required: frozenset[str] = frozenset()
        for item in node.body:
            if isinstance(item, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_fields" for t in item.targets
            ):
                fields = tuple(ast.literal_eval(item.value))
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                params = [a.arg for a in item.args.args[1:]]
                defaults = len(item.args.defaults)
                required = frozenset(params[: len(params) - defaults])
                if tuple(params) != fields:
                    raise ValueError(f"{node.name}: __init__ takes {params}, not {fields}")
        out[node.name] = (fields, required)
    return out


def read_pairs(module: ast.Module, name: str) -> tuple[tuple[str, str], ...]:
    """The value of a module-level `name: ... = ((field, label), ...)` constant."""
    for node in module.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
            and node.value is not None
        ):
            value: tuple[tuple[str, str], ...] = ast.literal_eval(node.value)
            return value
    raise ValueError(f"no constant {name}")


def check_records(files: Files, records: list[tuple[str, dict[str, Any]]]) -> None:
    """The record classes are the declared layout, and every data record fits its class: a
    package whose data calls a class with a field it lacks would fail at import."""
    rel = "together_catalog/_records.py"
    try:
        module = ast.parse(files[rel])
        classes = read_classes(module)
        shown = {
            "FineTuneLimits": read_pairs(module, "FINETUNE_COLUMNS"),
            "ServerlessModel": read_pairs(module, "SERVERLESS_COLUMNS"),
        }
    except (KeyError, SyntaxError, ValueError) as exc:
        raise VerifyError(f"{rel}: does not read back: {exc}") from None
    for layout in record_classes():
        got = classes.get(layout.name)
        if got != (layout.names, layout.required):
            raise VerifyError(f"{rel}: class {layout.name} is {got}, not the declared layout")
    for cls, pairs in shown.items():
        missing = [f for f, _ in pairs if f not in classes[cls][0]]
        if missing:
            raise VerifyError(f"{rel}: the CLI would read {missing}, not fields of {cls}")
    for cls, values in records:
        if cls not in classes:
            raise VerifyError(f"together_catalog/_data.py: no record class {cls}")
        fields, required = classes[cls]
        unknown = sorted(set(values) - set(fields))
        absent = sorted(required - set(values))
        if unknown or absent:
            raise VerifyError(
                f"together_catalog/_data.py: a {cls} record passes {unknown} (not fields) "
                f"and lacks {absent} (required): the package would not import"
            )


def read_literals(source: str) -> dict[str, tuple[str, ...]]:
    """Each `Name: TypeAlias = ...` in an ids module: name -> members.

    A value is `Literal[...]`, `Never`, or a union (`A | B`) of aliases defined above it,
    whose members are theirs in order, each once.
    """
    out: dict[str, tuple[str, ...]] = {}

    def members(value: ast.expr) -> tuple[str, ...]:
        if isinstance(value, ast.Subscript):
            found = ast.literal_eval(value.slice)
            return found if isinstance(found, tuple) else (found,)
        if isinstance(value, ast.Name):
            return () if value.id == "Never" else out[value.id]
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
            return tuple(dict.fromkeys([*members(value.left), *members(value.right)]))
        raise ValueError(f"unexpected alias value {ast.dump(value)}")

    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out[node.target.id] = members(node.value)
    return out


def expected_records(catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
    """The constructor calls `_data.py` must hold, derived from the catalog's rows directly
    (not from the template context, so a slip in building that context is caught too)."""

    def row_values(row: Any) -> dict[str, Any]:
        values: dict[str, Any] = row.model_dump(exclude={"na", "footnotes", "note"})
        if row.footnotes:
            values["footnotes"] = tuple(row.footnotes)
        if row.note is not None:
            values["note"] = row.note
        return values

    out: list[tuple[str, dict[str, Any]]] = []
    for table in catalog.tables.values():
        source = table.source
        extra: dict[str, Any]
        if isinstance(table, FineTuneTable):
            cls, extra = "FineTuneLimits", {"method": table.method}
        elif isinstance(table, ServerlessTable):
            note = catalog.notes.categories.get(table.category)
            endpoint = note.endpoint if note is not None else None
            cls, extra = "ServerlessModel", {"category": table.category, "endpoint": endpoint}
        else:
            cls, extra = "LoraBase", {}
        out += [(cls, {**row_values(row), **extra}) for row in table.rows]
        info = {
            "table": table.table,
            "kind": table.kind,
            "section": source.section,
            "url": source.url,
            "page": source.page,
            "snapshot": source.snapshot.isoformat(),
            "columns": tuple((c.field, c.header) for c in table.columns),
            "method": table.method if isinstance(table, FineTuneTable) else None,
            "category": table.category if isinstance(table, ServerlessTable) else None,
            "row_count": len(table.rows),
        }
        out.append(("TableInfo", info))
    return out


def check_python(catalog: Catalog, files: Files) -> None:
    rel = "together_catalog/_data.py"
    want = expected_records(catalog)
    try:
        got = read_records(files[rel])
    except (KeyError, SyntaxError, ValueError) as exc:
        raise VerifyError(f"{rel}: does not read back: {exc}") from None

    def key(record: tuple[str, dict[str, Any]]) -> str:
        return repr((record[0], sorted(record[1].items())))

    if sorted(map(key, got)) != sorted(map(key, want)):
        missing = [w for w in want if w not in got][:1]
        extra = [g for g in got if g not in want][:1]
        raise VerifyError(
            f"{rel}: records differ from the catalog (first missing: {missing}; "
            f"first unexpected: {extra})"
        )
    check_records(files, got)
    ctx = context.python_context(catalog)
    rel = "together_catalog/_ids.py"
    try:
        literals = read_literals(files[rel])
    except (KeyError, SyntaxError, ValueError) as exc:
        raise VerifyError(f"{rel}: does not read back: {exc}") from None
    for family in ctx.families:
        if literals.get(family.name) != family.members:
            raise VerifyError(f"{rel}: {family.name} does not hold the catalog's ids")


def check_site(catalog: Catalog, files: Files) -> None:
    """The catalog browser's embedded data parses back as the catalog's rows (codegen/site.py)."""
    problem = site_check.check_site(catalog, files)
    if problem is not None:
        raise VerifyError(problem)


def verify(catalog: Catalog, files: Files) -> None:
    """Every check; the first problem found is raised. `_retired.py` and `_history.py` are
    read back (with `ast`, never executed) as the catalog's retired rows, with successors by
    the rule, and as catalog/changelog.yaml, model by model (codegen/history_check.py): as
    long as the other checks together, so beside them (codegen/aside.py), and raised last."""
    with aside(history_check.check_generated, catalog, files) as history_verdict:
        check_docs(catalog, files)
        check_json(catalog, files)
        check_python(catalog, files)
        check_site(catalog, files)
        problem = history_verdict()
    if problem is not None:
        raise VerifyError(problem)
