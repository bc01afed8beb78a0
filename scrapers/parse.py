"""Turn a docs page into typed table rows, reading markdown-it-py's token stream.

Every table must sit under a declared heading (any case, or a declared alias) and every
header cell must name a declared column of that table's kind; each cell is read by its
column's cell type (`scrapers.cells`). The page's wrappers (front matter, provenance lines,
MDX elements) are followed by `scrapers.wrappers`. Anything else raises `ScrapeError`
naming the file, the line, the table, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from catalog.tables import (
    CATEGORY_PATTERN,
    SERVERLESS_PARENT,
    SERVERLESS_SUFFIX,
    TableSpec,
    serverless_spec_for,
    spec_for_heading,
)
from scrapers.cells import (
    MAX_COUNT,
    Cell,
    ScrapeError,
    cell_text,
    inline_text,
    normalise_cell,
    read_header,
    read_row,
    table_rows,
)
from scrapers.scraped import PageOutline, ScrapedPage, ScrapedTable
from scrapers.wrappers import MdxTracker, find_front_matter, page_url, source_line_url

__all__ = [
    "MAX_COUNT",
    "MAX_PAGE_BYTES",
    "Cell",
    "ScrapeError",
    "ScrapedPage",
    "ScrapedTable",
    "cell_text",
    "decode_page",
    "is_date",
    "normalise_cell",
    "parse_file",
    "parse_text",
    "read_page",
]

#: Pages larger than this are refused before parsing; the real ones are under 50 KiB.
MAX_PAGE_BYTES = 2 * 1024 * 1024
#: Code blocks markdown-it misread inside HTML that one page may have read again.
MAX_REREADS = 1000

_META = re.compile(r"<!--\s*(source|snapshot|approximate):\s*(.*?)\s*-->")
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
# A table tag in an HTML block, or a comment (to step over; unterminated, it runs to the end).
_HTML_TABLE_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)|<(/?(?:table|caption|colgroup|col|thead|tbody|tfoot|tr|th|td))(?=[\s/>])",
    re.IGNORECASE | re.DOTALL,
)
#: A byte order mark opening the page is an encoding mark, not text; anywhere else in a cell
#: or header, U+FEFF is refused as invisible.
_BOM = "\ufeff"
_SNAPSHOT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# markdown-it's own line breaks (str.splitlines also splits on U+2028, U+0085, form feed...).
_NEWLINE = re.compile(r"\r\n|\r|\n")
#: Blocks that are code: prose, or inside HTML the markdown markdown-it did not see.
_CODE = {"fence", "code_block"}


def _markdown() -> MarkdownIt:
    # text_join is off so that escapes and entities stay separate `text_special` tokens: an
    # escaped `\*` is a footnote mark like a bare one, an entity `&#42;` is data.
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("text_join")


def _too_large(path: Path) -> ScrapeError:
    return ScrapeError(f"{path}: page is larger than {MAX_PAGE_BYTES} bytes; refusing to parse")


def parse_text(text: str, path: Path) -> ScrapedPage:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PAGE_BYTES:
        raise _too_large(path)
    return _parse(text, path)


def parse_file(path: Path) -> ScrapedPage:
    return _parse(read_page(path), path)  # its size is checked on the bytes


def read_page(path: Path) -> str:
    """A page file's text, within the size limit and UTF-8 (ScrapeError otherwise)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScrapeError(f"{path}: {exc.strerror}") from None
    if len(raw) > MAX_PAGE_BYTES:
        raise _too_large(path)
    return decode_page(raw, path)


def decode_page(raw: bytes, path: Path) -> str:
    """A page file's text, or ScrapeError naming the line of its first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScrapeError(f"{path}:{line}: not UTF-8 ({exc.reason})") from None


def _parse(text: str, path: Path) -> ScrapedPage:
    """`parse_text` once the page's size has been checked."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScrapeError(f"{path}:{line}: NUL character in the page")
    return _PageReader(text.removeprefix(_BOM), path).read()


def page_name(path: Path) -> str:
    """The page a file holds: its stem, or for a dated snapshot (`<page>/<date>.md`) its
    folder's name."""
    if _SNAPSHOT_DATE.fullmatch(path.stem) and path.parent.name:
        return path.parent.name
    return path.stem


def _line(token: Token) -> int:
    """The 1-based line a block token starts on."""
    return (token.map or [0])[0] + 1


@dataclass(frozen=True)
class _Heading:
    title: str
    first: int  # 0-based lines [first, end) of its source
    end: int


class _PageReader:
    """One walk over a page's tokens and the state kept between them: `read` hands each
    block to its step, and `_finish` makes the checks that need the whole page."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = _NEWLINE.split(text)
        self.outline = PageOutline()
        front = find_front_matter(self.lines)
        self.page_urls: list[tuple[str, int]] = []  # URLs the page's own lines give, by line
        if front is not None:
            self.outline.front_source = front.source
            if front.source is not None:
                self.page_urls.append((front.source, front.source_line))
            for index in range(front.first, front.last + 1):
                self.lines[index] = ""  # markdown-it sees blank lines; numbering is kept
        self.mdx = MdxTracker(path)
        self.source: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.headings: dict[int, _Heading] = {}  # level -> the open heading at that level
        self.seen: dict[str, tuple[int, str]] = {}  # catalog table -> (line, heading)
        self.tables: list[ScrapedTable] = []
        self.started = False  # a block other than comments has been read
        self.title: _Heading | None = None  # the h1 just read, for a `Source:` line under it
        self.rereads = 0

    def read(self) -> ScrapedPage:
        frames = [(_markdown().parse("\n".join(self.lines)), 0)]
        while frames:
            tokens, i = frames.pop()
            while i < len(tokens):
                tok = tokens[i]
                title = None
                if tok.level == 0 and tok.nesting >= 0:  # a top-level block starts
                    title, self.title = self.title, None
                if tok.type == "html_block":
                    self._html_block(tok)
                elif tok.type in _CODE:
                    again = self._code(tok)
                    if again is not None:
                        frames += [(tokens, i + 1), again]
                        break
                elif tok.type == "heading_open":
                    self._heading(tok, tokens[i + 1])
                elif tok.type == "paragraph_open":
                    self._paragraph(tok, tokens[i + 1], title)
                elif tok.type == "inline" and not self.mdx.fence:
                    for child in tok.children or []:
                        if child.type == "html_inline":
                            self.mdx.inline(child.content, _line(tok))
                elif tok.type == "table_open":
                    i = self._table(tokens, i)
                if tok.level == 0 and tok.nesting >= 0 and tok.type != "html_block":
                    self.started = True
                i += 1
        return self._finish()

    def _html_block(self, tok: Token) -> None:
        """Metadata comments (`<!-- source: URL -->`, `<!-- snapshot: DATE -->`,
        `<!-- approximate: HOW -->`) and MDX tags; an HTML table where a catalog table
        belongs is refused, other HTML is prose."""
        for key, value in _META.findall(tok.content):
            name = "url" if key == "source" else key
            if self.source.get(name, value) != value:
                raise ScrapeError(
                    f"{self.path}:{_line(tok)}: a second {key} ({value!r}) "
                    f"contradicts {self.source[name]!r}"
                )
            self.source[name] = value
            self.meta_lines.setdefault(name, _line(tok))
            self.outline.comments.append((key, value))
        if _COMMENTS.sub("", tok.content).strip():
            self.started = True  # more than comments
        if not self.mdx.inside:
            self._no_html_table(tok)
        self.mdx.html(tok.content.removesuffix("\n"), _line(tok))

    def _no_html_table(self, tok: Token) -> None:
        """Refuse table markup in an HTML block under a table's heading: a known section, or
        one a markdown table has already sat under. Silently skipped, its rows would be lost."""
        section = _nearest(self.headings)
        seen = {heading for _, heading in self.seen.values()}
        if spec_for_heading(section) is None and section not in seen:
            return
        for found in _HTML_TABLE_TAG.finditer(tok.content):
            if found.group(1) is not None:
                offset = len(_NEWLINE.findall(tok.content, 0, found.start()))
                raise ScrapeError(
                    f"{self.path}:{_line(tok) + offset}: table {section!r}: HTML table markup "
                    f"<{found.group(1)}>; only markdown tables are read"
                )

    def _code(self, tok: Token) -> tuple[list[Token], int] | None:
        """A code block is prose, unless an HTML block left a fence open: then its first line
        that closes that fence ends the code, and what follows is markdown to read again."""
        if self.mdx.fence is None or tok.map is None:
            return None
        first, end = tok.map
        closed = self.mdx.fence_closed_at(self.lines, first, end)
        if closed is None or closed + 1 >= end:
            return None
        self.rereads += 1
        if self.rereads > MAX_REREADS:
            raise ScrapeError(f"{self.path}:{_line(tok)}: too many code fences inside HTML")
        tokens = _markdown().parse("\n".join(self.lines[closed + 1 : end]))
        for token in tokens:
            if token.map is not None:
                token.map = [token.map[0] + closed + 1, token.map[1] + closed + 1]
        return tokens, 0

    def _heading(self, tok: Token, inline: Token) -> None:
        """A section heading, unless it is inside a blockquote, a list or an MDX element; a
        mirror's `# Source: URL` first line is provenance."""
        if tok.level > 0 or self.mdx.inside or tok.map is None:
            return
        level = int(tok.tag[1:])
        title = inline_text(inline, f"{self.path}:{_line(tok)}")
        heading = _Heading(title, tok.map[0], tok.map[1])
        url = source_line_url(title) if level == 1 and not self.started else None
        if url is not None:
            self.page_urls.append((url, _line(tok)))
            self.outline.blocks[heading.first] = f"# Source: {url}"
            return
        self.headings = {lv: h for lv, h in self.headings.items() if lv < level}
        self.headings[level] = heading
        self.title = heading if level == 1 else None

    def _paragraph(self, tok: Token, inline: Token, title: _Heading | None) -> None:
        """The `Source: URL` line under a page title; table-looking lines markdown-it did not
        take as a table (the separator row is missing, or does not match the header)."""
        if self.mdx.fence is not None:
            return  # code, in the docs' own reading
        url = source_line_url(inline.content) if "\n" not in inline.content else None
        if url is not None and title is not None and tok.map is not None:
            self.page_urls.append((url, _line(tok)))
            self._keep(title.first, title.end)
            self.outline.blocks[tok.map[0]] = f"Source: {url}"
            return
        for offset, text_line in enumerate(_NEWLINE.split(inline.content)):
            row_text = text_line.strip()
            if row_text.startswith("|") and row_text.endswith("|") and row_text.count("|") >= 3:
                raise ScrapeError(
                    f"{self.path}:{_line(tok) + offset}: a table without a separator row "
                    f"(| --- |) under {_nearest(self.headings)!r}, or with one that does not "
                    "match its header"
                )

    def _table(self, tokens: list[Token], start: int) -> int:
        """Read the table that opens at tokens[start]; the index of its table_close."""
        table = self._table_open(tokens[start])
        end, rows = table_rows(tokens, start)
        header, *body = rows  # markdown-it always writes the header row, first
        read_header(table, [cell.content for cell in header.cells], f"{self.path}:{table.line}")
        for row in body:
            read_row(table, row, self.lines[row.line - 1], f"{self.path}:{row.line}")
        self.tables.append(table)
        for heading in self.headings.values():
            self._keep(heading.first, heading.end)
        self._keep(*(tokens[start].map or [0, 0]))
        return end

    def _table_open(self, tok: Token) -> ScrapedTable:
        line = _line(tok)
        section = _nearest(self.headings)
        if self.mdx.inside:
            raise ScrapeError(
                f"{self.path}:{line}: a markdown table inside {self.mdx.container()}; tables "
                "are read only outside HTML and MDX elements"
            )
        if not self.headings:
            raise ScrapeError(f"{self.path}:{line}: a table with no heading above it")
        if tok.level > 0:
            raise ScrapeError(
                f"{self.path}:{line}: table {section!r} sits inside a list or "
                "blockquote; tables must be top-level"
            )
        where = f"{self.path}:{line}: table {section!r}"
        parents = [self.headings[lv].title for lv in sorted(self.headings)][:-1]
        spec = _spec_for(section, parents, where)
        if spec.table in self.seen:
            first, heading = self.seen[spec.table]
            if heading == section:
                raise ScrapeError(
                    f"{where}: a second table under this heading (the first is at line {first})"
                )
            raise ScrapeError(
                f"{where}: a second {spec.table} table (the first is under {heading!r} at "
                f"line {first})"
            )
        self.seen[spec.table] = (line, section)
        return ScrapedTable(spec, page_name(self.path), line, [], [], heading=section)

    def _keep(self, first: int, end: int) -> None:
        """Record source lines the scraper used, for the page's outline."""
        self.outline.blocks[first] = "\n".join(self.lines[first:end])

    def _finish(self) -> ScrapedPage:
        """The checks that need the whole page: every MDX element is closed, the snapshot
        date is a real date, and the page's own URLs agree with the recorded source."""
        self.mdx.finish()
        snapshot = self.source.get("snapshot")
        if snapshot is not None and not is_date(snapshot):
            raise ScrapeError(f"{self.path}: snapshot date {snapshot!r} is not YYYY-MM-DD")
        if "approximate" in self.source and snapshot is None:
            raise ScrapeError(
                f"{self.path}:{self.meta_lines['approximate']}: <!-- approximate --> says how "
                "a snapshot date was estimated, but the page gives none (<!-- snapshot -->)"
            )
        for url, line in self.page_urls:
            known = self.source.setdefault("url", page_url(url))
            if page_url(known) != page_url(url):
                raise ScrapeError(
                    f"{self.path}:{line}: the page's source {url!r} contradicts {known!r}"
                )
        keys = ("url", "snapshot", "approximate")
        source: dict[str, str] = {k: self.source[k] for k in keys if k in self.source}
        return ScrapedPage(self.path, page_name(self.path), source, self.tables, self.outline)


def _spec_for(section: str, parents: list[str], where: str) -> TableSpec:
    spec = spec_for_heading(section)
    if spec is not None:
        return spec
    under_parent = any(p.casefold() == SERVERLESS_PARENT.casefold() for p in parents)
    if under_parent and section.casefold().endswith(SERVERLESS_SUFFIX.casefold()):
        spec = serverless_spec_for(section)
        if CATEGORY_PATTERN.fullmatch(spec.category or "") is None:
            raise ScrapeError(
                f"{where}: a new serverless category needs a plain name "
                f"(letters, digits, spaces, hyphens), got {section!r}"
            )
        return spec
    raise ScrapeError(f"{where}: table under an unrecognised heading {section!r}")


def is_date(text: str) -> bool:
    """Whether `text` is a real date written YYYY-MM-DD."""
    if _SNAPSHOT_DATE.fullmatch(text) is None:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _nearest(headings: dict[int, _Heading]) -> str:
    return headings[max(headings)].title if headings else "(no heading)"
