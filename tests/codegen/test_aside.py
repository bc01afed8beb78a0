"""A check run aside gives the verdict it gives in place, and never leaves a child behind."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from codegen import aside as aside_module
from codegen.aside import WorkerError, aside

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")


@pytest.fixture(params=["forked", "in place"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    forked = request.param == "forked"
    monkeypatch.setattr(aside_module, "_fork_worth_it", lambda: forked)
    return str(request.param)


def _where(label: str) -> str:
    return f"{label} in {os.getpid()}"


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_verdict_comes_back_from_where_it_ran(mode: str) -> None:
    with aside(_where, "problé\ud800me") as verdict:
        got = verdict()
    assert got is not None and got.startswith("problé\ud800me in ")
    ran_in = int(got.rsplit(" ", 1)[1])
    assert (ran_in != os.getpid()) == (mode == "forked")
    assert _no_children_left()


def test_no_problem_is_none(mode: str) -> None:
    with aside(lambda: None) as verdict:
        assert verdict() is None
    with aside(lambda: "") as verdict:  # an empty message is no message
        assert verdict() is None


def _boom() -> str | None:
    raise KeyError("a bug in the check")


def test_an_exception_in_the_check_is_raised_with_its_traceback(mode: str) -> None:
    error = WorkerError if mode == "forked" else KeyError
    with pytest.raises(error, match="a bug in the check"), aside(_boom) as verdict:
        verdict()
    assert _no_children_left()


def _die() -> str | None:
    os.kill(os.getpid(), signal.SIGKILL)
    return None


def test_a_child_that_dies_is_an_error_not_a_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside_module, "_fork_worth_it", lambda: True)
    died = r"_die failed in its worker \(exit -9\): no verdict"
    with pytest.raises(WorkerError, match=died), aside(_die) as verdict:
        verdict()
    assert _no_children_left()


def _slow() -> str | None:
    signal.pause()  # until killed
    return None


def test_leaving_early_stops_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside_module, "_fork_worth_it", lambda: True)
    with pytest.raises(ValueError, match="another check failed first"), aside(_slow):
        raise ValueError("another check failed first")
    assert _no_children_left()


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def test_no_child_when_sigchld_is_ignored_or_fork_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ignored SIGCHLD (inherited from a parent) reaps the child before its status can be
    read, and fork can fail for want of memory: either way the check runs in place."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    worth_it = aside_module._fork_worth_it()  # False only on a one-core machine
    assert worth_it or len(os.sched_getaffinity(0)) == 1
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert not aside_module._fork_worth_it()
    finally:
        signal.signal(signal.SIGCHLD, previous)

    def no_fork() -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(aside_module, "_fork_worth_it", lambda: True)
    monkeypatch.setattr(os, "fork", no_fork)
    before = _open_fds()
    with aside(_where, "in place") as verdict:
        assert verdict() == f"in place in {os.getpid()}"
    assert _open_fds() == before  # the pipe was closed
