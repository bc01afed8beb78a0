"""The diff a reconcile applies (or would apply), as the CLI prints it and as --json gives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ReconcileDiff:
    """The diff a run applies. `to_json` is the --json shape; keys are only ever added.

    `cells_removed` lists the non-null values of dropped columns ({table, model, field,
    old}); they are also in `changed` (old -> None), as before the key existed, but are a
    removal: refused without --allow-removals, like the rows in `removed`.
    """

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    new_values: list[dict[str, Any]] = field(default_factory=list)
    new_tables: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    cells_removed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved or self.new_tables)

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
        }

    def lines(self) -> list[str]:
        out = [f"new table {t}" for t in self.new_tables]
        out += [f"+ {a['table']}: {a['model']}" for a in self.added]
        out += [
            f"- {r['table']}: {r['model']}" + (f" (its note: {r['note']!r})" if "note" in r else "")
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


def removal(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A removed row for the diff; a hand-written note it carried is shown, not lost quietly."""
    entry = {"table": table, "model": row.get("model")}
    if row.get("note") is not None:
        entry["note"] = row["note"]
    return entry


class RemovalRefused(Exception):
    """Rows or non-null cells would be removed and the caller did not pass --allow-removals;
    nothing was written. `report` is the full diff the run would have applied."""

    def __init__(self, message: str, report: ReconcileDiff) -> None:
        super().__init__(message)
        self.report = report
