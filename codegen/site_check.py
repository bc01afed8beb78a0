"""The generator's self-check of the page: the data embedded in index.html is read back and
compared with the catalog, and the checker's data with the runtime's."""

from __future__ import annotations

import json
from typing import Any

from catalog.contents import Catalog
from catalog.models import FineTuneTable
from codegen.site import ASSETS, DATA_CLOSE, DATA_OPEN, INDEX, SITE, changelog_changes


def embedded_data(page: str) -> Any:
    """The JSON document index.html carries, read back with `json.loads`. Raises ValueError
    when the element is missing or its text is not exactly one JSON document (a value that
    had ended the element early would leave broken JSON behind)."""
    start = page.find(DATA_OPEN)
    if start < 0 or page.find(DATA_OPEN, start + 1) >= 0:
        raise ValueError(f"index.html holds {'no' if start < 0 else 'more than one'} data element")
    body_start = start + len(DATA_OPEN)
    end = page.find(DATA_CLOSE, body_start)
    if end < 0:
        raise ValueError("the data element is never closed")
    body = page[body_start:end]
    if "<" in body:  # script_json escapes every one: none can end the element or open a comment
        raise ValueError("the data holds a raw '<' that an HTML parser could act on")
    return json.loads(body)


def check_site(catalog: Catalog, files: dict[str, str]) -> str | None:
    """Why the rendered site does not carry `catalog`, or None: the data parses back, every
    table's current and retired rows are the catalog's (cell by cell, in column order), the
    checker's rows are the fine-tuning rows, its retired ids the fine-tuning tables' retired
    rows, and the model count is the catalog's."""
    try:
        data = embedded_data(files[INDEX])
    except (KeyError, ValueError) as exc:
        return f"{INDEX}: the embedded data does not read back: {exc}"
    tables = {t["id"]: t for t in data.get("tables", [])}
    if list(tables) != list(catalog.tables):
        return f"{INDEX}: tables read back as {list(tables)}"
    for table_id, table in catalog.tables.items():
        got = tables[table_id]
        fields = [c.field for c in table.columns]
        if [c["field"] for c in got["columns"]] != fields:
            return f"{INDEX}: table {table_id}: columns read back as {got['columns']}"
        for key, rows in (("rows", table.rows), ("retired", table.retired)):
            want = [[getattr(row, f) for f in fields] for row in rows]
            if [r["cells"] for r in got[key]] != want:
                return f"{INDEX}: table {table_id}: {key} differ from the catalog's"
        if got["snapshot"] != table.source.snapshot.isoformat() or got["url"] != table.source.url:
            return f"{INDEX}: table {table_id}: provenance reads back differently"
    checker = dict(data["checker"]["rows"])
    for table in catalog.tables.values():
        if isinstance(table, FineTuneTable):
            ids = {r["model"] for r in checker.get(table.method, [])}
            missing = [row.model for row in table.rows if row.model not in ids]
            if missing:
                return f"{INDEX}: the checker lacks {table.method} rows {missing[:3]}"
    retired = [[t, [r[0] for r in rs]] for t, rs in data["checker"]["retired"]]
    want_retired = [
        [t.table, [row.model for row in t.retired]]
        for t in catalog.tables.values()
        if isinstance(t, FineTuneTable)
    ]
    if retired != want_retired:
        return f"{INDEX}: the checker's retired rows differ from the catalog's"
    log = getattr(catalog, "changelog", None)
    want_log = [
        (e.page, day, c.table, c.model, c.change, c.field, c.old, c.new)
        for e in getattr(log, "entries", ())
        for day in (e.snapshot.isoformat(),)
        for c in e.changes
    ]
    if changelog_changes(data) != want_log:
        return f"{INDEX}: the changelog reads back differently from the catalog's"
    ids = {row.model for t in catalog.tables.values() for row in t.rows}
    if data["model_count"] != len(ids):
        return f"{INDEX}: {data['model_count']} models, not the catalog's {len(ids)}"
    for name in ASSETS:
        if f"{SITE}/{name}" not in files:
            return f"{SITE}/{name}: not rendered"
    return None
