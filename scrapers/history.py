"""A table's history across snapshots: retired rows, and the append-only changelog.

When a snapshot newer than a table's lists fewer rows, the rows it no longer lists move to
the table's `retired:` list with their values as last published and `last_seen`, the date
of the last snapshot that listed them; a retired row listed again leaves it ("returned").
Nothing the docs once published is deleted.

Every snapshot that changed something gets one entry in catalog/changelog.yaml: the rows it
added, returned and retired, and each cell that changed (old and new value). A new row's
cells are changes from nothing, so replaying the entries from an empty catalog gives back
every row's values. Footnote marks and N/A spellings (lists) are not cell values and are
not logged. Entries are appended as text after the file's existing bytes, which are never
rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from catalog import changelog_text
from catalog.changelog import CHANGELOG_FILE, Changelog
from catalog.load import (
    CHANGELOG,
    CatalogError,
    changelog_plain,
    read_changelog_file,
    validate_plain,
)
from catalog.models import id_key
from catalog.yaml_comments import delete_key, delete_row, insert_key, insert_row
from scrapers.diff import differing
from scrapers.parse import ScrapedPage

RETIRED = "retired"
HEADER = (
    "# yaml-language-server: $schema=schema/changelog.schema.json\n"
    "# What Together's docs tables changed: one entry per page snapshot, each page's oldest\n"
    "# first, with the values it replaced. Written by `python -m scrapers reconcile`, append-only\n"
    "# (an entry is never edited once written); a new row's cells are changes from null.\n"
)
#: Row keys that are not published cells.
_NOT_CELLS = frozenset({"model", "last_seen", "footnotes", "na", "note"})
#: `source:` keys whose change is logged (on model "(source)"); the date is the entry's own.
_SOURCE_LOGGED = ("url", "page", "section")


@dataclass(frozen=True)
class Step:
    """One page snapshot to apply: the parsed page and its as-of date."""

    page: ScrapedPage
    date: dt.date

    @property
    def name(self) -> str:
        return self.page.page

    @property
    def url(self) -> str:
        return self.page.source["url"]

    @property
    def approximate(self) -> str | None:
        return self.page.source.get("approximate")


# -- the changelog file ---------------------------------------------------------------------


def read_changelog(catalog_dir: Path) -> tuple[str | None, Changelog]:
    """The changelog's text (None: no file) and its validated entries."""
    path = catalog_dir / CHANGELOG_FILE
    if not path.exists():
        return None, Changelog()
    text, plain = read_changelog_file(path)
    if plain is None:
        return text, Changelog()
    log: Changelog = validate_plain(CHANGELOG, plain, path)
    return text, log


def last_logged(changelog: Changelog) -> dict[str, dt.date]:
    """Each page's latest entry date."""
    last: dict[str, dt.date] = {}
    for entry in changelog.entries:
        last[entry.page] = max(entry.snapshot, last.get(entry.page, entry.snapshot))
    return last


def appended(text: str | None, old: Changelog, entries: list[dict[str, Any]], path: Path) -> str:
    """The changelog's new text: `text` unchanged, then `entries`. A file with no entries yet
    is written whole. The result is read back and must hold the old entries, then the new."""
    items = changelog_text.render(entries)
    if text is None or not old.entries:
        new = HEADER + "entries:\n" + items
    else:
        new = text + ("" if text.endswith("\n") else "\n") + items
    try:
        got = CHANGELOG.validate_json(json.dumps(changelog_plain(new, path)))
    except (CatalogError, ValidationError) as exc:
        raise CatalogError(f"{path}: cannot append to it: {exc}") from None
    want = CHANGELOG.validate_json(json.dumps({"entries": entries}, default=str))
    if got.entries != (*old.entries, *want.entries):
        raise CatalogError(
            f"{path}: appending the new entries would not keep the old ones as they are "
            "(is `entries:` its last key?)"
        )
    return new


def entry(step: Step, changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A changelog entry (plain) for the changes `step` made."""
    out: dict[str, Any] = {"page": step.name, "snapshot": step.date, "url": step.url}
    if step.approximate is not None:
        out["approximate"] = step.approximate
    out["changes"] = changes
    return out


# -- what changed, from a table's plain data before and after a merge ----------------------


def _changed(table: str, model: str, name: str, old: Any, new: Any) -> dict[str, Any]:
    return {"table": table, "model": model, "change": "changed", "field": name, "old": old,
            "new": new}  # fmt: skip


def _cells(table: str, model: str, was: Mapping[str, Any], now: Mapping[str, Any]) -> list[Any]:
    return [
        _changed(table, model, name, was.get(name), now.get(name))
        for name in differing(was, now, _NOT_CELLS)
    ]


def table_changes(
    table: str, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The changelog's changes for one table (plain documents; `before` None: a new table):
    source moves, then each listed row in docs order (added or returned, then its cells),
    then the rows retired. A row deleted outright (--allow-removals on a re-read of the same
    snapshot) is no history, and not logged. Rows are matched by `id_key`: an id the docs
    respelt in case only is the same row, its `model` changed."""
    out: list[dict[str, Any]] = []
    if before is not None:
        for key in _SOURCE_LOGGED:
            old, new = before["source"].get(key), after["source"].get(key)
            if old != new:
                out.append(_changed(table, "(source)", key, old, new))
    old_rows = {id_key(r["model"]): r for r in (before or {}).get("rows", ())}
    old_retired = {id_key(r["model"]): r for r in (before or {}).get(RETIRED, ())}
    new_retired = {id_key(r["model"]) for r in after.get(RETIRED, ())}
    listed = set()
    for row in after["rows"]:
        model, key = row["model"], id_key(row["model"])
        listed.add(key)
        was = old_rows.get(key)
        if was is None:
            was = old_retired.get(key)
            kind = "added" if was is None else "returned"
            old_id = model if was is None else was["model"]
            out.append({"table": table, "model": old_id, "change": kind})
        if was is not None and was["model"] != model:
            out.append(_changed(table, was["model"], "model", was["model"], model))
        out += _cells(table, model, was or {}, row)
    out += [
        {"table": table, "model": row["model"], "change": "retired"}
        for key, row in old_rows.items()
        if key not in listed and key in new_retired
    ]
    return out


def page_as_of(tables: Iterable[Mapping[str, Any]], changelog: Changelog) -> dict[str, dt.date]:
    """Each page's current as-of: the latest snapshot among its tables' sources and its
    changelog entries."""
    current = last_logged(changelog)
    for plain in tables:
        source = plain["source"]
        date = dt.date.fromisoformat(str(source["snapshot"]))
        current[source["page"]] = max(date, current.get(source["page"], date))
    return current


# -- retiring and returning rows in a round-trip document -----------------------------------


def retire_row(doc: CommentedMap, index: int, last_seen: dt.date) -> None:
    """Move row `index` to the end of `retired:` (created after `rows:`), `last_seen` after
    its model id; the comments above it go with it."""
    row, above = delete_row(doc, index)
    # A date object of its own: one shared by several rows is dumped as a YAML alias.
    insert_key(row, 1, "last_seen", dt.date.fromordinal(last_seen.toordinal()))
    if RETIRED not in doc:
        at = list(doc).index("rows") + 1
        doc.insert(at, RETIRED, CommentedSeq())
    seq: CommentedSeq = doc[RETIRED]
    if not seq:
        seq.fa.set_block_style()
    insert_row(doc, len(seq), row, above, rows_key=RETIRED)


def take_retired(doc: CommentedMap, model: str) -> tuple[CommentedMap, str] | None:
    """Remove `model`'s retired row, without `last_seen`, with the comments above it (None:
    not retired). An emptied `retired:` goes too."""
    seq = doc.get(RETIRED)
    if not seq:
        return None
    index = next((i for i, row in enumerate(seq) if row.get("model") == model), None)
    if index is None:
        return None
    row, above = delete_row(doc, index, rows_key=RETIRED)
    if "last_seen" in row:
        delete_key(row, "last_seen")
    if not seq:
        del doc[RETIRED]
    return row, above
