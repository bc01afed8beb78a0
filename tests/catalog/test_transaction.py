"""catalog.transaction: a change to the catalog folder lands whole or not at all.

Every file-system step a transaction takes (mkdir, open for writing, write, fsync, rename,
unlink, rmdir) is counted by a fault injector. For each step N: a crash there (the step and
every later one raise, as if the process had died) followed by `recover` leaves exactly the
old files or exactly the new ones, old up to the journal's write and new after it, with no
stray file; an ENOSPC there leaves the catalog unchanged before the commit point and names
the file; after it, `recover` finishes the change.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from catalog import transaction
from catalog.transaction import STAGING, CatalogChanged, Op, TransactionError, commit, recover

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


def test_trace_of_a_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps, in order: stage, sync, journal, sync (commit), apply, sync, clean up."""
    steps = trace(tmp_path, monkeypatch)
    assert steps == [
        "mkdir .txn",
        "open a.yaml.new", "write a.yaml.new", "fsync a.yaml.new",
        "open b.yaml.new", "write b.yaml.new", "fsync b.yaml.new",
        "open e.yaml.new", "write e.yaml.new", "fsync e.yaml.new",
        "fsync .txn", "fsync trace",
        "open journal", "write journal", "fsync journal", "fsync .txn",
        "replace a.yaml", "replace b.yaml", "replace e.yaml", "unlink c.yaml", "fsync trace",
        "unlink journal", "rmdir .txn", "fsync trace",
    ]  # fmt: skip


def test_crash_at_every_step_then_recover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = trace(tmp_path, monkeypatch)
    commit_point = journal_written(steps)
    for n, step in enumerate(steps, start=1):
        folder = make_folder(tmp_path / f"crash-{n}")
        with injected(monkeypatch, Faults(at=n)), pytest.raises(Crash):
            commit(folder, ops())
        outcome = recover(folder)
        expected = OLD if n <= commit_point else NEW
        assert state(folder) == expected, f"crash at step {n} ({step})"
        if n in (1, len(steps)):  # before the staging folder, or only the last fsync lost
            assert outcome is None
        elif step == "rmdir .txn":  # the journal was gone: an empty staging folder to drop
            assert outcome == "rolled back"
        else:
            assert outcome == ("rolled back" if n <= commit_point else "rolled forward"), step
        assert recover(folder) is None  # done once and for all


def test_crash_during_recovery_then_recover_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recovery is idempotent: killed at any of its own steps, the next one still ends in
    the state the first would have reached, for a roll-forward and for a roll-back."""
    steps = trace(tmp_path, monkeypatch)
    for crash_at, expected in [(journal_written(steps) + 1, NEW), (journal_written(steps), OLD)]:
        probe = make_folder(tmp_path / f"probe-{crash_at}")
        with injected(monkeypatch, Faults(at=crash_at)), pytest.raises(Crash):
            commit(probe, ops())
        with injected(monkeypatch, Faults()) as faults:
            recover(probe)
        recovery_steps = faults.steps
        assert recovery_steps, "recovery did something"
        for m in range(1, len(recovery_steps) + 1):
            folder = make_folder(tmp_path / f"crash-{crash_at}-{m}")
            with injected(monkeypatch, Faults(at=crash_at)), pytest.raises(Crash):
                commit(folder, ops())
            with injected(monkeypatch, Faults(at=m)), pytest.raises(Crash):
                recover(folder)
            recover(folder)
            assert state(folder) == expected, f"recovery killed at {recovery_steps[m - 1]}"


def test_no_space_at_every_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC (as fsync and write raise it, without a file name) at any step: an error that
    names the file; up to the commit point the folder is exactly as before."""
    steps = trace(tmp_path, monkeypatch)
    undoable = last_undoable(steps)
    for n, step in enumerate(steps, start=1):
        folder = make_folder(tmp_path / f"enospc-{n}")
        with (
            injected(monkeypatch, Faults(at=n, error=errno.ENOSPC)),
            pytest.raises(TransactionError) as info,
        ):
            commit(folder, ops())
        exc = info.value
        assert exc.errno == errno.ENOSPC
        assert exc.filename and Path(exc.filename).is_relative_to(folder), (step, str(exc))
        assert str(exc).startswith(f"{exc.filename}: No space left on device"), str(exc)
        if n <= undoable:
            assert "the catalog is unchanged" in str(exc)
            assert state(folder) == OLD, f"ENOSPC at step {n} ({step})"
            assert recover(folder) is None
        else:
            assert "the change is committed" in str(exc), step
            recover(folder)
            assert state(folder) == NEW, f"ENOSPC at step {n} ({step})"


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.EIO, errno.EDQUOT])
def test_other_errors_before_the_commit_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    steps = trace(tmp_path, monkeypatch)
    for n in (1, 2, journal_written(steps)):  # mkdir, first staged file, journal
        folder = make_folder(tmp_path / f"err-{code}-{n}")
        with injected(monkeypatch, Faults(at=n, error=code)), pytest.raises(TransactionError):
            commit(folder, ops())
        assert state(folder) == OLD


def test_commit_checks_each_file_against_what_was_read(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "catalog")
    (folder / "b.yaml").write_bytes(b"b: 1  # edited by hand\n")
    edited = state(folder)
    with pytest.raises(CatalogChanged) as info:
        commit(folder, ops())
    assert info.value.filename == str(folder / "b.yaml")
    assert str(info.value) == (
        f"{folder / 'b.yaml'}: was changed or removed since this run read it (edited by hand "
        "meanwhile?); nothing was written: run again"
    )
    assert state(folder) == edited

    (folder / "b.yaml").write_bytes(OLD["b.yaml"])
    (folder / "e.yaml").write_bytes(b"e: 0\n")  # a file the run expected not to exist
    with pytest.raises(CatalogChanged, match=r"e\.yaml: was created since"):
        commit(folder, ops())
    (folder / "e.yaml").unlink()
    (folder / "c.yaml").unlink()  # a file it means to delete, gone already
    with pytest.raises(CatalogChanged, match=r"c\.yaml: was changed or removed"):
        commit(folder, ops())
    assert ".txn" not in os.listdir(folder)


def test_an_edit_made_while_staging_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder(tmp_path / "catalog")
    real_fsync = os.fsync

    def fsync_and_edit(fd: int) -> None:
        real_fsync(fd)
        (folder / "a.yaml").write_bytes(b"a: 1  # saved by an editor meanwhile\n")

    monkeypatch.setattr(os, "fsync", fsync_and_edit)
    with pytest.raises(CatalogChanged, match=r"a\.yaml: was changed"):
        commit(folder, ops())
    monkeypatch.undo()
    assert state(folder) == {**OLD, "a.yaml": b"a: 1  # saved by an editor meanwhile\n"}


def test_recovery_does_not_overwrite_an_edit_made_after_the_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = trace(tmp_path, monkeypatch)
    folder = make_folder(tmp_path / "catalog")
    with injected(monkeypatch, Faults(at=steps.index("replace b.yaml") + 1)), pytest.raises(Crash):
        commit(folder, ops())  # a.yaml moved, b.yaml not yet
    (folder / "b.yaml").write_bytes(b"b: 3  # a hand edit before anyone recovered\n")
    before = state(folder)
    with pytest.raises(CatalogChanged) as info:
        recover(folder)
    assert info.value.filename == str(folder / "b.yaml")
    assert "cannot be finished without overwriting it" in str(info.value)
    assert state(folder) == before  # nothing moved, the staged files kept for a human


def test_a_damaged_journal_is_not_guessed_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = trace(tmp_path, monkeypatch)
    folder = make_folder(tmp_path / "catalog")
    with injected(monkeypatch, Faults(at=steps.index("replace a.yaml") + 1)), pytest.raises(Crash):
        commit(folder, ops())
    journal = folder / STAGING / transaction.JOURNAL
    journal.write_bytes(journal.read_bytes().replace(b"a.yaml", b"x.yaml"))
    before = state(folder)
    with pytest.raises(TransactionError, match="journal is damaged"):
        recover(folder)
    assert state(folder) == before


def test_a_journal_cut_short_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A journal the run died writing (any prefix of it, as a power cut may leave) is not a
    commit: recovery rolls back."""
    steps = trace(tmp_path, monkeypatch)
    probe = make_folder(tmp_path / "probe")
    with injected(monkeypatch, Faults(at=journal_written(steps) + 1)), pytest.raises(Crash):
        commit(probe, ops())
    full = (probe / STAGING / transaction.JOURNAL).read_bytes()
    for cut in [*range(0, len(full), 11), len(full) - 1]:
        folder = make_folder(tmp_path / f"cut-{cut}")
        shutil.copytree(probe / STAGING, folder / STAGING)
        (folder / STAGING / transaction.JOURNAL).write_bytes(full[:cut])
        assert recover(folder) == "rolled back", cut
        assert state(folder) == OLD
    assert recover(probe) == "rolled forward"
    assert state(probe) == NEW


def test_stray_temporary_files_of_the_old_writer_are_removed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "catalog")
    (folder / ".a.yaml.k2j3h4.tmp").write_bytes(b"a: half")
    (folder / ".editorconfig").write_bytes(b"root = true\n")
    assert recover(folder) == "cleaned"
    assert not (folder / ".a.yaml.k2j3h4.tmp").exists()
    assert (folder / ".editorconfig").exists()  # not ours: left alone
    assert recover(folder) is None


def test_recovery_waits_for_a_running_transaction(tmp_path: Path) -> None:
    """A reader's recovery never discards the staging folder of a live transaction: it
    waits for the folder lock, and gives up with an error naming the folder."""
    folder = make_folder(tmp_path / "catalog")
    (folder / STAGING).mkdir()
    (folder / STAGING / "a.yaml.new").write_bytes(b"a: 2\n")  # no journal yet: staging
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(TransactionError) as info:
            recover(folder, timeout=0.2)
        assert info.value.filename == str(folder)
        assert "another process" in str(info.value)
        assert (folder / STAGING / "a.yaml.new").exists()

        done: list[str | None] = []
        waiter = threading.Thread(target=lambda: done.append(recover(folder, timeout=30)))
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive() and (folder / STAGING).exists()
    finally:
        os.close(fd)
    waiter.join(30)
    assert done == ["rolled back"]
    assert state(folder) == OLD


def test_commit_and_recover_on_a_real_catalog_copy(
    catalog_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_catalog recovers first: it never reads a half-applied change."""
    from catalog.load import load_catalog

    chat, image = catalog_copy / "serverless-chat.yaml", catalog_copy / "serverless-image.yaml"
    old_chat, old_image = chat.read_bytes(), image.read_bytes()
    new_chat = old_chat + b"# appended by the test\n"
    new_image = old_image + b"# appended by the test\n"
    change = [
        Op(chat.name, new_chat, old_chat),
        Op(image.name, new_image, old_image),
    ]
    with injected(monkeypatch, Faults()) as faults:
        commit(catalog_copy, change)
    first_replace = faults.steps.index("replace serverless-chat.yaml") + 1
    chat.write_bytes(old_chat)
    image.write_bytes(old_image)
    with injected(monkeypatch, Faults(at=first_replace + 1)), pytest.raises(Crash):
        commit(catalog_copy, change)
    assert (chat.read_bytes(), image.read_bytes()) == (new_chat, old_image)  # half applied
    load_catalog(catalog_copy)
    assert (chat.read_bytes(), image.read_bytes()) == (new_chat, new_image)
    assert not (catalog_copy / STAGING).exists()


def test_new_files_get_the_mode_open_gives(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "catalog")
    old = os.umask(0o027)
    try:
        commit(folder, ops())
    finally:
        os.umask(old)
    assert (folder / "e.yaml").stat().st_mode & 0o777 == 0o640
    assert (folder / "a.yaml").stat().st_mode & 0o777 == 0o640


def test_nothing_to_do_touches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "catalog")
    with injected(monkeypatch, Faults()) as faults:
        commit(folder, [])
        assert recover(folder) is None
    assert faults.steps == []


@pytest.mark.parametrize("name", ["", ".hidden.yaml", "sub/a.yaml", "../a.yaml", "a\n.yaml"])
def test_only_plain_file_names(tmp_path: Path, name: str) -> None:
    folder = make_folder(tmp_path / "catalog")
    with pytest.raises(ValueError):
        commit(folder, [Op(name, b"x", None)])
    assert state(folder) == OLD


def test_a_file_named_like_the_staging_folder_is_reported(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "catalog")
    (folder / STAGING).write_bytes(b"")
    with pytest.raises(TransactionError, match="is not a staging folder"):
        recover(folder)
    shutil.rmtree(folder)
