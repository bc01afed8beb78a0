"""What the CLI test modules share: the command, the environment, and an in-process run."""

from __future__ import annotations

import os
import sys

import pytest
from together_catalog import _data
from together_catalog.cli import main

QWEN = "Qwen/Qwen3.5-9B"
CLI = [sys.executable, "-m", "together_catalog"]
TOO_BIG_DPO = [
    "--training-method",
    "dpo",
    "--batch-size",
    str(_data.LORA[QWEN].max_batch_size_dpo + 1),
]


def cli_env(**extra: str) -> dict[str, str]:
    """The test's environment, block-buffered (as a shell pipe is) and UTF-8 unless told."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return {**env, "PYTHONIOENCODING": "utf-8", **extra}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
