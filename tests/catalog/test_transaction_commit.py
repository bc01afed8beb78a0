"""catalog.transaction.commit: a change to the catalog folder lands whole or not at all.

Its steps in order (the trace), then each of them failing: ENOSPC anywhere raises an error
naming the file, and up to the commit point leaves the catalog exactly as it was (after it,
`recover` finishes the change); other errors before the commit point change nothing either.
And what commit refuses: a file changed since the run read it (before or while staging), a
name that is not a plain file name; what it leaves: new files with the mode `open` gives,
and nothing at all for an empty change. Crashes, and what `recover` does after them, are in
test_transaction_recover.py; the fault injector is tests/catalog/transaction_faults.py.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from catalog.transaction import CatalogChanged, Op, TransactionError, commit, recover
from tests.catalog.transaction_faults import (
    NEW,
    OLD,
    Faults,
    injected,
    journal_written,
    last_undoable,
    make_folder,
    ops,
    state,
    trace,
)


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
