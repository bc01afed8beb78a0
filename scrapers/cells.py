"""A table's cells: header cells to declared columns, and each body cell's plain text from
markdown-it's inline tokens to its typed value.

How a cell's text becomes a value is its column's declared cell type (catalog/column.py):
text, count, price, rate or flag. `scrapers.parse` hands over each table's rows with the
file and line as `where`; every message names the table, the row and the column too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from catalog.columns import COLUMN_BY_FIELD, column_for_header
from catalog.tables import FOOTNOTE_MARKER, NA_MARKER, NONE_MARKERS
from scrapers.scraped import ScrapedTable

#: Upper bound for any count in a table (context lengths, batch sizes, dimensions).
MAX_COUNT = 100_000_000

_INTEGER = re.compile(r"0|[1-9][0-9]*")
_UNIT_SUFFIXED = re.compile(r"[0-9][0-9.,]*\s*[A-Za-z]+")
_DECIMAL = r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
#: `$0.30`: kept as the exact decimal text "0.30", never a float.
_PRICE = re.compile(rf"\$({_DECIMAL})")
#: `$15.00 per 1M chars`: kept as "15.00 per 1M chars", the unit one the column declares.
_RATE = re.compile(rf"\$({_DECIMAL}) per (\S(?:.*\S)?)")
_FLAGS = {"Yes": True, "No": False}
#: `<br>` and `<br />` inside a cell are a line break in the rendered table: a space.
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
#: What markup leaves behind; never part of a model id.
_NOT_IN_IDS = ("*", "\\", "`")
_DELIMITER = re.compile(r":?-+:?")  # a separator row's cell

Cell = str | int | bool | None


class ScrapeError(Exception):
    """Input the scraper does not understand. The CLI prints it on one line and exits 2."""


def invisible(text: str) -> str | None:
    """The first character a reader cannot see (control, zero-width, bidi), if any."""
    for ch in text:
        if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}:
            return f"U+{ord(ch):04X}"
    return None


_WRAPPERS = {"link_open", "link_close", "em_open", "em_close", "strong_open", "strong_close"}
#: A piece of an inline's text: "text" (may end in a bare footnote mark), "escape" (a
#: backslash escape: `\*` is a footnote mark too), "literal" (an entity or code: data), or
#: "break" (a `<br>`).
Part = tuple[str, str]


def _inline_parts(token: Token, where: str, *, lenient: bool = False) -> list[Part]:
    """Pieces of an inline's plain text: backticks and links unwrapped, emphasis dropped,
    escapes resolved, `<br>` a break. Other HTML, images or markup are refused, or for
    headings (`lenient`) left out."""
    parts: list[Part] = []
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            parts.append((child.content, "text"))
        elif kind == "text_special":
            parts.append((child.content, "escape" if child.info == "escape" else "literal"))
        elif kind == "code_inline":
            parts.append((child.content, "literal"))
        elif kind in {"softbreak", "hardbreak"}:
            parts.append((" ", "text"))
        elif kind in _WRAPPERS:
            continue
        elif kind == "html_inline" and _BREAK.fullmatch(child.content):
            parts.append((" ", "break"))
        elif lenient:
            continue
        elif kind in {"html_inline", "image"}:
            raise ScrapeError(f"{where}: HTML or images are not data: {token.content!r}")
        else:
            raise ScrapeError(f"{where}: unsupported markup {kind!r} in {token.content!r}")
    return parts


def _joined(parts: list[Part]) -> str:
    """The parts' text; a break is one space, whatever spacing surrounds it."""
    out = ""
    after_break = False
    for text, kind in parts:
        if kind == "break":
            out = out.rstrip(" \t") + " "
            after_break = True
            continue
        out += text.lstrip(" \t") if after_break else text
        after_break = after_break and not text.strip(" \t")
    return out


def inline_text(token: Token, where: str) -> str:
    """A heading's plain text, trimmed; inline HTML and images in it are left out."""
    return _joined(_inline_parts(token, where, lenient=True)).strip()


def cell_text(token: Token, where: str) -> tuple[str, bool]:
    """A cell's trimmed text and whether it ends in a footnote mark.

    The mark is a trailing `*`, bare or escaped (`\\*`, as the docs write it after an id),
    inside emphasis or not; one is removed. An entity (`&#42;`) or a `*` in a code span is
    data. Control and invisible characters are refused before trimming, so none is ever
    dropped silently.
    """
    parts = _inline_parts(token, where)
    text = _joined(parts)
    bad = invisible(text)
    if bad is not None:
        raise ScrapeError(f"{where}: invisible or control character {bad} in {text!r}")
    marked = False
    for part, kind in reversed(parts):
        if part.strip():
            tail = part.rstrip()
            marked = kind in {"text", "escape"} and tail.endswith(FOOTNOTE_MARKER)
            break
    text = text.strip()
    if marked:
        text = text[: -len(FOOTNOTE_MARKER)].rstrip()
    return text, marked


def normalise_cell(text: str, field_name: str, where: str) -> Cell:
    """One cell's value, from its trimmed text with any footnote mark removed, by the cell
    type its column declares."""
    if text == "":
        raise ScrapeError(f"{where}: empty cell (the docs write N/A or - for no value)")
    if text in NONE_MARKERS:
        if field_name == "model":
            raise ScrapeError(f"{where}: a model id is required, got {text!r}")
        return None
    column = COLUMN_BY_FIELD[field_name]
    if field_name == "model":
        _check_id(text, where)
    if column.cell == "count":
        return _count(text, where)
    if column.cell == "price":
        found = _PRICE.fullmatch(text)
        if found is None:
            raise ScrapeError(
                f"{where}: not a price: {text!r} (the docs write US dollars as $0.30, "
                "or - for none)"
            )
        return found[1]
    if column.cell == "rate":
        return _rate(text, column.units, where)
    if column.cell == "flag":
        if text not in _FLAGS:
            raise ScrapeError(f"{where}: not Yes or No: {text!r}")
        return _FLAGS[text]
    return text


def _check_id(text: str, where: str) -> None:
    for mark in _NOT_IN_IDS:
        if mark in text:
            raise ScrapeError(
                f"{where}: {mark!r} inside the model id {text!r}: markup is not part of an id "
                "(a footnote mark goes at the end)"
            )


def _count(text: str, where: str) -> int:
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


def _rate(text: str, units: tuple[str, ...], where: str) -> str:
    found = _RATE.fullmatch(text)
    if found is None:
        raise ScrapeError(
            f"{where}: not a price per unit: {text!r} (the docs write $15.00 per 1M chars)"
        )
    if found[2] not in units:
        known = ", ".join(repr(u) for u in units)
        raise ScrapeError(f"{where}: unknown unit {found[2]!r} in {text!r} (known: {known})")
    return f"{found[1]} per {found[2]}"


def cell_count(line: str) -> int:
    """How many cells GFM sees in a row line, before it pads or truncates to the header."""
    cells = escapedSplit(line.strip())
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return len(cells)


# --- rows ------------------------------------------------------------------------------------


@dataclass
class Row:
    """A table row as tokens: the line it starts on and its cells' inline tokens."""

    line: int
    cells: list[Token]


def table_rows(tokens: list[Token], start: int) -> tuple[int, list[Row]]:
    """The rows of the table that opens at tokens[start], header row first, and the index of
    its table_close. Inside a table every inline token is a cell's."""
    rows: list[Row] = []
    i = start + 1
    while i < len(tokens) and tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            rows.append(Row((tok.map or [0])[0] + 1, []))
        elif tok.type == "inline":
            rows[-1].cells.append(tok)
        i += 1
    return i, rows


def read_header(table: ScrapedTable, cells: list[str], at: str) -> None:
    """Map the header cells to the declared columns of the table's kind (any case); `at` is
    the file and line."""
    where = f"{at}: {table.where}, header"
    kind = table.spec.kind
    fields: list[str] = []
    for index, raw in enumerate(cells, start=1):
        header = raw.strip()
        bad = invisible(raw)
        if bad is not None:
            raise ScrapeError(
                f"{where}, column {index} {header!r}: invisible or control character {bad}"
            )
        column = column_for_header(header)
        if column is None:
            raise ScrapeError(f"{where}, column {index} {header!r}: unknown column")
        if kind not in column.tables:
            raise ScrapeError(
                f"{where}, column {index} {header!r}: column {column.field!r} is not one "
                f"{kind!r} tables publish (it is declared for {', '.join(column.tables)})"
            )
        if column.field in fields:
            raise ScrapeError(
                f"{where}, column {index} {header!r}: repeats field {column.field!r} "
                f"(column {fields.index(column.field) + 1})"
            )
        fields.append(column.field)
    if "model" not in fields:
        raise ScrapeError(f"{where}: no model id column")
    table.headers = [c.strip() for c in cells]
    table.fields = fields


def read_row(table: ScrapedTable, row: Row, source_line: str, at: str) -> None:
    """Add a body row to the table: its typed values, then the fields whose cell carried a
    footnote mark (`footnotes`) and those spelled N/A (`na`). `source_line` is the row's
    line as written, for its cell count; `at` is the file and line."""
    number = len(table.rows) + 1
    where_row = f"{at}: {table.where}, row {number}"
    found = cell_count(source_line)
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


def _copied_row(cells: list[Token], fields: list[str]) -> str | None:
    """Which row a body row copies, if any: the header (each cell spells its column's
    header, in any case) or the separator (each cell is a `---` delimiter)."""
    pairs = list(zip(cells, fields, strict=True))
    if all(_field_of(cell.content) == name for cell, name in pairs):
        return "header"
    if all(_DELIMITER.fullmatch(cell.content) for cell, _ in pairs):
        return "separator"
    return None


def _field_of(header: str) -> str | None:
    column = column_for_header(header)
    return None if column is None else column.field
