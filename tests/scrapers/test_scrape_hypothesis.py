"""Property: a generated markdown table either parses to exactly the values written, or fails
with a ScrapeError located at the first cell it cannot take; never a wrong value.

Tables use headers from the declared columns (any subset, in any order, in any case) under
the heading of a table of some kind. Cell values are arbitrary text (pipes, backslashes,
backticks, asterisks, unicode, control and invisible characters), integers, prices, rates,
flags and the none spellings, written as markdown the way a careful author would: ASCII
punctuation backslash-escaped, or inside a code span or a link, with an optional bare
footnote mark. The oracle below states the scraper's contract independently: trim, refuse
invisible characters, strip one trailing mark (bare, or escaped as `\\*`, but not one in a
code span), N/A and - are none, each column's cell type (counts are plain digits, prices
`$0.30`, rates `$1 per <declared unit>`, flags Yes or No), model ids are required, unique and
free of markup characters, a column must be one the table's kind publishes, and a body row
that copies the header or the separator row is refused.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.columns import COLUMNS, Column
from scrapers.parse import MAX_COUNT, ScrapeError, parse_text

PATH = Path("generated/page.md")
META = "<!-- source: https://example.test/p -->\n<!-- snapshot: 2025-01-02 -->\n\n"
#: A heading for each table kind, and the headings above it.
KINDS = {
    "finetune": ("LoRA Fine-tuning", "## LoRA Fine-tuning\n\n"),
    "serverless": ("Chat Models", "## Serverless Models\n\n### Chat Models\n\n"),
    "serverless_lora_base": ("Serverless LoRA base models", "# Serverless LoRA base models\n\n"),
}
#: Every declared header spelling, and the column it names (case aside).
HEADERS = {h: c for c in COLUMNS for h in c.headers}
BY_FOLDED = {h.casefold(): c for h, c in HEADERS.items()}
#: What markdown-it trims from a cell (CommonMark whitespace), as opposed to str.strip().
MD_TRIM = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
MD_TRIM += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
INTEGER = re.compile(r"0|[1-9][0-9]*")
DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
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


def typed(text: str, column: Column) -> Any:
    """A filled cell's value by its column's cell type, or Refused."""
    if column.cell == "count":
        if INTEGER.fullmatch(text) is None or int(text) > MAX_COUNT:
            raise Refused
        return int(text)
    if column.cell == "price":
        if not text.startswith("$") or DECIMAL.fullmatch(text[1:]) is None:
            raise Refused
        return text[1:]
    if column.cell == "rate":
        amount, per, unit = text.partition(" per ")
        if not per or not amount.startswith("$") or DECIMAL.fullmatch(amount[1:]) is None:
            raise Refused
        if unit not in column.units:
            raise Refused
        return f"{amount[1:]} per {unit}"
    if column.cell == "flag":
        if text not in {"Yes", "No"}:
            raise Refused
        return text == "Yes"
    return text


def expected(cell: Cell, column: Column) -> tuple[Any, bool, bool]:
    """(value, footnote marked, spelled N/A) the scraper must produce, or Refused."""
    text = (cell.value + ("*" if cell.marked else "")).strip(MD_TRIM)
    if any(unicodedata.category(ch) in INVISIBLE for ch in text):
        raise Refused
    text = text.strip()
    # A bare mark, or the value's own last `*` written escaped (a code span keeps it).
    marked = cell.marked or (cell.style != "code" and text.endswith("*"))
    if marked:
        text = text[:-1].rstrip()
    if text == "":
        raise Refused
    if text in {"N/A", "-"}:
        if column.field == "model":
            raise Refused
        return None, marked, text == "N/A"
    if column.field == "model" and any(ch in text for ch in "*\\`"):
        raise Refused
    return typed(text, column), marked, False


ALPHABET = st.one_of(
    st.sampled_from([*"|\\`*_[]()<>&#!-:./ aA1", "é", "漢", "\u00a0", "\u200b", "\t", "\x1c"]),
    st.characters(blacklist_characters="\n\r"),  # a cell is one line by definition
)
TEXT = st.text(ALPHABET, max_size=10)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=0, max_value=10**12).map(str),
    st.sampled_from(["N/A", "-", "org/model-1", "32K", "-5", "007", " 12 "]),
    st.sampled_from(["$0.30", "$1", "$01", "$1,000", "0.30", "$0.3/MP", "$.5", "Yes", "No"]),
    st.sampled_from(["$15.00 per 1M chars", "$1 per audio min", "$2 per 1K chars", "yes"]),
)


@st.composite
def cells(draw: st.DrawFn) -> Cell:
    value = draw(VALUE)
    styles = ["escaped"]
    if value == value.strip() and value:
        styles += ["code", "link"] if "`" not in value else ["link"]
    return Cell(value, draw(st.sampled_from(styles)), draw(st.booleans()))


CASES: list[Callable[[str], str]] = [str, str.lower, str.upper]
Table = tuple[str, list[str], list[list[Cell]]]


@st.composite
def tables(draw: st.DrawFn) -> Table:
    kind = draw(st.sampled_from(sorted(KINDS)))
    names = draw(st.lists(st.sampled_from(sorted(HEADERS)), min_size=1, max_size=5, unique=True))
    headers = [draw(st.sampled_from(CASES))(h) for h in names]
    rows = draw(
        st.lists(st.lists(cells(), min_size=len(headers), max_size=len(headers)), max_size=4)
    )
    return kind, headers, rows


def page(kind: str, headers: list[str], rows: list[list[Cell]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(render(c) for c in row) + " |" for row in rows]
    return META + KINDS[kind][1] + "\n".join(lines) + "\n"


def oracle(kind: str, headers: list[str], rows: list[list[Cell]]) -> list[dict[str, Any]] | str:
    """The rows the scraper must return, or a fragment its error message must contain."""
    if any("\x00" in c.value for row in rows for c in row):
        return "NUL character"
    columns = [BY_FOLDED[h.casefold()] for h in headers]
    fields = [c.field for c in columns]
    if any(kind not in c.tables for c in columns) or len(set(fields)) != len(fields):
        return "header"  # a column this kind of table does not publish, or one named twice
    if "model" not in fields:
        return "no model id column"
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        # What markdown-it keeps of each cell's markdown: trimmed of CommonMark whitespace.
        written = [render(c).strip(MD_TRIM) for c in row]
        folded = [BY_FOLDED.get(w.casefold()) for w in written]
        if all(c is not None and c.field == f for c, f in zip(folded, fields, strict=True)):
            return f"row {number}: repeats the header row"
        if all(DELIMITER.fullmatch(w) for w in written):
            return f"row {number}: repeats the separator row"
        record: dict[str, Any] = {}
        marks: list[str] = []
        na: list[str] = []
        for header, column, cell in zip(headers, columns, row, strict=True):
            try:
                value, marked, spelled_na = expected(cell, column)
            except Refused:
                return f"row {number}, column {header!r}"
            record[column.field] = value
            if marked:
                marks.append(column.field)
            if spelled_na:
                na.append(column.field)
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


def check(kind: str, headers: list[str], rows: list[list[Cell]]) -> None:
    text = page(kind, headers, rows)
    want = oracle(kind, headers, rows)
    try:
        parsed = parse_text(text, PATH)
    except ScrapeError as exc:
        message = str(exc)
        assert isinstance(want, str), f"refused a valid table: {message}\n{text}"
        assert message.startswith(f"{PATH}:"), message
        if want != "NUL character":
            assert f"table {KINDS[kind][0]!r}" in message, message
        assert want in message, (want, message)
        return
    assert not isinstance(want, str), f"accepted, but should fail at {want}:\n{text}"
    (table,) = parsed.tables
    assert table.rows == want, text


HEADER_AGAIN = [Cell("Organization", "escaped", False), Cell("Base Model String", "escaped", False)]
LORA_BASE = "serverless_lora_base"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
# A body row that copies the header is not a model named "Base Model String".
@example(table=(LORA_BASE, ["Organization", "Base Model String"], [HEADER_AGAIN]))
@example(table=(LORA_BASE, ["organization", "API Model String"], [HEADER_AGAIN]))  # any spelling
# A serverless column under a fine-tuning heading names the column and the kind.
@example(table=("finetune", ["API ID", "Pricing"], []))
def test_generated_tables_parse_exactly_or_fail_located(table: Table) -> None:
    check(*table)


MODEL = Cell("org/m", "escaped", False)
ONE_CELL = [
    "Model Name",
    "Context Length",
    "Quantization",
    "Input pricing (per 1M tokens)",
    "Pricing",
    "Function Calling",
]


@settings(max_examples=300, deadline=None)
@given(cell=cells(), header=st.sampled_from(ONE_CELL))
# Regressions and rules, kept as explicit examples:
# an escaped asterisk ending a value is a footnote mark (the docs write `gemma-2b-it\\*`), a
# `*` in a code span is data ...
@example(cell=Cell("Star*", "escaped", False), header="Model Name")
@example(cell=Cell("a*", "code", True), header="Model Name")
# ... and control characters at the edge of a cell are refused, not trimmed away by
# str.strip() (U+001C..U+001F and U+0085 count as whitespace to Python, not to CommonMark).
@example(cell=Cell("FP8\x1c", "escaped", False), header="Quantization")
@example(cell=Cell("\x85", "escaped", True), header="Quantization")
@example(cell=Cell("a\\|b\\", "code", False), header="Model Name")
@example(cell=Cell("N/A", "link", True), header="Context Length")
@example(cell=Cell("$0.30", "escaped", False), header="Input pricing (per 1M tokens)")
@example(cell=Cell("0.30", "escaped", False), header="Input pricing (per 1M tokens)")
@example(cell=Cell("$2 per 1K chars", "escaped", False), header="Pricing")
def test_one_cell(cell: Cell, header: str) -> None:
    check("serverless", ["API Model String", header], [[MODEL, cell]])


@settings(max_examples=200, deadline=None)
@given(cell=cells())
@example(cell=Cell("a*b", "code", False))
@example(cell=Cell("a/b*", "escaped", True))
def test_model_ids_are_clean(cell: Cell) -> None:
    check("serverless", ["API Model String"], [[cell]])


ROOT = Path(__file__).resolve().parents[2]
#: A committed snapshot, and the full published page (MDX, preamble, prose) when it is here.
SNAPSHOT = (ROOT / "scrapers/snapshots/serverless-models/2025-03-04.md").read_text("utf-8")
PUBLISHED = ROOT.parent / "shared" / "real-pages" / "serverless-models.2026-04-14.md"
MARKUP = ["<Note>", "</Note>", "<!--", "-->", "```", "\\*", "$", "<br />"]
NOISE = st.lists(
    st.sampled_from([*"|-*`\\<>[]()#\n \t:", "N/A", "\u200b", "é", "\x00", "32K", *MARKUP]),
    max_size=8,
).map("".join)
EDITS = st.lists(st.tuples(st.integers(0, 30_000), st.integers(0, 40), NOISE), max_size=4)


def mangled(text: str, edits: list[tuple[int, int, str]]) -> None:
    """Splicing noise into a real page never crashes the scraper: it parses, or it raises a
    ScrapeError that names the file, on one line."""
    for at, cut, noise in edits:
        at = min(at, len(text))
        text = text[:at] + noise + text[at + cut :]
    try:
        page = parse_text(text, PATH)
    except ScrapeError as exc:
        assert str(exc).startswith(f"{PATH}"), str(exc)
        assert "\n" not in str(exc)
        return
    for table in page.tables:
        assert all(isinstance(row["model"], str) and row["model"] for row in table.rows)


@settings(max_examples=200, deadline=None)
@given(edits=EDITS)
def test_mangled_pages_parse_or_fail_located(edits: list[tuple[int, int, str]]) -> None:
    mangled(SNAPSHOT, edits)


@settings(max_examples=100, deadline=None)
@given(edits=EDITS)
def test_mangled_published_pages_parse_or_fail_located(edits: list[tuple[int, int, str]]) -> None:
    if not PUBLISHED.is_file():
        pytest.skip(f"{PUBLISHED} is missing: the real pages are kept beside the clone")
    mangled(PUBLISHED.read_text("utf-8"), edits)
