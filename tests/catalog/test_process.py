"""A maintainer command ends with its exit code and its output, its heap frozen first."""

from __future__ import annotations

import subprocess
import sys

from catalog.load import ROOT


def test_finish_exits_with_the_code_after_the_output_and_a_frozen_heap() -> None:
    probe = (
        "import atexit, gc\n"
        "from catalog.process import finish\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "print('done')\n"
        "finish(3)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 3, run.stderr
    assert run.stdout.split("\n") == ["done", "frozen True", ""]
