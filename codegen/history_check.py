"""The generator's self-check of the retired rows and the history it writes: both modules are
read back with `ast` (never imported) and compared with the catalog they came from."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from catalog.contents import Catalog
from codegen.history import (
    DERIVED_FIELDS,
    FIELD_DEFAULTS,
    HISTORY_MODULE,
    RETIRED_MODULE,
    changelog_changes,
)
from codegen.records import RECORD_OF_KIND, record_classes
from codegen.successors import Successors


def _literals(source: str, names: Sequence[str]) -> dict[str, Any]:
    """Module-level `NAME: T = <literal>` or `= MappingProxyType(<literal>)` values, read
    with `ast` (never executed)."""
    found: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        value = node.value
        if node.target.id not in names or value is None:
            continue
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "MappingProxyType":
            value = value.args[0] if value.args else ast.Dict(keys=[], values=[])
        found[node.target.id] = ast.literal_eval(value)
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"no literal {missing}")
    return found


def expected_retired(catalog: Catalog) -> dict[str, dict[str, tuple[str, dict[str, Any]]]]:
    """Table -> retired id -> (last_seen, the row's record fields), from the catalog rows
    directly (not from the template context)."""
    out: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
    for table in catalog.tables.values():
        for row in table.retired:
            values: dict[str, Any] = row.model_dump(
                exclude={"na", "footnotes", "note", "last_seen", *DERIVED_FIELDS}
            )
            values |= {"footnotes": tuple(row.footnotes), "note": row.note}
            out.setdefault(table.table, {})[row.model] = (row.last_seen.isoformat(), values)
    return out


def check_retired(catalog: Catalog, source: str) -> str | None:
    """Why `_retired.py` does not read back as the catalog's retired rows, or None."""
    try:
        retired = _literals(source, ["RETIRED"])["RETIRED"]
    except (SyntaxError, ValueError) as exc:
        return f"{RETIRED_MODULE}: does not read back: {exc}"
    names = {r.name: r.names for r in record_classes()}
    want = expected_retired(catalog)
    if list(retired) != list(want):
        return f"{RETIRED_MODULE}: tables {list(retired)}, not the catalog's {list(want)}"
    for table_id, (fields, rows) in retired.items():
        table = catalog.tables[table_id]
        record = names[RECORD_OF_KIND[table.kind]]
        if fields != tuple(f for f in record if f in fields) or set(fields) & set(DERIVED_FIELDS):
            return f"{RETIRED_MODULE}: {table_id}: fields {fields} are not its record's"
        current = {row.model for row in table.rows}
        successor = Successors(row.model for row in table.rows)
        got = {}
        for model, last_seen, after, values in rows:
            stored = dict(zip(fields, values, strict=True))
            full = {
                f: stored.get(f, FIELD_DEFAULTS.get(f)) for f in record if f not in DERIVED_FIELDS
            }
            got[model] = (last_seen, full)
            if after is not None and after not in current:
                return f"{RETIRED_MODULE}: {table_id} {model}: successor {after!r} is not current"
            if after != successor(model):
                return f"{RETIRED_MODULE}: {table_id} {model}: successor {after!r} breaks the rule"
        if list(got) != list(want[table_id]) or got != want[table_id]:
            first = next((m for m in want[table_id] if got.get(m) != want[table_id][m]), None)
            return f"{RETIRED_MODULE}: {table_id}: rows differ from the catalog (first: {first})"
    return None


def read_history(source: str) -> dict[str, list[tuple[Any, ...]]]:
    """`_history.py` expanded: model -> (date, page, estimated, table, recorded id, kind,
    field, old, new) per change, in order."""
    data = _literals(source, ["SNAPSHOTS", "TABLE_IDS", "HISTORY"])
    snapshots, tables = data["SNAPSHOTS"], data["TABLE_IDS"]
    out: dict[str, list[tuple[Any, ...]]] = {}
    for model, runs in data["HISTORY"].items():
        flat = out.setdefault(model, [])
        for s, t, event, cells, *recorded in runs:
            date, page, estimated = snapshots[s]
            where = (date, page, estimated, tables[t], recorded[0] if recorded else model)
            if event is not None:
                flat.append((*where, event, None, None, None))
            flat += [(*where, "changed", field, old, new) for field, old, new in cells]
    return out


def expected_history(catalog: Catalog) -> dict[str, list[tuple[Any, ...]]]:
    """What `read_history` must give, straight from catalog/changelog.yaml: each change
    under its own id, and under every id a rename chain leads it to; stably by date."""
    seq: list[tuple[Any, ...]] = list(changelog_changes(catalog))  # Flat is a tuple
    renames: dict[str, set[str]] = {}
    for change in seq:
        if change[6] == "model" and isinstance(change[8], str):
            renames.setdefault(change[4], set()).add(change[8])
    out: dict[str, list[tuple[Any, ...]]] = {}
    for item in sorted(seq, key=lambda change: change[0]):  # stable: file order within a date
        under, todo = {item[4]}, [item[4]]
        while todo:
            for new in renames.get(todo.pop(), ()):
                if new not in under:
                    under.add(new)
                    todo.append(new)
        for model in under:
            out.setdefault(model, []).append(item)
    return dict(sorted(out.items()))


def check_history(catalog: Catalog, source: str) -> str | None:
    """Why `_history.py` does not read back as catalog/changelog.yaml, or None."""
    try:
        got = read_history(source)
    except (SyntaxError, ValueError, TypeError) as exc:
        return f"{HISTORY_MODULE}: does not read back: {exc}"
    want = expected_history(catalog)
    if list(got) != list(want):
        extra = sorted(set(got) ^ set(want))[:3]
        return f"{HISTORY_MODULE}: models differ from the changelog's (e.g. {extra})"
    for model, changes in want.items():
        if got[model] != changes:
            return f"{HISTORY_MODULE}: the history of {model!r} differs from the changelog's"
    return None


def check_generated(catalog: Catalog, files: dict[str, str]) -> str | None:
    """The generated retired rows and history read back (with `ast`) as the catalog's."""
    for rel, check in ((RETIRED_MODULE, check_retired), (HISTORY_MODULE, check_history)):
        if rel not in files:
            return f"{rel}: not rendered"
        problem = check(catalog, files[rel])
        if problem is not None:
            return problem
    return None
