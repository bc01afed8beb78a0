"""One table cell: its plain text from markdown-it's inline tokens, and its typed value.

Each rule here is a cell's alone; `scrapers.parse` applies them with the table, row and
column of the cell as `where`, which starts every message.
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from catalog.tables import FOOTNOTE_MARKER, INTEGER_FIELDS, NONE_MARKERS

#: Upper bound for any count in a table (context lengths, batch sizes, dimensions).
MAX_COUNT = 100_000_000

_INTEGER = re.compile(r"0|[1-9][0-9]*")
_UNIT_SUFFIXED = re.compile(r"[0-9][0-9.,]*\s*[A-Za-z]+")

Cell = str | int | None


class ScrapeError(Exception):
    """Input the scraper does not understand. The CLI prints it on one line and exits 2."""


def invisible(text: str) -> str | None:
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


def inline_text(token: Token, where: str) -> str:
    """An inline's plain text, trimmed (for headings)."""
    return "".join(part for part, _ in _inline_parts(token, where)).strip()


def cell_text(token: Token, where: str) -> tuple[str, bool]:
    """A cell's trimmed text and whether it ends in a footnote marker.

    The marker is a bare trailing `*`; an escaped `\\*`, an entity or a `*` inside a code
    span is part of the value. Control and invisible characters are refused before trimming,
    so none is ever dropped silently.
    """
    parts = _inline_parts(token, where)
    text = "".join(part for part, _ in parts)
    bad = invisible(text)
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


def cell_count(line: str) -> int:
    """How many cells GFM sees in a row line, before it pads or truncates to the header."""
    cells = escapedSplit(line.strip())
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return len(cells)
