"""One check run in a forked child while the generator goes on with the others.

The self-check reads every output back, and reading back the history modules (300 KB of
Python literals, parsed with `ast`) takes as long as all the other read-backs together. On
a machine with a second core it runs beside them, in a child forked from the process that
holds the catalog and the rendered files (nothing is copied or sent but the verdict). Where
forking is not possible or not worth it (no `os.fork`, one core, other threads running),
the check runs in place: the verdict is the same either way, only the wall time differs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

#: A check: why the output is wrong, or None.
Check = Callable[..., "str | None"]


class WorkerError(RuntimeError):
    """The child failed other than by reporting a problem (an exception, a signal)."""


def _fork_worth_it() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # A SIGCHLD a parent set to SIG_IGN (inherited through exec) reaps children unasked, so
    # the verdict's exit status could never be read: then run in place.
    reaped = getattr(signal, "SIGCHLD", None)
    unwaitable = reaped is not None and signal.getsignal(reaped) == signal.SIG_IGN
    return (
        hasattr(os, "fork")
        and (cores or 1) > 1
        and threading.active_count() == 1
        and not unwaitable
    )


@contextlib.contextmanager
def aside(check: Check, *args: Any) -> Iterator[Callable[[], str | None]]:
    """`with aside(check, ...) as verdict:` starts `check(...)`; `verdict()`, called inside
    the block, waits for it and gives its result (None for no problem). Leaving the block
    by an exception stops the child; a child that raised or died is a WorkerError with its
    traceback (in place, the check's own exception propagates)."""
    if not _fork_worth_it():
        yield lambda: check(*args) or None
        return
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process slot for a child: the same check, in place
        os.close(read_end)
        os.close(write_end)
        yield lambda: check(*args) or None
        return
    if pid == 0:  # the child: run the check, send the verdict, leave without cleanup
        status = 0
        try:
            os.close(read_end)
            try:
                payload = b"ok:" + (check(*args) or "").encode("utf-8", "surrogatepass")
            except BaseException:  # reported to the parent, which raises it
                payload = b"error:" + traceback.format_exc().encode("utf-8", "replace")
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:  # the pipe is gone: the exit status says so
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    waited = False

    def verdict() -> str | None:
        nonlocal waited
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        waited = True
        kind, _, text = payload.partition(b":")
        if kind == b"ok" and os.waitstatus_to_exitcode(status) == 0:
            return text.decode("utf-8", "surrogatepass") or None
        detail = text.decode("utf-8", "replace") if kind == b"error" else "no verdict"
        code = os.waitstatus_to_exitcode(status)
        raise WorkerError(f"{check.__name__} failed in its worker (exit {code}): {detail}")

    try:
        yield verdict
    finally:
        if not waited:  # left early: stop the child and reap it (it may be gone already)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
            with contextlib.suppress(OSError):  # verdict() may have closed it already
                os.close(read_end)
