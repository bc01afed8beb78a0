"""The maintainer CLI's edges: what it refuses to load, overwrite or leave behind.

Each test pins one reviewed failure: a missing table loading silently, a waiver naming a
rule or table that does not exist, `--out` wiping a folder that is not generated/, a crash
between the two renames, tracebacks on a closed pipe or a bad path, and files left at 0600.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen import yamlio
from codegen.__main__ import main
from codegen.load import CATALOG_DIR, CatalogError, load_catalog
from scrapers.vocabulary import TABLES


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    shutil.copytree(CATALOG_DIR, tmp_path / "catalog")
    return tmp_path / "catalog"


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


# --- every declared table is required --------------------------------------------------------


@pytest.mark.parametrize("table", [spec.table for spec in TABLES])
def test_missing_declared_table_is_a_load_error(
    catalog: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    path = catalog / f"{table}.yaml"
    path.unlink()
    with pytest.raises(CatalogError, match=r"missing; every table declared") as info:
        load_catalog(catalog)
    assert str(info.value).startswith(f"{path}: missing")
    assert main(["--catalog", str(catalog), "validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: missing") and err.count("\n") == 1


def test_several_missing_tables_are_counted(catalog: Path) -> None:
    for name in ("serverless-rerank.yaml", "finetune-full.yaml"):
        (catalog / name).unlink()
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog)
    # The first in declared order is named; the rest are counted.
    assert str(info.value).startswith(f"{catalog / 'finetune-full.yaml'}: missing (+1 more);")


def test_a_new_category_table_is_still_allowed(catalog: Path) -> None:
    text = (catalog / "serverless-rerank.yaml").read_text(encoding="utf-8")
    text = text.replace("table: serverless-rerank", "table: serverless-text-to-speech")
    text = text.replace("category: rerank", "category: text-to-speech")
    (catalog / "serverless-text-to-speech.yaml").write_text(text, encoding="utf-8")
    loaded = load_catalog(catalog)
    # Declared tables keep the declared order; the new one comes last.
    assert list(loaded.tables) == [*(spec.table for spec in TABLES), "serverless-text-to-speech"]


# --- a waiver must name a real rule and a real table -----------------------------------------


def _edit_waivers(catalog: Path, index: int, key: str, value: str) -> Path:
    path = catalog / "waivers.yaml"
    doc = yamlio.load(path)
    doc["waivers"][index][key] = value
    yamlio.atomic_write(path, yamlio.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("rule", "min-batch-le-max-batches", "waivers.1.rule: unknown rule id"),
        ("table", "finetune-loras", "waivers.1.table: unknown table 'finetune-loras'"),
    ],
    ids=["rule", "table"],
)
def test_waiver_naming_nothing_is_a_load_error_with_its_line(
    catalog: Path, capsys: pytest.CaptureFixture[str], key: str, value: str, message: str
) -> None:
    path = _edit_waivers(catalog, 1, key, value)
    line = line_of(path, f"  - rule: {value}" if key == "rule" else f"    table: {value}")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog)
    assert str(info.value).startswith(f"{path}:{line}: {message}")
    # Exit 2 (cannot load), not 1 with a "stale" waiver that reads as "the vendor fixed it".
    assert main(["--catalog", str(catalog), "check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "STALE" not in captured.err
    assert captured.err.startswith(f"error: {path}:{line}: {message}")


def test_waiver_for_a_new_category_table_loads(catalog: Path) -> None:
    text = (catalog / "serverless-rerank.yaml").read_text(encoding="utf-8")
    text = text.replace("table: serverless-rerank", "table: serverless-tts")
    text = text.replace("category: rerank", "category: tts")
    (catalog / "serverless-tts.yaml").write_text(text, encoding="utf-8")
    _edit_waivers(catalog, 1, "table", "serverless-tts")
    assert "serverless-tts" in load_catalog(catalog).tables
