"""generated/site/: a static catalog browser with an in-browser fine-tuning job checker.

`index.html` is rendered from `codegen/templates/site/index.html.j2` and carries the whole
catalog as one JSON document in a `<script type="application/json">` block, which browsers
never execute; `app.js` (the page), `checker.js` (the validator) and `style.css` are
hand-written, beside the template, and copied with the generated-file header. The page needs
no network and no build step: it opens from file://.

Inert by construction: a catalog value reaches the page only through the `script_json` filter
(JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped, so no value can end the script element,
open a comment or break a JavaScript string) or the `html` filter (entity-escaped text), and
app.js puts values into the DOM as text nodes and attribute values only, never as markup. A
Content-Security-Policy in the page forbids inline scripts and every fetch, so even an escape
bug would run nothing.

One validator: checker.js mirrors `codegen/runtime/validate.py`, `_checks.py` and `_limits.py`
check for check, driven by data taken from the same sources: the fine-tuning rows of this
catalog, and the validator's constants (codes in report order, training methods, the vision
suffix, the method words of its messages, the whole-number fields with their hints, the
serving suffixes of its id suggestions, the method order and titles of its table names) read
from the runtime's source with `ast`, so a change to one of them reaches the page at the next
generate. The retired rows of the fine-tuning tables come with the successor the generated
package names (`codegen.successors`, the rule behind together_catalog/_retired.py),
for the checker's `retired-model`. tests/site/ holds the page and
the Python validator to the same violations on generated requests.
"""

from __future__ import annotations

import ast
import functools
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment

from catalog.columns import COLUMNS
from catalog.contents import Catalog
from catalog.models import FineTuneTable, ServerlessTable, Table
from codegen.render import RenderError, extended_environment, header, to_json
from codegen.successors import Successors

#: Folder of the site under generated/, and of its sources under codegen/templates/.
SITE = "site"
INDEX = f"{SITE}/index.html"
#: Hand-written files copied as they are, each under the header comment of its language.
ASSETS = ("app.js", "checker.js", "style.css")
#: The element of index.html that holds the data, as app.js and the self-check find it.
DATA_OPEN = '<script id="catalog-data" type="application/json">'
DATA_CLOSE = "</script>"

#: What the page calls each table in its "Listed in" column.
METHOD_LABELS = {"lora": "LoRA", "full": "Full", "lora_long_context": "LoRA long-context"}
#: The row fields the checker reads, as `FineTuneLimits` names them.
CHECKER_FIELDS = (
    "min_batch_size",
    "max_batch_size_sft",
    "max_batch_size_dpo",
    "context_length_sft",
    "context_length_dpo",
    "max_lora_rank",
)
#: The validator's constants the checker needs: runtime module -> module-level names.
RUNTIME_CONSTANTS = {
    "validate.py": ("CODES", "TRAINING_METHODS", "VISION_MODEL_SUFFIX"),
    "_limits.py": ("_METHOD_WORD",),
    "_checks.py": ("_WHOLE",),
    "errors.py": ("SERVING_SUFFIXES",),
    "lookup.py": ("FINETUNE_METHODS", "_METHOD_TITLE"),
}


# --- filters -----------------------------------------------------------------------------

#: What `script_json` escapes: what could end a script element or open a comment in it
#: (`</script>`, `<!--`, `-->`), `&` for good measure, the two line terminators older
#: JavaScript refused in strings, and lone surrogates (no UTF-8 form). A pattern, not
#: `str.translate`: translating looks up every character of a 300 KB page in a dict.
_SCRIPT_ESCAPED = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def _script_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def script_json(value: object) -> str:
    """JSON for a `<script type="application/json">` element: `json` (sorted keys), with
    every character that HTML or JavaScript could read as anything but string data escaped.

    The escaped characters only ever occur inside JSON strings, where `\\uXXXX` means the
    same character, so `JSON.parse` (and `json.loads`) read back exactly `value`.
    """
    return _SCRIPT_ESCAPED.sub(_script_escape, to_json(value))


def html_text(value: object) -> str:
    """Text for an HTML text node or a double-quoted attribute: `&`, `<`, `>`, `"` and `'`
    as entities. Only strings and whole numbers; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RenderError(f"html filter: {type(value).__name__} values have no HTML form here")
    return html.escape(str(value), quote=True)


def _html_comment(value: object) -> str:
    text = str(value)
    if "--" in text or ">" in text or not text.isprintable():
        raise RenderError(f"html_comment filter: {text!r} cannot sit inside <!-- ... -->")
    return text


@functools.cache
def site_environment(templates: Path) -> Environment:
    """The generator's environment (same options and filters) plus the page's two filters."""
    filters = {"html": html_text, "script_json": script_json, "html_comment": _html_comment}
    return extended_environment(templates, filters)


# --- the validator's constants, from the runtime's source ---------------------------------


def runtime_constants(runtime: Path) -> dict[str, Any]:
    """The literal values of RUNTIME_CONSTANTS in the runtime's source (never imported)."""
    found: dict[str, Any] = {}
    for module, names in RUNTIME_CONSTANTS.items():
        path = runtime / module
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError) as exc:
            raise RenderError(
                f"site: cannot read the validator's constants from {path}: {exc}"
            ) from None
        for node in tree.body:
            target: ast.expr | None = None
            if isinstance(node, ast.AnnAssign):
                target = node.target
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and target.id in names and value is not None:
                found[target.id] = ast.literal_eval(value)
        missing = [n for n in names if n not in found]
        if missing:
            raise RenderError(
                f"site: {path} no longer defines {missing} as literals; the page's checker "
                "(codegen/templates/site/checker.js) needs them"
            )
    return found


# --- the data ----------------------------------------------------------------------------


def _label(table: Table) -> str:
    if isinstance(table, FineTuneTable):
        return METHOD_LABELS[table.method]
    if isinstance(table, ServerlessTable):
        return table.category
    return "LoRA base"


def _row(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cells": [getattr(row, c.field) for c in table.columns],
        "footnotes": list(row.footnotes),
        "na": list(row.na),
        "note": row.note,
    }
    last_seen = getattr(row, "last_seen", None)
    if last_seen is not None:
        out["last_seen"] = last_seen.isoformat()
    return out


def _table(catalog: Catalog, table: Table) -> dict[str, Any]:
    note = (
        catalog.notes.categories.get(table.category) if isinstance(table, ServerlessTable) else None
    )
    return {
        "id": table.table,
        "kind": table.kind,
        "method": table.method if isinstance(table, FineTuneTable) else None,
        "category": table.category if isinstance(table, ServerlessTable) else None,
        "label": _label(table),
        "section": table.source.section,
        "page": table.source.page,
        "url": table.source.url,
        "snapshot": table.source.snapshot.isoformat(),
        "approximate": table.source.approximate,
        "endpoint": note.endpoint if note is not None else None,
        "recommended": note.recommended if note is not None else None,
        "columns": [{"field": c.field, "header": c.header} for c in table.columns],
        "rows": [_row(table, row) for row in table.rows],
        "retired": [_row(table, row) for row in table.retired],
    }


def _pages(catalog: Catalog) -> list[dict[str, Any]]:
    """Each docs page with the as-of date of its data and where it was read: the oldest
    snapshot among its tables that still list rows (as the runtime's `data_as_of()` takes
    the oldest), so a table the docs dropped, kept for its retired rows, does not date the
    page; a page of such tables alone is dated by all of them."""
    pages: dict[str, list[Table]] = {}
    for table in catalog.tables.values():
        pages.setdefault(table.source.page, []).append(table)
    out = []
    for page, tables in pages.items():
        listing = [t for t in tables if t.rows] or tables
        oldest = min(listing, key=lambda t: t.source.snapshot)
        out.append(
            {
                "page": page,
                "url": oldest.source.url,
                "snapshot": oldest.source.snapshot.isoformat(),
                "approximate": oldest.source.approximate,
            }
        )
    return out


def _changelog(catalog: Catalog) -> list[dict[str, Any]]:
    """catalog/changelog.yaml's entries (none when the catalog has no changelog), each one's
    changes in runs of one table and model, in the file's order: `rows` holds
    `[table, model, [change, ...]]`, a change `[kind]` or, for `changed`, `[kind, field, old,
    new]`. Thousands of changes stay small without their key names repeated."""
    log = getattr(catalog, "changelog", None)
    out = []
    for entry in getattr(log, "entries", ()):
        runs: list[list[Any]] = []
        for change in entry.changes:
            item = [change.change]
            if change.change == "changed":
                item += [change.field, change.old, change.new]
            if runs and runs[-1][:2] == [change.table, change.model]:
                runs[-1][2].append(item)
            else:
                runs.append([change.table, change.model, [item]])
        out.append(
            {
                "page": entry.page,
                "snapshot": entry.snapshot.isoformat(),
                "url": entry.url,
                "approximate": entry.approximate,
                "rows": runs,
            }
        )
    return out


def changelog_changes(data: Any) -> list[tuple[Any, ...]]:
    """The page data's changelog as flat `(page, snapshot, table, model, kind, field, old,
    new)` tuples, in order: what the self-check compares with catalog/changelog.yaml."""
    flat = []
    for entry in data["changelog"]:
        for table, model, changes in entry["rows"]:
            for kind, *rest in changes:
                field, old, new = rest or (None, None, None)
                flat.append((entry["page"], entry["snapshot"], table, model, kind, field, old, new))
    return flat


def _waivers(catalog: Catalog) -> list[dict[str, Any]]:
    from catalog.rules import RULES

    out = []
    for waiver in catalog.waivers.waivers:
        rule = RULES.get(waiver.rule)
        out.append(
            {
                **waiver.model_dump(mode="json"),
                "title": rule.title if rule is not None else None,
                "source": rule.source if rule is not None else None,
            }
        )
    return out


def checker_data(catalog: Catalog, runtime: Path) -> dict[str, Any]:
    """What checker.js needs: the validator's constants; per method, the rows of the
    fine-tuning tables in docs order (as the runtime's LORA, FULL, LORA_LONG_CONTEXT); and
    per fine-tuning table, its retired rows as `[model, last_seen, successor]` in the
    table's order (as the runtime's `_retired.RETIRED`, successor by the same rule)."""
    constants = runtime_constants(runtime)
    methods: tuple[str, ...] = constants["FINETUNE_METHODS"]  # the runtime's order
    rows: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    table_of_method: dict[str, str] = {}
    retired: list[list[Any]] = []
    for table in catalog.tables.values():
        if isinstance(table, FineTuneTable):
            table_of_method[table.method] = table.table
            rows[table.method] += [
                {"model": row.model, "method": table.method}
                | {f: getattr(row, f) for f in CHECKER_FIELDS}
                for row in table.rows
            ]
            successor = Successors(row.model for row in table.rows)
            retired.append(
                [
                    table.table,
                    [
                        [row.model, row.last_seen.isoformat(), successor(row.model)]
                        for row in table.retired
                    ],
                ]
            )
    notes = catalog.notes
    return {
        "codes": list(constants["CODES"]),
        "training_methods": list(constants["TRAINING_METHODS"]),
        "vision_suffix": constants["VISION_MODEL_SUFFIX"],
        "method_words": [[m, w] for m, w in constants["_METHOD_WORD"].items()],
        "whole": [[field, *spec] for field, spec in constants["_WHOLE"].items()],
        "serving_suffixes": list(constants["SERVING_SUFFIXES"]),
        "contact_prefixes": list(
            dict.fromkeys(p for c in notes.contact_only for p in c.model_prefixes)
        ),
        "table_of_method": [[m, t] for m, t in table_of_method.items()],
        "finetune_methods": list(methods),
        "method_titles": [[m, t] for m, t in constants["_METHOD_TITLE"].items()],
        "rows": [[m, rows[m]] for m in methods],
        "retired": retired,
    }


def current_models(catalog: Catalog) -> list[str]:
    """Every id listed in a current row of any table, first appearance order (as the
    runtime's `all_model_ids()`, whose order differs)."""
    return list(dict.fromkeys(row.model for t in catalog.tables.values() for row in t.rows))


def site_data(catalog: Catalog, runtime: Path) -> dict[str, Any]:
    """The page's data: one JSON document, every key fixed (catalog values are never keys)."""
    notes = catalog.notes
    return {
        "columns": [
            {"field": c.field, "label": c.label, "doc": c.doc, "cell": c.cell, "unit": c.unit}
            for c in COLUMNS
        ],
        "tables": [_table(catalog, t) for t in catalog.tables.values()],
        "pages": _pages(catalog),
        "changelog": _changelog(catalog),
        "has_changelog": hasattr(catalog, "changelog"),
        "waivers": _waivers(catalog),
        "notes": {
            "contact_only": [
                {"family": c.family, "prefixes": list(c.model_prefixes)} for c in notes.contact_only
            ],
        },
        "checker": checker_data(catalog, runtime),
        "model_count": len(current_models(catalog)),
    }


# --- the files ---------------------------------------------------------------------------


def _asset(templates: Path, name: str) -> str:
    source = f"codegen/templates/{SITE}/{name}"
    try:
        text = (templates / SITE / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot read {source}: {exc}") from None
    return f"/* {header(source)} */\n{text}"


def outputs(
    catalog: Catalog, templates: Path, runtime: Path
) -> Iterator[tuple[str, Callable[[], str]]]:
    """(path under generated/, how to render it) for each file of the site, so the caller
    can name the file a failure came from."""

    def index() -> str:
        data = site_data(catalog, runtime)
        env = site_environment(templates)
        return env.get_template(f"{SITE}/index.html.j2").render(
            data=data, pages=data["pages"], model_count=data["model_count"]
        )

    yield INDEX, index
    for name in ASSETS:
        yield f"{SITE}/{name}", functools.partial(_asset, templates, name)
