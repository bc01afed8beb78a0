"""Publish a built tree in one step, and clean up after a run that was killed.

`generate` builds the new tree in a sibling folder `.NAME.new-XXXXXXXX`, makes it durable
(every file and folder fsynced, then the parent folder), and only then publishes it:

- **Exchange.** Linux `renameat2(new, out, RENAME_EXCHANGE)` swaps the two trees in one
  atomic step: a reader, or a run killed at any instant, finds the whole old tree or the whole
  new one at `out`. The old tree, now under the sibling's name, is deleted afterwards.
- **First run.** When `out` does not exist yet, a plain `rename` (atomic as well).
- **No exchange** (another OS, or a filesystem answering ENOSYS, EINVAL or EOPNOTSUPP): two
  renames with a journal. `out` is renamed to `.NAME.old-XXXXXXXX`, the new tree to `out`, and
  the old one to a `.new-` name before it is deleted. An `.old-` folder is therefore always a
  whole previous tree, and its existence while `out` is missing says "killed between the two
  renames": the next run renames it back before doing anything else. In that window `out` is
  briefly absent, which the exchange avoids.

Every run starts with `recover(out)`, which restores such a journalled tree and deletes every
other `.NAME.new-*` / `.NAME.old-*` sibling. A run in progress has siblings of the same
shape, so `out` must have one writer at a time: `python -m codegen generate` holds the
catalog's writer lock (`catalog/lock.py`) for the whole run.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
#: `renameat2` system call numbers, for a C library without the wrapper (glibc < 2.28).
SYSCALL_RENAMEAT2 = {"x86_64": 316, "aarch64": 276}
#: What a kernel or filesystem without RENAME_EXCHANGE answers: use the journal instead.
NO_EXCHANGE = frozenset({errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP})

_Renameat2 = Callable[[int, bytes, int, bytes, int], int]


@functools.cache
def _renameat2_function() -> _Renameat2 | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    wrapper = getattr(libc, "renameat2", None)
    if wrapper is not None:
        c_int, c_path = ctypes.c_int, ctypes.c_char_p
        wrapper.argtypes = [c_int, c_path, c_int, c_path, ctypes.c_uint]
        wrapper.restype = ctypes.c_int
        return wrapper  # type: ignore[no-any-return]
    number = SYSCALL_RENAMEAT2.get(platform.machine())
    syscall = getattr(libc, "syscall", None)
    if number is None or syscall is None:
        return None
    syscall.restype = ctypes.c_long

    def call(olddirfd: int, old: bytes, newdirfd: int, new: bytes, flags: int) -> int:
        args = (ctypes.c_int(olddirfd), old, ctypes.c_int(newdirfd), new, ctypes.c_uint(flags))
        return int(syscall(ctypes.c_long(number), *args))

    return call


def renameat2(src: Path, dst: Path, flags: int) -> None:
    """Linux `renameat2(2)`; OSError(ENOSYS) where there is none."""
    function = _renameat2_function()
    if function is None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS), str(src), None, str(dst))
    if function(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(src), None, str(dst))


def fsync_dir(path: Path) -> None:
    """Make the entries of folder `path` durable (new names, renames, removals)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def staging_prefix(out: Path) -> str:
    """Prefix of the folder a new tree is built in (tempfile adds 8 characters)."""
    return f".{out.name}.new-"


def _journal_name(staging: Path, out: Path) -> Path:
    return out.parent / f".{out.name}.old-{staging.name[len(staging_prefix(out)) :]}"


def strays(out: Path) -> list[Path]:
    """The `.NAME.new-*` and `.NAME.old-*` siblings of `out` (tempfile's 8-character names)."""
    shape = re.compile(rf"\.{re.escape(out.name)}\.(?:new|old)-[a-z0-9_]{{8}}")
    try:
        names = os.listdir(out.parent)
    except FileNotFoundError:
        return []
    return sorted(out.parent / name for name in names if shape.fullmatch(name))


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def recover(out: Path) -> list[str]:
    """Undo what an interrupted run left beside `out`; one line per thing done."""
    done: list[str] = []
    left = strays(out)
    if not os.path.lexists(out):
        journal = [p for p in left if p.name.startswith(f".{out.name}.old-") and _is_folder(p)]
        if journal:
            whole = max(journal, key=lambda p: p.stat().st_ctime_ns)  # the latest moved aside
            os.rename(whole, out)
            fsync_dir(out.parent)
            left.remove(whole)
            done.append(f"restored {out} from {whole.name}, moved aside by an interrupted run")
    for path in left:
        if _is_folder(path):
            shutil.rmtree(path)
        else:
            path.unlink()
        done.append(f"removed {path}, left by an interrupted run")
    return done


def publish(staging: Path, out: Path) -> Path | None:
    """Put the tree at `staging` at `out` in one step (module docstring).

    Returns where the previous tree now is (the caller deletes it), or None. On an error `out`
    is as it was, unless the error is raised by the final bookkeeping rename (then `out` is
    the new tree, and the previous one is returned).
    """
    if not os.path.lexists(out):
        try:
            os.rename(staging, out)
            return None
        except OSError as exc:  # another writer published meanwhile: exchange with theirs
            if exc.errno not in {errno.ENOTEMPTY, errno.EEXIST}:
                raise
    try:
        renameat2(staging, out, RENAME_EXCHANGE)
        return staging
    except OSError as exc:
        if exc.errno not in NO_EXCHANGE:
            raise
    journal = _journal_name(staging, out)
    os.rename(out, journal)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(journal, out)  # put the old tree back rather than leave no tree at all
        raise
    try:
        os.rename(journal, staging)  # from now on it may be deleted piecemeal
    except OSError:
        return journal
    return staging
