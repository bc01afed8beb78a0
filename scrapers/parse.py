"""Turn a docs page into typed table rows, reading markdown-it-py's token stream.

Every table must sit under a declared heading and every header cell must be in the alias
table; each cell is normalised by one rule per field type (`scrapers.cells`). Anything else
raises `ScrapeError` naming the file, the table, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from catalog.tables import (
    CATEGORY_PATTERN,
    COLUMN_ALIASES,
    NA_MARKER,
    SERVERLESS_PARENT,
    SERVERLESS_SUFFIX,
    SPEC_BY_SECTION,
    TableSpec,
    serverless_spec_for,
)
from scrapers.cells import (
    MAX_COUNT,
    Cell,
    ScrapeError,
    cell_count,
    cell_text,
    inline_text,
    invisible,
    normalise_cell,
)
from scrapers.scraped import ScrapedPage, ScrapedTable

__all__ = [
    "MAX_COUNT",
    "MAX_PAGE_BYTES",
    "Cell",
    "ScrapeError",
    "ScrapedPage",
    "ScrapedTable",
    "cell_text",
    "normalise_cell",
    "parse_file",
    "parse_text",
]

#: Pages larger than this are refused before parsing; the real ones are under 50 KiB.
MAX_PAGE_BYTES = 2 * 1024 * 1024

_META = re.compile(r"<!--\s*(source|snapshot):\s*(.*?)\s*-->")
# A table tag in an HTML block, or a comment (to step over; unterminated, it runs to the end).
_HTML_TABLE_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)|<(/?(?:table|caption|colgroup|col|thead|tbody|tfoot|tr|th|td))(?=[\s/>])",
    re.IGNORECASE | re.DOTALL,
)
_DELIMITER = re.compile(r":?-+:?")  # a separator row's cell
#: A byte order mark opening the page is an encoding mark, not text; anywhere else in a cell
#: or header, U+FEFF is refused as invisible.
_BOM = "\ufeff"
_SNAPSHOT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# markdown-it's own line breaks (str.splitlines also splits on U+2028, U+0085, form feed...).
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _markdown() -> MarkdownIt:
    # text_join is off so that escaped characters and entities stay separate `text_special`
    # tokens: an escaped `\*` is part of a value, only a bare trailing `*` is a footnote mark.
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("text_join")


def _too_large(path: Path) -> ScrapeError:
    return ScrapeError(f"{path}: page is larger than {MAX_PAGE_BYTES} bytes; refusing to parse")


def parse_text(text: str, path: Path) -> ScrapedPage:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PAGE_BYTES:
        raise _too_large(path)
    return _parse(text, path)


def parse_file(path: Path) -> ScrapedPage:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScrapeError(f"{path}: {exc.strerror}") from None
    if len(raw) > MAX_PAGE_BYTES:
        raise _too_large(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScrapeError(f"{path}:{line}: not UTF-8 ({exc.reason})") from None
    return _parse(text, path)  # its size is checked above, on the bytes


def _parse(text: str, path: Path) -> ScrapedPage:
    """`parse_text` once the page's size has been checked."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScrapeError(f"{path}:{line}: NUL character in the page")
    return _PageReader(text.removeprefix(_BOM), path).read()


def _line(token: Token) -> int:
    """The 1-based line a block token starts on."""
    return (token.map or [0])[0] + 1


@dataclass
class _Row:
    """A table row as tokens: the line it starts on and its cells' inline tokens."""

    line: int
    cells: list[Token]


class _PageReader:
    """One walk over a page's tokens and the state kept between them: `read` hands each
    block to its step, and `_finish` makes the checks that need the whole page."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = _NEWLINE.split(text)
        self.tokens = _markdown().parse(text)
        self.source: dict[str, str] = {}
        self.headings: dict[int, str] = {}  # level -> text of the open heading at that level
        self.seen_sections: dict[str, int] = {}  # section -> line of its table
        self.declared: dict[str, int] = {}  # known section heading -> its first line
        self.tables: list[ScrapedTable] = []

    def read(self) -> ScrapedPage:
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "html_block":
                self._html_block(tok)
            elif tok.type == "heading_open":
                self._heading(tok, tokens[i + 1])
            elif tok.type == "paragraph_open":
                self._paragraph(tok, tokens[i + 1])
            elif tok.type == "table_open":
                i = self._table(i)
            i += 1
        return self._finish()

    def _html_block(self, tok: Token) -> None:
        """Metadata comments (`<!-- source: URL -->`, `<!-- snapshot: DATE -->`); an HTML
        table where a catalog table belongs is refused, other HTML is prose."""
        for key, value in _META.findall(tok.content):
            name = "url" if key == "source" else key
            if self.source.get(name, value) != value:
                raise ScrapeError(
                    f"{self.path}:{_line(tok)}: a second {key} ({value!r}) "
                    f"contradicts {self.source[name]!r}"
                )
            self.source[name] = value
        self._no_html_table(tok)

    def _no_html_table(self, tok: Token) -> None:
        """Refuse table markup in an HTML block under a table's heading: a known section, or
        one a markdown table has already sat under. Silently skipped, its rows would be lost."""
        section = _nearest(self.headings)
        if section not in SPEC_BY_SECTION and section not in self.seen_sections:
            return
        for found in _HTML_TABLE_TAG.finditer(tok.content):
            if found.group(1) is not None:
                offset = len(_NEWLINE.findall(tok.content, 0, found.start()))
                raise ScrapeError(
                    f"{self.path}:{_line(tok) + offset}: table {section!r}: HTML table markup "
                    f"<{found.group(1)}>; only markdown tables are read"
                )

    def _heading(self, tok: Token, inline: Token) -> None:
        level = int(tok.tag[1:])
        title = inline_text(inline, f"{self.path}:{_line(tok)}")
        self.headings = {lv: t for lv, t in self.headings.items() if lv < level}
        self.headings[level] = title
        if title in SPEC_BY_SECTION:
            self.declared.setdefault(title, _line(tok))

    def _paragraph(self, tok: Token, inline: Token) -> None:
        """Table-looking lines markdown-it did not take as a table: the separator row is
        missing, or its cells do not match the header's."""
        for offset, text_line in enumerate(_NEWLINE.split(inline.content)):
            row_text = text_line.strip()
            if row_text.startswith("|") and row_text.endswith("|") and row_text.count("|") >= 3:
                raise ScrapeError(
                    f"{self.path}:{_line(tok) + offset}: a table without a separator row "
                    f"(| --- |) under {_nearest(self.headings)!r}, or with one that does not "
                    "match its header"
                )

    def _table(self, start: int) -> int:
        """Read the table that opens at tokens[start]; the index of its table_close."""
        table = self._table_open(self.tokens[start])
        end, rows = _table_rows(self.tokens, start)
        header, *body = rows  # markdown-it always writes the header row, first
        self._header_row(table, [cell.content for cell in header.cells])
        for row in body:
            self._body_row(table, row)
        self.tables.append(table)
        return end

    def _table_open(self, tok: Token) -> ScrapedTable:
        line = _line(tok)
        if not self.headings:
            raise ScrapeError(f"{self.path}:{line}: a table with no heading above it")
        if tok.level > 0:
            raise ScrapeError(
                f"{self.path}:{line}: table {_nearest(self.headings)!r} sits inside a list or "
                "blockquote; tables must be top-level"
            )
        section = _nearest(self.headings)
        where = f"{self.path}:{line}: table {section!r}"
        parents = [self.headings[lv] for lv in sorted(self.headings)][:-1]
        spec = _spec_for(section, parents, where)
        if section in self.seen_sections:
            raise ScrapeError(
                f"{where}: a second table under this heading "
                f"(the first is at line {self.seen_sections[section]})"
            )
        self.seen_sections[section] = line
        return ScrapedTable(spec, self.path.stem, line, [], [])

    def _header_row(self, table: ScrapedTable, cells: list[str]) -> None:
        where = f"{self.path}:{table.line}: table {table.spec.section!r}, header"
        fields: list[str] = []
        for index, raw in enumerate(cells, start=1):
            header = raw.strip()
            bad = invisible(raw)
            if bad is not None:
                raise ScrapeError(
                    f"{where}, column {index} {header!r}: invisible or control character {bad}"
                )
            name = COLUMN_ALIASES.get(header)
            if name is None:
                raise ScrapeError(f"{where}, column {index} {header!r}: unknown column")
            if name in fields:
                raise ScrapeError(
                    f"{where}, column {index} {header!r}: repeats field {name!r} "
                    f"(column {fields.index(name) + 1})"
                )
            fields.append(name)
        if "model" not in fields:
            raise ScrapeError(f"{where}: no model id column")
        table.headers = [c.strip() for c in cells]
        table.fields = fields

    def _body_row(self, table: ScrapedTable, row: _Row) -> None:
        number = len(table.rows) + 1
        where_row = f"{self.path}:{row.line}: table {table.spec.section!r}, row {number}"
        found = cell_count(self.lines[row.line - 1])
        if found != len(table.fields):
            raise ScrapeError(f"{where_row}: {found} cells, but the header has {len(table.fields)}")
        copied = _copied_row(row.cells, table.fields)
        if copied is not None:
            raise ScrapeError(
                f"{where_row}: repeats the {copied} row; a table has one header row and one "
                "separator row, at its top"
            )
        values: dict[str, Any] = {}
        marks: list[str] = []
        spelled_na: list[str] = []
        for name, header, token in zip(table.fields, table.headers, row.cells, strict=True):
            where = f"{where_row}, column {header!r}"
            text, marked = cell_text(token, where)
            value = normalise_cell(text, name, where)
            values[name] = value
            if marked:
                marks.append(name)
            if value is None and text == NA_MARKER:
                spelled_na.append(name)
        model = values["model"]
        if model in table.models:
            raise ScrapeError(f"{where_row}, column 'model': duplicate model id {model!r}")
        table.models.add(model)
        ordered: dict[str, Any] = {"model": model}
        ordered.update((k, v) for k, v in values.items() if k != "model")
        if marks:
            ordered["footnotes"] = marks
        if spelled_na:
            ordered["na"] = spelled_na
        table.rows.append(ordered)

    def _finish(self) -> ScrapedPage:
        """The checks that need the whole page: every known heading has its table, and the
        snapshot date is a real date."""
        for section, line in self.declared.items():
            if section not in self.seen_sections:
                raise ScrapeError(f"{self.path}:{line}: heading {section!r} has no table under it")
        snapshot = self.source.get("snapshot")
        if snapshot is not None and not _is_date(snapshot):
            raise ScrapeError(f"{self.path}: snapshot date {snapshot!r} is not YYYY-MM-DD")
        return ScrapedPage(self.path, self.path.stem, self.source, self.tables)


def _table_rows(tokens: list[Token], start: int) -> tuple[int, list[_Row]]:
    """The rows of the table that opens at tokens[start], header row first, and the index of
    its table_close. Inside a table every inline token is a cell's."""
    rows: list[_Row] = []
    i = start + 1
    while i < len(tokens) and tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            rows.append(_Row(_line(tok), []))
        elif tok.type == "inline":
            rows[-1].cells.append(tok)
        i += 1
    return i, rows


def _copied_row(cells: list[Token], fields: list[str]) -> str | None:
    """Which row a body row copies, if any: the header (each cell spells its column's
    header) or the separator (each cell is a `---` delimiter)."""
    pairs = list(zip(cells, fields, strict=True))
    if all(COLUMN_ALIASES.get(cell.content) == name for cell, name in pairs):
        return "header"
    if all(_DELIMITER.fullmatch(cell.content) for cell, _ in pairs):
        return "separator"
    return None


def _spec_for(section: str, parents: list[str], where: str) -> TableSpec:
    spec = SPEC_BY_SECTION.get(section)
    if spec is not None:
        return spec
    if SERVERLESS_PARENT in parents and section.endswith(SERVERLESS_SUFFIX):
        spec = serverless_spec_for(section)
        if CATEGORY_PATTERN.fullmatch(spec.category or "") is None:
            raise ScrapeError(
                f"{where}: a new serverless category needs a plain name "
                f"(letters, digits, spaces, hyphens), got {section!r}"
            )
        return spec
    raise ScrapeError(f"{where}: table under an unrecognised heading {section!r}")


def _is_date(text: str) -> bool:
    if _SNAPSHOT_DATE.fullmatch(text) is None:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _nearest(headings: dict[int, str]) -> str:
    return headings[max(headings)] if headings else "(no heading)"
