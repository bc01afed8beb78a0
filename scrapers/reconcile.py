"""Merge scraped tables into catalog/*.yaml, in place, reporting every difference.

Rows are matched by model id. Cells the scraper owns (the table's columns, footnote marks
and N/A spellings) are updated in place, so comments, key order and hand-written `note:`
fields survive. Rows that vanished from the docs, and non-null cells of columns the docs
dropped, are removed only when the caller allows it. Nothing is written unless every file
merges and validates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from catalog import transaction, yamlio
from catalog.load import TABLE, CatalogError, load_doc, table_files, validate
from catalog.lock import DEFAULT_TIMEOUT as LOCK_TIMEOUT
from catalog.lock import writer_lock
from catalog.tables import TABLES
from catalog.yaml_comments import (
    delete_key,
    delete_row,
    flow,
    insert_key,
    insert_row,
    move_row,
    normalise_row_comments,
)
from scrapers.diff import ReconcileDiff, RemovalRefused, removal
from scrapers.parse import ScrapedPage, ScrapedTable, ScrapeError

SCHEMA_COMMENT = "yaml-language-server: $schema=schema/table.schema.json"
#: Vocabularies Together owns; a value not seen before is reported, not rejected.
VOCABULARY_FIELDS = ("organization", "quantization")
#: Row keys the scraper owns besides the table's columns.
OWNED_EXTRA = ("footnotes", "na")
#: A table's `source:` keys, in file order.
SOURCE_KEYS = ("url", "page", "section", "snapshot")


def _plain(value: Any) -> Any:
    if isinstance(value, CommentedSeq):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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
        "Comments and hand-written `note:` fields are kept across reconciles."
    )
    return doc


def _owned_keys(*fields: list[str]) -> dict[str, None]:
    """The row keys the scraper owns: these columns' fields (in order, once) and OWNED_EXTRA."""
    return dict.fromkeys([*(f for group in fields for f in group), *OWNED_EXTRA])


def _source(scraped: ScrapedTable, source: Mapping[str, str]) -> dict[str, str]:
    """The table's `source:` mapping as the file holds it (snapshot as its ISO text)."""
    meta = scraped.source_meta(source)
    return {key: meta[key] for key in SOURCE_KEYS}


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
    old = _plain(target[key]) if key in target else None
    if key in target and old == _plain(new):
        return
    diff.changed.append(
        {"table": table, "model": model, "field": key, "old": old, "new": _plain(new)}
    )
    if key in target:
        target[key] = new
    else:  # before the hand-written keys (`note:`), which keep the comments above them
        at = next((i for i, k in enumerate(target) if k not in owned), len(target))
        insert_key(target, at, key, new)


def _row_map(row: dict[str, Any]) -> CommentedMap:
    out = CommentedMap()
    for key, value in row.items():
        out[key] = flow(list(value)) if isinstance(value, list) else value
    return out


def _merge_rows(
    diff: ReconcileDiff,
    table: str,
    doc: CommentedMap,
    scraped: ScrapedTable,
    old_fields: list[str],
) -> None:
    seq: CommentedSeq = doc["rows"]
    normalise_row_comments(doc)
    wanted = {r["model"] for r in scraped.rows}
    # Cells of dropped columns are owned too: they go with their column, and a non-null one
    # is a removal (data the docs no longer state), refused unless the caller allows it.
    owned = _owned_keys(scraped.fields, old_fields)
    dropped = set(old_fields) - set(scraped.fields)
    # Removals first (from the end, so indices stay valid). They are made even when the
    # caller will refuse them, so the diff is complete; a refused run writes nothing.
    gone = [i for i, row in enumerate(seq) if row.get("model") not in wanted]
    diff.removed += [removal(table, seq[i]) for i in gone]
    for index in reversed(gone):
        delete_row(doc, index)  # the comments above it go with it
    # Index of each existing row; `shift` counts rows inserted since it was built, which
    # pushed every row not yet placed one step down. Rebuilding it after each insertion
    # made reconciling into a large empty table quadratic.
    position = {row.get("model"): i for i, row in enumerate(seq)}
    shift = 0
    for index, row in enumerate(scraped.rows):
        model = row["model"]
        if model not in position:
            diff.added.append({"table": table, "model": model})
            insert_row(doc, index, _row_map(row))
            shift += 1
            continue
        current = position[model] + shift
        if current != index:
            diff.moved.append({"table": table, "model": model, "old": current, "new": index})
            move_row(doc, current, index)  # with the comments above it
            position = {r.get("model"): i for i, r in enumerate(seq)}
            shift = 0
        target: CommentedMap = seq[index]
        for key in owned:
            if key in row:
                value = row[key]
                new = flow(value) if isinstance(value, list) else value
                _set(diff, table, model, target, key, new, owned)
            elif key in target:
                old = _plain(target[key])
                diff.changed.append(
                    {"table": table, "model": model, "field": key, "old": old, "new": None}
                )
                if key in dropped and old is not None:
                    diff.cells_removed.append(
                        {"table": table, "model": model, "field": key, "old": old}
                    )
                # (It returns the comments below a row's first key, left with nowhere
                # to go; the first key is `model`, never deleted, in every row written.)
                delete_key(target, key)


def _merge_table(
    diff: ReconcileDiff,
    doc: CommentedMap | None,
    scraped: ScrapedTable,
    source: dict[str, str],
) -> CommentedMap:
    table = scraped.spec.table
    meta = CommentedMap(_source(scraped, source))
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
    for key, value in meta.items():
        _set(diff, table, "(source)", src, key, value, meta)
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
    _merge_rows(diff, table, doc, scraped, old_fields)
    return doc


def _validate_plain(adapter: TypeAdapter[Any], plain: Any, path: Path) -> None:
    """Validate a file's data from the fast loader; on an error, reload round-trip to locate
    it (as `catalog.load.load_validated` does after its own read)."""
    try:
        adapter.validate_json(json.dumps(plain))
    except ValidationError:
        validate(adapter, load_doc(path), path)


def _raise_duplicate(path: Path) -> None:
    """Raise the duplicate-model-id error, located by a round-trip reload (only on failure)."""
    doc = load_doc(path)
    seen: dict[str, int] = {}
    for index, row in enumerate(doc["rows"]):
        model = row["model"]
        if model in seen:
            line = yamlio.line_of(doc, ["rows", index, "model"])
            raise CatalogError(
                f"{path}:{line}: rows.{index}.model: duplicate model id {model!r} "
                f"(also rows.{seen[model]}); reconcile matches rows by model id"
            )
        seen[model] = index


def _read_table(path: Path) -> tuple[str, dict[str, Any]]:
    """A catalog table's text and plain data, validated, through the fast read-only loader.

    Only tables the docs changed are parsed round-trip (about four times slower), from the
    same text, to be edited; on any problem the round-trip load reports it with its line.
    """
    try:
        text = yamlio.read_text(path)
        plain: dict[str, Any] = yamlio.loads_plain(text, str(path))
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None
    _validate_plain(TABLE, plain, path)
    models = [row["model"] for row in plain["rows"]]
    if len(set(models)) != len(models):
        _raise_duplicate(path)
    return text, plain


def _round_trip(text: str, path: Path) -> CommentedMap:
    try:
        doc: CommentedMap = yamlio.loads(text, str(path))
    except yamlio.YamlError as exc:
        raise CatalogError(str(exc)) from None
    return doc


_ABSENT = object()


def _unchanged(plain: Mapping[str, Any], scraped: ScrapedTable, source: Mapping[str, str]) -> bool:
    """Whether merging `scraped` into this table would change no owned value, key or order."""
    if plain.get("source") != _source(scraped, source):
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


def reconcile(
    pages: list[ScrapedPage],
    catalog_dir: Path,
    *,
    dry_run: bool = False,
    allow_removals: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> ReconcileDiff:
    """Merge `pages` into `catalog_dir`; raises RemovalRefused, ScrapeError, CatalogError,
    LockTimeout or TransactionError (CatalogChanged: a file was edited while this ran).

    Every input is checked and every output validated before the first write; the changed
    files are then written as one transaction (all or none, even across a crash). A real
    run holds the catalog's writer lock from its first read to its last write; a dry run
    only reads, so it takes none (a read-only checkout can run it).
    """
    if dry_run:
        transaction.recover(catalog_dir)  # a dead run's half-applied change: finish it first
        return _reconcile(pages, catalog_dir, dry_run=True, allow_removals=allow_removals)
    with writer_lock(catalog_dir, timeout=lock_timeout, who="reconcile"):
        transaction.recover(catalog_dir)
        return _reconcile(pages, catalog_dir, dry_run=False, allow_removals=allow_removals)


def _reconcile(
    pages: list[ScrapedPage], catalog_dir: Path, *, dry_run: bool, allow_removals: bool
) -> ReconcileDiff:
    diff = ReconcileDiff()
    texts: dict[Path, str] = {}
    existing: dict[Path, dict[str, Any]] = {}
    for path in table_files(catalog_dir):
        texts[path], existing[path] = _read_table(path)
    known: dict[str, set[Any]] = {f: set() for f in VOCABULARY_FIELDS}
    for doc in existing.values():
        for row in doc["rows"]:
            for name in VOCABULARY_FIELDS:
                if row.get(name) is not None:
                    known[name].add(row[name])
    outputs: dict[Path, str] = {}
    deletions: list[Path] = []
    claimed: dict[str, Path] = {}
    for page in pages:
        missing = [k for k in ("url", "snapshot") if k not in page.source]
        if missing:
            raise ScrapeError(
                f"{page.path}:1: the page does not record its {' and '.join(missing)} "
                "(<!-- source: URL --> / <!-- snapshot: YYYY-MM-DD -->)"
            )
        for scraped in page.tables:
            table = scraped.spec.table
            if table in claimed:
                raise ScrapeError(
                    f"{page.path}:{scraped.line}: table {scraped.spec.section!r} "
                    f"({table}) is also read from {claimed[table]}"
                )
            claimed[table] = page.path
            path = catalog_dir / f"{table}.yaml"
            plain = existing.get(path)
            if plain is not None and _unchanged(plain, scraped, page.source):
                continue  # nothing to merge; its values are all known already
            # Loading then dumping a catalog file gives back its text (a test pins it), so
            # the file's text is what an unchanged merge would write.
            before = texts.get(path)
            current = _round_trip(before, path) if before is not None else None
            doc = _merge_table(diff, current, scraped, page.source)
            for row in scraped.rows:
                for name in VOCABULARY_FIELDS:
                    value = row.get(name)
                    if value is not None and value not in known[name]:
                        diff.new_values.append(
                            {"table": table, "model": row["model"], "field": name, "value": value}
                        )
                        known[name].add(value)
            validate(TABLE, doc, path)
            text = yamlio.dumps(doc)
            if text != before:
                outputs[path] = text
    # A table that vanished from the pages it came from (and no page now gives): every row
    # is a removal.
    read = {page.page for page in pages}
    for path, old in existing.items():
        if old["source"]["page"] in read and path.stem not in claimed:
            diff.removed += [removal(path.stem, row) for row in old["rows"]]
            deletions.append(path)
    if diff.removes and not allow_removals:
        raise RemovalRefused(diff.refusal(), diff)
    if not dry_run:
        diff.written += _write(catalog_dir, outputs, deletions, texts)
    return diff


def _write(
    catalog_dir: Path,
    outputs: Mapping[Path, str],
    deletions: list[Path],
    read: Mapping[Path, str],
) -> list[str]:
    """Write every changed table and delete the vanished ones, after every check has passed,
    as one transaction: a crash leaves all of them or none. Each file must still hold the
    text this run `read` (None: absent), or nothing is written. Returns the paths touched."""
    ops = [
        transaction.Op(path.name, text.encode(), _encoded(read.get(path)))
        for path, text in sorted(outputs.items())
    ]
    ops += [transaction.Op(path.name, None, _encoded(read.get(path))) for path in deletions]
    transaction.commit(catalog_dir, ops)
    return [str(path) for path in sorted(outputs)] + [str(path) for path in deletions]


def _encoded(text: str | None) -> bytes | None:
    # read_text decoded the file strictly, so encoding gives back its bytes exactly.
    return None if text is None else text.encode()
