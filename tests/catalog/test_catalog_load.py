"""Loading catalog/: the committed files validate, and a file that does not names its file,
line and field (`python -m codegen validate` exits 2 with that one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.contents import Catalog
from catalog.load import CatalogError, load_catalog
from catalog.models import ServerlessRow
from codegen.__main__ import main as codegen_main


def test_committed_catalog_loads(catalog: Catalog) -> None:
    counts = {name: len(t.rows) for name, t in catalog.tables.items()}
    assert counts == {
        "finetune-lora": 93,
        "finetune-lora-long-context": 20,
        "finetune-full": 51,
        "serverless-chat": 38,
        "serverless-image": 9,
        "serverless-vision": 4,
        "serverless-audio": 1,
        "serverless-code": 1,
        "serverless-language": 3,
        "serverless-moderation": 1,
        "serverless-embedding": 6,
        "serverless-rerank": 1,
        "serverless-lora-bases": 5,
    }
    image = {r.model: r for r in catalog.tables["serverless-image"].rows}
    free = image["black-forest-labs/FLUX.1-schnell-Free"]
    assert isinstance(free, ServerlessRow)
    assert free.default_steps is None
    assert free.na == ("default_steps",)  # spelled N/A in the docs
    assert free.footnotes == ("model_name",)
    assert image["black-forest-labs/FLUX.1-pro"].na == ()  # spelled -


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


# (file, old text, new text, the line that is then wrong, the located message's tail)
CASES = [
    (
        "serverless-chat.yaml",
        "    context_length: 128000\n",
        "    context_length: 128K\n",
        "    context_length: 128K",
        "rows.0.context_length: Input should be a valid integer",
    ),
    (
        "serverless-chat.yaml",
        "    context_length: 128000\n",
        "    context_length: '128000'\n",
        "    context_length: '128000'",
        "rows.0.context_length: Input should be a valid integer",
    ),
    (
        "finetune-lora.yaml",
        "    min_batch_size: 8\n",
        "    min_batch_size: 0\n",
        "    min_batch_size: 0",
        "rows.0.min_batch_size: Input should be greater than or equal to 1",
    ),
    (
        "serverless-image.yaml",
        "    default_steps: 4\n",
        "    default_steps: 4\n    defualt_steps: 4\n",
        "    defualt_steps: 4",
        "rows.1.defualt_steps: Extra inputs are not permitted",
    ),
    (
        "serverless-chat.yaml",
        "  snapshot: 2025-03-04\n",
        "  snapshot: March 2025\n",
        "  snapshot: March 2025",
        "source.snapshot: Input should be a valid date",
    ),
    (
        "serverless-lora-bases.yaml",
        "kind: serverless_lora_base\n",
        "kind: lora\n",
        "kind: lora",
        "kind: Input tag 'lora' found using 'kind' does not match any of the expected tags",
    ),
    (
        "notes.yaml",
        "    endpoint: images\n",
        "    endpoint: [images]\n",
        "    endpoint: [images]",
        "categories.image.endpoint: Input should be a valid string",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "bad_line", "message"),
    CASES,
    ids=["unit-suffix", "quoted-number", "zero", "unknown-key", "bad-date", "bad-kind", "notes"],
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
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = line_of(path, bad_line)
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert str(info.value).startswith(f"{path}:{line}: {message}")

    assert codegen_main(["--catalog", str(catalog_copy), "validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:{line}: {message}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "    footnotes: [model_name]\n",
            "    footnotes: [model_nam]\n",
            "marks footnotes on non-columns ['model_nam']",
        ),
        ("    na: [default_steps]\n", "    na: [model_name]\n", "lists ['model_name'] as N/A"),
        (
            "    default_steps: 4\n",
            "    default_steps: 4\n    na: [default_steps]\n",
            "lists ['default_steps'] as N/A, but they are not columns with no value",
        ),
        (
            "    default_steps: 4\n",
            "    default_steps: 4\n    quantization: FP8\n",
            "sets ['quantization'], which are not columns of this table",
        ),
    ],
    ids=["footnote-on-non-column", "na-on-a-value", "na-on-a-number", "key-not-a-column"],
)
def test_table_level_checks_name_the_file(
    catalog_copy: Path, old: str, new: str, fragment: str
) -> None:
    path = catalog_copy / "serverless-image.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert str(info.value).startswith(f"{path}:")
    assert fragment in str(info.value)


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
