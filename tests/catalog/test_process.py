"""A maintainer command runs with its imports frozen and ends with its code and output."""

from __future__ import annotations

import subprocess
import sys

from catalog.load import ROOT


def test_a_command_runs_frozen_and_exits_with_its_code_after_its_output() -> None:
    probe = (
        "import atexit, gc\n"
        "from catalog.process import THRESHOLDS, begin, finish\n"
        "begin()\n"
        "print('begun', gc.get_freeze_count() > 0, gc.get_threshold() == THRESHOLDS)\n"
        "cycle = []; cycle.append(cycle); del cycle\n"
        "print('collected', gc.collect() >= 1)  # garbage made after begin is still collected\n"
        "made = [[n] for n in range(1000)]; before = gc.get_freeze_count()\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() >= before + 1000))\n"
        "finish(3)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 3, run.stderr
    assert run.stdout.split("\n") == ["begun True True", "collected True", "frozen True", ""]
