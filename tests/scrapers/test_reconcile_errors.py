"""Bad input, in the docs pages or in the catalog, exits 2 with one located error line and
writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.scrapers.reconcile_helpers import edit, run, state


@pytest.mark.parametrize(
    ("target", "old", "new", "fragment"),
    [
        ("snapshots/serverless-models.md", "| 128000 |", "| 128K |", "unit-suffixed number"),
        ("snapshots/serverless-models.md", "<!-- snapshot: 2025-03-04 -->\n", "", "snapshot"),
        (
            "catalog/serverless-chat.yaml",
            "    context_length: 128000\n",
            "    context_length: '128000'\n",
            "serverless-chat.yaml:22: rows.0.context_length: Input should be a valid integer",
        ),
        (
            "catalog/serverless-chat.yaml",
            "    context_length: 128000\n    quantization: FP8\n",
            "    context_length: 128000\n    quantization: FP8\n    quantisation: FP8\n",
            "rows.0.quantisation: Extra inputs are not permitted",
        ),
    ],
    ids=["bad-cell", "no-snapshot-date", "wrong-type-in-catalog", "unknown-key-in-catalog"],
)
def test_input_errors_exit_2_and_write_nothing(
    work: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    old: str,
    new: str,
    fragment: str,
) -> None:
    edit(work / target, old, new)
    # A change that would otherwise be written, to prove nothing is.
    edit(work / "snapshots" / "serverless-lora-bases.md", "| FP8 |\n", "| FP4 |\n", count=3)
    before = state(work / "catalog")
    code, out, err = run(work, capsys=capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert fragment in err
    assert state(work / "catalog") == before


def test_same_table_from_two_pages_is_an_error(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(work / "snapshots" / "serverless-models.md", work / "snapshots" / "copy.md")
    code, _, err = run(work, capsys=capsys, pages=["serverless-models.md", "copy.md"])
    assert code == 2
    assert "copy.md:" in err
    assert "table 'Chat Models' (serverless-chat) is also read from" in err
