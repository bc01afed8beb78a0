"""What the reconcile tests share: run the CLI on the `work` fixture's copies of catalog/ and of
the snapshots (tests/conftest.py), snapshot a folder's bytes, and edit a file in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.__main__ import main
from tests.conftest import SEEDS

#: The seed snapshots, `<page>/<date>.md` under snapshots/: what `run` reads unless told.
PAGES = sorted(SEEDS.values())
SERVERLESS = SEEDS["serverless-models"]
FINE_TUNING = SEEDS["fine-tuning-models"]
LORA_BASES = SEEDS["serverless-lora-bases"]


def state(folder: Path) -> dict[str, bytes]:
    """The catalog's files; hidden ones (the writer lock, a transaction's staging) aside."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (old, text.count(old))
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(
    work: Path, *args: str, capsys: pytest.CaptureFixture[str], pages: list[str] | None = None
) -> tuple[int, str, str]:
    """`python -m scrapers reconcile PAGES... --catalog work/catalog ARGS`: (exit, out, err);
    PAGES are paths under work/snapshots (default: the seeds)."""
    files = [str(work / "snapshots" / p) for p in (pages or PAGES)]
    code = main(["reconcile", *files, "--catalog", str(work / "catalog"), *args])
    out = capsys.readouterr()
    return code, out.out, out.err
