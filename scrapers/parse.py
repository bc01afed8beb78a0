"""Turn a docs page into typed table rows, reading markdown-it-py's token stream.

Every table must sit under a declared heading and every header cell must be in the alias
table; each cell is normalised by one rule per field type. Anything else raises
`ScrapeError` naming the file, the table, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from catalog.tables import (
    CATEGORY_PATTERN,
    COLUMN_ALIASES,
    FOOTNOTE_MARKER,
    INTEGER_FIELDS,
    NA_MARKER,
    NONE_MARKERS,
    SERVERLESS_PARENT,
    SERVERLESS_SUFFIX,
    SPEC_BY_SECTION,
    TableSpec,
    serverless_spec_for,
)

#: Pages larger than this are refused before parsing; the real ones are under 50 KiB.
MAX_PAGE_BYTES = 2 * 1024 * 1024
#: Upper bound for any count in a table (context lengths, batch sizes, dimensions).
MAX_COUNT = 100_000_000

_INTEGER = re.compile(r"0|[1-9][0-9]*")
_UNIT_SUFFIXED = re.compile(r"[0-9][0-9.,]*\s*[A-Za-z]+")
_META = re.compile(r"<!--\s*(source|snapshot):\s*(.*?)\s*-->")
_SNAPSHOT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# markdown-it's own line breaks (str.splitlines also splits on U+2028, U+0085, form feed...).
_NEWLINE = re.compile(r"\r\n|\r|\n")

Cell = str | int | None


class ScrapeError(Exception):
    """Input the scraper does not understand. The CLI prints it on one line and exits 2."""


@dataclass
class ScrapedTable:
    spec: TableSpec
    page: str
    line: int  # 1-based line of the table's header row
    headers: list[str]
    fields: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    models: set[str] = field(default_factory=set)

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
class ScrapedPage:
    path: Path
    page: str
    source: dict[str, str]  # url, snapshot (ISO date) when the page records them
    tables: list[ScrapedTable]

    def to_json(self) -> list[dict[str, Any]]:
        return [t.to_json(self.source) for t in self.tables]


def _markdown() -> MarkdownIt:
    # text_join is off so that escaped characters and entities stay separate `text_special`
    # tokens: an escaped `\*` is part of a value, only a bare trailing `*` is a footnote mark.
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("text_join")


def _invisible(text: str) -> str | None:
    """The first character a reader cannot see (control, zero-width, bidi), if any."""
    for ch in text:
        if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}:
            return f"U+{ord(ch):04X}"
    return None


def _inline_parts(token: Token, where: str) -> list[tuple[str, bool]]:
    """Pieces of an inline's plain text, each flagged when it is literal (escaped, an entity,
    or code): backticks and links unwrapped, emphasis dropped, escapes resolved."""
    parts: list[tuple[str, bool]] = []
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            parts.append((child.content, False))
        elif kind in {"text_special", "code_inline"}:
            parts.append((child.content, True))
        elif kind in {"softbreak", "hardbreak"}:
            parts.append((" ", False))
        elif kind in {
            "link_open",
            "link_close",
            "em_open",
            "em_close",
            "strong_open",
            "strong_close",
        }:
            continue
        elif kind in {"html_inline", "image"}:
            raise ScrapeError(f"{where}: HTML or images are not data: {token.content!r}")
        else:
            raise ScrapeError(f"{where}: unsupported markup {kind!r} in {token.content!r}")
    return parts


def _inline_text(token: Token, where: str) -> str:
    return "".join(part for part, _ in _inline_parts(token, where)).strip()


def cell_text(token: Token, where: str) -> tuple[str, bool]:
    """A cell's trimmed text and whether it ends in a footnote marker.

    The marker is a bare trailing `*`; an escaped `\\*`, an entity or a `*` inside a code
    span is part of the value. Control and invisible characters are refused before trimming,
    so none is ever dropped silently.
    """
    parts = _inline_parts(token, where)
    text = "".join(part for part, _ in parts)
    bad = _invisible(text)
    if bad is not None:
        raise ScrapeError(f"{where}: invisible or control character {bad} in {text!r}")
    marked = False
    for part, literal in reversed(parts):
        if part.strip():
            marked = not literal and part.rstrip().endswith(FOOTNOTE_MARKER)
            break
    text = text.strip()
    if marked:
        text = text[: -len(FOOTNOTE_MARKER)].rstrip()
    return text, marked


def normalise_cell(text: str, field_name: str, where: str) -> Cell:
    """One cell's value, from its trimmed text with any footnote marker removed."""
    if text == "":
        raise ScrapeError(f"{where}: empty cell (the docs write N/A or - for no value)")
    if text in NONE_MARKERS:
        if field_name == "model":
            raise ScrapeError(f"{where}: a model id is required, got {text!r}")
        return None
    if field_name not in INTEGER_FIELDS:
        return text
    if _INTEGER.fullmatch(text) is None:
        if text.startswith("-") and _INTEGER.fullmatch(text[1:]):
            raise ScrapeError(f"{where}: negative number {text!r}")
        if _UNIT_SUFFIXED.fullmatch(text):
            raise ScrapeError(
                f"{where}: unit-suffixed number {text!r} is ambiguous (K = 1000 or 1024?); "
                "the docs must give the exact count"
            )
        raise ScrapeError(f"{where}: not a whole number: {text!r}")
    value = int(text)
    if value > MAX_COUNT:
        raise ScrapeError(f"{where}: {value} is beyond any plausible limit ({MAX_COUNT})")
    return value


def _cell_count(line: str) -> int:
    """How many cells GFM sees in a row line, before it pads or truncates to the header."""
    cells = escapedSplit(line.strip())
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return len(cells)


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


def _too_large(path: Path) -> ScrapeError:
    return ScrapeError(f"{path}: page is larger than {MAX_PAGE_BYTES} bytes; refusing to parse")


def parse_text(text: str, path: Path) -> ScrapedPage:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PAGE_BYTES:
        raise _too_large(path)
    return _parse(text, path)


def _parse(text: str, path: Path) -> ScrapedPage:
    """`parse_text` once the page's size has been checked."""
    page = path.stem
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScrapeError(f"{path}:{line}: NUL character in the page")
    lines = _NEWLINE.split(text)
    tokens = _markdown().parse(text)
    source: dict[str, str] = {}
    headings: dict[int, str] = {}  # level -> text of the open heading at that level
    current: ScrapedTable | None = None
    seen_sections: dict[str, int] = {}
    declared: dict[str, int] = {}  # known section heading -> its first line
    tables: list[ScrapedTable] = []
    in_head = False
    header_cells: list[str] = []
    row_line = 0
    row_tokens: list[Token] | None = None  # the cells of the body row being read, if any

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "html_block":
            for key, value in _META.findall(tok.content):
                name = "url" if key == "source" else key
                if source.get(name, value) != value:
                    line = (tok.map or [0])[0] + 1
                    raise ScrapeError(
                        f"{path}:{line}: a second {key} ({value!r}) contradicts {source[name]!r}"
                    )
                source[name] = value
        elif tok.type == "heading_open":
            level = int(tok.tag[1:])
            where = f"{path}:{(tok.map or [0])[0] + 1}"
            title = _inline_text(tokens[i + 1], where)
            headings = {lv: t for lv, t in headings.items() if lv < level}
            headings[level] = title
            if title in SPEC_BY_SECTION:
                declared.setdefault(title, (tok.map or [0])[0] + 1)
            i += 2
        elif tok.type == "paragraph_open":
            # Table-looking lines markdown-it did not take as a table: the separator row is
            # missing, or its cells do not match the header's.
            for offset, text_line in enumerate(_NEWLINE.split(tokens[i + 1].content)):
                row_text = text_line.strip()
                if row_text.startswith("|") and row_text.endswith("|") and row_text.count("|") >= 3:
                    line = (tok.map or [0])[0] + 1 + offset
                    raise ScrapeError(
                        f"{path}:{line}: a table without a separator row (| --- |) under "
                        f"{_nearest(headings)!r}, or with one that does not match its header"
                    )
        elif tok.type == "table_open":
            line = (tok.map or [0])[0] + 1
            if not headings:
                raise ScrapeError(f"{path}:{line}: a table with no heading above it")
            if tok.level > 0:
                raise ScrapeError(
                    f"{path}:{line}: table {_nearest(headings)!r} sits inside a list or "
                    "blockquote; tables must be top-level"
                )
            section = _nearest(headings)
            where = f"{path}:{line}: table {section!r}"
            spec = _spec_for(section, [headings[lv] for lv in sorted(headings)][:-1], where)
            if section in seen_sections:
                raise ScrapeError(
                    f"{where}: a second table under this heading "
                    f"(the first is at line {seen_sections[section]})"
                )
            seen_sections[section] = line
            current = ScrapedTable(spec, page, line, [], [])
            header_cells = []
        elif tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
            assert current is not None
            _set_header(current, header_cells, path)
        elif tok.type == "tr_open" and not in_head:
            row_tokens = []
            row_line = (tok.map or [0])[0] + 1
        elif (
            tok.type == "inline"
            and current is not None
            and tokens[i - 1].type in {"th_open", "td_open"}
        ):
            if in_head:
                header_cells.append(tok.content)
            else:
                assert row_tokens is not None
                row_tokens.append(tok)
        elif (
            tok.type == "tr_close"
            and not in_head
            and current is not None
            and row_tokens is not None
        ):
            _add_row(current, row_tokens, lines[row_line - 1], row_line, path)
            row_tokens = None
        elif tok.type == "table_close" and current is not None:
            tables.append(current)
            current = None
        i += 1

    for section, line in declared.items():
        if section not in seen_sections:
            raise ScrapeError(f"{path}:{line}: heading {section!r} has no table under it")
    if "snapshot" in source and not _is_date(source["snapshot"]):
        raise ScrapeError(f"{path}: snapshot date {source['snapshot']!r} is not YYYY-MM-DD")
    return ScrapedPage(path, page, source, tables)


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


def _set_header(table: ScrapedTable, cells: list[str], path: Path) -> None:
    where = f"{path}:{table.line}: table {table.spec.section!r}, header"
    fields: list[str] = []
    for index, raw in enumerate(cells, start=1):
        header = raw.strip()
        bad = _invisible(raw)
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


def _add_row(
    table: ScrapedTable, cells: list[Token], line_text: str, line: int, path: Path
) -> None:
    number = len(table.rows) + 1
    where_row = f"{path}:{line}: table {table.spec.section!r}, row {number}"
    found = _cell_count(line_text)
    if found != len(table.fields):
        raise ScrapeError(f"{where_row}: {found} cells, but the header has {len(table.fields)}")
    row: dict[str, Any] = {}
    marks: list[str] = []
    spelled_na: list[str] = []
    for name, header, token in zip(table.fields, table.headers, cells, strict=True):
        where = f"{where_row}, column {header!r}"
        text, marked = cell_text(token, where)
        value = normalise_cell(text, name, where)
        row[name] = value
        if marked:
            marks.append(name)
        if value is None and text == NA_MARKER:
            spelled_na.append(name)
    model = row["model"]
    if model in table.models:
        raise ScrapeError(f"{where_row}, column 'model': duplicate model id {model!r}")
    table.models.add(model)
    ordered: dict[str, Any] = {"model": model}
    ordered.update((k, v) for k, v in row.items() if k != "model")
    if marks:
        ordered["footnotes"] = marks
    if spelled_na:
        ordered["na"] = spelled_na
    table.rows.append(ordered)


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
