"""The plain-data cache gives exactly what the loader gives, and only costs speed."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import changelog_text, plain_cache, yamlio
from catalog.load import CATALOG_DIR, ROOT, changelog_plain


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "yaml"


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@pytest.mark.parametrize("path", sorted(CATALOG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_entries_read_back_as_the_loader_reads(cache: Path, path: Path) -> None:
    text = yamlio.read_text(path)
    fresh = yamlio.to_plain(yamlio.loads(text, str(path)))
    assert yamlio.loads_plain(text, str(path)) == fresh  # a miss: parsed, then stored
    assert len(_entries(cache)) == 1
    assert yamlio.loads_plain(text, str(path)) == fresh  # a hit
    assert json.loads(_entries(cache)[0].read_bytes()) == fresh


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
)
_PLAIN = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


_KINDS = (bool, int, float, str, list, dict, type(None))


def _kind(value: Any) -> type:
    # The round-trip loader's scalars subclass the builtins (ScalarFloat, quoted strings).
    return next(k for k in _KINDS if isinstance(value, k))


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same kinds all the way down (1 is not 1.0, True is not 1)."""
    if _kind(a) is not _kind(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_PLAIN)
def test_any_plain_document_survives_the_cache_exactly(cache: Path, value: Any) -> None:
    text = yamlio.dumps({"value": value})
    fresh = yamlio._loads_plain(text, "<doc>")
    assert _same(yamlio.loads_plain(text, "<doc>"), fresh)
    assert _same(yamlio.loads_plain(text, "<doc>"), fresh)  # from the entry


def test_a_broken_entry_is_parsed_again_and_replaced(cache: Path) -> None:
    text = "a: 1\nb: [x, y]\n"
    assert yamlio.loads_plain(text) == {"a": 1, "b": ["x", "y"]}
    (entry,) = _entries(cache)
    entry.write_bytes(b'{"a": 1, "b": ["x"')  # a torn write, or a disk error
    assert yamlio.loads_plain(text) == {"a": 1, "b": ["x", "y"]}
    assert json.loads(entry.read_bytes()) == {"a": 1, "b": ["x", "y"]}


def test_a_refusal_is_never_stored(cache: Path) -> None:
    text = "a: 1\na: 2\n"
    for _ in range(2):  # the second time is refused by the loader again, not the cache
        with pytest.raises(yamlio.YamlError, match=r"^f\.yaml:.*duplicate key"):
            yamlio.loads_plain(text, "f.yaml")
    assert _entries(cache) == []


def test_another_loader_never_meets_an_old_entry(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yamlio.loads_plain("a: 1\n")
    (before,) = _entries(cache)
    monkeypatch.setattr(plain_cache, "_loader_key", lambda: b"another loader")
    assert plain_cache.entry("a: 1\n", cache) != before
    assert yamlio.loads_plain("a: 1\n") == {"a": 1}
    assert len(_entries(cache)) == 2


def test_off_and_unwritable_cost_only_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plain_cache.CACHE_ENV, "")
    assert plain_cache.folder() is None
    assert yamlio.loads_plain("a: 1\n") == {"a": 1}
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(blocked))
    assert yamlio.loads_plain("a: 1\n") == {"a": 1}
    monkeypatch.delenv(plain_cache.CACHE_ENV)
    assert plain_cache.folder() == ROOT / ".cache" / "yaml"


def test_only_the_newest_entries_are_kept(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plain_cache, "MAX_ENTRIES", 2)
    for n in range(4):
        yamlio.loads_plain(f"n: {n}\n")
    kept = {json.loads(p.read_bytes())["n"] for p in _entries(cache)}
    assert len(kept) == 2 and kept <= {1, 2, 3}
    assert not list(cache.glob(".*.tmp"))  # no temporary file left behind


def test_the_pipeline_reads_the_same_catalog_through_the_cache(cache: Path, tmp_path: Path) -> None:
    env = {**os.environ, plain_cache.CACHE_ENV: str(cache.parent)}
    runs = [
        subprocess.run(
            [sys.executable, "-m", "codegen", "check", "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        for _ in range(2)
    ]
    assert runs[0].returncode == runs[1].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert len(_entries(cache)) >= len(list(CATALOG_DIR.glob("*.yaml"))) - 1  # the changelog


def test_the_changelog_reader_keeps_its_own_entries(cache: Path) -> None:
    path = CATALOG_DIR / "changelog.yaml"
    text = yamlio.read_text(path)
    fresh = changelog_text.fast_plain(text)
    assert fresh is not None
    assert changelog_plain(text, path) == fresh
    assert changelog_plain(text, path) == fresh  # from its entry
    # A text the line reader declines is kept as declined, and the YAML loader still reads
    # it: the two readers' entries for one text never stand in for each other.
    declined = "entries: []\n"
    for _ in range(2):
        assert changelog_plain(declined, path) == {"entries": []}
    assert len(_entries(cache)) == 3


@pytest.mark.parametrize(
    "text",
    [
        'a: "\\ud83d\\ude00"\n',  # two lone surrogates, which JSON would join into one character
        "a: .nan\n",  # NaN is not equal to itself
        "a: 0x" + "f" * 4000 + "\n",  # an int too long for json to write
    ],
    ids=["surrogate-pair", "nan", "huge-int"],
)
def test_data_json_would_change_is_parsed_every_time(cache: Path, text: str) -> None:
    fresh = yamlio._loads_plain(text, "<doc>")
    for _ in range(2):
        got = yamlio.loads_plain(text, "<doc>")["a"]
        want = fresh["a"]
        assert type(got) is type(want)
        assert got == want or (math.isnan(got) and math.isnan(want))
    assert _entries(cache) == []
