"""What generate refuses to publish, or to publish over: a read-only target, a catalog whose
writer lock another process holds, a catalog that fails its consistency check; and two
generates at once, which the lock serialises so that both succeed.

Each refusal must leave the old tree exactly as it was and no stray sibling beside it,
with one line on stderr saying why. The old and new trees (`scene`) and the in-process CLI
(`fast_cli`) are tests/codegen/generate_faults.py's; no fault is injected here.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog import lock
from catalog.load import ROOT
from codegen.__main__ import main
from codegen.generate import read_tree
from tests.codegen.generate_faults import (
    Scene,
    fast_cli_fixture,  # noqa: F401 (a fixture, registered as `fast_cli`)
    reset,
    scene_fixture,  # noqa: F401 (a fixture, registered as `scene`)
    state,
    strays,
)


@pytest.fixture
def mode_bit_access(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root every folder is writable: judge write access by the mode bits instead."""
    if os.geteuid() != 0:
        return
    real = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and not os.stat(path).st_mode & stat.S_IWUSR:
            return False
        return real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("which", ["out", "out/docs", "site"])
@pytest.mark.usefixtures("mode_bit_access")
def test_a_read_only_target_is_refused(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]], which: str
) -> None:
    reset(scene)
    locked = {"out": scene.out, "out/docs": scene.out / "docs", "site": scene.site}[which]
    locked.chmod(0o555)
    try:
        code, err = fast_cli()
        assert state(scene) == "old" and strays(scene) == []
    finally:
        locked.chmod(0o755)
    assert code == 2
    assert err == (
        f"generate: error: refusing to write {scene.out}: {locked} is not writable; "
        "nothing changed\n"
    )


def test_a_held_lock_is_waited_for_then_refused(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    reset(scene)
    monkeypatch.setattr(lock, "DEFAULT_TIMEOUT", 0.2)
    with lock.writer_lock(scene.catalog, who="test"):
        code, err = fast_cli()
    assert code == 2 and "still holds the catalog lock" in err
    assert (state(scene), strays(scene)) == ("old", [])


def test_two_concurrent_generates_both_succeed(scene: Scene) -> None:
    reset(scene)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    argv = ["--catalog", str(scene.catalog), "generate", "--out", str(scene.out)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "codegen", *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in runs]
    assert [code for code, _ in results] == [0, 0], results
    assert (state(scene), strays(scene)) == ("new", [])


def test_an_unchecked_catalog_is_not_published(catalog_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    assert main(["--catalog", str(catalog_copy), "generate", "--out", str(out)]) == 0
    before = read_tree(out)
    lora = catalog_copy / "finetune-lora.yaml"
    text = lora.read_text(encoding="utf-8")
    lora.write_text(text.replace("\nmethod: lora\n", "\nmethod: full\n"), encoding="utf-8")
    for extra in ([], ["--check"]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            argv = ["--catalog", str(catalog_copy), "generate", "--out", str(out), *extra]
            assert main(argv) == 1, extra
        assert err.getvalue().startswith("generate: error: the catalog fails its consistency")
        assert "python -m codegen check" in err.getvalue() and err.getvalue().count("\n") == 1
        assert read_tree(out) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog", "generated"]
