"""Reproducible benchmarks for together-catalog (`python -m bench`, `make bench`).

Everything is measured in fresh subprocesses so one subject's imports and heap never skew
another's; results are medians over repeated runs, written to bench/RESULTS.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured child process: this one's plus `extra`, without
    PYTHONDONTWRITEBYTECODE (.pyc caches are part of a maintainer's normal run and import)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env
