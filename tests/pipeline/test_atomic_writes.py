"""A reconcile killed with SIGKILL mid-write leaves every catalog file whole: the old bytes,
or (for a file already replaced) the new ones, never a mix; and the next run completes.

The child process is the real CLI with `os.replace` wrapped to announce the N-th rename and
then stall, so the parent can kill it at exactly that point.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.load import ROOT, load_catalog
from scrapers.__main__ import main

CHILD = """
import os, sys, time
real_replace = os.replace
calls = 0
def stalling_replace(src, dst):
    global calls
    calls += 1
    if calls == int(sys.argv[1]):
        print("replacing", dst, flush=True)
        time.sleep(120)
    real_replace(src, dst)
os.replace = stalling_replace
from scrapers.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


@pytest.fixture
def work(work: Path) -> Path:
    """The shared `work` folder, its serverless page edited so reconcile rewrites two files."""
    page = work / "snapshots" / "serverless-models.md"
    text = page.read_text()
    # Two tables change, so two files are written: serverless-chat.yaml, then -image.yaml.
    text = text.replace(
        "| deepseek-ai/DeepSeek-R1 | 128000 |", "| deepseek-ai/DeepSeek-R1 | 131072 |"
    )
    text = text.replace(
        "| black-forest-labs/FLUX.1-dev | 28 |", "| black-forest-labs/FLUX.1-dev | 30 |"
    )
    page.write_text(text)
    return work


def args(work: Path) -> list[str]:
    return ["reconcile", str(work / "snapshots" / "serverless-models.md"), "--catalog",
            str(work / "catalog")]  # fmt: skip


def expected_after(work: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What an uninterrupted run writes, computed on a separate copy."""
    other = tmp_path_factory.mktemp("clean")
    shutil.copytree(work / "catalog", other / "catalog")
    shutil.copytree(work / "snapshots", other / "snapshots")
    assert main(args(other)) == 0
    return state(other / "catalog")


def kill_at_rename(work: Path, n: int) -> str:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(n), *args(work)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("replacing "), (line, proc.stderr.read() if proc.stderr else "")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return line.split(" ", 1)[1].strip()


@pytest.mark.parametrize("n", [1, 2])
def test_sigkill_mid_write_leaves_whole_files(
    work: Path, tmp_path_factory: pytest.TempPathFactory, n: int
) -> None:
    before = state(work / "catalog")
    after = expected_after(work, tmp_path_factory)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["serverless-chat.yaml", "serverless-image.yaml"]

    stalled = kill_at_rename(work, n)
    assert Path(stalled).name == changed[n - 1]

    now = state(work / "catalog")
    assert set(now) == set(before)
    for name, data in now.items():
        if name in changed[: n - 1]:
            assert data == after[name], f"{name}: renamed before the kill, must be the new file"
        else:
            assert data == before[name], f"{name}: must be untouched"
    # The interrupted write left at most a hidden temporary file, which nothing reads.
    leftovers = [p.name for p in (work / "catalog").iterdir() if p.name.endswith(".tmp")]
    assert all(name.startswith(".") for name in leftovers)
    assert len(leftovers) == 1
    load_catalog(work / "catalog")

    # The next run finishes the job.
    assert main(args(work)) == 0
    assert state(work / "catalog") == after


def test_failed_write_cleans_up_its_temporary_file(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = state(work / "catalog")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device", dst)

    monkeypatch.setattr(os, "replace", refuse)
    assert main(args(work)) == 2
    assert state(work / "catalog") == before
    assert not [p for p in (work / "catalog").iterdir() if p.name.endswith(".tmp")]
