"""catalog/changelog.yaml: every change the docs made, with the snapshot that showed it.

Reconcile appends one entry per snapshot that changed something (rows added, cells changed,
rows retired, retired rows listed again) and never edits an entry once written, so the file
is the catalog's history: what Together published, when, and what it replaced. Old values
live here even after the tables have moved on; generated/docs/CHANGES.md renders it and the
runtime's `history(model)` answers from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from catalog.models import ModelId, _Strict

CHANGELOG_FILE = "changelog.yaml"

#: What happened to a row (or a whole table) in one snapshot:
#: - added:    first listed;
#: - changed:  one cell differs from the previous snapshot (`field`, `old`, `new`);
#: - retired:  no longer listed (its last values stay in the table's `retired` rows);
#: - returned: listed again after being retired.
ChangeKind = Literal["added", "changed", "retired", "returned"]
#: A cell's value as stored in the catalog (prices are decimal text, flags booleans).
CellValue = str | int | bool | None


class Change(_Strict):
    table: Annotated[str, StringConstraints(min_length=1)]
    model: ModelId
    change: ChangeKind
    field: str | None = None
    old: CellValue = None
    new: CellValue = None

    @model_validator(mode="after")
    def _field_for_changes_only(self) -> Change:
        if (self.change == "changed") != (self.field is not None):
            raise ValueError("a `changed` entry names its field; no other kind does")
        if self.change != "changed" and (self.old is not None or self.new is not None):
            raise ValueError(f"an `{self.change}` entry carries no old or new value")
        return self


class Entry(_Strict):
    """The changes one snapshot of one page made, in table then docs order."""

    page: Annotated[str, StringConstraints(min_length=1)]
    snapshot: dt.date
    url: str
    #: Set when the page carried no date (as in the table's `source.approximate`).
    approximate: str | None = None
    changes: Annotated[tuple[Change, ...], Field(min_length=1)]


class Changelog(_Strict):
    entries: tuple[Entry, ...] = ()

    @model_validator(mode="after")
    def _each_page_moves_forward(self) -> Changelog:
        """A page's snapshots are applied oldest first; an entry dated before an earlier
        entry of the same page means the log was edited or merged out of order."""
        last: dict[str, dt.date] = {}
        for index, entry in enumerate(self.entries):
            before = last.get(entry.page)
            if before is not None and entry.snapshot <= before:
                raise ValueError(
                    f"entries[{index}]: {entry.page} snapshot {entry.snapshot} is not after "
                    f"its previous entry ({before})"
                )
            last[entry.page] = entry.snapshot
        return self
