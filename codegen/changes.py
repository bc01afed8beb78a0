"""generated/docs/CHANGES.md from catalog/changelog.yaml: what each docs snapshot changed.

The changelog logs a new row's cells as changes from null, so that replaying it rebuilds
every row; a reader wants "added" once instead, so cells of rows added in the same entry are
folded into their addition here. Everything else (a changed cell with its old and new value,
a retired or returned row, a changed source) is listed as recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.changelog import CellValue, Change, Entry
from catalog.contents import Catalog


@dataclass(frozen=True)
class TableChanges:
    table: str
    added: tuple[str, ...]
    returned: tuple[str, ...]
    retired: tuple[str, ...]
    #: (model, field, old, new) as display text
    changed: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class EntryChanges:
    snapshot: str
    page: str
    url: str
    approximate: str | None
    tables: tuple[TableChanges, ...]


def shown(value: CellValue) -> str:
    """A changed cell's value as text: null as an em dash, flags as Yes/No."""
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _by_table(changes: Iterable[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for change in changes:
        out.setdefault(change.table, []).append(change)
    return out


def _table(table: str, changes: list[Change]) -> TableChanges:
    added = [c.model for c in changes if c.change == "added"]
    new = set(added)
    return TableChanges(
        table,
        tuple(added),
        tuple(c.model for c in changes if c.change == "returned"),
        tuple(c.model for c in changes if c.change == "retired"),
        tuple(
            (c.model, c.field or "", shown(c.old), shown(c.new))
            for c in changes
            if c.change == "changed" and not (c.model in new and c.old is None)
        ),
    )


def _entry(entry: Entry) -> EntryChanges:
    tables = _by_table(entry.changes)
    return EntryChanges(
        entry.snapshot.isoformat(),
        entry.page,
        entry.url,
        entry.approximate,
        tuple(_table(name, changes) for name, changes in tables.items()),
    )


def change_entries(catalog: Catalog) -> list[EntryChanges]:
    """The changelog newest first, as a reader scans it."""
    return [_entry(e) for e in reversed(catalog.changelog.entries)]
