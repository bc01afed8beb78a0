"""The tree switch itself (codegen.swap): renameat2's RENAME_EXCHANGE through the raw system
call where the C library has no wrapper, the journal's two renames where there is no
renameat2 at all, and git ignoring the siblings a switch leaves while it runs.

The fault tests (test_generate_kills.py, test_generate_no_space.py) drive both ways of
switching through a whole generate; these check the pieces on their own, on a bare folder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codegen import swap
from codegen.generate import write_tree
from codegen.render import GENERATED_BY


def test_exchange_through_the_raw_system_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platform

    if platform.machine() not in swap.SYSCALL_RENAMEAT2 or not sys.platform.startswith("linux"):
        pytest.skip("renameat2 system call number unknown here")
    import ctypes

    real = ctypes.CDLL(None, use_errno=True)

    class OldLibc:  # a C library without the renameat2 wrapper (glibc < 2.28)
        syscall = real.syscall

    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: OldLibc())
    swap._renameat2_function.cache_clear()
    try:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        (tmp_path / "a" / "from-a").touch()
        swap.renameat2(tmp_path / "a", tmp_path / "b", swap.RENAME_EXCHANGE)
        assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
        assert list((tmp_path / "a").iterdir()) == []
        with pytest.raises(FileNotFoundError) as info:
            swap.renameat2(tmp_path / "a", tmp_path / "c", swap.RENAME_EXCHANGE)
        assert (info.value.filename, info.value.filename2) == (
            str(tmp_path / "a"),
            str(tmp_path / "c"),
        )
    finally:
        swap._renameat2_function.cache_clear()


def test_without_renameat2_the_journal_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(swap, "_renameat2_function", lambda: None)  # another OS
    out = tmp_path / "out"
    write_tree({"a.md": f"<!-- {GENERATED_BY} -->\n"}, out)
    write_tree({"b.md": f"<!-- {GENERATED_BY} -->\n"}, out)
    assert sorted(p.name for p in out.iterdir()) == ["b.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_strays_are_ignored_by_git(root: Path) -> None:
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    names = [".generated.new-abcd1234/x.py", ".generated.old-abcd1234/x.py"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=root, capture_output=True, text=True
    )
    assert done.stdout.splitlines() == names, done.stderr
