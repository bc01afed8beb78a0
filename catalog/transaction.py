"""Change several files of the catalog folder as one: after a crash, all of them or none.

Renaming one file at a time over its target leaves, when the process dies or the disk fills
between two renames, a new `finetune-full.yaml` beside an old `finetune-lora.yaml`. A
transaction (write-ahead, as git and SQLite do it) goes instead:

1. **stage**: every new file is written into `<catalog>/.txn/` and fsynced, then the folder;
2. **commit**: a journal listing every operation, with the SHA-256 of each file's text before
   and after, ending in a checksum of itself, is written to `.txn/journal` and fsynced. A
   complete journal is the commit point: before it nothing in the catalog has changed (a
   failure reported before the journal is synced discards it, and the catalog stays as it
   was; a crash after it was written is rolled forward);
3. **apply**: each staged file is renamed over its target, deletions are unlinked, and the
   catalog folder is fsynced;
4. **finish**: the journal is removed, then the staging folder.

`recover(catalog_dir)`, which every reader and writer calls first, finishes what a dead run
left: with a complete journal it rolls forward (each step is idempotent: a file already
renamed is recognised by its checksum), otherwise it discards the staging folder. It also
removes the `.<name>.*.tmp` files the former one-file-at-a-time writer could leave behind.

The caller passes, for each file, the bytes it read (or None for a file that must not
exist). The transaction compares them with the files' current bytes and refuses with
`CatalogChanged`, changing nothing, when a file was edited since: a hand edit made while
reconcile ran is never overwritten. Recovery checks the same against the journal before
rolling forward.

Transactions and recoveries of one catalog folder take turns on an `flock` of the folder
itself (held for milliseconds; released by the kernel if the holder dies), so a reader's
recovery never discards the staging folder of a transaction that is still running. This is
not the writer lock of `catalog.lock`, which callers hold around their whole
read-merge-write; `recover` may be called while holding it.

Every failure is a `TransactionError` (an `OSError`, so every CLI already reports it as
`error: <path>: <reason>`) that names the file it concerns.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog.journal import (
    DEFAULT_TIMEOUT,
    JOURNAL,
    STAGED_SUFFIX,
    STAGING,
    CatalogChanged,
    Entry,
    TransactionError,
    checksum,
    error_for,
    fsync_dir,
    journal_text,
    read_bytes,
    read_journal,
    remove,
    sha,
    valid_name,
    write_new,
)
from catalog.lock import poll_flock

__all__ = [
    "JOURNAL",
    "STAGING",
    "CatalogChanged",
    "Op",
    "TransactionError",
    "commit",
    "needs_recovery",
    "recover",
]

_POLL = 0.01


@dataclass(frozen=True)
class Op:
    """One file of the catalog folder: its new bytes (None deletes it) and the bytes the
    caller read (None: the file must not exist)."""

    name: str
    new: bytes | None
    old: bytes | None


# --- the folder lock -------------------------------------------------------------------


@contextlib.contextmanager
def _folder_lock(catalog_dir: Path, timeout: float) -> Iterator[int]:
    """Hold an exclusive flock on the catalog folder; yields its descriptor (for fsync)."""
    try:
        fd = os.open(catalog_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise error_for(exc, catalog_dir, "opening the catalog folder") from None
    try:
        poll_flock(
            fd,
            timeout=timeout,
            poll=_POLL,
            timed_out=lambda: TransactionError(
                errno.EWOULDBLOCK,
                f"another process has been changing or recovering this catalog folder "
                f"for over {timeout:g} s; try again when it has finished",
                str(catalog_dir),
            ),
            # e.g. ENOLCK: a file system without flock
            failed=lambda exc: error_for(exc, catalog_dir, "locking the catalog folder"),
        )
        yield fd
    finally:
        os.close(fd)  # releases the lock


# --- commit, apply, discard ------------------------------------------------------------


def _check_current(catalog_dir: Path, ops: Iterable[Op]) -> None:
    for op in ops:
        path = catalog_dir / op.name
        try:
            current = read_bytes(path)
        except OSError as exc:
            raise error_for(exc, path, "reading it to compare") from None
        if current != op.old:
            what = "was created" if op.old is None else "was changed or removed"
            raise CatalogChanged(
                None,
                f"{what} since this run read it (edited by hand meanwhile?); nothing was "
                "written: run again",
                str(path),
            )


def commit(catalog_dir: Path, ops: Sequence[Op], *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Apply `ops` to `catalog_dir` whole, or raise having changed nothing.

    Raises CatalogChanged if a file's current bytes are not `op.old`, TransactionError on
    any failure (before the commit point the catalog is unchanged; after it, the message
    says the next `recover` finishes the change).
    """
    names = [op.name for op in ops]
    for name in names:
        if not valid_name(name):
            raise ValueError(f"not a file name in the catalog folder: {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"a file appears twice in one transaction: {names}")
    ops = sorted(ops, key=lambda op: (op.new is None, op.name))  # writes, then deletions
    if not ops:
        return
    with _folder_lock(catalog_dir, timeout) as dir_fd:
        _recover_locked(catalog_dir, dir_fd)
        _check_current(catalog_dir, ops)
        staging = catalog_dir / STAGING
        entries = [
            Entry(
                op.name,
                None if op.new is None else sha(op.new),
                None if op.old is None else sha(op.old),
            )
            for op in ops
        ]
        try:
            try:
                os.mkdir(staging, 0o777)
            except OSError as exc:
                raise error_for(exc, staging, "creating the staging folder") from None
            for op in ops:
                if op.new is not None:
                    write_new(
                        staging / (op.name + STAGED_SUFFIX),
                        op.new,
                        f"staging the new {op.name}",
                    )
            fsync_dir(staging)
            fsync_dir(catalog_dir, dir_fd)  # the staging folder's own entry
            _check_current(catalog_dir, ops)  # an edit made while staging
            write_new(staging / JOURNAL, journal_text(entries), "writing the journal")
            fsync_dir(staging)  # committed
        except BaseException as exc:
            failed = _discard(staging)
            if failed is not None and isinstance(exc, OSError):
                raise TransactionError(
                    exc.errno,
                    f"{exc.strerror}; and cleaning up failed ({failed}): the next run finishes "
                    "or undoes the change",
                    exc.filename,
                ) from None
            if isinstance(exc, TransactionError) and not isinstance(exc, CatalogChanged):
                raise TransactionError(
                    exc.errno, f"{exc.strerror}; the catalog is unchanged", exc.filename
                ) from None
            raise
        try:
            _apply(catalog_dir, dir_fd, entries, verify=False)
            _finish(catalog_dir, dir_fd)
        except TransactionError as exc:
            raise TransactionError(
                exc.errno,
                f"{exc.strerror}; the change is committed: the next reconcile or catalog "
                "load finishes it",
                exc.filename,
            ) from None


def _apply(catalog_dir: Path, dir_fd: int, entries: Sequence[Entry], *, verify: bool) -> None:
    """Roll forward: move each staged file over its target, unlink deletions, sync.

    Idempotent: a staged file already moved is recognised by its target's checksum. With
    `verify` (recovery), every file is checked against the journal before anything moves.
    """
    staging = catalog_dir / STAGING
    if verify:
        for e in entries:
            target = catalog_dir / e.name
            staged = staging / (e.name + STAGED_SUFFIX)
            current = checksum(target)
            if e.new is not None:
                sha = checksum(staged)
                if sha is None and current == e.new:
                    continue  # moved already
                if sha != e.new:
                    raise TransactionError(
                        errno.EIO,
                        f"the staged new {e.name} is missing or does not match the journal; "
                        f"compare {staging} with the catalog by hand, then remove it",
                        str(staged),
                    )
            elif current is None:
                continue  # deleted already
            if current not in {e.old, e.new}:
                raise CatalogChanged(
                    None,
                    "was changed since an interrupted run read it, and that run's committed "
                    "change cannot be finished without overwriting it: keep one version "
                    f"(the run's is in {staging}), then remove {staging}",
                    str(target),
                )
    for e in entries:
        target = catalog_dir / e.name
        if e.new is not None:
            staged = staging / (e.name + STAGED_SUFFIX)
            try:
                os.replace(staged, target)
            except FileNotFoundError:
                if checksum(target) != e.new:  # neither staged nor moved: cannot happen
                    raise TransactionError(
                        errno.ENOENT, f"the staged new {e.name} is missing", str(staged)
                    ) from None
            except OSError as exc:
                raise error_for(exc, target, f"moving the new {e.name} into place") from None
        else:
            remove(target, "deleting it")
    fsync_dir(catalog_dir, dir_fd)


def _finish(catalog_dir: Path, dir_fd: int) -> None:
    """Drop the journal (the change is applied and synced), then the staging folder."""
    staging = catalog_dir / STAGING
    remove(staging / JOURNAL, "removing the journal")
    failed = _discard(staging)
    if failed is not None:
        raise failed
    fsync_dir(catalog_dir, dir_fd)


def _discard(staging: Path) -> TransactionError | None:
    """Remove the staging folder, the journal first (so a half-removed folder never looks
    committed). Returns the error that stopped it, naming its file, or None."""
    try:
        names = os.listdir(staging)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return error_for(exc, staging, "listing the staging folder")
    names.sort(key=lambda n: n != JOURNAL)
    for name in names:
        path = staging / name
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except IsADirectoryError:  # not ours, but nothing else uses the staging folder
            if (failed := _discard(path)) is not None:
                return failed
        except OSError as exc:
            return error_for(exc, path, "removing it from the staging folder")
    try:
        os.rmdir(staging)
    except FileNotFoundError:
        pass
    except OSError as exc:
        return error_for(exc, staging, "removing the staging folder")
    return None


# --- recovery --------------------------------------------------------------------------


def _stray_tmp(name: str) -> bool:
    """A temporary file of the former per-file atomic write: `.<file>.<random>.tmp`."""
    return name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3


def needs_recovery(catalog_dir: Path) -> bool:
    """Whether a dead run left anything behind (one listing of the folder; no lock)."""
    try:
        names = os.listdir(catalog_dir)
    except OSError:  # a missing or unreadable folder: the loader reports it
        return False
    return any(name == STAGING or _stray_tmp(name) for name in names)


def recover(catalog_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Finish or undo what a dead run left in `catalog_dir`; call before reading it.

    Returns "rolled forward", "rolled back", "cleaned" (stray temporary files only) or None
    when there was nothing to do (the common case, which costs one folder listing).
    """
    if not needs_recovery(catalog_dir):
        return None
    with _folder_lock(catalog_dir, timeout) as dir_fd:
        return _recover_locked(catalog_dir, dir_fd)


def _recover_locked(catalog_dir: Path, dir_fd: int) -> str | None:
    staging = catalog_dir / STAGING
    outcome = None
    if staging.is_dir():
        entries = read_journal(staging)
        if entries is None:
            failed = _discard(staging)
            if failed is not None:
                raise failed
            fsync_dir(catalog_dir, dir_fd)
            outcome = "rolled back"
        else:
            _apply(catalog_dir, dir_fd, entries, verify=True)
            _finish(catalog_dir, dir_fd)
            outcome = "rolled forward"
    elif staging.exists() or staging.is_symlink():
        raise TransactionError(
            errno.ENOTDIR, "is not a staging folder; remove it by hand", str(staging)
        )
    try:
        strays = [n for n in os.listdir(catalog_dir) if _stray_tmp(n)]
    except OSError as exc:
        raise error_for(exc, catalog_dir, "listing it") from None
    for name in strays:
        remove(catalog_dir / name, "removing a stray temporary file")
    if strays:
        fsync_dir(catalog_dir, dir_fd)
        outcome = outcome or "cleaned"
    return outcome
