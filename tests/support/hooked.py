"""A CLI run in a subprocess with a `sitecustomize` hook folder first on its path: how the
fault tests (tests/codegen/generate_faults.py, tests/scrapers/test_reconcile_kill.py) count
a command's write calls and kill it at one of them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from catalog.load import ROOT


def run_hooked(
    hook_dir: Path,
    module: str,
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    cwd: Path,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    """`python -m module argv...` with `hook_dir`, then the repository, on PYTHONPATH, no
    bytecode written (each run imports the hook afresh), and `env` added."""
    full = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hook_dir), str(ROOT)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", module, *argv],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
