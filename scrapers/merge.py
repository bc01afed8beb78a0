"""Merge one scraped table into its catalog document (round-trip YAML), in place.

Rows are matched by model id. Cells the scraper owns (the table's columns, footnote marks
and N/A spellings) are updated in place, so comments, key order and hand-written `note:`
fields survive. With `retire` (the snapshot is newer than the table's), rows the docs no
longer list move to `retired:` and dropped columns leave the current rows freely; without
it (a re-read of the table's own snapshot) they are removals, which the caller refuses
unless allowed. Either way, a retired row the docs list again comes back ("returned").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from catalog.models import id_key
from catalog.tables import TABLES
from catalog.yaml_comments import (
    delete_key,
    delete_row,
    flow_value,
    insert_key,
    insert_row,
    move_row,
    normalise_row_comments,
    row_map,
)
from catalog.yamlio import to_plain
from scrapers.diff import ReconcileDiff, removal
from scrapers.history import RETIRED, retire_row, take_retired
from scrapers.parse import ScrapedTable

SCHEMA_COMMENT = "yaml-language-server: $schema=schema/table.schema.json"
#: Row keys the scraper owns besides the table's columns.
OWNED_EXTRA = ("footnotes", "na")
#: A table's `source:` keys, in file order (`approximate` only when the page has one).
SOURCE_KEYS = ("url", "page", "section", "snapshot", "approximate")

_ABSENT = object()


def _date(value: Any) -> dt.date:
    """A `snapshot:` as loaded: a YAML date, or its ISO text if quoted by hand."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _new_doc(scraped: ScrapedTable, source: CommentedMap) -> CommentedMap:
    doc = CommentedMap()
    doc["table"] = scraped.spec.table
    doc.update(scraped.kind_fields())
    doc["source"] = source
    doc["columns"] = CommentedSeq()
    doc["rows"] = CommentedSeq()
    doc.yaml_set_start_comment(
        f"{SCHEMA_COMMENT}\n"
        f"{scraped.spec.section}: rows come from `python -m scrapers reconcile`.\n"
        "Comments and hand-written `note:` fields are kept across reconciles; rows the docs "
        "no\nlonger list move to `retired:` with the date they were last seen."
    )
    return doc


def _owned_keys(*fields: list[str]) -> dict[str, None]:
    """The row keys the scraper owns: these columns' fields (in order, once) and OWNED_EXTRA."""
    return dict.fromkeys([*(f for group in fields for f in group), *OWNED_EXTRA])


def source_of(scraped: ScrapedTable, source: Mapping[str, str]) -> dict[str, str]:
    """The table's `source:` mapping as the file holds it (snapshot as its ISO text)."""
    meta = scraped.source_meta(source)
    return {key: meta[key] for key in SOURCE_KEYS if key in meta}


def _set(
    diff: ReconcileDiff,
    table: str,
    model: str,
    target: CommentedMap,
    key: str,
    new: Any,
    owned: Any,
) -> None:
    """Set one owned cell, recording the change when the value differs (a key the row did
    not have is a change from None)."""
    old = to_plain(target[key]) if key in target else None
    if key in target and old == to_plain(new):
        return
    diff.changed.append(
        {"table": table, "model": model, "field": key, "old": old, "new": to_plain(new)}
    )
    if key in target:
        target[key] = new
    else:  # before the hand-written keys (`note:`), which keep the comments above them
        at = next((i for i, k in enumerate(target) if k not in owned), len(target))
        insert_key(target, at, key, new)


def _drop(
    diff: ReconcileDiff, table: str, doc: CommentedMap, wanted: set[str], retire: dt.date | None
) -> None:
    """The rows the docs no longer list: retired (last seen `retire`), or removed."""
    seq: CommentedSeq = doc["rows"]
    gone = [i for i, row in enumerate(seq) if row.get("model") not in wanted]
    if retire is None:
        # Removals are made even when the caller will refuse them, so the diff is complete;
        # a refused run writes nothing. From the end, so indices stay valid.
        diff.removed += [removal(table, seq[i]) for i in gone]
        for index in reversed(gone):
            delete_row(doc, index)  # the comments above it go with it
        return
    diff.retired += [
        {"table": table, "model": seq[i].get("model"), "last_seen": retire.isoformat()}
        for i in gone
    ]
    for moved, index in enumerate(gone):
        retire_row(doc, index - moved, retire)  # in their order, with their comments


def _respell(diff: ReconcileDiff, table: str, doc: CommentedMap, scraped: ScrapedTable) -> None:
    """A current or retired row whose id the docs now spell otherwise in case (or Unicode
    form) only is the same model (`id_key`): its id takes the new spelling."""
    spelt = {id_key(r["model"]): r["model"] for r in scraped.rows}
    for key in ("rows", RETIRED):
        for row in doc.get(key) or ():
            old = row.get("model")
            new = spelt.get(id_key(old), old)
            if new != old:
                diff.changed.append(
                    {"table": table, "model": new, "field": "model", "old": old, "new": new}
                )
                row["model"] = new


def merge_rows(
    diff: ReconcileDiff,
    table: str,
    doc: CommentedMap,
    scraped: ScrapedTable,
    old_fields: list[str],
    retire: dt.date | None,
) -> None:
    seq: CommentedSeq = doc["rows"]
    normalise_row_comments(doc)
    if doc.get(RETIRED):
        normalise_row_comments(doc, RETIRED)
    wanted = {r["model"] for r in scraped.rows}
    # Cells of dropped columns are owned too: they go with their column. Re-reading the
    # same snapshot, a non-null one is a removal (data the docs no longer state), refused
    # unless the caller allows it; from a newer snapshot the changelog keeps it.
    owned = _owned_keys(scraped.fields, old_fields)
    dropped = set(old_fields) - set(scraped.fields)
    _respell(diff, table, doc, scraped)
    _drop(diff, table, doc, wanted, retire)
    if not seq and scraped.rows:
        seq.fa.set_block_style()  # `rows: []` was written in flow style
    # Index of each existing row; `shift` counts rows inserted since it was built, which
    # pushed every row not yet placed one step down. Rebuilding it after each insertion
    # made reconciling into a large empty table quadratic.
    position = {row.get("model"): i for i, row in enumerate(seq)}
    shift = 0
    for index, row in enumerate(scraped.rows):
        model = row["model"]
        if model not in position:
            back = take_retired(doc, model)
            if back is None:
                diff.added.append({"table": table, "model": model})
                insert_row(doc, index, row_map(row))
                shift += 1
                continue
            diff.returned.append({"table": table, "model": model})
            insert_row(doc, index, *back)  # its note and comments come back with it
            shift += 1
        else:
            current = position[model] + shift
            if current != index:
                diff.moved.append({"table": table, "model": model, "old": current, "new": index})
                move_row(doc, current, index)  # with the comments above it
                position = {r.get("model"): i for i, r in enumerate(seq)}
                shift = 0
        target: CommentedMap = seq[index]
        # A returned row's keys are those it was retired with: every one is owned here.
        keys = owned if model in position else {**owned, **dict.fromkeys(target)}
        for key in keys:
            if key in row:
                _set(diff, table, model, target, key, flow_value(row[key]), owned)
            elif key in target and key not in ("model", "note"):
                old = to_plain(target[key])
                diff.changed.append(
                    {"table": table, "model": model, "field": key, "old": old, "new": None}
                )
                if retire is None and key in dropped and old is not None:
                    diff.cells_removed.append(
                        {"table": table, "model": model, "field": key, "old": old}
                    )
                # (It returns the comments below a row's first key, left with nowhere
                # to go; the first key is `model`, never deleted, in every row written.)
                delete_key(target, key)


def merge_table(
    diff: ReconcileDiff,
    doc: CommentedMap | None,
    scraped: ScrapedTable,
    source: Mapping[str, str],
) -> CommentedMap:
    """Merge `scraped` (read from a page with this `source`) into `doc` (None: a new table).
    A snapshot dated after the table's retires the rows it no longer lists."""
    table = scraped.spec.table
    meta = CommentedMap(source_of(scraped, source))
    meta["snapshot"] = dt.date.fromisoformat(meta["snapshot"])
    if doc is None:
        diff.new_tables.append(table)
        if scraped.spec.category is not None and scraped.spec not in TABLES:
            diff.new_values.append(
                {
                    "table": table,
                    "model": "(table)",
                    "field": "category",
                    "value": scraped.spec.category,
                }
            )
        doc = _new_doc(scraped, meta)
    src = doc["source"]
    before = _date(src["snapshot"])
    retire = before if meta["snapshot"] > before else None
    for key, value in meta.items():
        _set(diff, table, "(source)", src, key, value, meta)
    for key in [k for k in src if k not in meta]:  # `approximate` of an older snapshot
        diff.changed.append(
            {"table": table, "model": "(source)", "field": key, "old": src[key], "new": None}
        )
        delete_key(src, key)
    columns = scraped.columns
    current_columns = [{"field": c["field"], "header": c["header"]} for c in doc["columns"]]
    if current_columns != columns:
        if current_columns:
            diff.changed.append(
                {
                    "table": table,
                    "model": "(columns)",
                    "field": "columns",
                    "old": current_columns,
                    "new": columns,
                }
            )
        doc["columns"] = CommentedSeq([CommentedMap(c) for c in columns])
        for item in doc["columns"]:
            item.fa.set_flow_style()
    old_fields = [c["field"] for c in current_columns]
    merge_rows(diff, table, doc, scraped, old_fields, retire)
    return doc


def retire_all(diff: ReconcileDiff, table: str, doc: CommentedMap) -> None:
    """A table its page's newer snapshot no longer has: every row retires, last seen on the
    table's own snapshot, which stays its source."""
    normalise_row_comments(doc)
    if doc.get(RETIRED):
        normalise_row_comments(doc, RETIRED)
    _drop(diff, table, doc, set(), _date(doc["source"]["snapshot"]))


def unchanged(plain: Mapping[str, Any], scraped: ScrapedTable, source: Mapping[str, str]) -> bool:
    """Whether merging `scraped` into this table would change no owned value, key or order."""
    if plain.get("source") != source_of(scraped, source):
        return False
    if plain.get("columns") != scraped.columns:
        return False
    rows = plain["rows"]
    if [r["model"] for r in rows] != [r["model"] for r in scraped.rows]:
        return False
    owned = _owned_keys(scraped.fields)
    for old, new in zip(rows, scraped.rows, strict=True):
        for key in owned:
            if old.get(key, _ABSENT) != new.get(key, _ABSENT):
                return False
    return True
