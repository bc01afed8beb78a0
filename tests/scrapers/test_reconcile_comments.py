"""Reconcile keeps comments above the rows and keys they describe, end-of-line comments on
their cells, and hand-written `note:` fields, through changes, additions, removals and moves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import load_seed_era
from tests.scrapers.reconcile_helpers import SERVERLESS, edit, run, state

COMMENTED = """\
rows:
  # About DeepSeek-R1: kept.
  - model: deepseek-ai/DeepSeek-R1
    organization: DeepSeek
    model_name: DeepSeek-R1
    context_length: 128000  # the docs say 128000, not 131072
    quantization: FP8
    note: hand-written, kept
  # About the Distill Llama row: it is removed, so this comment goes with it.
  - model: deepseek-ai/DeepSeek-R1-Distill-Llama-70B
    organization: DeepSeek
    model_name: DeepSeek R1 Distill Llama 70B
    context_length: 131072
    quantization: FP16
    note: gone soon
  # About Distill Qwen 1.5B: must stay above it.
  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B
    organization: DeepSeek
    model_name: DeepSeek R1 Distill Qwen 1.5B
    context_length: 131072
    quantization: FP16
  # About Distill Qwen 14B: must stay above it when a row is added before it.
  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-14B
"""


def test_comments_and_notes_survive_changes_additions_and_removals(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = work / "catalog" / "serverless-chat.yaml"
    text = chat.read_text()
    head = text[: text.index("rows:\n")]
    tail = text[text.index("  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-14B\n") :]
    tail = tail.replace(
        "  - model: upstage/SOLAR-10.7B-Instruct-v1.0\n",
        "  # About SOLAR, the last row: it is removed.\n"
        "  - model: upstage/SOLAR-10.7B-Instruct-v1.0\n",
    )
    chat.write_text(
        head.replace(
            "table: serverless-chat\n", "# A hand comment at the top.\ntable: serverless-chat\n"
        )
        + COMMENTED
        + tail[len("  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-14B\n") :]
        + "# A comment at the very end.\n"
    )
    load_seed_era(work / "catalog")

    page = work / "snapshots" / SERVERLESS
    text = page.read_text()
    lines = text.split("\n")
    # Remove the Distill Llama row and the last row, add one before Distill Qwen 14B and one
    # at the end, change the context length of R1 (the cell with an end-of-line comment).
    lines = [
        line
        for line in lines
        if "deepseek-ai/DeepSeek-R1-Distill-Llama-70B " not in line
        and "upstage/SOLAR-10.7B-Instruct-v1.0" not in line
    ]
    at = next(i for i, line in enumerate(lines) if "DeepSeek-R1-Distill-Qwen-14B " in line)
    lines.insert(at, "| DeepSeek | New Distill | deepseek-ai/New-Distill | 4096 | FP16 |")
    at = next(i for i, line in enumerate(lines) if "Qwen/Qwen2-VL-72B-Instruct | 32768" in line)
    lines.insert(at + 1, "| Acme | Last | acme/last | 2048 | FP16 |")
    page.write_text(
        "\n".join(lines).replace(
            "| deepseek-ai/DeepSeek-R1 | 128000 |", "| deepseek-ai/DeepSeek-R1 | 131072 |"
        )
    )

    before = state(work / "catalog")
    code, out, err = run(work, "--json", capsys=capsys, pages=[SERVERLESS])
    assert code == 1
    assert len(json.loads(out)["removed"]) == 2
    assert "2 row(s) would be removed" in err
    assert "--allow-removals" in err
    assert state(work / "catalog") == before

    code, out, _ = run(work, "--allow-removals", capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    assert out.splitlines() == [
        "+ serverless-chat: deepseek-ai/New-Distill",
        "+ serverless-chat: acme/last",
        "- serverless-chat: deepseek-ai/DeepSeek-R1-Distill-Llama-70B (its note: 'gone soon')",
        "- serverless-chat: upstage/SOLAR-10.7B-Instruct-v1.0",
        "~ serverless-chat: deepseek-ai/DeepSeek-R1: context_length: 128000 -> 131072",
        "? serverless-chat: acme/last: new organization value 'Acme'",
        "changelog: serverless-models 2025-03-04 is already logged; 11 change(s) from "
        "re-reading it are not",
    ]
    result = chat.read_text()
    assert "# A hand comment at the top.\ntable: serverless-chat\n" in result
    assert (
        "rows:\n"
        "  # About DeepSeek-R1: kept.\n"
        "  - model: deepseek-ai/DeepSeek-R1\n"
        "    organization: DeepSeek\n"
        "    model_name: DeepSeek-R1\n"
        "    context_length: 131072  # the docs say 128000, not 131072\n"
        "    quantization: FP8\n"
        "    note: hand-written, kept\n"
        "  # About Distill Qwen 1.5B: must stay above it.\n"
        "  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B\n"
    ) in result
    assert (
        "    quantization: FP16\n"
        "  - model: deepseek-ai/New-Distill\n"
        "    organization: DeepSeek\n"
        "    model_name: New Distill\n"
        "    context_length: 4096\n"
        "    quantization: FP16\n"
        "  # About Distill Qwen 14B: must stay above it when a row is added before it.\n"
        "  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-14B\n"
    ) in result
    assert result.endswith(
        "  - model: acme/last\n"
        "    organization: Acme\n"
        "    model_name: Last\n"
        "    context_length: 2048\n"
        "    quantization: FP16\n"
        "# A comment at the very end.\n"
    )
    assert "About the Distill Llama row" not in result
    assert "About SOLAR" not in result
    load_seed_era(work / "catalog")
    again = state(work / "catalog")
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert (code, out) == (0, "catalog is up to date\n")
    assert state(work / "catalog") == again


def test_new_key_goes_before_the_note_and_takes_the_comment_below(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = work / "catalog" / "serverless-image.yaml"
    edit(
        image,
        "    model_name: Flux.1 Dev\n    default_steps: 28\n",
        "    model_name: Flux.1 Dev\n    default_steps: 28\n    note: kept last\n",
    )
    edit(
        image,
        "    model_name: Flux.1 Canny\n    default_steps: 28\n",
        "    model_name: Flux.1 Canny\n    default_steps: 28\n  # About Depth.\n",
    )
    page = work / "snapshots" / SERVERLESS
    edit(
        page,
        "| Flux.1 Dev | black-forest-labs/FLUX.1-dev | 28 |",
        "| Flux.1 Dev | black-forest-labs/FLUX.1-dev | 28* |",
    )
    edit(
        page,
        "| Flux.1 Canny | black-forest-labs/FLUX.1-canny | 28 |",
        "| Flux.1 Canny | black-forest-labs/FLUX.1-canny | 28* |",
    )
    code, _, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert code == 0
    text = image.read_text()
    assert "    default_steps: 28\n    footnotes: [default_steps]\n    note: kept last\n" in text
    assert (
        "    default_steps: 28\n    footnotes: [default_steps]\n  # About Depth.\n"
        "  - model: black-forest-labs/FLUX.1-depth\n"
    ) in text


def test_comments_follow_first_row_removal_and_moves(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    language = work / "catalog" / "serverless-language.yaml"
    edit(language, "rows:\n", "rows:\n  # About LLaMA-2: removed with it.\n")
    edit(
        language,
        "  - model: mistralai/Mistral-7B-v0.1\n",
        "  # About Mistral 7B: stays above it.\n  - model: mistralai/Mistral-7B-v0.1\n",
    )
    edit(
        language,
        "  - model: mistralai/Mixtral-8x7B-v0.1\n",
        "  # About Mixtral: moves with it.\n  - model: mistralai/Mixtral-8x7B-v0.1\n",
    )
    page = work / "snapshots" / SERVERLESS
    lines = page.read_text().split("\n")
    i = next(n for n, line in enumerate(lines) if "| Meta | LLaMA-2 (70B) |" in line)
    # Drop LLaMA-2 (the first row) and put Mixtral before Mistral.
    lines[i : i + 3] = [lines[i + 2], lines[i + 1]]
    page.write_text("\n".join(lines))
    code, out, _ = run(work, "--allow-removals", capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    text = language.read_text()
    assert text.endswith(
        "rows:\n"
        "  # About Mixtral: moves with it.\n"
        "  - model: mistralai/Mixtral-8x7B-v0.1\n"
        "    organization: mistralai\n"
        "    model_name: Mixtral-8x7B (46.7B)\n"
        "    context_length: 32768\n"
        "  # About Mistral 7B: stays above it.\n"
        "  - model: mistralai/Mistral-7B-v0.1\n"
        "    organization: mistralai\n"
        "    model_name: Mistral (7B)\n"
        "    context_length: 8192\n"
    )
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert (code, out) == (0, "catalog is up to date\n")


def test_comments_between_keys_stay_above_their_key(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = work / "catalog" / "serverless-image.yaml"
    edit(
        image,
        "    footnotes: [model_name]\n    na: [default_steps]\n",
        "    # About the footnote: goes with it.\n    footnotes: [model_name]\n"
        "    # About N/A: stays above it.\n    na: [default_steps]\n"
        "    # About the note: stays above it.\n    note: free tier\n",
    )
    page = work / "snapshots" / SERVERLESS
    edit(page, "| Flux.1 [schnell] (free)* |", "| Flux.1 [schnell] (free) |")
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    assert (
        "    default_steps: null\n"
        "    # About N/A: stays above it.\n"
        "    na: [default_steps]\n"
        "    # About the note: stays above it.\n"
        "    note: free tier\n"
        "  - model: black-forest-labs/FLUX.1-schnell\n"
    ) in image.read_text()
    # And back: the footnote key returns before the hand-written note.
    edit(page, "| Flux.1 [schnell] (free) |", "| Flux.1 [schnell] (free)* |")
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    assert (
        "    default_steps: null\n"
        "    # About N/A: stays above it.\n"
        "    na: [default_steps]\n"
        "    footnotes: [model_name]\n"
        "    # About the note: stays above it.\n"
        "    note: free tier\n"
    ) in image.read_text()


def test_end_of_line_comment_keeps_its_column_when_the_comments_below_it_change(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A removed row hands the comment above the next row to the row before it; the end-of-line
    comment already there keeps its spacing (it was reset to one space)."""
    chat = work / "catalog" / "serverless-chat.yaml"
    edit(
        chat,
        "    quantization: FP8\n  - model: deepseek-ai/DeepSeek-R1-Distill-Llama-70B\n",
        "    quantization: FP8    # four spaces before\n"
        "  - model: deepseek-ai/DeepSeek-R1-Distill-Llama-70B\n",
    )
    edit(
        chat,
        "  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B\n",
        "  # About Distill Qwen 1.5B: must stay above it.\n"
        "  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B\n",
    )
    page = work / "snapshots" / SERVERLESS
    lines = page.read_text().split("\n")
    page.write_text(
        "\n".join(
            line for line in lines if "deepseek-ai/DeepSeek-R1-Distill-Llama-70B " not in line
        )
    )
    code, out, _ = run(work, "--allow-removals", capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    assert (
        "    quantization: FP8    # four spaces before\n"
        "  # About Distill Qwen 1.5B: must stay above it.\n"
        "  - model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B\n"
    ) in chat.read_text()
