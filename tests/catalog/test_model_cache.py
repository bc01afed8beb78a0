"""The validated-document cache gives exactly what validation gives, and only costs speed."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog import model_cache, plain_cache, yamlio
from catalog.load import (
    CATALOG_DIR,
    CHANGELOG,
    ROOT,
    TABLE,
    CatalogError,
    load_catalog,
    validate_plain,
)
from codegen import schemas


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / model_cache.KIND


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def _counted(value: object) -> tuple[list[int], Callable[[], object]]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return calls, compute


def test_a_warm_catalog_is_the_validated_catalog(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load_catalog()  # a miss for every document: validated, then stored
    assert len(_entries(cache)) >= len(list(CATALOG_DIR.glob("*.yaml")))
    warm = load_catalog()
    monkeypatch.setenv(plain_cache.CACHE_ENV, "")
    fresh = load_catalog()
    for got in (cold, warm):
        assert got.tables == fresh.tables
        assert [type(t) for t in got.tables.values()] == [type(t) for t in fresh.tables.values()]
        assert (got.notes, got.aliases, got.waivers, got.changelog) == (
            fresh.notes,
            fresh.aliases,
            fresh.waivers,
            fresh.changelog,
        )


def test_a_hit_does_not_validate(cache: Path) -> None:
    calls, compute = _counted({"a": 1})
    assert model_cache.cached("adapter", "{}", compute) == {"a": 1}
    assert model_cache.cached("adapter", "{}", compute) == {"a": 1}
    assert calls == [1]
    assert model_cache.cached("another adapter", "{}", compute) == {"a": 1}
    assert calls == [1, 1]  # the same text, another adapter: never the same entry


def test_a_broken_entry_is_validated_again_and_replaced(cache: Path) -> None:
    path = next(CATALOG_DIR.glob("*.yaml"))
    plain = yamlio.load_plain(path)
    first = validate_plain(TABLE, plain, path)
    (entry,) = _entries(cache)
    for broken in (b"", b"\x80\x05garbage", pickle.dumps("a string, not a table")[:-3]):
        entry.write_bytes(broken)
        assert validate_plain(TABLE, plain, path) == first
        assert pickle.loads(entry.read_bytes()) == first


def test_a_refusal_is_never_stored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "changelog.yaml"
    path.write_text("entries:\n  - page: x\n")
    for _ in range(2):  # refused by validation both times, located, not by the cache
        with pytest.raises(CatalogError, match=r"changelog\.yaml:2: entries\.0\."):
            validate_plain(CHANGELOG, yamlio.load_plain(path), path)
    assert _entries(cache) == []


def test_what_pickle_cannot_give_back_exactly_is_never_stored(cache: Path) -> None:
    calls, compute = _counted({"x": float("nan")})  # NaN is not equal to itself
    model_cache.cached("adapter", "nan", compute)
    calls2, unpicklable = _counted(lambda: None)  # a lambda has no pickle form
    model_cache.cached("adapter", "lambda", unpicklable)
    assert _entries(cache) == []
    model_cache.cached("adapter", "nan", compute)
    assert calls == [1, 1] and calls2 == [1]


def test_other_models_never_meet_an_old_entry(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls, compute = _counted(1)
    model_cache.cached("adapter", "{}", compute)
    before = model_cache.entry("adapter", "{}", cache)
    monkeypatch.setattr(model_cache, "_models_key", lambda: b"edited catalog/models.py")
    assert model_cache.entry("adapter", "{}", cache) != before
    model_cache.cached("adapter", "{}", compute)
    assert calls == [1, 1]


def test_off_and_unwritable_cost_only_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plain_cache.CACHE_ENV, "")
    calls, compute = _counted(1)
    for _ in range(2):
        assert model_cache.cached("adapter", "{}", compute) == 1
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(blocked))
    assert model_cache.cached("adapter", "{}", compute) == 1
    assert calls == [1, 1, 1]


def test_only_the_newest_entries_are_kept(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_cache, "MAX_ENTRIES", 2)
    for n in range(4):
        model_cache.cached("adapter", str(n), lambda n=n: n)  # type: ignore[misc]
    kept = {pickle.loads(p.read_bytes()) for p in _entries(cache)}
    assert len(kept) == 2 and kept <= {1, 2, 3}
    assert not list(cache.glob(".*.tmp"))


def test_the_catalog_document_round_trip_goes_through_the_cache(cache: Path) -> None:
    catalog = load_catalog()
    document = json.loads(json.dumps(schemas.catalog_document(catalog)))
    first = schemas.load_document(document)
    assert schemas.load_document(document).tables == first.tables == catalog.tables
    document["tables"][0]["rows"][0]["model"] = 7  # not a string: refused, never cached
    with pytest.raises(ValueError):
        schemas.load_document(document)


def test_a_warm_run_builds_no_validator(cache: Path) -> None:
    """What the cache is for: with every document cached, `check` builds no pydantic
    validator (the models are declared with defer_build) and never scans for plugins."""
    probe = (
        "import sys\n"
        "from catalog.load import CHANGELOG, TABLE, load_catalog\n"
        "load_catalog()\n"
        "print(TABLE.pydantic_complete, CHANGELOG.pydantic_complete,"
        " 'importlib.metadata' in sys.modules)\n"
    )
    env = {**os.environ, plain_cache.CACHE_ENV: str(cache.parent)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.split() == ["True", "True", "True"]  # cold: validated
    assert runs[1].stdout.split() == ["False", "False", "False"]  # warm: nothing built


def test_an_entry_others_could_have_written_is_never_loaded(cache: Path) -> None:
    """TOGETHER_CATALOG_CACHE may name a shared folder: a pickle is code, so an entry is
    loaded only from a folder and a file that no one but the current user may write."""
    calls, compute = _counted("validated")
    assert model_cache.cached("adapter", "{}", compute) == "validated"
    (path,) = _entries(cache)
    planted = pickle.dumps("planted by someone else")
    path.write_bytes(planted)
    path.chmod(0o666)  # anyone may write the entry
    assert model_cache.cached("adapter", "{}", compute) == "validated"
    path.write_bytes(planted)
    path.chmod(0o600)
    cache.chmod(0o777)  # anyone may write the folder: neither read nor written
    assert model_cache.cached("adapter", "{}", compute) == "validated"
    assert path.read_bytes() == planted
    cache.chmod(0o755)
    assert model_cache.cached("adapter", "{}", compute) == "planted by someone else"
    assert calls == [1, 1, 1]
    assert plain_cache.trusted(cache) and not plain_cache.trusted(cache / "absent")
