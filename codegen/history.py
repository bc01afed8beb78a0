"""The runtime's history modules: `_retired.py` (the rows the docs no longer list) and
`_history.py` (catalog/changelog.yaml per model), each imported only when asked for.

`_retired.py` maps each table to its retired rows: the id, the as-of date of the last
snapshot that listed it (`last_seen`), its successor and the row as last published,
as the positional arguments of its record class. `_history.py` holds every model's changes
oldest first, compactly: per model a tuple of runs `(snapshot, table, event, cells)` (with
the id the changes were recorded under appended when it is not the model's own, after a
rename), where `snapshot` and `table` index SNAPSHOTS and TABLE_IDS, `event` is "added",
"retired", "returned" or None, and `cells` the `(field, old, new)` cells changed after it.

Each retired row's successor is decided at generation time (codegen/successors.py), so the
runtime only reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from catalog.contents import Catalog
from catalog.models import Table
from codegen.records import RECORD_OF_KIND, record_classes
from codegen.render import environment, render
from codegen.successors import Successors

PACKAGE = "together_catalog"
RETIRED_MODULE = f"{PACKAGE}/_retired.py"
HISTORY_MODULE = f"{PACKAGE}/_history.py"
#: The pseudo-model reconcile logs a table's own changes under (its source url, ...): not a
#: model, so not in any model's history.
SOURCE_MODEL = "(source)"

Run = tuple[Any, ...]


# --- the retired rows --------------------------------------------------------------------


#: Record fields a retired row does not store: the runtime has them from the table
#: (`TABLES`, `ENDPOINTS`) and the row's id.
DERIVED_FIELDS = ("model", "method", "category", "endpoint")
#: A stored record field's value when a row leaves it out.
FIELD_DEFAULTS: dict[str, Any] = {"footnotes": ()}


@dataclass(frozen=True)
class RetiredTable:
    table: str
    #: The record fields the rows store, in the record's order: those some retired row of
    #: the table sets (DERIVED_FIELDS excepted); the others are None, or () for footnotes.
    fields: tuple[str, ...]
    #: (model, last_seen, successor, values of `fields`), in the table's order.
    rows: tuple[tuple[str, str, str | None, tuple[Any, ...]], ...]


def record_values(table: Table) -> list[dict[str, Any]]:
    """Each retired row's record fields (codegen/records.py) but the derived ones, in record
    order."""
    names = {r.name: r.names for r in record_classes()}[RECORD_OF_KIND[table.kind]]
    stored = [n for n in names if n not in DERIVED_FIELDS]
    out = []
    for row in table.retired:
        own = {"footnotes": tuple(row.footnotes), "note": row.note}
        out.append({n: own[n] if n in own else getattr(row, n) for n in stored})
    return out


def retired_tables(catalog: Catalog) -> list[RetiredTable]:
    """Every table with retired rows, in catalog order, its rows in the table's order."""
    out = []
    for table in catalog.tables.values():
        if not table.retired:
            continue
        successor = Successors(row.model for row in table.rows)
        values = record_values(table)
        fields = tuple(
            name for name in values[0] if any(v[name] != FIELD_DEFAULTS.get(name) for v in values)
        )
        rows = tuple(
            (
                row.model,
                row.last_seen.isoformat(),
                successor(row.model),
                tuple(v[name] for name in fields),
            )
            for row, v in zip(table.retired, values, strict=True)
        )
        out.append(RetiredTable(table.table, fields, rows))
    return out


# --- the history -------------------------------------------------------------------------


class Flat(NamedTuple):
    """One change as the runtime's `Change` reports it, with the id it was recorded under.
    A named tuple: the self-check compares it with the tuples it reads back, and thousands
    are made per run (a frozen dataclass's `__init__` took most of that time)."""

    date: str
    page: str
    estimated: bool
    table: str
    model: str
    kind: str
    field: str | None
    old: Any
    new: Any


def changelog_changes(catalog: Catalog) -> Iterator[Flat]:
    """Every change of catalog/changelog.yaml in the file's order, but a table's own ones
    (recorded under SOURCE_MODEL), flattened with its entry's snapshot."""
    for entry in catalog.changelog.entries:
        for change in entry.changes:
            if change.model != SOURCE_MODEL:
                yield Flat(
                    entry.snapshot.isoformat(),
                    entry.page,
                    entry.approximate is not None,
                    change.table,
                    change.model,
                    change.change,
                    change.field,
                    change.old,
                    change.new,
                )


def flat_history(catalog: Catalog) -> dict[str, list[Flat]]:
    """Model id -> its changes, oldest first: by snapshot date, then in the changelog's
    order. An id renamed to another (a `changed` cell of field `model`, a case-only rename)
    keeps its own changes, and the new id gets them too, whether or not it has changes of
    its own. Models in sorted order."""
    every = list(changelog_changes(catalog))
    renamed_to: dict[str, set[str]] = {}
    for flat in every:
        if flat.field == "model" and isinstance(flat.new, str):
            renamed_to.setdefault(flat.new, set()).add(flat.model)

    def sources(model: str) -> set[str]:
        found, todo = {model}, [model]
        while todo:
            for old in renamed_to.get(todo.pop(), ()):
                if old not in found:
                    found.add(old)
                    todo.append(old)
        return found

    ordered = sorted(enumerate(every), key=lambda item: (item[1].date, item[0]))
    by_id: dict[str, list[tuple[int, Flat]]] = {}  # recorded id -> (position, change)
    for position, (_, flat) in enumerate(ordered):
        by_id.setdefault(flat.model, []).append((position, flat))
    out: dict[str, list[Flat]] = {}
    for model in sorted(by_id.keys() | renamed_to.keys()):
        mine = [item for recorded in sources(model) for item in by_id.get(recorded, ())]
        out[model] = [flat for _, flat in sorted(mine, key=lambda item: item[0])]
    return out


@dataclass(frozen=True)
class HistoryData:
    #: (ISO date, page, estimated) of each docs snapshot a change names, oldest first.
    snapshots: tuple[tuple[str, str, bool], ...]
    #: The catalog tables the changes name: catalog order, then any others sorted.
    tables: tuple[str, ...]
    #: (model, its runs), models sorted.
    models: tuple[tuple[str, tuple[Run, ...]], ...]


def _runs(
    model: str, flats: list[Flat], snap: dict[tuple[str, str], int], tab: dict[str, int]
) -> tuple[Run, ...]:
    """A model's changes as runs: a new run at each event (added, retired, returned) and
    wherever the snapshot, table or recorded id changes; the cells after it ride along."""
    runs: list[list[Any]] = []
    for flat in flats:
        head = [snap[(flat.date, flat.page)], tab[flat.table]]
        if (
            flat.kind != "changed"
            or not runs
            or runs[-1][0][:2] != head
            or runs[-1][1] != flat.model
        ):
            event = None if flat.kind == "changed" else flat.kind
            runs.append([[*head, event, []], flat.model])
        if flat.kind == "changed":
            runs[-1][0][3].append((flat.field, flat.old, flat.new))
    out: list[Run] = []
    for (s, t, event, cells), recorded in runs:
        run: Run = (s, t, event, tuple(cells))
        out.append(run if recorded == model else (*run, recorded))
    return tuple(out)


def history_data(catalog: Catalog) -> HistoryData:
    flats = flat_history(catalog)
    dates = sorted({(f.date, f.page, f.estimated) for fs in flats.values() for f in fs})
    snapshots = tuple(dates)
    named = {f.table for fs in flats.values() for f in fs}
    tables = (*(t for t in catalog.tables if t in named), *sorted(named - set(catalog.tables)))
    snap = {(d, p): i for i, (d, p, _) in enumerate(snapshots)}
    tab = {t: i for i, t in enumerate(tables)}
    models = tuple((m, _runs(m, fs, snap, tab)) for m, fs in flats.items())
    return HistoryData(snapshots, tables, models)


# --- rendering ---------------------------------------------------------------------------


def outputs(catalog: Catalog, templates: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    """(path under generated/, a function rendering it) for the two modules."""
    env = environment(templates)
    yield (
        RETIRED_MODULE,
        lambda: render(
            env,
            "python/_retired.py.j2",
            source="catalog/ (retired rows)",
            tables=[(t.table, (t.fields, t.rows)) for t in retired_tables(catalog)],
        ),
    )
    yield (
        HISTORY_MODULE,
        lambda: render(
            env,
            "python/_history.py.j2",
            source="catalog/changelog.yaml",
            data=history_data(catalog),
        ),
    )
