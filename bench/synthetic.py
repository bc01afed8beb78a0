"""Synthetic catalogs N times the real size, derived deterministically from the real rows.

Copy 0 of every table is the real table; copy k (k >= 1) repeats every row, current and
retired, with its model id suffixed `-x{k}`. Every id that names a row elsewhere (serving
aliases, waivers, notes' lists of rows) gets the same suffix, so each copy keeps the
relationships the consistency rules look at and the growth measured is that of the
catalog's size alone. Snapshot pages for the synthetic catalog are rendered in the bundled
snapshots' format (same headings and columns, cells printed as the docs print them, N/A and
footnote spellings kept), so the scrape and reconcile stages run on them as on real pages.
The changelog (catalog/changelog.yaml) is not copied: a synthetic catalog has no history.

The copies are written as text, reusing each real row's YAML block with only its id line
changed: a round-trip dump of a 100x catalog costs tens of seconds, the text a fraction of
one. `derive_catalog(..., fast=False)` takes the slow, obviously-correct path; the tests
check the two agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from catalog import yamlio
from catalog.columns import COLUMN_BY_FIELD
from catalog.load import NOTES_FILE, table_files
from catalog.tables import DASH_MARKER, NA_MARKER
from catalog.yaml_comments import row_map
from codegen.render import cell
from scrapers.inputs import newest
from scrapers.parse import parse_file

ALIASES_FILE = "aliases.yaml"
WAIVERS_FILE = "waivers.yaml"
_ROWS_KEY = "\nrows:\n"
_RETIRED_LINE = "retired:\n"
#: A table's lists of rows: the current ones, and those the docs no longer list.
ROW_LISTS = ("rows", "retired")
_ITEM = "  - "
_ID_LINE = "  - model: "


def suffixed(model: str, copy: int) -> str:
    """The id of `model` in synthetic copy `copy` (copy 0 is the real row)."""
    return model if copy == 0 else f"{model}-x{copy}"


def _copy_row(row: CommentedMap, copy: int) -> CommentedMap:
    values = {k: list(v) if isinstance(v, list) else v for k, v in row.items()}
    return row_map(values | {"model": suffixed(str(row["model"]), copy)})


def _multiply_doc(doc: CommentedMap, factor: int) -> str:
    for key in ROW_LISTS:
        rows: CommentedSeq | None = doc.get(key)
        if not rows:
            continue
        real = list(rows)
        for copy in range(1, factor):
            rows.extend(_copy_row(row, copy) for row in real)
    return yamlio.dumps(doc)


def _row_blocks(text: str) -> tuple[str, dict[str, list[str]]] | None:
    """The text up to the rows and each row's block, per list (`rows`, then `retired` when
    there is one), when those lists are the last keys and written in block style."""
    head, sep, body = text.partition(_ROWS_KEY)
    if not sep or not body.startswith(_ITEM):
        return None
    lists: dict[str, list[str]] = {"rows": []}
    blocks = lists["rows"]
    for line in body.splitlines(keepends=True):
        if line.startswith(_ITEM):
            blocks.append(line)
        elif blocks and (line.startswith("    ") or line.strip().startswith("#")):
            blocks[-1] += line
        elif line == _RETIRED_LINE and len(lists) == 1:
            blocks = lists["retired"] = []
        else:
            return None  # another top-level key after the rows, or an empty list
    if not blocks:
        return None
    return head + sep, lists


def _copy_bodies(blocks: list[str], models: list[str]) -> list[str] | None:
    """Each row block after its id line, comments left out; None on an unusual id line."""
    bodies: list[str] = []
    for block, model in zip(blocks, models, strict=True):
        first, _, rest = block.partition("\n")
        if first != f"{_ID_LINE}{model}":
            return None  # quoted or unusual id: let ruamel decide how to write the copy
        # Comment lines belong to the real row only.
        kept = "".join(
            line for line in rest.splitlines(keepends=True) if not line.strip().startswith("#")
        )
        bodies.append("\n" + kept)
    return bodies


def _multiply_text(text: str, models: dict[str, list[str]], factor: int) -> str | None:
    """`text` with `factor - 1` suffixed copies of each row list's rows appended to it
    (`models`: the ids of each list), or None when unsure."""
    split = _row_blocks(text)
    if split is None:
        return None
    head, lists = split
    if {k: len(v) for k, v in lists.items()} != {k: len(v) for k, v in models.items()}:
        return None
    out = [head]
    for key, blocks in lists.items():
        ids = models[key]
        bodies = _copy_bodies(blocks, ids)
        if bodies is None:
            return None
        if key != "rows":
            out.append(_RETIRED_LINE)
        out += blocks
        for copy in range(1, factor):
            out.extend(
                f"{_ID_LINE}{suffixed(model, copy)}{body}"
                for model, body in zip(ids, bodies, strict=True)
            )
    return "".join(out)


def _multiply_aliases(doc: CommentedMap, factor: int) -> None:
    variants = doc.get("serving_variants")
    if not variants:
        return
    real = list(variants.items())
    for copy in range(1, factor):
        for base, target in real:
            variants[suffixed(str(base), copy)] = suffixed(str(target), copy)


def _multiply_waivers(doc: CommentedMap, factor: int) -> None:
    for waiver in doc.get("waivers") or []:
        models = waiver.get("models")
        if models:
            real = list(models)
            models.extend(suffixed(str(m), copy) for copy in range(1, factor) for m in real)


#: Lists of row ids in notes.yaml whose rule applies per row: each copy joins them too.
NOTES_ID_LISTS = (("lora_only_long_context", "models"), ("image_pricing", "excluded"))


def _multiply_notes(doc: CommentedMap, factor: int) -> None:
    for section, key in NOTES_ID_LISTS:
        ids = (doc.get(section) or {}).get(key)
        if ids:
            real = list(ids)
            ids.extend(suffixed(str(m), copy) for copy in range(1, factor) for m in real)


def derive_catalog(source: Path, dest: Path, factor: int, *, fast: bool = True) -> None:
    """Write the `factor`x catalog derived from `source` into the (new or empty) folder `dest`."""
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    dest.mkdir(parents=True, exist_ok=True)
    for path in table_files(source):
        # Loading then dumping a catalog file gives back its text (tests/test_reconcile.py
        # pins it), so the file's text is what the copies are made from.
        original = yamlio.read_text(path)
        text: str | None = None
        if fast:
            plain = yamlio.loads_plain(original, str(path))
            models = {
                key: [str(row["model"]) for row in plain[key]] for key in ROW_LISTS if key in plain
            }
            text = _multiply_text(original, models, factor)
        if text is None:  # edited, so loaded round-trip
            text = _multiply_doc(yamlio.loads(original, str(path)), factor)
        (dest / path.name).write_text(text, encoding="utf-8")
    multipliers = (
        (NOTES_FILE, _multiply_notes),
        (ALIASES_FILE, _multiply_aliases),
        (WAIVERS_FILE, _multiply_waivers),
    )
    for name, multiply in multipliers:
        path = source / name
        if path.exists():
            doc = yamlio.load(path)
            multiply(doc, factor)
            (dest / name).write_text(yamlio.dumps(doc), encoding="utf-8")


def render_table(doc: Any, factor: int = 1) -> list[str]:
    """A catalog table's current rows, `factor` times over, as the lines of a GFM table, each
    cell as the docs print it (its column's `published` form)."""
    fields = [str(c["field"]) for c in doc["columns"]]
    headers = [str(c["header"]) for c in doc["columns"]]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    rows = [yamlio.to_plain(row) for row in doc["rows"]]
    for copy in range(factor):
        for row in rows:
            marks = set(row.get("footnotes") or ())
            na = set(row.get("na") or ())
            cells = [
                cell(
                    suffixed(row["model"], copy)
                    if name == "model"
                    else COLUMN_BY_FIELD[name].published(row.get(name)),  # `$0.30`, Yes
                    name in marks,
                    NA_MARKER if name in na else DASH_MARKER,
                )
                for name in fields
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_pages(catalog: Path, snapshots: Path, dest: Path, factor: int) -> list[Path]:
    """Each page's newest snapshot under `snapshots` (`<page>/<date>.md`, the page the
    catalog's current rows come from), its tables replaced by the `factor`x rows of
    `catalog`, written as `dest/<page>/<date>.md`.

    `catalog` is the real catalog the synthetic one was derived from. Everything outside the
    tables (source comments, headings) is kept line for line.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for page_path in newest(snapshots):
        page = parse_file(page_path)
        lines = page_path.read_text(encoding="utf-8").splitlines()
        # Replace from the bottom so earlier line numbers stay valid.
        for scraped in sorted(page.tables, key=lambda t: t.line, reverse=True):
            table_path = catalog / f"{scraped.spec.table}.yaml"
            if not table_path.exists():
                raise FileNotFoundError(f"{table_path}: no catalog table for {page_path}")
            start = scraped.line - 1
            end = start + 2 + len(scraped.rows)
            lines[start:end] = render_table(yamlio.load_plain(table_path), factor)
        out = dest / page_path.parent.name / page_path.name
        out.parent.mkdir(exist_ok=True)
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(out)
    return written


def row_counts(catalog: Path) -> dict[str, int]:
    """Rows per table file, read without validation (for reports and tests)."""
    return {p.stem: len(yamlio.load_plain(p)["rows"]) for p in table_files(catalog)}
