"""`python -m scrapers` as a process: a reader that leaves early (`| head`) is no error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.load import ROOT
from tests.scrapers.reconcile_helpers import PAGES


@pytest.mark.parametrize(
    "args",
    [["parse", "--json"], ["parse"], ["reconcile", "--dry-run", "--json"]],
    ids=["mid-output", "at-flush", "reconcile"],
)
def test_reader_leaving_early_is_not_an_error(work: Path, args: list[str]) -> None:
    """`python -m scrapers parse --json F | head -1` ends quietly, exit 0, whether the
    closed pipe is hit mid-output or only when the last buffered block is flushed."""
    pages = [str(work / "snapshots" / p) for p in PAGES]
    if args[0] == "reconcile":
        pages += ["--catalog", str(work / "catalog")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: deterministic
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scrapers", *args, *pages],
            stdout=write,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, b"")
