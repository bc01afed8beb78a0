"""Loading catalog/: the committed files validate, and a file that does not names its file,
line and field (`python -m codegen validate` exits 2 with that one line)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from catalog.contents import Catalog
from catalog.load import CatalogError, load_catalog
from catalog.models import RetiredServerlessRow, ServerlessRow
from codegen.__main__ import main as codegen_main


def test_committed_catalog_loads(catalog: Catalog) -> None:
    """The catalog as rebuilt from the dated snapshots: each table's current rows are its
    newest page's, and the rows earlier pages listed are kept as retired."""
    counts = {name: (len(t.rows), len(t.retired)) for name, t in catalog.tables.items()}
    assert counts == {  # (current, retired)
        "finetune-lora": (30, 85),
        "finetune-lora-long-context": (0, 20),  # the 2026 page dropped the table
        "finetune-full": (11, 48),
        "serverless-chat": (22, 55),
        "serverless-image": (31, 7),
        "serverless-vision": (4, 9),
        "serverless-audio": (7, 1),
        "serverless-code": (0, 1),
        "serverless-language": (0, 3),
        "serverless-moderation": (2, 3),
        "serverless-embedding": (1, 7),
        "serverless-rerank": (0, 2),
        "serverless-video": (24, 0),
        "serverless-lora-bases": (2, 3),
    }
    image = catalog.tables["serverless-image"]
    retired = {r.model: r for r in image.retired}
    # FLUX.1-schnell-Free left the image table after 2025-12: its last row keeps the N/A
    # spelling and the footnote mark it was published with.
    free = retired["black-forest-labs/FLUX.1-schnell-Free"]
    assert isinstance(free, RetiredServerlessRow)
    assert free.last_seen == dt.date(2025, 12, 1)
    assert free.default_steps is None
    assert free.na == ("default_steps",)  # spelled N/A in the docs
    assert free.footnotes == ("model_name",)
    assert retired["black-forest-labs/FLUX.1-pro"].na == ()  # spelled -
    current = {r.model: r for r in image.rows}
    assert isinstance(current["black-forest-labs/FLUX.1-schnell"], ServerlessRow)
    assert current["black-forest-labs/FLUX.1-schnell"].default_steps == 4


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


def row_at(path: Path, line: int) -> str:
    """Where line `line` (from 1) of a table file sits: `rows.N` or `retired.N`, N from 0,
    counted from the file's text (independently of the loader's locator)."""
    section, index = "", -1
    for text in path.read_text(encoding="utf-8").split("\n")[:line]:
        if text in ("rows:", "retired:"):
            section, index = text[:-1], -1
        elif section and text.startswith("  - "):
            index += 1
    assert section, f"{path.name}:{line} is not in a row"
    return f"{section}.{index}"


# (file, the text to change (a regular expression, its first match is changed), new text,
# the line that is then wrong, the located message's tail: `{row}` is the changed line's row).
CASES = [
    (
        "serverless-chat.yaml",
        r"    context_length: 128000\n",
        "    context_length: 128K\n",
        "    context_length: 128K",
        "{row}.context_length: Input should be a valid integer",
    ),
    (
        "serverless-chat.yaml",
        r"    context_length: 128000\n",
        "    context_length: '128000'\n",
        "    context_length: '128000'",
        "{row}.context_length: Input should be a valid integer",
    ),
    (
        "finetune-lora.yaml",
        r"    min_batch_size: 8\n",
        "    min_batch_size: 0\n",
        "    min_batch_size: 0",
        "{row}.min_batch_size: Input should be greater than or equal to 1",
    ),
    (
        "serverless-image.yaml",
        r"    default_steps: 4\n",
        "    default_steps: 4\n    defualt_steps: 4\n",
        "    defualt_steps: 4",
        "{row}.defualt_steps: Extra inputs are not permitted",
    ),
    (
        "serverless-chat.yaml",
        r"  snapshot: [0-9]{4}-[0-9]{2}-[0-9]{2}\n",
        "  snapshot: March 2025\n",
        "  snapshot: March 2025",
        "source.snapshot: Input should be a valid date",
    ),
    (
        "serverless-image.yaml",  # a retired row is located like a current one
        r"    last_seen: [0-9-]+\n",
        "    last_seen: last week\n",
        "    last_seen: last week",
        "{row}.last_seen: Input should be a valid date",
    ),
    (
        "serverless-lora-bases.yaml",
        r"kind: serverless_lora_base\n",
        "kind: lora\n",
        "kind: lora",
        "kind: Input tag 'lora' found using 'kind' does not match any of the expected tags",
    ),
    (
        "notes.yaml",
        r"    endpoint: images\n",
        "    endpoint: [images]\n",
        "    endpoint: [images]",
        "categories.image.endpoint: Input should be a valid string",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "bad_line", "message"),
    CASES,
    ids=[
        "unit-suffix",
        "quoted-number",
        "zero",
        "unknown-key",
        "bad-date",
        "retired-bad-date",
        "bad-kind",
        "notes",
    ],
)
def test_load_error_names_file_line_and_field(
    catalog_copy: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    old: str,
    new: str,
    bad_line: str,
    message: str,
) -> None:
    path = catalog_copy / name
    text, found = re.subn(old, new, path.read_text(encoding="utf-8"), count=1)
    assert found == 1
    path.write_text(text, encoding="utf-8")
    line = line_of(path, bad_line)
    if "{row}" in message:
        message = message.format(row=row_at(path, line))
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert str(info.value).startswith(f"{path}:{line}: {message}")

    assert codegen_main(["--catalog", str(catalog_copy), "validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:{line}: {message}")
    assert err.count("\n") == 1


# Edits of serverless-image.yaml: its first current row has no default steps, FLUX.1-schnell
# (current) has 4, FLUX.1-canny (retired in 2025) was published without a price column, and
# FLUX.1-schnell-Free (retired) carries the file's only footnote and N/A marks.
FIRST_CURRENT = "    default_steps: null\n"
SCHNELL = "    default_steps: 4\n"
CANNY = "    model_name: Flux.1 Canny\n"
TABLE_CASES = {
    "footnote-on-non-column": (
        FIRST_CURRENT,
        FIRST_CURRENT + "    footnotes: [model_nam]\n",
        "row 1 (google/imagen-4.0-preview) marks footnotes on non-columns ['model_nam']",
    ),
    "na-on-a-value": (
        SCHNELL,
        SCHNELL + "    na: [model_name]\n",
        "lists ['model_name'] as N/A, but they are not columns with no value",
    ),
    "na-on-a-number": (
        SCHNELL,
        SCHNELL + "    na: [default_steps]\n",
        "lists ['default_steps'] as N/A, but they are not columns with no value",
    ),
    "key-not-a-column": (
        SCHNELL,
        SCHNELL + "    quantization: FP8\n",
        "sets ['quantization'], which are not columns of this table",
    ),
    "retired-footnote-on-no-cell": (
        "    footnotes: [model_name]\n",
        "    footnotes: [model_nam]\n",
        "retired row 5 (black-forest-labs/FLUX.1-schnell-Free) marks ['model_nam'] as "
        "footnoted or N/A, but it has no such cells",
    ),
    # A column of the table, but not one this row was published with.
    "retired-footnote-on-a-cell-it-lacks": (
        CANNY,
        CANNY + "    footnotes: [price_per_megapixel]\n",
        "marks ['price_per_megapixel'] as footnoted or N/A, but it has no such cells",
    ),
    # Was an AttributeError (a traceback, not exit 2) before retired marks were checked.
    "retired-na-on-no-cell": (
        "    na: [default_steps]\n",
        "    na: [bogus]\n",
        "marks ['bogus'] as footnoted or N/A, but it has no such cells",
    ),
    "retired-na-on-a-value": (
        "    na: [default_steps]\n",
        "    na: [model_name]\n",
        "retired row 5 (black-forest-labs/FLUX.1-schnell-Free) lists ['model_name'] as N/A, "
        "but they have values",
    ),
}


@pytest.mark.parametrize(("old", "new", "fragment"), TABLE_CASES.values(), ids=TABLE_CASES)
def test_table_level_checks_name_the_file(
    catalog_copy: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    fragment: str,
) -> None:
    path = catalog_copy / "serverless-image.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert str(info.value).startswith(f"{path}:")
    assert fragment in str(info.value)
    assert codegen_main(["--catalog", str(catalog_copy), "validate"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_retired_row_keeps_a_column_the_table_dropped(catalog_copy: Path) -> None:
    """A retired row holds the cells it was last published with; a column the table has
    since dropped (here one the image table does not publish) is one of them, with its
    footnote mark and N/A spelling, though on a current row it would be refused."""
    path = catalog_copy / "serverless-image.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(CANNY) == 1
    dropped = "    context_length: 4096\n    quantization: null\n"
    marks = "    footnotes: [context_length]\n    na: [quantization]\n"
    path.write_text(text.replace(CANNY, CANNY + dropped + marks), encoding="utf-8")
    image = load_catalog(catalog_copy).tables["serverless-image"]
    assert "context_length" not in [c.field for c in image.columns]
    canny = next(r for r in image.retired if r.model == "black-forest-labs/FLUX.1-canny")
    assert (canny.context_length, canny.quantization) == (4096, None)
    assert (canny.footnotes, canny.na) == (("context_length",), ("quantization",))


def test_table_id_must_match_the_file_name(catalog_copy: Path) -> None:
    (catalog_copy / "serverless-code.yaml").rename(catalog_copy / "serverless-coding.yaml")
    with pytest.raises(CatalogError, match=r"serverless-coding\.yaml:1: table id"):
        load_catalog(catalog_copy)


def test_yaml_syntax_error_names_the_line(catalog_copy: Path) -> None:
    path = catalog_copy / "serverless-audio.yaml"
    path.write_text(path.read_text() + "rows: [unclosed\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert str(info.value).startswith(f"{path}:")
