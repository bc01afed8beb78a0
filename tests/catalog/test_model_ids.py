"""The loader refuses ids a person cannot tell apart: non-ASCII ids, and ids that collide
once NFKC-normalised and case-folded (`openai/gpt-oss-120B` beside `openai/gpt-oss-120b`).

Either would otherwise reach the generated package as two records, or a Literal that looks
right and is not.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.load import CatalogError, load_catalog
from catalog.models import id_key

LORA = "finetune-lora.yaml"
CYRILLIC_A = "\u0430"


def _edit(catalog: Path, old: str, new: str) -> None:
    path = catalog / LORA
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_id(catalog: Path, holding: str = "", section: str = "rows") -> str:
    """The first id in `section` (`rows` or `retired`) of the LoRA table holding `holding`."""
    text = (catalog / LORA).read_text(encoding="utf-8")
    body = text.split(f"\n{section}:\n", 1)[1]
    for line in body.splitlines():
        if line.startswith("  - model: ") and holding in line.removeprefix("  - model: "):
            return line.removeprefix("  - model: ")
    raise AssertionError(f"no row in {section} holds {holding!r}")


@pytest.mark.parametrize("section", ["rows", "retired"])
def test_a_non_ascii_id_is_refused_with_its_line(catalog_copy: Path, section: str) -> None:
    model = _first_id(catalog_copy, "o", section)
    cyrillic = model.replace("o", "\u043e", 1)  # CYRILLIC SMALL LETTER O
    assert cyrillic != model
    _edit(catalog_copy, f"model: {model}\n", f"model: {cyrillic}\n")
    with pytest.raises(CatalogError, match=r"U\+043E") as caught:
        load_catalog(catalog_copy)
    assert f"{catalog_copy / LORA}:" in str(caught.value)


def test_a_case_variant_duplicate_is_refused(catalog_copy: Path) -> None:
    text = (catalog_copy / LORA).read_text(encoding="utf-8")
    rows = text.split("\n  - model: ")
    first = rows[1][: rows[1].index("\n")]
    assert first.upper() != first
    # The second row takes the first row's id in capitals.
    rows[2] = first.upper() + rows[2][rows[2].index("\n") :]
    (catalog_copy / LORA).write_text("\n  - model: ".join(rows), encoding="utf-8")
    with pytest.raises(CatalogError, match="differ only in case"):
        load_catalog(catalog_copy)


def test_the_cli_exits_2_on_either(catalog_copy: Path) -> None:
    model = _first_id(catalog_copy)
    _edit(catalog_copy, f"model: {model}\n", f"model: {model.replace('a', CYRILLIC_A, 1)}\n")
    done = subprocess.run(
        [sys.executable, "-m", "codegen", "--catalog", str(catalog_copy), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


ASCII_IDS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)


@given(ASCII_IDS)
def test_ascii_ids_collide_exactly_when_they_differ_only_in_case(model: str) -> None:
    assert id_key(model) == model.lower()
    assert id_key(model.swapcase()) == id_key(model)


@given(ASCII_IDS, ASCII_IDS)
def test_distinct_lowercase_ascii_ids_never_collide(a: str, b: str) -> None:
    assert (id_key(a) == id_key(b)) == (a.lower() == b.lower())
