"""Property: a generated markdown table either parses to exactly the values written, or fails
with a ScrapeError located at the first cell it cannot take; never a wrong value.

Tables use headers from the alias table (any subset, in any order) under a known heading.
Cell values are arbitrary text (pipes, backslashes, backticks, asterisks, unicode, control
and invisible characters), integers, and the none spellings, written as markdown the way a
careful author would: ASCII punctuation backslash-escaped, or inside a code span or a link,
with an optional bare footnote marker. The oracle below states the scraper's contract
independently: trim, refuse invisible characters, strip the marker, N/A and - are none,
integer columns take plain digits only, model ids are required and unique, and a body row
that copies the header or the separator row is refused.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.tables import COLUMN_ALIASES, INTEGER_FIELDS
from scrapers.parse import MAX_COUNT, ScrapeError, parse_text

PATH = Path("generated/page.md")
HEADING = "LoRA Fine-tuning"
PAGE_HEAD = (
    f"<!-- source: https://example.test/p -->\n<!-- snapshot: 2025-01-02 -->\n\n## {HEADING}\n\n"
)
#: What markdown-it trims from a cell (CommonMark whitespace), as opposed to str.strip().
MD_TRIM = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
MD_TRIM += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
INTEGER = re.compile(r"0|[1-9][0-9]*")
DELIMITER = re.compile(r":?-+:?")


@dataclass(frozen=True)
class Cell:
    value: str  # the value the author means
    style: str  # "escaped", "code" or "link"
    marked: bool  # followed by a bare footnote marker


def escape(text: str) -> str:
    return "".join("\\" + ch if ch in string.punctuation else ch for ch in text)


def render(cell: Cell) -> str:
    if cell.style == "code":
        body = "`" + cell.value.replace("|", "\\|") + "`"
    elif cell.style == "link":
        body = "[" + escape(cell.value) + "](https://example.test/x)"
    else:
        body = escape(cell.value)
    return body + ("*" if cell.marked else "")


class Refused(Exception):
    """The oracle's verdict that the scraper must refuse this cell."""


def expected(cell: Cell, field: str) -> tuple[Any, bool]:
    """(value, spelled N/A) the scraper must produce, or Refused."""
    text = (cell.value + ("*" if cell.marked else "")).strip(MD_TRIM)
    if any(unicodedata.category(ch) in INVISIBLE for ch in text):
        raise Refused
    text = text.strip()
    if cell.marked:
        text = text[:-1].rstrip()
    if text == "":
        raise Refused
    if text in {"N/A", "-"}:
        if field == "model":
            raise Refused
        return None, text == "N/A"
    if field not in INTEGER_FIELDS:
        return text, False
    if INTEGER.fullmatch(text) is None or int(text) > MAX_COUNT:
        raise Refused
    return int(text), False


ALPHABET = st.one_of(
    st.sampled_from([*"|\\`*_[]()<>&#!-:./ aA1", "é", "漢", "\u00a0", "\u200b", "\t", "\x1c"]),
    st.characters(blacklist_characters="\n\r"),  # a cell is one line by definition
)
TEXT = st.text(ALPHABET, max_size=10)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=0, max_value=10**12).map(str),
    st.sampled_from(["N/A", "-", "org/model-1", "32K", "-5", "007", " 12 "]),
)


@st.composite
def cells(draw: st.DrawFn) -> Cell:
    value = draw(VALUE)
    styles = ["escaped"]
    if value == value.strip() and value:
        styles += ["code", "link"] if "`" not in value else ["link"]
    return Cell(value, draw(st.sampled_from(styles)), draw(st.booleans()))


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[Cell]]]:
    headers = draw(
        st.lists(st.sampled_from(sorted(COLUMN_ALIASES)), min_size=1, max_size=5, unique=True)
    )
    rows = draw(
        st.lists(st.lists(cells(), min_size=len(headers), max_size=len(headers)), max_size=4)
    )
    return headers, rows


def page(headers: list[str], rows: list[list[Cell]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(render(c) for c in row) + " |" for row in rows]
    return PAGE_HEAD + "\n".join(lines) + "\n"


def oracle(headers: list[str], rows: list[list[Cell]]) -> list[dict[str, Any]] | str:
    """The rows the scraper must return, or a fragment its error message must contain."""
    if any("\x00" in c.value for row in rows for c in row):
        return "NUL character"
    fields = [COLUMN_ALIASES[h] for h in headers]
    if len(set(fields)) != len(fields):
        return "header"
    if "model" not in fields:
        return "no model id column"
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        # What markdown-it keeps of each cell's markdown: trimmed of CommonMark whitespace.
        written = [render(c).strip(MD_TRIM) for c in row]
        if all(COLUMN_ALIASES.get(w) == f for w, f in zip(written, fields, strict=True)):
            return f"row {number}: repeats the header row"
        if all(DELIMITER.fullmatch(w) for w in written):
            return f"row {number}: repeats the separator row"
        record: dict[str, Any] = {}
        marks: list[str] = []
        na: list[str] = []
        for header, name, cell in zip(headers, fields, row, strict=True):
            try:
                value, spelled_na = expected(cell, name)
            except Refused:
                return f"row {number}, column {header!r}"
            record[name] = value
            if cell.marked:
                marks.append(name)
            if spelled_na:
                na.append(name)
        if record["model"] in seen:
            return f"row {number}, column 'model': duplicate model id"
        seen.add(record["model"])
        ordered = {"model": record["model"], **{k: v for k, v in record.items() if k != "model"}}
        if marks:
            ordered["footnotes"] = marks
        if na:
            ordered["na"] = na
        out.append(ordered)
    return out


def check(headers: list[str], rows: list[list[Cell]]) -> None:
    text = page(headers, rows)
    want = oracle(headers, rows)
    try:
        parsed = parse_text(text, PATH)
    except ScrapeError as exc:
        message = str(exc)
        assert isinstance(want, str), f"refused a valid table: {message}\n{text}"
        assert message.startswith(f"{PATH}:"), message
        if want != "NUL character":
            assert f"table {HEADING!r}" in message, message
        assert want in message, (want, message)
        return
    assert not isinstance(want, str), f"accepted, but should fail at {want}:\n{text}"
    (table,) = parsed.tables
    assert table.rows == want, text


HEADER_AGAIN = [Cell("Organization", "escaped", False), Cell("Base Model String", "escaped", False)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
# A body row that copies the header is not a model named "Base Model String".
@example(table=(["Organization", "Base Model String"], [HEADER_AGAIN]))
@example(table=(["Organization", "API Model String"], [HEADER_AGAIN]))  # (another spelling)
def test_generated_tables_parse_exactly_or_fail_located(
    table: tuple[list[str], list[list[Cell]]],
) -> None:
    check(*table)


MODEL = Cell("org/m", "escaped", False)


@settings(max_examples=300, deadline=None)
@given(cell=cells(), header=st.sampled_from(["Model Name", "Context Length", "Quantization"]))
# Regressions found by this property, kept as explicit examples:
# an escaped asterisk is data, not a footnote marker (it used to be stripped as one) ...
@example(cell=Cell("Star*", "escaped", False), header="Model Name")
@example(cell=Cell("a*", "code", True), header="Model Name")
# ... and control characters at the edge of a cell are refused, not trimmed away by
# str.strip() (U+001C..U+001F and U+0085 count as whitespace to Python, not to CommonMark).
@example(cell=Cell("FP8\x1c", "escaped", False), header="Quantization")
@example(cell=Cell("\x85", "escaped", True), header="Quantization")
@example(cell=Cell("a\\|b\\", "code", False), header="Model Name")
@example(cell=Cell("N/A", "link", True), header="Context Length")
def test_one_cell(cell: Cell, header: str) -> None:
    check(["API Model String", header], [[MODEL, cell]])


SNAPSHOT = (
    (Path(__file__).resolve().parents[2] / "scrapers" / "snapshots")
    .joinpath("serverless-models.md")
    .read_text(encoding="utf-8")
)
NOISE = st.lists(
    st.sampled_from([*"|-*`\\<>[]()#\n \t:", "N/A", "\u200b", "é", "\x00", "32K"]), max_size=8
).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    edits=st.lists(st.tuples(st.integers(0, len(SNAPSHOT)), st.integers(0, 40), NOISE), max_size=4)
)
def test_mangled_pages_parse_or_fail_located(edits: list[tuple[int, int, str]]) -> None:
    """Splicing noise into a real page never crashes the scraper: it parses, or it raises a
    ScrapeError that names the file."""
    text = SNAPSHOT
    for at, cut, noise in edits:
        text = text[:at] + noise + text[at + cut :]
    try:
        page = parse_text(text, PATH)
    except ScrapeError as exc:
        assert str(exc).startswith(f"{PATH}"), str(exc)
        assert "\n" not in str(exc)
        return
    for table in page.tables:
        assert all(isinstance(row["model"], str) and row["model"] for row in table.rows)
