"""What wraps the tables on a published docs page, read around markdown-it's view of it.

- YAML front matter at the top (after any comment lines), which mirrors add: blanked before
  parsing (line numbers kept); its `source:` is the page's URL.
- Provenance lines: a mirror's `# Source: URL` first line, and the `Source: URL` line under a
  page title (sections of the docs' llms-full.txt).
- MDX elements (`<Note>`, `<Columns>`, `<AgentInstructions>`, any capitalised tag). The docs
  are MDX, not CommonMark: markdown-it splits such an element at blank lines into html_block
  tokens with ordinary paragraphs and headings between them, so `MdxTracker` follows the tags
  through every piece of HTML it is shown and tells the reader when a block sits inside one.
  It also follows the code fences an HTML block opens (markdown-it does not look inside it), so
  that the fence's closing line, which markdown-it takes for an opening one, is known for what
  it is and the markdown it would swallow can be read again.

Everything here fails with a located `ScrapeError` rather than guess: an unterminated comment,
an element never closed (or closed out of order), a markdown table hidden inside HTML.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from scrapers.cells import ScrapeError

#: A line that is one whole HTML comment (the provenance comments, a mirror's note).
_COMMENT_LINE = re.compile(r"[ \t]*<!--.*?-->[ \t]*")
_FRONT_FENCE = re.compile(r"---[ \t]*")
_FRONT_END = re.compile(r"(?:---|\.\.\.)[ \t]*")
#: Lines YAML front matter is made of: `key: value`, indented continuations, list items.
_FRONT_LINE = re.compile(r"[A-Za-z_][\w.-]*[ \t]*:(?:[ \t].*)?|[ \t]+\S.*|-[ \t].*|[ \t]*")
_FRONT_SOURCE = re.compile(r"source[ \t]*:[ \t]*(.*?)[ \t]*")
#: `Source: URL`, as a mirror's first heading or the line under an llms-full page title;
#: a remark may follow the URL (`(section "..."), as stored in ...`).
_SOURCE_LINE = re.compile(r"Source:[ \t]+(https?://[^\s,()<>]+)(?:[\s,(].*)?")

#: An MDX element's tag: a capitalised name (`Card`, `Tabs.Tab`); HTML's own are lowercase.
_TAG = re.compile(r"<(/?)([A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?=[\s/>])")
_TICKS = re.compile(r"`+")
_ANY_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9_.-]*)")
_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
_DELIMITER_ROW = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
#: How far a tag's attributes are followed before it is taken for text (bounds the work).
_MAX_TAG = 10_000


@dataclass(frozen=True, slots=True)
class FrontMatter:
    first: int  # 0-based index of the opening `---`
    last: int  # 0-based index of the closing `---`
    source: str | None  # its `source:` value, quotes removed
    source_line: int  # 1-based line of `source:`


def find_front_matter(lines: list[str]) -> FrontMatter | None:
    """YAML front matter opening the page (only blank and comment lines before it)."""
    first = 0
    while first < len(lines) and (
        not lines[first].strip() or _COMMENT_LINE.fullmatch(lines[first])
    ):
        first += 1
    if first == len(lines) or not _FRONT_FENCE.fullmatch(lines[first]):
        return None
    source: str | None = None
    source_line = 0
    for index in range(first + 1, len(lines)):
        line = lines[index]
        if _FRONT_END.fullmatch(line):
            return FrontMatter(first, index, source, source_line)
        if not _FRONT_LINE.fullmatch(line):
            return None  # markdown, not YAML: the `---` is a thematic break
        found = _FRONT_SOURCE.fullmatch(line)
        if found and source is None:
            source = found[1].strip("\"'") or None
            source_line = index + 1
    return None


def source_line_url(text: str) -> str | None:
    """The URL of a `Source: URL` provenance line, if the text is one."""
    found = _SOURCE_LINE.fullmatch(text.strip())
    return found[1] if found else None


def page_url(url: str) -> str:
    """The docs page a URL names: anchors and the markdown export's `.md` suffix dropped."""
    return url.split("#", 1)[0].removesuffix(".md")


@dataclass(frozen=True, slots=True)
class Opened:
    """An MDX element or a code fence, and the line it opens on."""

    name: str  # the element's name, or the fence's marker (```, ~~~~)
    line: int


class MdxTracker:
    """Open MDX elements and the code fence an HTML block left open, across a page's tokens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.open: list[Opened] = []
        self.fence: Opened | None = None

    @property
    def inside(self) -> bool:
        """Whether the current block is prose of an element (or code a fence holds)."""
        return bool(self.open) or self.fence is not None

    def container(self) -> str:
        """What holds the current block, for messages."""
        if self.open:
            top = self.open[-1]
            return f"MDX element <{top.name}> (opened at line {top.line})"
        if self.fence is not None:
            return f"a code block (opened at line {self.fence.line})"
        return "an HTML block"

    def fence_closed_at(self, lines: list[str], first: int, end: int) -> int | None:
        """The index in lines[first:end] of the line that closes the open fence, if any."""
        if self.fence is None:
            return None
        for index in range(first, min(end, len(lines))):
            if _closes(lines[index], self.fence.name):
                self.fence = None
                return index
        return None

    def html(self, text: str, line: int) -> None:
        """Follow an HTML block's tags, comments and code fences (`line`: its first line).
        Comments and tags may span lines; fences open and close on lines of their own."""
        starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]

        def line_of(offset: int) -> int:
            return line + bisect_right(starts, offset) - 1

        opening = _ANY_TAG.search(text)
        block = f"<{opening[1]}>" if opening else "an HTML block"
        pos = 0
        while pos < len(text):
            eol = text.find("\n", pos)
            eol = len(text) if eol < 0 else eol
            if pos == 0 or text[pos - 1] == "\n":  # a line of its own
                if self._fence_line(text[pos:eol], line_of(pos)):
                    pos = eol + 1
                    continue
                after = text.find("\n", eol + 1)
                following = text[eol + 1 : len(text) if after < 0 else after]
                self._no_table(text[pos:eol], following, line_of(pos), block)
            found = _next_special(text, pos, eol)
            if found < 0:
                pos = eol + 1
            elif text.startswith("<!--", found):
                end = text.find("-->", found + 4)
                if end < 0:
                    raise ScrapeError(
                        f"{self.path}:{line_of(found)}: an HTML comment (<!--) that is never "
                        "closed (no -->) hides the rest of the page"
                    )
                pos = end + 3
            elif text[found] == "`":  # a code span is not markup
                run = _TICKS.match(text, found)
                assert run is not None
                end = text.find(run[0], run.end(), eol)
                pos = run.end() if end < 0 else end + len(run[0])
            else:
                pos = self._tag_at(text, found, line_of(found))

    def inline(self, text: str, line: int) -> None:
        """Follow one inline HTML tag (markdown-it's html_inline) in a paragraph or heading."""
        if text.startswith("<"):
            self._tag_at(text, 0, line)

    def _fence_line(self, row: str, line: int) -> bool:
        """Whether the line opens or closes a code fence (or is code inside one)."""
        if self.fence is not None:
            if _closes(row, self.fence.name):
                self.fence = None
            return True
        opened = _fence_open(row)
        if opened is None:
            return False
        self.fence = Opened(opened, line)
        return True

    def _no_table(self, row: str, following: str, line: int, block: str) -> None:
        """A header row and a delimiter row inside HTML: markdown-it does not read them as a
        table, the docs site may; either way its rows would be lost."""
        if "|" in row and "|" in following and _DELIMITER_ROW.fullmatch(following.strip()):
            holder = self.container() if self.open else block
            raise ScrapeError(
                f"{self.path}:{line}: a markdown table inside {holder}; tables are read only "
                "outside HTML and MDX elements"
            )

    def _tag_at(self, text: str, found: int, line: int) -> int:
        """Apply the tag starting at text[found], if it is one; the offset to go on from."""
        tag = _TAG.match(text, found)
        end = None if tag is None else _tag_end(text, tag.end())
        if tag is None or end is None:
            return found + 1
        self._tag(tag[1] == "/", tag[2], text[end - 1] == "/", line)
        return end + 1

    def _tag(self, closing: bool, name: str, self_closing: bool, line: int) -> None:
        if self_closing:
            return
        if not closing:
            self.open.append(Opened(name, line))
            return
        if all(element.name != name for element in self.open):
            raise ScrapeError(f"{self.path}:{line}: </{name}> closes nothing: no <{name}> is open")
        top = self.open[-1]
        if top.name != name:
            raise ScrapeError(
                f"{self.path}:{line}: </{name}> while <{top.name}> (opened at line "
                f"{top.line}) is still open"
            )
        self.open.pop()

    def finish(self) -> None:
        """At the page's end: an element never closed swallowed everything after it."""
        if self.open:
            first = self.open[0]
            raise ScrapeError(
                f"{self.path}:{first.line}: MDX element <{first.name}> is never closed "
                f"(no </{first.name}>): it swallows the rest of the page"
            )


def _next_special(text: str, pos: int, end: int) -> int:
    """The offset of the next `<` or backtick in text[pos:end], or -1."""
    lt = text.find("<", pos, end)
    tick = text.find("`", pos, end)
    if lt < 0 or (0 <= tick < lt):
        return tick
    return lt


def _tag_end(text: str, pos: int) -> int | None:
    """The offset of the `>` ending a tag whose name ends at pos (attributes may quote or
    brace a `>`); None when it does not end, within bounds, before another tag starts."""
    quote = ""
    depth = 0
    for index in range(pos, min(len(text), pos + _MAX_TAG)):
        ch = text[index]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == ">":
            return index
        elif depth == 0 and ch == "<":
            return None
    return None


def _fence_open(line: str) -> str | None:
    found = _FENCE_OPEN.fullmatch(line)
    if found is None or (found[1][0] == "`" and "`" in found[2]):
        return None
    return found[1]


def _closes(line: str, marker: str) -> bool:
    found = _FENCE_CLOSE.fullmatch(line)
    return found is not None and found[1][0] == marker[0] and len(found[1]) >= len(marker)
