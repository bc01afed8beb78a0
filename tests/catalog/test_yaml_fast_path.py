"""The read-only fast loader gives exactly what the round-trip loader gives, and refuses alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import yamlio
from catalog.load import CATALOG_DIR, CatalogError, load_catalog


@pytest.mark.parametrize("path", sorted(CATALOG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_fast_load_equals_round_trip(path: Path) -> None:
    assert yamlio.load_plain(path) == yamlio.to_plain(yamlio.load(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: !foo 1\n", "unsupported YAML value"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("? [1]\n: 2\n", "keys must be strings"),
        ("a: 1\n1: 2\n", "keys must be strings"),
    ],
)
def test_fast_load_refuses_like_round_trip(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yamlio.YamlError, match=message) as info:
        yamlio.load_plain(path)
    assert str(info.value).startswith(f"{path}:")


def test_validation_error_from_fast_path_is_located(catalog_copy: Path) -> None:
    path = catalog_copy / "serverless-chat.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "context_length: 131072" in line)
    lines[index] = lines[index].replace("131072", "'131072'")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert f"{path}:{index + 1}:" in str(info.value)
    assert "context_length" in str(info.value)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.dates().map(str)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_fast_and_round_trip_agree_on_any_document(
    tmp_path_factory: pytest.TempPathFactory, doc: object
) -> None:
    path = tmp_path_factory.mktemp("doc") / "d.yaml"
    path.write_text(yamlio.dumps({"root": doc}), encoding="utf-8")
    try:
        slow = yamlio.to_plain(yamlio.load(path))
    except yamlio.YamlError:
        with pytest.raises(yamlio.YamlError):
            yamlio.load_plain(path)
        return
    assert yamlio.load_plain(path) == slow
