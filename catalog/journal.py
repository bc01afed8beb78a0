"""The transaction's files: staged copies, the journal that commits them, and their checks.

Every step names the file it concerns when it fails, so a full disk reads
`error: <file>: No space left on device (...)`, never an error without a file. The journal
format is line-based and ends in a checksum of itself, so a journal cut short by a crash is
recognised as incomplete and discarded rather than half-applied.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: How long a transaction or a recovery waits for another one on the same folder (seconds):
#: as long as a second writer waits for the writer lock.
from catalog.lock import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT

STAGING = ".txn"
JOURNAL = "journal"
#: Suffix of a staged file inside STAGING (so no target name can clash with JOURNAL).
STAGED_SUFFIX = ".new"
MAGIC = "together-catalog transaction 1"
ABSENT = "-"  # in the journal: the file did not exist before


class TransactionError(OSError):
    """A change to the catalog folder that failed; `filename` is the file it concerns.

    Printed as `<filename>: <strerror>`, the way the CLIs print any OSError.
    """

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}" if self.filename else str(self.strerror)


class CatalogChanged(TransactionError):
    """A file was changed by someone else since the caller read it; nothing was written."""


@dataclass(frozen=True)
class Entry:
    """One journal line: `write <new sha> <old sha or -> <name>` or `delete <old sha> <name>`."""

    name: str
    new: str | None  # checksum; None deletes
    old: str | None  # checksum; None: the file did not exist


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def valid_name(name: str) -> bool:
    return (
        bool(name)
        and name == Path(name).name
        and not name.startswith(".")
        and not any(c in name for c in "\n\r\0")
    )


def error_for(
    exc: OSError, path: Path, what: str, cls: type[TransactionError] = TransactionError
) -> TransactionError:
    reason = exc.strerror or str(exc)
    return cls(exc.errno, f"{reason} ({what})", str(path))


# --- small steps, each naming its file on failure ----------------------------------------


def fsync_dir(path: Path, fd: int | None = None) -> None:
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
        raise error_for(exc, path, "syncing the folder") from None


def write_new(path: Path, data: bytes, what: str) -> None:
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
        raise error_for(exc, path, what) from None


def remove(path: Path, what: str) -> None:
    """Unlink `path`; one that is gone already is no error."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise error_for(exc, path, what) from None


def read_bytes(path: Path) -> bytes | None:
    """A file's bytes, or None if it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def checksum(path: Path) -> str | None:
    data = read_bytes(path)
    return None if data is None else sha(data)


# --- the journal -----------------------------------------------------------------------


def journal_text(entries: Sequence[Entry]) -> bytes:
    lines = [MAGIC]
    for e in entries:
        if e.new is None:
            lines.append(f"delete {e.old} {e.name}")
        else:
            lines.append(f"write {e.new} {e.old or ABSENT} {e.name}")
    body = "".join(line + "\n" for line in lines)
    return (body + f"end {sha(body.encode())}\n").encode()


def read_journal(staging: Path) -> list[Entry] | None:
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
        raise error_for(exc, path, "reading the journal") from None
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
    if last != f"end {sha(body.encode())}":
        raise damaged
    lines = body.splitlines()
    if not lines or lines[0] != MAGIC:
        raise damaged
    entries = []
    for line in lines[1:]:
        kind, _, rest = line.partition(" ")
        try:
            if kind == "write":
                new, old, name = rest.split(" ", 2)
                entries.append(Entry(name, new, None if old == ABSENT else old))
            elif kind == "delete":
                old, name = rest.split(" ", 1)
                entries.append(Entry(name, None, old))
            else:
                raise ValueError(kind)
        except ValueError:
            raise damaged from None
        if not valid_name(name):
            raise damaged
    return entries
