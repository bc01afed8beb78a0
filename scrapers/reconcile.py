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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from catalog import yamlio
from catalog.load import TABLE, CatalogError, load_doc, table_files, validate
from catalog.tables import TABLES
from scrapers.parse import ScrapedPage, ScrapedTable, ScrapeError

SCHEMA_COMMENT = "yaml-language-server: $schema=schema/table.schema.json"
#: Vocabularies Together owns; a value not seen before is reported, not rejected.
VOCABULARY_FIELDS = ("organization", "quantization")
#: Row keys the scraper owns besides the table's columns.
OWNED_EXTRA = ("footnotes", "na")
#: A table's `source:` keys, in file order.
SOURCE_KEYS = ("url", "page", "section", "snapshot")


@dataclass
class Report:
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


class RemovalRefused(Exception):
    """Rows or non-null cells would be removed and the caller did not pass --allow-removals;
    nothing was written. `report` is the full diff the run would have applied."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


def _plain(value: Any) -> Any:
    if isinstance(value, CommentedSeq):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def flow(items: list[Any]) -> CommentedSeq:
    """A YAML list written inline (`[a, b]`), as catalog rows hold their lists."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


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
    report: Report, table: str, model: str, target: CommentedMap, key: str, new: Any, owned: Any
) -> None:
    """Set one owned cell, recording the change when the value differs (a key the row did
    not have is a change from None)."""
    old = _plain(target[key]) if key in target else None
    if key in target and old == _plain(new):
        return
    report.changed.append(
        {"table": table, "model": model, "field": key, "old": old, "new": _plain(new)}
    )
    if key in target:
        target[key] = new
    else:
        _add_key(target, key, new, owned)


def _row_map(row: dict[str, Any]) -> CommentedMap:
    out = CommentedMap()
    for key, value in row.items():
        out[key] = flow(list(value)) if isinstance(value, list) else value
    return out


# --- keeping comments where they belong ------------------------------------------------------
# ruamel keeps the full-line comments that follow a mapping entry on that entry's comment
# token, after its end-of-line comment. A comment line describes the row or key below it, so
# when the entry above it is removed, or a new entry is added after it, that "tail" is handed
# to the entry that now precedes the same text.


def _split(text: str) -> tuple[str, str]:
    """(end-of-line comment, following full-line comments) of a comment token's text."""
    if text.startswith("#"):
        eol, _, rest = text.partition("\n")
        return eol, rest
    return "", text[1:] if text.startswith("\n") else text


def _take_comment(mapping: CommentedMap, key: Any) -> str:
    """Detach the full-line comments that follow `key` (its end-of-line comment stays)."""
    entry = mapping.ca.items.get(key)
    if not entry or len(entry) < 3 or entry[2] is None:
        return ""
    eol, rest = _split(entry[2].value)
    if eol:
        entry[2].value = eol + "\n"
    else:
        entry[2] = None
    return rest


def _give_comment(mapping: CommentedMap, key: Any, rest: str) -> None:
    """Attach full-line comments after `key`, replacing any it had."""
    if not rest:
        return
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    eol = _split(entry[2].value)[0] if entry[2] is not None else ""
    entry[2] = CommentToken(eol + "\n" + rest, CommentMark(0), None)


def _take_tail(node: Any) -> str:
    """The comments that follow a row (they sit after its last key)."""
    if isinstance(node, CommentedMap) and node:
        return _take_comment(node, next(reversed(node)))
    return ""


def _give_tail(node: Any, rest: str) -> None:
    if isinstance(node, CommentedMap) and node:
        _give_comment(node, next(reversed(node)), rest)


def _add_key(target: CommentedMap, key: str, value: Any, owned: Any) -> None:
    """Add an owned key before the hand-written ones (`note:`); the comments that were
    above the key now after it stay above that key."""
    keys = list(target)
    at = next((i for i, k in enumerate(keys) if k not in owned), len(keys))
    displaced = _take_comment(target, keys[at - 1]) if at > 0 else ""
    target.insert(at, key, value)
    _give_comment(target, key, displaced)


def _del_key(target: CommentedMap, key: str) -> None:
    """Remove a key; the comments above the key after it stay above that key."""
    keys = list(target)
    at = keys.index(key)
    rest = _take_comment(target, key)
    del target[key]
    if at > 0:
        _take_comment(target, keys[at - 1])  # it described the removed key
        _give_comment(target, keys[at - 1], rest)


def _take_head(doc: CommentedMap) -> str:
    """The comment lines between `rows:` and the first row, in tail form (indented lines)."""
    entry = doc.ca.items.get("rows")
    tokens = entry[3] if entry and len(entry) > 3 else None
    if not tokens:
        return ""
    entry[3] = None
    doc["rows"].ca.comment = None  # ruamel keeps a copy there
    head: str = " " * tokens[0].column + "".join(t.value for t in tokens)
    return head


def _give_head(doc: CommentedMap, rest: str) -> None:
    if not rest:
        return
    text = rest.lstrip(" ")
    entry = doc.ca.items.setdefault("rows", [None, None, None, None])
    entry[3] = [CommentToken(text, CommentMark(len(rest) - len(text)), None)]


def _normalise_comments(doc: CommentedMap) -> None:
    """Move comments ruamel filed as "before item i" (it does so after a flow-style value)
    to the tail of item i - 1 (or the head of the rows), where the functions above look."""
    seq: CommentedSeq = doc["rows"]
    for index in sorted(seq.ca.items):
        entry = seq.ca.items[index]
        tokens = entry[1] if len(entry) > 1 else None
        if not tokens or index >= len(seq):
            continue
        entry[1] = None
        if not any(entry):
            del seq.ca.items[index]
        text = "".join(" " * t.column + t.value if t.value.strip() else t.value for t in tokens)
        if index > 0:
            _give_tail(seq[index - 1], _take_tail(seq[index - 1]) + text)
        else:
            _give_head(doc, _take_head(doc) + text)


def _seq_delete(doc: CommentedMap, index: int) -> tuple[Any, str]:
    """Remove a row: the comments above the next row stay above it. Returns the row and the
    comments that were above it."""
    seq = doc["rows"]
    item = seq[index]
    tail = _take_tail(item)
    del seq[index]
    if index > 0:
        before = _take_tail(seq[index - 1])
        _give_tail(seq[index - 1], tail)
    else:
        before = _take_head(doc)
        _give_head(doc, tail)
    return item, before


def _seq_insert(doc: CommentedMap, index: int, item: Any, before: str = "") -> None:
    """Insert a row with the comments to put above it; the comments above the row it
    displaces stay above that row."""
    seq = doc["rows"]
    displaced = _take_tail(seq[index - 1]) if index > 0 else _take_head(doc)
    seq.insert(index, item)
    _give_tail(item, displaced)
    if index > 0:
        _give_tail(seq[index - 1], before)
    else:
        _give_head(doc, before)


def _removal(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A removed row for the report; a hand-written note it carried is shown, not lost quietly."""
    entry = {"table": table, "model": row.get("model")}
    if row.get("note") is not None:
        entry["note"] = row["note"]
    return entry


def _merge_rows(
    report: Report,
    table: str,
    doc: CommentedMap,
    scraped: ScrapedTable,
    old_fields: list[str],
) -> None:
    seq: CommentedSeq = doc["rows"]
    _normalise_comments(doc)
    wanted = {r["model"] for r in scraped.rows}
    # Cells of dropped columns are owned too: they go with their column, and a non-null one
    # is a removal (data the docs no longer state), refused unless the caller allows it.
    owned = _owned_keys(scraped.fields, old_fields)
    dropped = set(old_fields) - set(scraped.fields)
    # Removals first (from the end, so indices stay valid). They are made even when the
    # caller will refuse them, so the report is complete; a refused run writes nothing.
    gone = [i for i, row in enumerate(seq) if row.get("model") not in wanted]
    report.removed += [_removal(table, seq[i]) for i in gone]
    for index in reversed(gone):
        _seq_delete(doc, index)  # the comments above it go with it
    # Index of each existing row; `shift` counts rows inserted since it was built, which
    # pushed every row not yet placed one step down. Rebuilding it after each insertion
    # made reconciling into a large empty table quadratic.
    position = {row.get("model"): i for i, row in enumerate(seq)}
    shift = 0
    for index, row in enumerate(scraped.rows):
        model = row["model"]
        if model not in position:
            report.added.append({"table": table, "model": model})
            _seq_insert(doc, index, _row_map(row))
            shift += 1
            continue
        current = position[model] + shift
        if current != index:
            report.moved.append({"table": table, "model": model, "old": current, "new": index})
            _seq_insert(doc, index, *_seq_delete(doc, current))
            position = {r.get("model"): i for i, r in enumerate(seq)}
            shift = 0
        target: CommentedMap = seq[index]
        for key in owned:
            if key in row:
                value = row[key]
                new = flow(value) if isinstance(value, list) else value
                _set(report, table, model, target, key, new, owned)
            elif key in target:
                old = _plain(target[key])
                report.changed.append(
                    {"table": table, "model": model, "field": key, "old": old, "new": None}
                )
                if key in dropped and old is not None:
                    report.cells_removed.append(
                        {"table": table, "model": model, "field": key, "old": old}
                    )
                _del_key(target, key)


def _merge_table(
    report: Report,
    doc: CommentedMap | None,
    scraped: ScrapedTable,
    source: dict[str, str],
) -> CommentedMap:
    table = scraped.spec.table
    meta = CommentedMap(_source(scraped, source))
    meta["snapshot"] = dt.date.fromisoformat(meta["snapshot"])
    if doc is None:
        report.new_tables.append(table)
        if scraped.spec.category is not None and scraped.spec not in TABLES:
            report.new_values.append(
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
        _set(report, table, "(source)", src, key, value, meta)
    columns = scraped.columns
    current_columns = [{"field": c["field"], "header": c["header"]} for c in doc["columns"]]
    if current_columns != columns:
        if current_columns:
            report.changed.append(
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
    _merge_rows(report, table, doc, scraped, old_fields)
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


def _refusal(report: Report) -> str:
    parts = []
    if report.removed:
        shown = ", ".join(f"{r['table']}: {r['model']}" for r in report.removed[:5])
        more = ", …" if len(report.removed) > 5 else ""
        parts.append(f"{len(report.removed)} row(s) would be removed ({shown}{more})")
    if report.cells_removed:
        columns: dict[str, int] = {}
        for c in report.cells_removed:
            name = f"{c['table']}: {c['field']}"
            columns[name] = columns.get(name, 0) + 1
        shown = ", ".join(f"{name} ({count})" for name, count in columns.items())
        parts.append(
            f"{len(report.cells_removed)} non-null value(s) of dropped column(s) would be "
            f"removed ({shown})"
        )
    return "; ".join(parts) + "; rerun with --allow-removals to accept"


def reconcile(
    pages: list[ScrapedPage],
    catalog_dir: Path,
    *,
    dry_run: bool = False,
    allow_removals: bool = False,
) -> Report:
    """Merge `pages` into `catalog_dir`; raises RemovalRefused, ScrapeError or CatalogError.

    Every input is checked and every output validated before the first write; each file is
    replaced atomically.
    """
    report = Report()
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
            doc = _merge_table(report, current, scraped, page.source)
            for row in scraped.rows:
                for name in VOCABULARY_FIELDS:
                    value = row.get(name)
                    if value is not None and value not in known[name]:
                        report.new_values.append(
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
            report.removed += [_removal(path.stem, row) for row in old["rows"]]
            deletions.append(path)
    if (report.removed or report.cells_removed) and not allow_removals:
        raise RemovalRefused(_refusal(report), report)
    if not dry_run:
        for path, text in sorted(outputs.items()):
            yamlio.atomic_write(path, text)
            report.written.append(str(path))
        for path in deletions:
            path.unlink()
            report.written.append(str(path))
    return report
