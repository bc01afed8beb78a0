"""The Jinja environment and the only ways a catalog value may enter generated text.

Templates never quote values themselves: every value passes through one filter per output
language (`py` for Python source, `json` for JSON, `md` / `cell` for markdown), each of which
either produces text that reads back as exactly the same value or refuses the value. A
hostile docs cell therefore cannot close a string, start a table column or inject markup.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it.common.utils import isValidEntityCode

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

GENERATOR = "codegen (python -m codegen generate)"
REGENERATE = "make generate"

#: Markdown cell spelling of a missing value (the scraper reads both back as none).
NONE_DASH = "-"
NONE_NA = "N/A"


class RenderError(Exception):
    """A value that has no safe spelling in the target language."""


# --- Python ------------------------------------------------------------------------------


def py(value: object) -> str:
    """A Python literal that `ast.literal_eval` reads back as `value`.

    Only the literal types the data modules use are accepted; anything else (floats, dates,
    arbitrary objects whose repr is not a literal) is refused rather than guessed.
    """
    if isinstance(value, str):
        return py_string(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, tuple):
        items = [py(v) for v in value]
        if len(items) == 1:
            return f"({items[0]},)"
        return "(" + ", ".join(items) + ")"
    raise RenderError(f"py filter: {type(value).__name__} values have no literal form here")


def py_string(value: str) -> str:
    """`repr(value)`, re-quoted the way ruff's formatter would write it.

    repr escapes everything that could end the literal or break the line; only the quote
    character is switched (double unless that needs more escapes), so the output is
    stable under `ruff format` and still evaluates to `value`.
    """
    body = repr(value)[1:-1]  # repr's own quote is ' unless the value holds ' and no "
    use_single = value.count('"') > value.count("'")
    quote = "'" if use_single else '"'
    out: list[str] = []
    index = 0
    while index < len(body):
        ch = body[index]
        if ch == "\\":
            pair = body[index : index + 2]
            # repr escapes its own quote; unescape it unless it is the quote we now use.
            out.append("'" if pair == "\\'" and not use_single else pair)
            index += 2
            continue
        out.append("\\" + ch if ch == quote else ch)
        index += 1
    return quote + "".join(out) + quote


def comment(value: object) -> str:
    """Text for a one-line `#` comment: printable, no line breaks."""
    text = str(value)
    if any(not ch.isprintable() for ch in text):
        raise RenderError(f"comment filter: {text!r} does not fit on one comment line")
    return text


# --- JSON --------------------------------------------------------------------------------


def to_json(value: object, indent: int | None = None) -> str:
    """JSON text with sorted keys; non-ASCII kept as is (the files are UTF-8)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=indent, allow_nan=False)


# --- Markdown ----------------------------------------------------------------------------

#: Characters CommonMark could read as markup inside a table cell, escaped with a backslash.
#: `|` is the cell separator; the rest start emphasis, code, links, autolinks or entities.
_MD_SPECIAL = frozenset("\\`*_[]<>&|!~#")


def _needs_entity(ch: str) -> bool:
    # Controls, line breaks and format characters cannot sit in a one-line cell as they are;
    # a numeric character reference keeps the exact code point.
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Co"}


def md(value: object) -> str:
    """Markdown inline text (a table cell or a heading) that reads back as exactly `value`."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RenderError(f"md filter: {type(value).__name__} values have no markdown form")
    text = str(value)
    out: list[str] = []
    last = len(text) - 1
    for index, ch in enumerate(text):
        edge = ch.isspace() and index in {0, last}  # a cell's edges are trimmed
        if ch == "\x00":
            raise RenderError("md filter: NUL has no markdown form (CommonMark replaces it)")
        if edge or _needs_entity(ch):
            if isValidEntityCode(ord(ch)):
                out.append(f"&#{ord(ch)};")
            elif edge or ch in "\n\r":
                # CommonMark decodes this code point's reference to U+FFFD and trims it bare.
                raise RenderError(f"md filter: U+{ord(ch):04X} at the edge of {text!r}")
            else:
                out.append(ch)  # no reference form, but harmless inside the text
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def cell(value: object, marked: bool = False, none: str = NONE_DASH) -> str:
    """One table cell: the escaped value, `none` for a missing value, `*` for a footnote."""
    if none not in {NONE_DASH, NONE_NA}:
        raise RenderError(f"cell filter: {none!r} is not a none marker")
    if isinstance(value, str) and (value in {NONE_DASH, NONE_NA} or value != value.strip()):
        # The scraper trims cells and reads these spellings as "no value".
        raise RenderError(f"cell filter: {value!r} would read back as a different value")
    text = none if value is None else md(value)
    return text + "*" if marked else text


def comment_url(value: object) -> str:
    """Text inside an HTML comment on one line, as the scraper's `<!-- key: value -->` reads it."""
    text = str(value)
    if "--" in text or ">" in text or text != text.strip() or not text.isprintable():
        raise RenderError(f"comment_url filter: {text!r} cannot sit inside <!-- ... -->")
    return text


_PAGE = re.compile(r"[a-z0-9][a-z0-9-]*")


def page_link(value: object) -> str:
    """Relative link to a generated docs page, from its (declared) page name."""
    text = str(value)
    if _PAGE.fullmatch(text) is None:
        raise RenderError(f"page_link filter: {text!r} is not a page name")
    return f"{text}.md"


def ident(value: object) -> str:
    """A Python identifier the generator derived (constant, type or field name), checked."""
    text = str(value)
    if not text.isidentifier() or keyword.iskeyword(text) or not text.isascii():
        raise RenderError(f"ident filter: {text!r} is not a plain Python identifier")
    return text


def markdown_cell(value: str) -> str:
    """The docs-table cell for a string value, as the generated pages spell it.

    Raises RenderError for the few strings no cell reads back as (edge whitespace, "N/A",
    "-"); other values the scraper refuses (control characters) it refuses loudly.
    """
    return cell(value)


_WORD = re.compile(r"[A-Za-z0-9]+")


def camel(value: str) -> str:
    """CamelCase of a category id, for type names: `chat` -> `Chat`, `foo-bar` -> `FooBar`."""
    words = _WORD.findall(value)
    if not words or "".join(words) != value.replace("-", "").replace("_", ""):
        raise RenderError(f"camel filter: {value!r} is not a plain identifier")
    name = "".join(w[:1].upper() + w[1:] for w in words)
    if not name.isidentifier() or name[0].isdigit():
        raise RenderError(f"camel filter: {value!r} does not make an identifier")
    return name


def is_nested(value: object) -> bool:
    """A non-empty tuple of tuples: rendered one item per line, as ruff would lay it out."""
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, tuple) for v in value)


@functools.cache
def environment(templates: Path = TEMPLATES_DIR) -> Environment:
    """One environment per template folder, so compiled templates are reused across runs."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        undefined=StrictUndefined,
        autoescape=False,  # escaping is explicit, per output language, through the filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        py=py,
        json=to_json,
        md=md,
        cell=cell,
        camel=camel,
        comment=comment,
        comment_url=comment_url,
        ident=ident,
        page_link=page_link,
    )
    env.tests["nested"] = is_nested
    env.globals.update(GENERATOR=GENERATOR, REGENERATE=REGENERATE)
    return env


def render(env: Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)


def plain(value: Any) -> Any:
    """Tuples and mappings as JSON-shaped lists and dicts (for the JSON outputs)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in value]
    return value
