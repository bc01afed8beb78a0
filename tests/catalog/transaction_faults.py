"""The fault injector the tests/catalog/test_transaction_*.py modules share, and the catalog
folder they change.

Every file-system step a transaction takes (mkdir, open for writing, write, fsync, rename,
unlink, rmdir) is counted by `injected`; `Faults(at=N)` crashes at step N (that step and
every later one raise `Crash`, as if the process had died), `Faults(at=N, error=code)`
fails step N once with that errno. `trace` records the steps of one whole commit, from
which `journal_written` (the commit point for a crash) and `last_undoable` (the last step
whose failure still rolls back) are read. The change itself (`ops`) turns OLD into NEW:
it edits, deletes, creates and leaves a file untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from catalog import transaction
from catalog.transaction import Op, commit

OLD = {
    "a.yaml": b"a: 1\n",
    "b.yaml": b"b: 1\n",
    "c.yaml": b"c: 1  # deleted by the change\n",
    "d.yaml": b"d: 1  # untouched\n",
}
NEW = {
    "a.yaml": b"a: 2\n",
    "b.yaml": b"b: 2\n" * 1000,
    "d.yaml": OLD["d.yaml"],
    "e.yaml": b"e: 1  # created by the change\n",
}
#: Hidden files a catalog folder may keep (the writer lock's file); anything else is stray.
ALLOWED_HIDDEN = {".lock"}


def ops() -> list[Op]:
    return [
        Op("a.yaml", NEW["a.yaml"], OLD["a.yaml"]),
        Op("b.yaml", NEW["b.yaml"], OLD["b.yaml"]),
        Op("c.yaml", None, OLD["c.yaml"]),
        Op("e.yaml", NEW["e.yaml"], None),
    ]


def make_folder(path: Path) -> Path:
    path.mkdir()
    for name, data in OLD.items():
        (path / name).write_bytes(data)
    (path / ".lock").write_bytes(b"")
    return path


def state(folder: Path) -> dict[str, bytes]:
    """Every entry of the folder but the lock file; a directory or stray file shows up."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.name in ALLOWED_HIDDEN:
            continue
        out[p.name] = p.read_bytes() if p.is_file() else b"<directory>"
    return out


class Crash(BaseException):
    """The process died at this step (BaseException: no `except Exception` handler runs)."""


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


@dataclass
class Faults:
    """Counts file-system steps; crashes or fails at step `at`."""

    at: int = 0  # 0: only trace
    error: int | None = None  # errno to raise at step `at` (once); None: crash there
    steps: list[str] = field(default_factory=list)
    fds: dict[int, str] = field(default_factory=dict)
    dead: bool = False

    def step(self, what: str) -> None:
        if self.dead:
            raise Crash(what)
        self.steps.append(what)
        if len(self.steps) == self.at:
            if self.error is None:
                self.dead = True
                raise Crash(what)
            raise OSError(self.error, os.strerror(self.error))  # as fsync gives it: no filename

    def name(self, path: Any) -> str:
        return Path(os.fsdecode(path)).name


@contextmanager
def injected(monkeypatch: pytest.MonkeyPatch, faults: Faults) -> Iterator[Faults]:
    real = {n: getattr(os, n) for n in ("open", "write", "fsync", "mkdir", "replace",
                                        "rename", "unlink", "rmdir")}  # fmt: skip

    def opener(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if flags & _WRITE_FLAGS:
            faults.step(f"open {faults.name(path)}")
        fd: int = real["open"](path, flags, mode, **kw)
        faults.fds[fd] = faults.name(path)
        return fd

    def wrap(name: str, describe: Callable[..., str]) -> Callable[..., Any]:
        def call(*args: Any, **kw: Any) -> Any:
            faults.step(describe(*args))
            return real[name](*args, **kw)

        return call

    with monkeypatch.context() as m:
        m.setattr(os, "open", opener)
        m.setattr(os, "write", wrap("write", lambda fd, *_: f"write {faults.fds.get(fd)}"))
        m.setattr(os, "fsync", wrap("fsync", lambda fd: f"fsync {faults.fds.get(fd)}"))
        for name in ("mkdir", "unlink", "rmdir"):
            m.setattr(os, name, wrap(name, lambda p, *_, n=name: f"{n} {faults.name(p)}"))
        for name in ("replace", "rename"):
            m.setattr(os, name, wrap(name, lambda s, d, *_, n=name: f"{n} {faults.name(d)}"))
        yield faults


def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    folder = make_folder(tmp_path / "trace")
    with injected(monkeypatch, Faults()) as faults:
        commit(folder, ops())
    assert state(folder) == NEW
    return faults.steps


def journal_written(steps: list[str]) -> int:
    """1-based index of the step that writes the journal: the commit point for a crash."""
    return steps.index(f"write {transaction.JOURNAL}") + 1


def last_undoable(steps: list[str]) -> int:
    """1-based index of the last step whose failure still rolls back (the staging folder's
    fsync after the journal's)."""
    return steps.index(f"fsync {transaction.JOURNAL}") + 2
