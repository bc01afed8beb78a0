"""What the scraper returns: a page's source record and its tables, each with its columns
and typed rows, and their JSON form (`python -m scrapers parse --json`); and the page's
outline, what it read besides the rows (for `scrapers.reduce`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.tables import TableSpec


@dataclass
class ScrapedTable:
    spec: TableSpec
    page: str
    line: int  # 1-based line of the table's header row
    headers: list[str]
    fields: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    models: set[str] = field(default_factory=set)
    #: The heading as the page spells it ("Chat models"); spec.section is the declared one.
    heading: str = ""

    @property
    def where(self) -> str:
        """The table in messages: its heading as the page spells it."""
        return f"table {(self.heading or self.spec.section)!r}"

    @property
    def columns(self) -> list[dict[str, str]]:
        """The table's `columns:` entries, {field, header} in page order."""
        pairs = zip(self.fields, self.headers, strict=True)
        return [{"field": f, "header": h} for f, h in pairs]

    def kind_fields(self) -> dict[str, str]:
        """`kind`, and `method` and `category` when the table has them, in file order."""
        spec = self.spec
        out: dict[str, str] = {"kind": spec.kind}
        if spec.method is not None:
            out["method"] = spec.method
        if spec.category is not None:
            out["category"] = spec.category
        return out

    def source_meta(self, source: Mapping[str, str]) -> dict[str, str]:
        """The table's `source:` entries: what the page records (url, snapshot), its page
        and its section."""
        return {**source, "page": self.page, "section": self.spec.section}

    def to_json(self, source: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.spec.table, "section": self.spec.section}
        out.update(self.kind_fields())
        out["source"] = self.source_meta(source)
        out["columns"] = self.columns
        out["rows"] = self.rows
        return out


@dataclass
class PageOutline:
    """What the scraper read of a page besides the cells: the provenance comments in page
    order, the front matter's `source:`, and the source lines of each block it used (the
    provenance lines, every heading above a table, the tables), by 0-based first line."""

    comments: list[tuple[str, str]] = field(default_factory=list)  # (key, value)
    front_source: str | None = None
    blocks: dict[int, str] = field(default_factory=dict)


@dataclass
class ScrapedPage:
    path: Path
    page: str
    #: url, snapshot (ISO date) and approximate (how an undated page's date was estimated),
    #: when the page records them.
    source: dict[str, str]
    tables: list[ScrapedTable]
    outline: PageOutline = field(default_factory=PageOutline)

    def to_json(self) -> list[dict[str, Any]]:
        return [t.to_json(self.source) for t in self.tables]
