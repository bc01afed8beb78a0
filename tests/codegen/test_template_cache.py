"""Compiled templates are kept only where they compile to the same code."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from catalog import plain_cache
from codegen import template_cache

TEMPLATE = "{% if x %}{{ x | shout }}{% endif %}"


def _env(filters: dict[str, object]) -> Environment:
    env = Environment(loader=DictLoader({"t.j2": TEMPLATE}))
    env.filters.update(filters)
    env.bytecode_cache = template_cache.bytecode_cache(env)
    return env


def test_environments_with_other_filters_never_share_an_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(tmp_path))
    # Compiled without the filter, the template holds a stub that raises when it runs: that
    # compiled code must never serve an environment that has the filter.
    _env({}).get_template("t.j2")
    assert _env({"shout": str.upper}).get_template("t.j2").render(x="hi") == "HI"
    assert len(list((tmp_path / "jinja").iterdir())) == 2
    # The same environment again reads its entry (and renders the same).
    assert _env({"shout": str.upper}).get_template("t.j2").render(x="hi") == "HI"
    assert len(list((tmp_path / "jinja").iterdir())) == 2


def test_an_older_generation_is_removed_and_off_means_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(tmp_path))
    stale = tmp_path / "jinja" / "0000000000000000-000000000000-abc.cache"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    _env({"shout": str.upper}).get_template("t.j2")
    assert not stale.exists()
    monkeypatch.setenv(plain_cache.CACHE_ENV, "")
    assert template_cache.bytecode_cache(Environment()) is None


def test_a_folder_others_may_write_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled templates are code: none is read from a folder anyone else may write."""
    monkeypatch.setenv(plain_cache.CACHE_ENV, str(tmp_path))
    (tmp_path / "jinja").mkdir(mode=0o755)
    assert template_cache.bytecode_cache(Environment()) is not None
    (tmp_path / "jinja").chmod(0o777)
    assert template_cache.bytecode_cache(Environment()) is None
