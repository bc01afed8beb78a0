"""The catalog reshaped for the templates: plain values in the order each output needs.

Nothing here formats text; the templates do, through the escaping filters in render.py.
Everything is ordered either as the docs publish it or sorted, so that output never
depends on dict or set iteration order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog.columns import COLUMN_BY_FIELD, value_columns
from catalog.contents import Catalog
from catalog.models import FineTuneTable, LoraBaseTable, ServerlessTable, Table
from catalog.pages import PAGES
from codegen.records import RecordClass, column_fields, display_columns, record_classes
from codegen.render import NONE_DASH, NONE_NA, RenderError, camel

#: Data-module constant for each fine-tuning method (fixed by the runtime contract).
FINETUNE_CONSTANTS = {"lora": "LORA", "full": "FULL", "lora_long_context": "LORA_LONG_CONTEXT"}
#: Literal alias for each fine-tuning method's ids.
FINETUNE_ALIASES = {
    "lora": "LoraModelId",
    "full": "FullModelId",
    "lora_long_context": "LongContextLoraModelId",
}
#: Row fields each kind of record copies from the catalog (from catalog/columns.py).
FINETUNE_FIELDS = column_fields("finetune")
SERVERLESS_FIELDS = column_fields("serverless")
LORA_BASE_FIELDS = column_fields("serverless_lora_base")


@dataclass(frozen=True)
class Record:
    """One constructor call in the data module: its mapping key, class and keyword values."""

    key: str
    cls: str
    fields: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class IdFamily:
    name: str
    doc: str
    members: tuple[str, ...]
    #: For a family that is the union of others: their names (members are then derived).
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping_:
    """A named read-only mapping of records (one per table)."""

    name: str
    value_type: str
    records: tuple[Record, ...]
    doc: str


@dataclass
class PythonContext:
    finetune: list[Mapping_] = field(default_factory=list)
    serverless: list[tuple[str, Mapping_]] = field(default_factory=list)  # (category, map)
    lora_bases: Mapping_ | None = None
    tables: list[Record] = field(default_factory=list)
    families: list[IdFamily] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    #: The record classes and the columns the CLI tabulates, from the column declarations.
    records: tuple[RecordClass, ...] = field(default_factory=record_classes)
    finetune_columns: tuple[tuple[str, str], ...] = display_columns("finetune")
    serverless_columns: tuple[tuple[str, str], ...] = display_columns("serverless")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _extras(row: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if row.footnotes:
        out.append(("footnotes", tuple(row.footnotes)))
    if row.note is not None:
        out.append(("note", row.note))
    return out


def _finetune_records(table: FineTuneTable) -> tuple[Record, ...]:
    return tuple(
        Record(
            row.model,
            "FineTuneLimits",
            (
                ("model", row.model),
                ("method", table.method),
                *((name, getattr(row, name)) for name in FINETUNE_FIELDS),
                *_extras(row),
            ),
        )
        for row in table.rows
    )


def _serverless_records(table: ServerlessTable, endpoint: str | None) -> tuple[Record, ...]:
    return tuple(
        Record(
            row.model,
            "ServerlessModel",
            (
                ("model", row.model),
                ("category", table.category),
                *((name, getattr(row, name)) for name in SERVERLESS_FIELDS),
                ("endpoint", endpoint),
                *_extras(row),
            ),
        )
        for row in table.rows
    )


def _lora_base_records(table: LoraBaseTable) -> tuple[Record, ...]:
    return tuple(
        Record(
            row.model,
            "LoraBase",
            (
                ("model", row.model),
                *((n, getattr(row, n)) for n in LORA_BASE_FIELDS),
                *_extras(row),
            ),
        )
        for row in table.rows
    )


def _table_info(table: Table) -> Record:
    return Record(
        table.table,
        "TableInfo",
        (
            ("table", table.table),
            ("kind", table.kind),
            ("section", table.source.section),
            ("url", table.source.url),
            ("page", table.source.page),
            ("snapshot", table.source.snapshot.isoformat()),
            ("columns", tuple((c.field, c.header) for c in table.columns)),
            ("method", getattr(table, "method", None)),
            ("category", getattr(table, "category", None)),
            ("row_count", len(table.rows)),
        ),
    )


def serving_aliases(catalog: Catalog) -> dict[str, str]:
    """catalog/aliases.yaml `serving_variants` (none when the file is absent)."""
    return dict(catalog.aliases.serving_variants)


def waivers(catalog: Catalog) -> list[dict[str, Any]]:
    """catalog/waivers.yaml entries as plain dicts (none when the file is absent)."""
    return [waiver.model_dump(mode="json") for waiver in catalog.waivers.waivers]


def python_context(catalog: Catalog) -> PythonContext:
    ctx = PythonContext()
    notes = catalog.notes
    by_method: dict[str, tuple[Record, ...]] = {m: () for m in FINETUNE_CONSTANTS}
    serverless_ids: list[str] = []
    for table in catalog.tables.values():
        if isinstance(table, FineTuneTable):
            by_method[table.method] = by_method[table.method] + _finetune_records(table)
        elif isinstance(table, ServerlessTable):
            cat = notes.categories.get(table.category)
            endpoint = cat.endpoint if cat is not None else None
            name = "_SERVERLESS_" + table.category.upper().replace("-", "_")
            records = _serverless_records(table, endpoint)
            doc = f"{table.source.section}: model id -> record, in docs order."
            mapping = Mapping_(name, "ServerlessModel", records, doc)
            ctx.serverless.append((table.category, mapping))
            members = _unique(r.model for r in table.rows)
            alias = camel(table.category) + "ModelId"
            ctx.families.append(IdFamily(alias, f"Serverless {table.category} model ids.", members))
            serverless_ids.extend(members)
        else:
            records = _lora_base_records(table)
            doc = "Serverless LoRA base models: model id -> record, in docs order."
            ctx.lora_bases = Mapping_("LORA_BASES", "LoraBase", records, doc)
        ctx.tables.append(_table_info(table))
    finetune_families: list[IdFamily] = []
    for method, const in FINETUNE_CONSTANTS.items():
        records = by_method[method]
        doc = f"Fine-tuning limits, method {method}: model id -> limits, in docs order."
        ctx.finetune.append(Mapping_(const, "FineTuneLimits", records, doc))
        members = _unique(r.key for r in records)
        finetune_families.append(
            IdFamily(FINETUNE_ALIASES[method], f"Ids in the {method} fine-tuning table.", members)
        )
    every_finetune = _unique(m for fam in finetune_families for m in fam.members)
    serverless_families = ctx.families
    ctx.families = [
        *finetune_families,
        IdFamily(
            "FineTunableModelId",
            "Every id in any fine-tuning table.",
            every_finetune,
            tuple(f.name for f in finetune_families),
        ),
        *serverless_families,
        IdFamily(
            "ServerlessModelId",
            "Every serverless model id.",
            _unique(serverless_ids),
            tuple(f.name for f in serverless_families),
        ),
        IdFamily(
            "ServerlessLoraBaseId",
            "Serverless LoRA base model ids.",
            tuple(r.key for r in ctx.lora_bases.records) if ctx.lora_bases else (),
        ),
    ]
    if ctx.lora_bases is None:
        ctx.lora_bases = Mapping_("LORA_BASES", "LoraBase", (), "No LoRA base table.")
    legend = notes.quantization_legend
    ctx.notes = {
        "gradient_batch": notes.gradient_accumulation.batch_size,
        "gradient_steps": notes.gradient_accumulation.steps,
        "lora_only_models": _unique(notes.lora_only_long_context.models),
        "lora_only_min": notes.lora_only_long_context.min_context,
        "lora_only_max": notes.lora_only_long_context.max_context,
        "contact_prefixes": _unique(p for c in notes.contact_only for p in c.model_prefixes),
        "recommended": [
            (cat, note.recommended)
            for cat, note in notes.categories.items()
            if note.recommended is not None
        ],
        "endpoints": [
            (cat, note.endpoint) for cat, note in notes.categories.items() if note.endpoint
        ],
        "quantization_markers": [(m.name_contains, m.quantization) for m in legend.markers],
        "quantization_default": legend.default,
        "image_prefix": notes.image_pricing.model_prefix,
        "image_excluded": _unique(notes.image_pricing.excluded),
        "megapixel_divisor": notes.image_pricing.megapixel_divisor,
        "rate_limits": [(r.model, (r.limit, r.unit, r.per)) for r in notes.rate_limits],
        "access_tiers": [(a.model, a.minimum_tier) for a in notes.access_tiers],
        "reduced_limits": [(r.model, r.paid_equivalent) for r in notes.reduced_limits],
        "turbo_error": notes.serverless_lora.turbo_error,
        "serving_aliases": list(serving_aliases(catalog).items()),
        # Not from notes.yaml: what the runtime's price lookups and capability filters read,
        # from the column declarations (the data template takes them with the notes).
        "price_columns": [
            (c.field, c.unit) for c in value_columns("serverless") if c.cell in ("price", "rate")
        ],
        "flag_columns": [c.field for c in value_columns("serverless") if c.cell == "flag"],
    }
    return ctx


# --- docs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: str | int | None
    marked: bool
    none: str


@dataclass(frozen=True)
class DocTable:
    level: int | None  # heading level of its section; None when it sits under the page title
    section: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class DocPage:
    name: str
    url: str
    snapshot: str
    headings: tuple[tuple[int, str], ...]
    tables: tuple[DocTable, ...]
    approximate: str | None = None  # how an undated page's as-of was estimated


def _na_fields(row: Any) -> frozenset[str]:
    """The empty cells the docs spelt "N/A" rather than "-" (every row's `na`)."""
    return frozenset(row.na)


def _doc_table(table: Table, level: int | None) -> DocTable:
    rows = []
    for row in table.rows:
        na = _na_fields(row)
        rows.append(
            tuple(
                Cell(
                    COLUMN_BY_FIELD[c.field].published(getattr(row, c.field)),
                    c.field in row.footnotes,
                    NONE_NA if c.field in na else NONE_DASH,
                )
                for c in table.columns
            )
        )
    return DocTable(
        level, table.source.section, tuple(c.header for c in table.columns), tuple(rows)
    )


def published_tables(catalog: Catalog) -> dict[str, list[Table]]:
    """Each page's tables as its newest snapshot publishes them, in catalog order.

    A table the newest version of its page no longer has (the long-context table in 2026)
    keeps the source of the last snapshot that had it, and only retired rows: it is history,
    not part of the page the docs reproduce. One that still has current rows is not.
    """
    grouped: dict[str, list[Table]] = {}
    for table in catalog.tables.values():
        grouped.setdefault(table.source.page, []).append(table)
    out: dict[str, list[Table]] = {}
    for name, tables in grouped.items():
        newest = max(t.source.snapshot for t in tables)
        for table in tables:
            if table.source.snapshot < newest and table.rows:
                raise RenderError(
                    f"table {table.table}: {len(table.rows)} current rows from "
                    f"{table.source.snapshot}, older than its page's {newest}"
                )
        out[name] = [t for t in tables if t.source.snapshot == newest]
    return out


def doc_pages(catalog: Catalog) -> list[DocPage]:
    grouped = published_tables(catalog)
    pages = []
    for name, tables in grouped.items():
        layout = PAGES.get(name)
        if layout is None:
            raise RenderError(
                f"docs page {name!r} (table {tables[0].table}) has no layout in codegen/pages.py"
            )
        sources = {(t.source.url, t.source.snapshot) for t in tables}
        if len(sources) != 1:
            raise RenderError(f"docs page {name!r}: its tables disagree on url or snapshot")
        doc_tables = []
        for table in tables:
            under_title = (
                layout.table_level == len(layout.headings)
                and table.source.section == layout.headings[-1]
            )
            doc_tables.append(_doc_table(table, None if under_title else layout.table_level))
        first = tables[0].source
        pages.append(
            DocPage(
                name,
                first.url,
                first.snapshot.isoformat(),
                tuple((level, text) for level, text in enumerate(layout.headings, start=1)),
                tuple(doc_tables),
                first.approximate,
            )
        )
    return pages


@dataclass(frozen=True)
class IndexEntry:
    model: str
    tables: tuple[tuple[str, str, str], ...]  # (section, table id, page)


def model_index(catalog: Catalog) -> list[IndexEntry]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    for table in catalog.tables.values():
        for row in table.rows:
            found.setdefault(row.model, []).append(
                (table.source.section, table.table, table.source.page)
            )
    return [
        IndexEntry(model, tuple(found[model]))
        for model in sorted(found, key=lambda m: (m.casefold(), m))
    ]
