"""A real `python -m scrapers reconcile` killed with SIGKILL at every file-system step it
takes leaves, once recovered, exactly the old catalog or exactly the new one: never a new
table beside an old one, never a stray file.

A `sitecustomize.py` on the child's PYTHONPATH wraps os.replace, os.rename, os.fsync,
os.mkdir, os.unlink, os.rmdir and every open for writing (os.open and open) of a path in
the catalog folder, logs each call, and SIGKILLs the process just before call N. A first,
unkilled run gives the list of steps and the new catalog; then, for N = 1 .. until a run
finishes: kill at N, recover (as the next reader or writer does), compare, run reconcile
again and check it completes the change.

The change touches three files: two tables rewritten (a chat context length, an image
model's default steps) and one table deleted (its section removed from the page, with
--allow-removals).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
from functools import partial
from pathlib import Path

import pytest

from catalog import transaction
from catalog.transaction import recover
from scrapers.__main__ import main
from tests.scrapers.reconcile_helpers import SERVERLESS
from tests.support.hooked import run_hooked

HOOK = r"""
import builtins, os, signal, sys

_AT = int(os.environ.get("KILL_AT_CALL", "0"))  # 0: log every step, kill none
_DIR = os.path.realpath(os.environ["KILL_WATCH"])
_WATCH = _DIR + os.sep
_LOG = os.environ["KILL_LOG"]
_real = {n: getattr(os, n) for n in
         ("open", "write", "close", "replace", "rename", "fsync", "mkdir", "unlink", "rmdir")}
_open = builtins.open
_fds = {}
_count = 0


def _watched(path):
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return real == _DIR or real.startswith(_WATCH)


def _short(path):
    return os.path.realpath(os.fsdecode(path))[len(_WATCH):] or "."


def _step(what):
    global _count
    _count += 1
    fd = _real["open"](_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    _real["write"](fd, f"{what}\n".encode())
    _real["close"](fd)
    if _count == _AT:
        os.kill(os.getpid(), signal.SIGKILL)


def _opener(path, flags, mode=0o777, *args, **kwargs):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and _watched(path):
        _step(f"open {_short(path)}")
    fd = _real["open"](path, flags, mode, *args, **kwargs)
    _fds[fd] = path
    return fd


def _builtin_open(file, mode="r", *args, **kwargs):
    if isinstance(file, (str, bytes, os.PathLike)) and set(mode) & set("wax+") and _watched(file):
        _step(f"open {_short(file)}")
    return _open(file, mode, *args, **kwargs)


def _fsync(fd):
    path = _fds.get(fd)
    _step(f"fsync {_short(path) if path is not None and _watched(path) else '?'}")
    return _real["fsync"](fd)


def _one_path(name):
    def call(path, *args, **kwargs):
        if _watched(path):
            _step(f"{name} {_short(path)}")
        return _real[name](path, *args, **kwargs)
    return call


def _two_paths(name):
    def call(src, dst, *args, **kwargs):
        if _watched(src) or _watched(dst):
            _step(f"{name} {_short(src)} -> {_short(dst)}")
        return _real[name](src, dst, *args, **kwargs)
    return call


os.open = _opener
builtins.open = _builtin_open
os.fsync = _fsync
for _name in ("mkdir", "unlink", "rmdir"):
    setattr(os, _name, _one_path(_name))
for _name in ("replace", "rename"):
    setattr(os, _name, _two_paths(_name))
"""


def edit_page(snapshots: Path) -> Path:
    page = snapshots / SERVERLESS
    text = page.read_text(encoding="utf-8")
    edits = [
        ("| deepseek-ai/DeepSeek-R1 | 128000 |", "| deepseek-ai/DeepSeek-R1 | 131072 |"),
        ("| black-forest-labs/FLUX.1-dev | 28 |", "| black-forest-labs/FLUX.1-dev | 30 |"),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    start = text.index("### Moderation Models")
    end = text.index("### Embedding Models")
    text = text[:start] + text[end:]
    page.write_text(text, encoding="utf-8")
    return page


def state(catalog: Path) -> dict[str, bytes]:
    """Every entry of the catalog folder but the writer lock's file (and schema/, which
    reconcile never writes): a stray file or staging folder shows up."""
    out = {}
    for p in sorted(catalog.iterdir()):
        if p.name in {".lock", "schema"}:
            continue
        out[p.name] = p.read_bytes() if p.is_file() else b"<directory>"
    return out


def run_child(
    work: Path, catalog: Path, page: Path, hook_dir: Path, log: Path, at: int
) -> subprocess.CompletedProcess[str]:
    env = {"KILL_AT_CALL": str(at), "KILL_WATCH": str(catalog), "KILL_LOG": str(log)}
    args = ["reconcile", "--catalog", str(catalog), "--allow-removals", str(page)]
    return run_hooked(hook_dir, "scrapers", args, env, cwd=work, timeout=120)


def test_sigkill_at_every_write_step_leaves_the_old_or_the_new_catalog(work: Path) -> None:
    page = edit_page(work / "snapshots")
    hook_dir = work / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    pristine = work / "pristine"
    shutil.copytree(work / "catalog", pristine)
    old = state(pristine)

    # An unkilled run: the steps, and the catalog it ends with.
    traced = work / "traced"
    shutil.copytree(pristine, traced)
    log = work / "trace.log"
    done = run_child(work, traced, page, hook_dir, log, at=0)
    assert done.returncode == 0, done.stderr
    steps = log.read_text().splitlines()
    new = state(traced)
    assert sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n)) == [
        "serverless-chat.yaml",
        "serverless-image.yaml",
        "serverless-moderation.yaml",
    ]
    assert "serverless-moderation.yaml" not in new
    for step in [  # the hook is live and sees every kind of step
        "open .lock",
        "mkdir .txn",
        "open .txn/serverless-chat.yaml.new",
        "fsync .txn/serverless-chat.yaml.new",
        "open .txn/journal",
        "replace .txn/serverless-chat.yaml.new -> serverless-chat.yaml",
        "replace .txn/serverless-image.yaml.new -> serverless-image.yaml",
        "unlink serverless-moderation.yaml",
        "unlink .txn/journal",
        "rmdir .txn",
    ]:
        assert step in steps, (step, steps)
    commit_point = steps.index("open .txn/journal") + 1  # killed before it: no journal
    assert 12 <= len(steps) <= 30, steps  # ~1 s a run: keep the loop short

    outcomes = []
    for n in range(1, len(steps) + 2):
        catalog = work / f"kill-{n}"
        shutil.copytree(pristine, catalog)
        log = work / f"kill-{n}.log"
        proc = run_child(work, catalog, page, hook_dir, log, at=n)
        if n > len(steps):
            assert proc.returncode == 0, proc.stderr  # the run that was not killed
            assert state(catalog) == new
            break
        assert proc.returncode == -signal.SIGKILL, (n, proc.returncode, proc.stderr)
        assert log.read_text().splitlines() == steps[:n], "the child's steps are deterministic"

        recover(catalog)  # what the next reconcile or catalog load does first
        expected = old if n <= commit_point else new
        assert state(catalog) == expected, f"killed before step {n}: {steps[n - 1]}"
        outcomes.append((steps[n - 1], "old" if expected is old else "new"))

        # Running reconcile again finishes the job.
        args = ["reconcile", "--catalog", str(catalog), "--allow-removals", str(page)]
        assert main(args) == 0
        assert state(catalog) == new
    assert len(outcomes) == len(steps)
    assert [o for _, o in outcomes].count("old") == commit_point


# The same transaction, through the CLI: the errors it gives instead of a half-written catalog.


def cli_args(work: Path, page: Path) -> list[str]:
    return ["reconcile", "--catalog", str(work / "catalog"), "--allow-removals", str(page)]


def test_a_hand_edit_made_while_reconcile_ran_is_kept(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reconcile read the catalog, then someone saved serverless-image.yaml before it wrote:
    exit 2 naming that file, nothing written, the edit kept."""
    page = edit_page(work / "snapshots")
    target = work / "catalog" / "serverless-image.yaml"
    real_commit = transaction.commit

    def edit_then_commit(catalog_dir: Path, ops: list[transaction.Op], **kw: float) -> None:
        target.write_bytes(target.read_bytes() + b"# saved in an editor meanwhile\n")
        real_commit(catalog_dir, ops, **kw)

    monkeypatch.setattr(transaction, "commit", edit_then_commit)
    before = state(work / "catalog")
    assert main(cli_args(work, page)) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {target}: was changed or removed since this run read it (edited by hand "
        "meanwhile?); nothing was written: run again\n"
    )
    after = state(work / "catalog")
    assert after == {
        **before,
        target.name: before[target.name] + b"# saved in an editor meanwhile\n",
    }


def test_no_space_names_the_file_and_changes_nothing(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """fsync raises ENOSPC without a file name; the message still names one, never
    `error: : ...`."""
    page = edit_page(work / "snapshots")
    before = state(work / "catalog")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    assert main(cli_args(work, page)) == 2
    err = capsys.readouterr().err
    staged = work / "catalog" / ".txn" / "serverless-chat.yaml.new"
    assert err == (
        f"error: {staged}: No space left on device (staging the new serverless-chat.yaml); "
        "the catalog is unchanged\n"
    )
    assert state(work / "catalog") == before


def test_a_second_writer_waits_then_gives_up_with_exit_2(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from catalog.lock import LockTimeout, writer_lock
    from scrapers import __main__ as cli
    from scrapers import reconcile as rec
    from scrapers.parse import parse_file

    page = edit_page(work / "snapshots")
    before = state(work / "catalog")
    with writer_lock(work / "catalog", who="test"):
        with pytest.raises(LockTimeout):
            rec.reconcile([parse_file(page)], work / "catalog", lock_timeout=0.2)
        monkeypatch.setattr(cli, "reconcile", partial(rec.reconcile, lock_timeout=0.2))
        assert main(cli_args(work, page)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith(f"error: {work / 'catalog' / '.lock'}: another reconcile")
    assert state(work / "catalog") == before
    assert main(cli_args(work, page)) == 0  # once the lock is free
