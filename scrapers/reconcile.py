"""Merge scraped tables into catalog/*.yaml, in place, reporting every difference.

Rows are matched by model id. Cells the scraper owns (the table's columns and footnote
marks) are updated in place, so comments, key order and hand-written `note:` fields
survive. Rows that vanished from the docs are removed only when the caller allows it.
Nothing is written unless every file merges and validates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from codegen import yamlio
from codegen.load import CatalogError, table_files, validate
from codegen.models import Table
from scrapers.parse import ScrapedPage, ScrapedTable, ScrapeError

SCHEMA_COMMENT = "yaml-language-server: $schema=schema/table.schema.json"
#: Vocabularies Together owns; a value not seen before is reported, not rejected.
VOCABULARY_FIELDS = ("organization", "quantization")
#: Row keys the scraper owns besides the table's columns.
OWNED_EXTRA = ("footnotes",)


@dataclass
class Report:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    new_values: list[dict[str, Any]] = field(default_factory=list)
    new_tables: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.new_tables)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "new_values": self.new_values,
            "new_tables": self.new_tables,
            "written": self.written,
        }

    def lines(self) -> list[str]:
        out = [f"new table {t}" for t in self.new_tables]
        out += [f"+ {a['table']}: {a['model']}" for a in self.added]
        out += [f"- {r['table']}: {r['model']}" for r in self.removed]
        out += [
            f"~ {c['table']}: {c['model']}: {c['field']}: {c['old']!r} -> {c['new']!r}"
            for c in self.changed
        ]
        out += [
            f"? {v['table']}: {v['model']}: new {v['field']} value {v['value']!r}"
            for v in self.new_values
        ]
        if not out:
            out.append("catalog is up to date")
        return out


class RemovalRefused(Exception):
    """Rows would be removed and the caller did not pass --allow-removals."""


def _plain(value: Any) -> Any:
    if isinstance(value, CommentedSeq):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _flow(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _new_doc(scraped: ScrapedTable, source: dict[str, str]) -> CommentedMap:
    doc = CommentedMap()
    doc["table"] = scraped.spec.table
    doc["kind"] = scraped.spec.kind
    if scraped.spec.method is not None:
        doc["method"] = scraped.spec.method
    if scraped.spec.category is not None:
        doc["category"] = scraped.spec.category
    doc["source"] = CommentedMap()
    doc["columns"] = CommentedSeq()
    doc["rows"] = CommentedSeq()
    doc.yaml_set_start_comment(
        f"{SCHEMA_COMMENT}\n"
        f"{scraped.spec.section}: rows come from `python -m scrapers reconcile`.\n"
        "Comments and hand-written `note:` fields are kept across reconciles."
    )
    return doc


def _set(report: Report, table: str, model: str, target: CommentedMap, key: str, new: Any) -> None:
    """Set one owned cell, recording the change when the value differs."""
    if key in target:
        old = _plain(target[key])
        if old == _plain(new):
            return
        report.changed.append(
            {"table": table, "model": model, "field": key, "old": old, "new": _plain(new)}
        )
        target[key] = new
    else:
        target[key] = new


def _row_map(row: dict[str, Any]) -> CommentedMap:
    out = CommentedMap()
    for key, value in row.items():
        out[key] = _flow(list(value)) if isinstance(value, list) else value
    return out


def _merge_rows(
    report: Report, table: str, seq: CommentedSeq, scraped: ScrapedTable, allow_removals: bool
) -> None:
    wanted = [r["model"] for r in scraped.rows]
    wanted_set = set(wanted)
    owned = [*scraped.fields, *OWNED_EXTRA]
    # Removals first, from the end so indices stay valid.
    for index in range(len(seq) - 1, -1, -1):
        model = seq[index].get("model")
        if model not in wanted_set:
            report.removed.append({"table": table, "model": model})
            if allow_removals:
                del seq[index]
    position = {row.get("model"): i for i, row in enumerate(seq)}
    for index, row in enumerate(scraped.rows):
        model = row["model"]
        if model in position:
            current = position[model]
            if current != index:
                item = seq.pop(current)
                seq.insert(index, item)
                position = {r.get("model"): i for i, r in enumerate(seq)}
            target: CommentedMap = seq[index]
            for key in owned:
                if key in row:
                    value = row[key]
                    _set(
                        report,
                        table,
                        model,
                        target,
                        key,
                        _flow(value) if isinstance(value, list) else value,
                    )
                elif key in target:
                    report.changed.append(
                        {
                            "table": table,
                            "model": model,
                            "field": key,
                            "old": _plain(target[key]),
                            "new": None,
                        }
                    )
                    del target[key]
        else:
            report.added.append({"table": table, "model": model})
            seq.insert(index, _row_map(row))
            position = {r.get("model"): i for i, r in enumerate(seq)}


def _merge_table(
    report: Report,
    doc: CommentedMap | None,
    scraped: ScrapedTable,
    source: dict[str, str],
    allow_removals: bool,
) -> CommentedMap:
    table = scraped.spec.table
    if doc is None:
        report.new_tables.append(table)
        doc = _new_doc(scraped, source)
    meta = CommentedMap()
    meta["url"] = source["url"]
    meta["page"] = scraped.page
    meta["section"] = scraped.spec.section
    meta["snapshot"] = dt.date.fromisoformat(source["snapshot"])
    src = doc["source"]
    for key, value in meta.items():
        _set(report, table, "(source)", src, key, value)
    pairs = zip(scraped.fields, scraped.headers, strict=True)
    columns = [{"field": f, "header": h} for f, h in pairs]
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
    _merge_rows(report, table, doc["rows"], scraped, allow_removals)
    return doc


def _known_values(catalog_dir: Path) -> dict[str, set[Any]]:
    known: dict[str, set[Any]] = {f: set() for f in VOCABULARY_FIELDS}
    for path in table_files(catalog_dir):
        try:
            doc = yamlio.load(path)
        except yamlio.YamlError as exc:
            raise CatalogError(str(exc)) from None
        for row in doc.get("rows") or []:
            for name in VOCABULARY_FIELDS:
                if row.get(name) is not None:
                    known[name].add(row[name])
    return known


def reconcile(
    pages: list[ScrapedPage],
    catalog_dir: Path,
    *,
    dry_run: bool = False,
    allow_removals: bool = False,
) -> Report:
    """Merge `pages` into `catalog_dir`; raises RemovalRefused, ScrapeError or CatalogError."""
    report = Report()
    known = _known_values(catalog_dir)
    outputs: dict[Path, str] = {}
    deletions: list[Path] = []
    for page in pages:
        missing = [k for k in ("url", "snapshot") if k not in page.source]
        if missing:
            raise ScrapeError(
                f"{page.path}:1: the page does not record its {' and '.join(missing)} "
                "(<!-- source: URL --> / <!-- snapshot: YYYY-MM-DD -->)"
            )
        scraped_names = {t.spec.table for t in page.tables}
        for scraped in page.tables:
            path = catalog_dir / f"{scraped.spec.table}.yaml"
            doc = yamlio.load(path) if path.exists() else None
            before = yamlio.dumps(doc) if doc is not None else None
            doc = _merge_table(report, doc, scraped, page.source, allow_removals)
            for row in scraped.rows:
                for name in VOCABULARY_FIELDS:
                    value = row.get(name)
                    if value is not None and value not in known[name]:
                        report.new_values.append(
                            {
                                "table": scraped.spec.table,
                                "model": row["model"],
                                "field": name,
                                "value": value,
                            }
                        )
                        known[name].add(value)
            _validate_doc(doc, path)
            text = yamlio.dumps(doc)
            if text != before:
                outputs[path] = text
        # A table that vanished from a page it used to be on: every row is a removal.
        for path in table_files(catalog_dir):
            doc = yamlio.load(path)
            if doc.get("source", {}).get("page") == page.page and path.stem not in scraped_names:
                for row in doc.get("rows") or []:
                    report.removed.append({"table": path.stem, "model": row.get("model")})
                deletions.append(path)
    if report.removed and not allow_removals:
        raise RemovalRefused(
            f"{len(report.removed)} row(s) would be removed "
            f"({', '.join(r['table'] + ': ' + str(r['model']) for r in report.removed[:5])}"
            f"{', …' if len(report.removed) > 5 else ''}); "
            "rerun with --allow-removals to accept"
        )
    if not dry_run:
        for path, text in sorted(outputs.items()):
            yamlio.atomic_write(path, text)
            report.written.append(str(path))
        for path in deletions:
            path.unlink()
            report.written.append(str(path))
    return report


def _validate_doc(doc: CommentedMap, path: Path) -> None:
    from pydantic import TypeAdapter

    validate(TypeAdapter(Table), doc, path)
