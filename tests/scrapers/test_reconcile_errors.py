"""Bad input, in the docs pages or in the catalog, exits 2 with one located error line and
writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.scrapers.reconcile_helpers import LORA_BASES, SERVERLESS, edit, run, state


@pytest.mark.parametrize(
    ("target", "old", "new", "fragment"),
    [
        (f"snapshots/{SERVERLESS}", "| 128000 |", "| 128K |", "unit-suffixed number"),
        (
            f"snapshots/{SERVERLESS}",
            "<!-- snapshot: 2025-03-04 -->\n",
            "<!-- snapshot: 2025-03-05 -->\n",
            "the page says snapshot 2025-03-05, but its name says 2025-03-04",
        ),
        (
            "catalog/serverless-chat.yaml",
            "    context_length: 128000\n",
            "    context_length: '128000'\n",
            "serverless-chat.yaml:23: rows.0.context_length: Input should be a valid integer",
        ),
        (
            "catalog/serverless-chat.yaml",
            "    context_length: 128000\n    quantization: FP8\n",
            "    context_length: 128000\n    quantization: FP8\n    quantisation: FP8\n",
            "rows.0.quantisation: Extra inputs are not permitted",
        ),
    ],
    ids=[
        "bad-cell",
        "snapshot-date-not-its-name",
        "wrong-type-in-catalog",
        "unknown-key-in-catalog",
    ],
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
    edit(work / "snapshots" / LORA_BASES, "| FP8 |\n", "| FP4 |\n", count=3)
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
    shutil.copy(work / "snapshots" / SERVERLESS, work / "snapshots" / "copy.md")
    code, _, err = run(work, capsys=capsys, pages=[SERVERLESS, "copy.md"])
    assert code == 2
    assert f"{SERVERLESS}:" in err  # read after copy.md: a date's pages go by name
    assert "table 'Chat Models' (serverless-chat) is also read from" in err
    assert err.rstrip().endswith("copy.md")
