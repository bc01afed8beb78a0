"""catalog.transaction.recover: after a crash, the catalog folder is old or new, never a mix.

A crash at each step of a commit, then `recover`: exactly the old files up to the journal's
write and exactly the new ones after it, with no stray file; a crash during recovery itself
is recovered by the next one. What recovery will not do: overwrite a hand edit made after
the crash, guess at a damaged journal, take a journal cut short for a commit, or discard
the staging folder of a transaction still running (it waits for the folder lock). Also the
old writer's stray temporary files, a file squatting on the staging folder's name, and
load_catalog recovering a real catalog copy before it reads. commit's own refusals and
ENOSPC are in test_transaction_commit.py; the fault injector is
tests/catalog/transaction_faults.py.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from pathlib import Path

import pytest

from catalog import transaction
from catalog.transaction import STAGING, CatalogChanged, Op, TransactionError, commit, recover
from tests.catalog.transaction_faults import (
    NEW,
    OLD,
    Crash,
    Faults,
    injected,
    journal_written,
    make_folder,
    ops,
    state,
    trace,
)


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


def test_a_file_named_like_the_staging_folder_is_reported(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "catalog")
    (folder / STAGING).write_bytes(b"")
    with pytest.raises(TransactionError, match="is not a staging folder"):
        recover(folder)
    shutil.rmtree(folder)
