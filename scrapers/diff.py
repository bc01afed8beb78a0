"""The diff a reconcile applies (or would apply), as the CLI prints it and as --json gives it."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ReconcileDiff:
    """The diff a run applies. `to_json` is the --json shape; keys are only ever added.

    `cells_removed` lists the non-null values of dropped columns ({table, model, field,
    old}); they are also in `changed` (old -> None), as before the key existed, but are a
    removal: refused without --allow-removals, like the rows in `removed`.

    History (a snapshot newer than the table's): `retired` lists the rows it no longer lists
    ({table, model, last_seen}), moved to the table's `retired:` list, and `returned` the
    retired rows it lists again ({table, model}); neither needs --allow-removals. `changelog`
    is what the run appends to catalog/changelog.yaml ({page, snapshot, changes}) and
    `unlogged` the snapshots whose changes it cannot append because the page's entry for
    that date is already written ({page, snapshot, changes}: a re-read of the same snapshot).
    `older` lists the snapshots refused for being older than the catalog's current one of
    their page ({page, file, snapshot, current}).
    """

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    new_values: list[dict[str, Any]] = field(default_factory=list)
    new_tables: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    cells_removed: list[dict[str, Any]] = field(default_factory=list)
    retired: list[dict[str, Any]] = field(default_factory=list)
    returned: list[dict[str, Any]] = field(default_factory=list)
    changelog: list[dict[str, Any]] = field(default_factory=list)
    unlogged: list[dict[str, Any]] = field(default_factory=list)
    older: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.moved
            or self.new_tables
            or self.retired
            or self.returned
            or self.changelog
        )

    @property
    def removes(self) -> bool:
        """Whether the diff removes rows or non-null cells (refused unless allowed)."""
        return bool(self.removed or self.cells_removed)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "moved": self.moved,
            "new_values": self.new_values,
            "new_tables": self.new_tables,
            "written": self.written,
            "cells_removed": self.cells_removed,
            "retired": self.retired,
            "returned": self.returned,
            "changelog": self.changelog,
            "unlogged": self.unlogged,
            "older": self.older,
        }

    def lines(self) -> list[str]:
        out = [f"! {o['page']}: {_older(o)}" for o in self.older]
        out += [f"new table {t}" for t in self.new_tables]
        out += [row_line("+", a) for a in self.added]
        out += [row_line("+", r) + " (returned)" for r in self.returned]
        out += [row_line("-", r) + f" (retired, last seen {r['last_seen']})" for r in self.retired]
        out += [
            row_line("-", r) + (f" (its note: {r['note']!r})" if "note" in r else "")
            for r in self.removed
        ]
        out += [
            f"~ {c['table']}: {c['model']}: {c['field']}: {c['old']!r} -> {c['new']!r}"
            for c in self.changed
        ]
        out += [
            f"> {m['table']}: {m['model']}: row {m['old'] + 1} -> row {m['new'] + 1}"
            for m in self.moved
        ]
        out += [
            f"? {v['table']}: {v['model']}: new {v['field']} value {v['value']!r}"
            for v in self.new_values
        ]
        out += [
            f"changelog: + {e['page']} {e['snapshot']} ({len(e['changes'])} change(s))"
            for e in self.changelog
        ]
        out += [
            f"changelog: {e['page']} {e['snapshot']} is already logged; {len(e['changes'])} "
            "change(s) from re-reading it are not"
            for e in self.unlogged
        ]
        if not out:
            out.append("catalog is up to date")
        return out

    def refusal(self) -> str:
        """Why the removals in this diff need --allow-removals, in one line."""
        parts = []
        if self.removed:
            shown = ", ".join(f"{r['table']}: {r['model']}" for r in self.removed[:5])
            more = ", …" if len(self.removed) > 5 else ""
            parts.append(f"{len(self.removed)} row(s) would be removed ({shown}{more})")
        if self.cells_removed:
            columns: dict[str, int] = {}
            for c in self.cells_removed:
                name = f"{c['table']}: {c['field']}"
                columns[name] = columns.get(name, 0) + 1
            shown = ", ".join(f"{name} ({count})" for name, count in columns.items())
            parts.append(
                f"{len(self.cells_removed)} non-null value(s) of dropped column(s) would be "
                f"removed ({shown})"
            )
        return "; ".join(parts) + "; rerun with --allow-removals to accept"


def row_line(sign: str, row: Mapping[str, Any]) -> str:
    """A row added (`+`) or gone (`-`) as a diff prints it: `+ table: model`."""
    return f"{sign} {row['table']}: {row['model']}"


def differing(a: Mapping[str, Any], b: Mapping[str, Any], skip: Container[str]) -> list[str]:
    """The fields, `a`'s then those only `b` has, but `skip`, whose values differ (a missing
    field is None)."""
    return [
        name for name in dict.fromkeys([*a, *b]) if name not in skip and a.get(name) != b.get(name)
    ]


def removal(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A removed row for the diff; a hand-written note it carried is shown, not lost quietly."""
    entry = {"table": table, "model": row.get("model")}
    if row.get("note") is not None:
        entry["note"] = row["note"]
    return entry


def older_refusal(older: list[dict[str, Any]]) -> str:
    """Why snapshots older than the catalog's are refused, in one line naming both dates."""
    shown = "; ".join(f"{o['page']} {_older(o)}" for o in older)
    return f"{shown}; a page's snapshots are applied oldest first, and never backwards"


def _older(o: Mapping[str, Any]) -> str:
    return (
        f"snapshot {o['snapshot']} ({o['file']}) is older than the catalog's current {o['current']}"
    )


class OlderSnapshot(Exception):
    """A snapshot older than the catalog's current one of its page; nothing was written.
    `report.older` lists every such snapshot."""

    def __init__(self, message: str, report: ReconcileDiff) -> None:
        super().__init__(message)
        self.report = report


class RemovalRefused(Exception):
    """Rows or non-null cells would be removed and the caller did not pass --allow-removals;
    nothing was written. `report` is the full diff the run would have applied."""

    def __init__(self, message: str, report: ReconcileDiff) -> None:
        super().__init__(message)
        self.report = report
