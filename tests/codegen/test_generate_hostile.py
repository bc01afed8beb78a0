"""Hostile strings reach every output format and come back unchanged, breaking nothing.

The filters are checked on arbitrary text; the whole pipeline (render, then the generator's
own read-back of the docs, the JSON and the Python data) on values a docs cell can hold.
"""

from __future__ import annotations

import ast
import json
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import isValidEntityCode

from catalog.contents import Catalog
from codegen import schemas
from codegen.generate import render_all
from codegen.render import (
    LINE_LENGTH,
    RenderError,
    camel,
    cell,
    comment,
    comment_url,
    display_width,
    ident,
    md,
    page_link,
    py,
    py_layout,
    to_json,
)
from codegen.verify import read_records, verify

NASTY = [
    "'",
    '"',
    '"""',
    "'''",
    "\\",
    "\\'",
    '\\"',
    "a\nb",
    "a\r\nb",
    "{{ x }}",
    "{% if %}",
    "</script>",
    "<!-- x -->",
    "a | b",
    "\\|",
    "a\\",
    "*",
    "x*",
    "**bold**",
    "_x_",
    "`code`",
    "[link](http://x)",
    "![img](x)",
    "&amp;",
    "&#10;",
    "<http://x>",
    "# heading",
    " lead",
    "trail ",
    "\t",
    "N/A",
    "-",
    "\u2028",
    "\u200b",
    "é😀中文",
]

#: Any text but NUL (CommonMark replaces it, and no YAML catalog can hold it).
any_text = st.text(st.characters(exclude_characters="\x00"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_py_filter_reads_back_exactly(value: str) -> None:
    literal = py(value)
    assert "\n" not in literal
    assert ast.literal_eval(literal) == value
    # ruff's formatter's quote: double, unless single needs fewer escapes.
    quote = "'" if value.count('"') > value.count("'") else '"'
    assert literal[0] == literal[-1] == quote
    assert ast.literal_eval(py((value, 1, None, (value,)))) == (value, 1, None, (value,))


_NESTED = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda inner: st.lists(inner, max_size=6).map(tuple),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_NESTED, st.sampled_from(["", "    ", "        "]))
def test_py_layout_reads_back_and_splits_only_what_is_too_long(value: object, indent: str) -> None:
    text = py_layout(value, indent, "X = ", "")
    assert text.endswith("\n") and ast.literal_eval(text.strip().removeprefix("X = ")) == value
    for line in text.splitlines():
        assert line.startswith(indent)
        if display_width(line) > LINE_LENGTH:  # only a value that cannot be split further
            item = ast.literal_eval(line.strip().removeprefix("X = ").removesuffix(","))
            assert not (isinstance(item, tuple) and item), line


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_json_filter_reads_back_exactly(value: str) -> None:
    assert json.loads(to_json({"k": value, value: [value]})) == {"k": value, value: [value]}


def _cell_back(text: str) -> str:
    """The one body cell of a one-column table, as markdown-it reads it (escapes resolved)."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table").disable("text_join")
    tokens = parser.parse(f"| h |\n| --- |\n| {text} |\n")
    kinds = [t.type for t in tokens]
    assert kinds.count("table_open") == 1 and kinds.count("td_open") == 1, kinds
    cell = tokens[kinds.index("td_open") + 1]
    parts = []
    for child in cell.children or []:
        assert child.type in {"text", "text_special"}, (child.type, text)
        parts.append(child.content)
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(any_text.filter(lambda s: s != ""))
@example("a | b")
@example("\\|")
@example("`x`")
@example(" lead")
@example("a\nb")
def test_md_filter_reads_back_exactly(value: str) -> None:
    try:
        text = md(value)
    except RenderError:
        # Only a trimmed edge character whose reference CommonMark refuses has no spelling.
        edges = {value[0], value[-1]}
        assert any(ch.isspace() and not isValidEntityCode(ord(ch)) for ch in edges), value
        return
    assert "\n" not in text and "\r" not in text
    assert _cell_back(text) == value


def _cell_safe(value: str) -> bool:
    """Text a published docs cell can carry (the scraper trims cells and refuses controls)."""
    invisible = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
    return (
        value == value.strip()
        and value not in {"", "N/A", "-"}
        and not any(unicodedata.category(ch) in invisible for ch in value)
    )


def _small_catalog(base: Catalog, model_name: str, note: str, model: str) -> Catalog:
    """The first two rows, current and retired, of each of `base`'s tables, with the three
    values put in the chat's current rows and the note on its first retired row too."""
    tables = {}
    for table_id, table in base.tables.items():
        rows = list(table.rows[:2])
        retired = list(table.retired[:2])
        if table_id == "serverless-chat":
            rows[0] = rows[0].model_copy(update={"model_name": model_name, "note": note})
            rows[1] = rows[1].model_copy(update={"model": model})
            retired[0] = retired[0].model_copy(update={"note": note})
        update = {"rows": tuple(rows), "retired": tuple(retired)}
        tables[table_id] = table.model_copy(update=update)
    return Catalog(tables, base.notes, base.aliases, base.waivers)


cell_text = st.one_of(st.sampled_from(NASTY), any_text).filter(_cell_safe)
#: A hand-written note may hold any text a UTF-8 YAML file can: not a lone surrogate, which
#: has no UTF-8 form (the loader refuses a `"\ud800"` escape).
note_text = st.one_of(st.sampled_from(NASTY), any_text).filter(
    lambda s: not any(unicodedata.category(ch) == "Cs" for ch in s)
)


def _id_safe(value: str) -> bool:
    """What the loader and scraper accept in an id: ASCII, and none of the markup marks the
    docs use around ids (a footnote `*`, an escape `\\`, a code span's backtick)."""
    return value.isascii() and not any(ch in value for ch in "*\\`")


id_text = cell_text.filter(_id_safe)


@settings(max_examples=60, deadline=None)
@given(model_name=cell_text, note=note_text, model=id_text)
def test_hostile_values_pass_through_every_output(
    catalog: Catalog, model_name: str, note: str, model: str
) -> None:
    small = _small_catalog(catalog, model_name, note, model)
    chat = small.tables["serverless-chat"].rows
    if chat[0].model == model:
        return  # ids must stay unique within a table
    files = render_all(small)
    verify(small, files)  # docs via the scraper, JSON via json.loads, Python via ast
    for rel, text in files.items():
        if rel.endswith(".py"):
            compile(text, rel, "exec")  # still valid Python
        elif rel.endswith(".json"):
            json.loads(text)
    document: dict[str, Any] = json.loads(files[schemas.CATALOG_JSON])
    rows = next(t for t in document["tables"] if t["table"] == "serverless-chat")["rows"]
    assert (rows[0]["model_name"], rows[0]["note"], rows[1]["model"]) == (model_name, note, model)
    retired = next(t for t in document["tables"] if t["table"] == "serverless-chat")["retired"]
    assert retired[0]["note"] == note
    records = read_records(files["together_catalog/_data.py"])
    assert ("ServerlessModel", model_name, note) in {
        (cls, values.get("model_name"), values.get("note")) for cls, values in records
    }
    ids = ast.parse(files["together_catalog/_ids.py"])
    assert model in {node.value for node in ast.walk(ids) if isinstance(node, ast.Constant)}


@pytest.mark.parametrize(
    ("flt", "value"),
    [
        (py, 1.5),
        (py, ["list"]),
        (py, {"k": "v"}),
        (md, None),
        (md, True),
        (cell, "N/A"),
        (cell, "-"),
        (cell, " padded"),
        (ident, "not an id"),
        (ident, "class"),
        (ident, "x\ny"),
        (camel, "chat models"),
        (camel, "9lives"),
        (comment, "two\nlines"),
        (comment_url, "http://x/ --> <script>"),
        (comment_url, "line\nbreak"),
        (page_link, "../etc/passwd"),
        (page_link, "page.md"),
    ],
)
def test_filters_refuse_what_they_cannot_spell_exactly(flt: Any, value: object) -> None:
    with pytest.raises(RenderError):
        flt(value)


def test_md_fast_path_passes_only_what_needs_no_escape() -> None:
    # md returns plain printable ASCII as is unless it holds one of these; the set must be
    # exactly the characters its escaping loop rewrites.
    from codegen import render

    ascii_printable = [chr(c) for c in range(0x20, 0x7F)]
    escaped = {ch for ch in ascii_printable if render._MD_ESCAPED.search(ch)}
    assert escaped == set(render._MD_SPECIAL) | {"*"}
    for ch in ascii_printable:
        assert (md(f"a{ch}b") == f"a{ch}b") == (ch not in escaped)
