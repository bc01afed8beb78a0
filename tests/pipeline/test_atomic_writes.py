"""A reconcile whose write fails leaves no temporary file behind and the catalog loadable.

Kills at every write step are tests/scrapers/test_reconcile_kill.py's (the whole change is
one transaction: old catalog or new, never a mix); this is the in-process failure path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scrapers.__main__ import main
from tests.conftest import SEEDS


def state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


@pytest.fixture
def work(work: Path) -> Path:
    """The shared `work` folder, its serverless page edited so reconcile rewrites two files."""
    page = work / "snapshots" / SEEDS["serverless-models"]
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
    return ["reconcile", str(work / "snapshots" / SEEDS["serverless-models"]), "--catalog",
            str(work / "catalog")]  # fmt: skip


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
