"""One writer at a time per catalog: reconcile, generate and fetch take this lock first.

Two runs that interleave their reads and writes can each be correct alone and still leave a
catalog or generated tree that neither of them produced. The lock is an advisory `flock` on
a file inside the catalog folder, so it is per checkout (a copy of the catalog elsewhere has
its own), is released by the kernel when the holder dies (a killed run never leaves a stale
lock behind), and needs no cleanup. A second run waits, saying so once on stderr, and gives
up with `LockTimeout` after `timeout` seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = ".lock"
#: How long a second writer waits before giving up (seconds); CLIs exit 2 then.
DEFAULT_TIMEOUT = 60.0
_POLL = 0.05


class LockTimeout(Exception):
    """Another run held the catalog's lock for longer than the caller would wait."""


def poll_flock(
    fd: int,
    *,
    timeout: float,
    poll: float,
    timed_out: Callable[[], BaseException],
    waiting: Callable[[], None] | None = None,
    failed: Callable[[OSError], BaseException] | None = None,
) -> None:
    """Take an exclusive `flock` on `fd`, retrying every `poll` seconds for `timeout` seconds.

    Raises `timed_out()` when the time is up; calls `waiting()` once, before the first wait.
    Any other error of `flock` is raised as `failed(exc)`, or as is without `failed`.
    """
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise timed_out() from None
            if waiting is not None and not told:
                waiting()
                told = True
            time.sleep(poll)
        except OSError as exc:
            if failed is None:
                raise
            raise failed(exc) from None


@contextlib.contextmanager
def writer_lock(
    catalog_dir: Path, *, timeout: float = DEFAULT_TIMEOUT, who: str = "this run"
) -> Iterator[None]:
    """Hold the catalog's writer lock for the duration of the block."""
    path = catalog_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot open the lock file: {exc.strerror}", str(path)) from None
    try:
        poll_flock(
            fd,
            timeout=timeout,
            poll=_POLL,
            timed_out=lambda: LockTimeout(
                f"{path}: another reconcile, generate or fetch still holds the catalog "
                f"lock after {timeout:g} s; try again when it has finished"
            ),
            waiting=lambda: print(
                f"{who}: waiting for another run to release {path}", file=sys.stderr
            ),
        )
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
