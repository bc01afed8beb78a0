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
import fcntl
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

STAGING = ".txn"
JOURNAL = "journal"
#: Suffix of a staged file inside STAGING (so no target name can clash with JOURNAL).
STAGED_SUFFIX = ".new"
#: How long a transaction or a recovery waits for another one on the same folder (seconds).
DEFAULT_TIMEOUT = 60.0
_POLL = 0.01
_MAGIC = "together-catalog transaction 1"
_ABSENT = "-"  # in the journal: the file did not exist before


class TransactionError(OSError):
    """A change to the catalog folder that failed; `filename` is the file it concerns.

    Printed as `<filename>: <strerror>`, the way the CLIs print any OSError.
    """

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}" if self.filename else str(self.strerror)


class CatalogChanged(TransactionError):
    """A file was changed by someone else since the caller read it; nothing was written."""


@dataclass(frozen=True)
class Op:
    """One file of the catalog folder: its new bytes (None deletes it) and the bytes the
    caller read (None: the file must not exist)."""

    name: str
    new: bytes | None
    old: bytes | None


@dataclass(frozen=True)
class _Entry:
    """One journal line: `write <new sha> <old sha or -> <name>` or `delete <old sha> <name>`."""

    name: str
    new: str | None  # checksum; None deletes
    old: str | None  # checksum; None: the file did not exist


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _valid_name(name: str) -> bool:
    return (
        bool(name)
        and name == Path(name).name
        and not name.startswith(".")
        and not any(c in name for c in "\n\r\0")
    )


def _error(
    exc: OSError, path: Path, what: str, cls: type[TransactionError] = TransactionError
) -> TransactionError:
    reason = exc.strerror or str(exc)
    return cls(exc.errno, f"{reason} ({what})", str(path))


# --- the folder lock -------------------------------------------------------------------


@contextlib.contextmanager
def _folder_lock(catalog_dir: Path, timeout: float) -> Iterator[int]:
    """Hold an exclusive flock on the catalog folder; yields its descriptor (for fsync)."""
    try:
        fd = os.open(catalog_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise _error(exc, catalog_dir, "opening the catalog folder") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TransactionError(
                        errno.EWOULDBLOCK,
                        f"another process has been changing or recovering this catalog folder "
                        f"for over {timeout:g} s; try again when it has finished",
                        str(catalog_dir),
                    ) from None
                time.sleep(_POLL)
            except OSError as exc:  # e.g. ENOLCK: a file system without flock
                raise _error(exc, catalog_dir, "locking the catalog folder") from None
        yield fd
    finally:
        os.close(fd)  # releases the lock


# --- small steps, each naming its file on failure ----------------------------------------


def _fsync_dir(path: Path, fd: int | None = None) -> None:
    own = fd is None
    try:
        if fd is None:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # a file system that cannot sync folders
                raise
        finally:
            if own:
                os.close(fd)
    except OSError as exc:
        raise _error(exc, path, "syncing the folder") from None


def _write_new(path: Path, data: bytes, what: str) -> None:
    """Create `path` (it must not exist), write `data` and fsync it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _error(exc, path, what) from None


def _read(path: Path) -> bytes | None:
    """A file's bytes, or None if it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _checksum(path: Path) -> str | None:
    data = _read(path)
    return None if data is None else _sha(data)


# --- the journal -----------------------------------------------------------------------


def _journal_text(entries: Sequence[_Entry]) -> bytes:
    lines = [_MAGIC]
    for e in entries:
        if e.new is None:
            lines.append(f"delete {e.old} {e.name}")
        else:
            lines.append(f"write {e.new} {e.old or _ABSENT} {e.name}")
    body = "".join(line + "\n" for line in lines)
    return (body + f"end {_sha(body.encode())}\n").encode()


def _read_journal(staging: Path) -> list[_Entry] | None:
    """The committed operations, or None when there is no complete journal (roll back).

    A journal cut short (the run died while writing it) has no `end` line. One that ends
    but does not match its checksum, or cannot be parsed, was damaged after the commit; it
    is not guessed at.
    """
    path = staging / JOURNAL
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _error(exc, path, "reading the journal") from None
    text = raw.decode("utf-8", "replace")
    body, sep, last = text.rstrip("\n").rpartition("\n")
    if not sep or not last.startswith("end ") or not text.endswith("\n"):
        return None  # cut short: never committed
    damaged = TransactionError(
        errno.EIO,
        "the transaction journal is damaged; the catalog may be half-updated: compare the "
        f"files in {staging} with the catalog by hand, then remove {staging}",
        str(path),
    )
    body += "\n"
    if last != f"end {_sha(body.encode())}":
        raise damaged
    lines = body.splitlines()
    if not lines or lines[0] != _MAGIC:
        raise damaged
    entries = []
    for line in lines[1:]:
        kind, _, rest = line.partition(" ")
        try:
            if kind == "write":
                new, old, name = rest.split(" ", 2)
                entries.append(_Entry(name, new, None if old == _ABSENT else old))
            elif kind == "delete":
                old, name = rest.split(" ", 1)
                entries.append(_Entry(name, None, old))
            else:
                raise ValueError(kind)
        except ValueError:
            raise damaged from None
        if not _valid_name(name):
            raise damaged
    return entries


# --- commit, apply, discard ------------------------------------------------------------


def _check_current(catalog_dir: Path, ops: Iterable[Op]) -> None:
    for op in ops:
        path = catalog_dir / op.name
        try:
            current = _read(path)
        except OSError as exc:
            raise _error(exc, path, "reading it to compare") from None
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
        if not _valid_name(name):
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
            _Entry(
                op.name,
                None if op.new is None else _sha(op.new),
                None if op.old is None else _sha(op.old),
            )
            for op in ops
        ]
        try:
            try:
                os.mkdir(staging, 0o777)
            except OSError as exc:
                raise _error(exc, staging, "creating the staging folder") from None
            for op in ops:
                if op.new is not None:
                    _write_new(
                        staging / (op.name + STAGED_SUFFIX),
                        op.new,
                        f"staging the new {op.name}",
                    )
            _fsync_dir(staging)
            _fsync_dir(catalog_dir, dir_fd)  # the staging folder's own entry
            _check_current(catalog_dir, ops)  # an edit made while staging
            _write_new(staging / JOURNAL, _journal_text(entries), "writing the journal")
            _fsync_dir(staging)  # committed
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


def _apply(catalog_dir: Path, dir_fd: int, entries: Sequence[_Entry], *, verify: bool) -> None:
    """Roll forward: move each staged file over its target, unlink deletions, sync.

    Idempotent: a staged file already moved is recognised by its target's checksum. With
    `verify` (recovery), every file is checked against the journal before anything moves.
    """
    staging = catalog_dir / STAGING
    if verify:
        for e in entries:
            target = catalog_dir / e.name
            staged = staging / (e.name + STAGED_SUFFIX)
            current = _checksum(target)
            if e.new is not None:
                sha = _checksum(staged)
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
                if _checksum(target) != e.new:  # neither staged nor moved: cannot happen
                    raise TransactionError(
                        errno.ENOENT, f"the staged new {e.name} is missing", str(staged)
                    ) from None
            except OSError as exc:
                raise _error(exc, target, f"moving the new {e.name} into place") from None
        else:
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise _error(exc, target, "deleting it") from None
    _fsync_dir(catalog_dir, dir_fd)


def _finish(catalog_dir: Path, dir_fd: int) -> None:
    """Drop the journal (the change is applied and synced), then the staging folder."""
    staging = catalog_dir / STAGING
    journal = staging / JOURNAL
    try:
        os.unlink(journal)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _error(exc, journal, "removing the journal") from None
    failed = _discard(staging)
    if failed is not None:
        raise failed
    _fsync_dir(catalog_dir, dir_fd)


def _discard(staging: Path) -> TransactionError | None:
    """Remove the staging folder, the journal first (so a half-removed folder never looks
    committed). Returns the error that stopped it, naming its file, or None."""
    try:
        names = os.listdir(staging)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _error(exc, staging, "listing the staging folder")
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
            return _error(exc, path, "removing it from the staging folder")
    try:
        os.rmdir(staging)
    except FileNotFoundError:
        pass
    except OSError as exc:
        return _error(exc, staging, "removing the staging folder")
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
        entries = _read_journal(staging)
        if entries is None:
            failed = _discard(staging)
            if failed is not None:
                raise failed
            _fsync_dir(catalog_dir, dir_fd)
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
        raise _error(exc, catalog_dir, "listing it") from None
    for name in strays:
        try:
            os.unlink(catalog_dir / name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _error(exc, catalog_dir / name, "removing a stray temporary file") from None
    if strays:
        _fsync_dir(catalog_dir, dir_fd)
        outcome = outcome or "cleaned"
    return outcome
