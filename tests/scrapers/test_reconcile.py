"""Reconcile: a precise diff report, comments and hand-written notes kept, removals guarded,
nothing written on refusal or bad input, and a second run changes nothing.

Every test works on copies of catalog/ and of the snapshots under tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from catalog import yamlio
from catalog.load import CatalogError, load_catalog, validate
from catalog.models import Table
from scrapers.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "catalog"
SNAPSHOTS = ROOT / "scrapers" / "snapshots"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(CATALOG, tmp_path / "catalog")
    shutil.copytree(SNAPSHOTS, tmp_path / "snapshots")
    return tmp_path


def state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (old, text.count(old))
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(
    work: Path, *args: str, capsys: pytest.CaptureFixture[str], pages: list[str] | None = None
) -> tuple[int, str, str]:
    files = [str(work / "snapshots" / p) for p in (pages or sorted(_pages()))]
    code = main(["reconcile", *files, "--catalog", str(work / "catalog"), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _pages() -> list[str]:
    return [p.name for p in SNAPSHOTS.glob("*.md")]


@pytest.mark.parametrize("name", sorted(p.name for p in CATALOG.glob("*.yaml")))
def test_load_dump_is_byte_identical(name: str) -> None:
    path = CATALOG / name
    assert yamlio.dumps(yamlio.load(path)) == path.read_text(encoding="utf-8")


def test_committed_catalog_is_current(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(work / "catalog")
    code, out, _ = run(work, "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report == {
        "added": [],
        "removed": [],
        "changed": [],
        "moved": [],
        "new_values": [],
        "new_tables": [],
        "written": [],
        "cells_removed": [],
    }
    assert state(work / "catalog") == before


CHAT = "| meta-llama/Llama-3.3-70B-Instruct-Turbo | 131072 | FP8 |"


def test_report_names_exactly_the_changed_cells(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / "serverless-models.md"
    edit(page, CHAT, CHAT.replace("131072 | FP8", "65536 | FP4"))
    edit(
        page,
        "| Black Forest Labs | Flux.1 Dev | black-forest-labs/FLUX.1-dev | 28 |",
        "| Black Forest Labs | Flux.1 Dev* | black-forest-labs/FLUX.1-dev | N/A |",
    )
    edit(
        page,
        "| Flux.1 [schnell] (free)* | black-forest-labs/FLUX.1-schnell-Free | N/A |",
        "| Flux.1 [schnell] (free) | black-forest-labs/FLUX.1-schnell-Free | - |",
    )
    before = state(work / "catalog")
    code, out, _ = run(work, "--json", "--dry-run", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert set(report) == {
        "added",
        "removed",
        "changed",
        "moved",
        "new_values",
        "new_tables",
        "written",
        "cells_removed",
    }
    llama = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    dev = "black-forest-labs/FLUX.1-dev"
    free = "black-forest-labs/FLUX.1-schnell-Free"
    assert report["changed"] == [
        {"table": "serverless-chat", "model": llama, "field": "context_length", "old": 131072,
         "new": 65536},
        {"table": "serverless-chat", "model": llama, "field": "quantization", "old": "FP8",
         "new": "FP4"},
        {"table": "serverless-image", "model": free, "field": "footnotes", "old": ["model_name"],
         "new": None},
        {"table": "serverless-image", "model": free, "field": "na", "old": ["default_steps"],
         "new": None},
        {"table": "serverless-image", "model": dev, "field": "default_steps", "old": 28,
         "new": None},
        {"table": "serverless-image", "model": dev, "field": "footnotes", "old": None,
         "new": ["model_name"]},
        {"table": "serverless-image", "model": dev, "field": "na", "old": None,
         "new": ["default_steps"]},
    ]  # fmt: skip
    assert report["new_values"] == [
        {"table": "serverless-chat", "model": llama, "field": "quantization", "value": "FP4"}
    ]
    assert report["added"] == report["removed"] == report["moved"] == report["written"] == []
    assert state(work / "catalog") == before  # --dry-run

    code, out, _ = run(work, capsys=capsys)
    assert code == 0
    assert out.splitlines() == [
        f"~ serverless-chat: {llama}: context_length: 131072 -> 65536",
        f"~ serverless-chat: {llama}: quantization: 'FP8' -> 'FP4'",
        f"~ serverless-image: {free}: footnotes: ['model_name'] -> None",
        f"~ serverless-image: {free}: na: ['default_steps'] -> None",
        f"~ serverless-image: {dev}: default_steps: 28 -> None",
        f"~ serverless-image: {dev}: footnotes: None -> ['model_name']",
        f"~ serverless-image: {dev}: na: None -> ['default_steps']",
        f"? serverless-chat: {llama}: new quantization value 'FP4'",
    ]
    after = state(work / "catalog")
    assert {n for n in after if after[n] != before[n]} == {
        "serverless-chat.yaml",
        "serverless-image.yaml",
    }
    image = (work / "catalog" / "serverless-image.yaml").read_text()
    assert (
        "  - model: black-forest-labs/FLUX.1-dev\n"
        "    organization: Black Forest Labs\n"
        "    model_name: Flux.1 Dev\n"
        "    default_steps: null\n"
        "    footnotes: [model_name]\n"
        "    na: [default_steps]\n"
    ) in image
    load_catalog(work / "catalog")

    # A second run on the same input changes nothing.
    code, out, _ = run(work, capsys=capsys)
    assert (code, out) == (0, "catalog is up to date\n")
    assert state(work / "catalog") == after


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
    load_catalog(work / "catalog")

    page = work / "snapshots" / "serverless-models.md"
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
    code, out, err = run(work, "--json", capsys=capsys, pages=["serverless-models.md"])
    assert code == 1
    assert len(json.loads(out)["removed"]) == 2
    assert "2 row(s) would be removed" in err
    assert "--allow-removals" in err
    assert state(work / "catalog") == before

    code, out, _ = run(work, "--allow-removals", capsys=capsys, pages=["serverless-models.md"])
    assert code == 0, out
    assert out.splitlines() == [
        "+ serverless-chat: deepseek-ai/New-Distill",
        "+ serverless-chat: acme/last",
        "- serverless-chat: deepseek-ai/DeepSeek-R1-Distill-Llama-70B (its note: 'gone soon')",
        "- serverless-chat: upstage/SOLAR-10.7B-Instruct-v1.0",
        "~ serverless-chat: deepseek-ai/DeepSeek-R1: context_length: 128000 -> 131072",
        "? serverless-chat: acme/last: new organization value 'Acme'",
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
    load_catalog(work / "catalog")
    again = state(work / "catalog")
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
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
    page = work / "snapshots" / "serverless-models.md"
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
    code, _, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
    assert code == 0
    text = image.read_text()
    assert "    default_steps: 28\n    footnotes: [default_steps]\n    note: kept last\n" in text
    assert (
        "    default_steps: 28\n    footnotes: [default_steps]\n  # About Depth.\n"
        "  - model: black-forest-labs/FLUX.1-depth\n"
    ) in text


def test_moved_row_is_reported(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = work / "snapshots" / "serverless-models.md"
    lines = page.read_text().split("\n")
    i = next(n for n, line in enumerate(lines) if "| Meta | LLaMA-2 (70B) |" in line)
    lines[i], lines[i + 2] = lines[i + 2], lines[i]
    page.write_text("\n".join(lines))
    code, out, _ = run(work, "--json", capsys=capsys, pages=["serverless-models.md"])
    assert code == 0
    report = json.loads(out)
    assert report["changed"] == report["added"] == report["removed"] == []
    assert report["moved"] == [
        {"table": "serverless-language", "model": "mistralai/Mixtral-8x7B-v0.1", "old": 2,
         "new": 0},
        {"table": "serverless-language", "model": "mistralai/Mistral-7B-v0.1", "old": 2,
         "new": 1},
    ]  # fmt: skip
    models = [r.model for r in load_catalog(work / "catalog").tables["serverless-language"].rows]
    assert models == [
        "mistralai/Mixtral-8x7B-v0.1",
        "mistralai/Mistral-7B-v0.1",
        "meta-llama/Llama-2-70b-hf",
    ]


def test_dropped_and_renamed_columns(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = work / "snapshots" / "serverless-models.md"
    text = page.read_text()
    start = text.index("### Chat Models")
    end = text.index("### Image Models")
    chat = text[start:end].split("\n")
    # Drop the Quantization column; rename "API Model String" to "Model String for API".
    chat = ["|".join(line.split("|")[:-2]) + "|" if line.startswith("|") else line for line in chat]
    new = "\n".join(chat).replace("API Model String", "Model String for API")
    page.write_text(text[:start] + new + text[end:])
    before = state(work / "catalog")
    code, out, err = run(work, "--json", capsys=capsys, pages=["serverless-models.md"])
    assert code == 1  # every chat row had a quantization: dropping them is a removal
    assert "38 non-null value(s) of dropped column(s) would be removed" in err
    assert "(serverless-chat: quantization (38))" in err
    assert len(json.loads(out)["cells_removed"]) == 38
    assert state(work / "catalog") == before
    code, out, _ = run(
        work, "--json", "--allow-removals", capsys=capsys, pages=["serverless-models.md"]
    )
    assert code == 0, out
    report = json.loads(out)
    columns = [c for c in report["changed"] if c["field"] == "columns"]
    assert len(columns) == 1
    assert columns[0]["new"][2] == {"field": "model", "header": "Model String for API"}
    cells = [c for c in report["changed"] if c["field"] != "columns"]
    assert len(cells) == 38
    assert {(c["field"], c["new"]) for c in cells} == {("quantization", None)}
    table = load_catalog(work / "catalog").tables["serverless-chat"]
    assert all(getattr(r, "quantization") is None for r in table.rows)  # noqa: B009
    assert "quantization" not in (work / "catalog" / "serverless-chat.yaml").read_text()


def _drop_image_steps(page: Path) -> None:
    """Remove the last column (Default Steps) of the Image Models table."""
    text = page.read_text()
    start = text.index("### Image Models")
    end = text.index("### Vision Models")
    lines = text[start:end].split("\n")
    lines = ["|".join(x.split("|")[:-2]) + "|" if x.startswith("|") else x for x in lines]
    page.write_text(text[:start] + "\n".join(lines) + text[end:])


def test_dropped_column_with_values_is_a_refused_removal(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value that disappears because the docs dropped its column is data lost: it is
    reported cell by cell (only the non-null ones) and refused like a row removal."""
    page = work / "snapshots" / "serverless-models.md"
    _drop_image_steps(page)
    before = state(work / "catalog")
    code, out, err = run(work, "--json", capsys=capsys, pages=["serverless-models.md"])
    assert code == 1
    assert state(work / "catalog") == before
    report = json.loads(out)
    assert report["removed"] == []
    flux = "black-forest-labs/FLUX.1-"
    assert report["cells_removed"] == [
        {"table": "serverless-image", "model": flux + "schnell", "field": "default_steps",
         "old": 4},
        *({"table": "serverless-image", "model": flux + m, "field": "default_steps", "old": 28}
          for m in ("dev", "canny", "depth", "redux")),
    ]  # fmt: skip
    # The full diff is still shown, the null cells' deletion included.
    steps = [c for c in report["changed"] if c["field"] == "default_steps"]
    assert len(steps) == 9
    assert err.startswith(
        "reconcile: refused: 5 non-null value(s) of dropped column(s) would be removed "
        "(serverless-image: default_steps (5)); rerun with --allow-removals"
    )
    # Text output shows the same diff.
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
    assert code == 1
    assert f"~ serverless-image: {flux}dev: default_steps: 28 -> None" in out.splitlines()
    assert state(work / "catalog") == before

    code, out, _ = run(
        work, "--json", "--allow-removals", capsys=capsys, pages=["serverless-models.md"]
    )
    assert code == 0
    assert len(json.loads(out)["cells_removed"]) == 5
    assert "default_steps" not in (work / "catalog" / "serverless-image.yaml").read_text()


def test_dropped_column_of_nulls_needs_no_flag(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / "serverless-models.md"
    text = page.read_text()
    for steps in ("| 4 |", "| 28 |", "| N/A |"):
        text = text.replace(steps, "| - |")
    page.write_text(text)
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
    assert code == 0, out  # values becoming null in the docs is a change, not a removal
    _drop_image_steps(page)
    code, out, _ = run(work, "--json", capsys=capsys, pages=["serverless-models.md"])
    assert code == 0, out
    report = json.loads(out)
    assert report["cells_removed"] == report["removed"] == []
    assert "default_steps" not in (work / "catalog" / "serverless-image.yaml").read_text()


def test_new_serverless_category_and_vanished_table(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / "serverless-models.md"
    text = page.read_text()
    start = text.index("### Rerank Models")
    page.write_text(
        text[:start]
        + "### Text To Speech Models\n\n| Organization | Model Name | Model String for API |\n"
        "|---|---|---|\n| Cartesia | Sonic 2 | cartesia/sonic-2 |\n"
    )
    code, _, err = run(work, capsys=capsys, pages=["serverless-models.md"])
    assert code == 1
    assert "1 row(s) would be removed (serverless-rerank: Salesforce/Llama-Rank-v1)" in err
    assert not (work / "catalog" / "serverless-text-to-speech.yaml").exists()

    code, out, _ = run(
        work, "--allow-removals", "--json", capsys=capsys, pages=["serverless-models.md"]
    )
    assert code == 0
    report = json.loads(out)
    assert report["new_tables"] == ["serverless-text-to-speech"]
    assert {"table": "serverless-text-to-speech", "model": "(table)", "field": "category",
            "value": "text-to-speech"} in report["new_values"]  # fmt: skip
    assert report["removed"] == [
        {"table": "serverless-rerank", "model": "Salesforce/Llama-Rank-v1"}
    ]
    assert not (work / "catalog" / "serverless-rerank.yaml").exists()
    created = (work / "catalog" / "serverless-text-to-speech.yaml").read_text()
    assert created.startswith("# yaml-language-server: $schema=schema/table.schema.json\n")
    # (The catalog as a whole no longer loads: serverless-rerank is still declared in
    # scrapers/vocabulary.py, which the maintainer edits next. The new file is valid alone.)
    with pytest.raises(CatalogError, match=r"serverless-rerank\.yaml: missing"):
        load_catalog(work / "catalog")
    tts = yamlio.load(work / "catalog" / "serverless-text-to-speech.yaml")
    validate(TypeAdapter(Table), tts, work / "catalog" / "serverless-text-to-speech.yaml")
    assert [r["model"] for r in tts["rows"]] == ["cartesia/sonic-2"]
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
    assert (code, out) == (0, "catalog is up to date\n")


def test_removal_refused_writes_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = work / "snapshots" / "fine-tuning-models.md"
    lines = [line for line in page.read_text().split("\n") if "| openai/gpt-oss-20b " not in line]
    # Changes elsewhere in the same run must not be written either.
    page.write_text("\n".join(lines).replace("| openai/gpt-oss-120b", "| openai/gpt-oss-120b*"))
    before = state(work / "catalog")
    code, out, err = run(work, capsys=capsys)
    assert code == 1
    # The whole diff is shown, so the maintainer sees what accepting it would do.
    assert out.splitlines() == [
        "- finetune-lora: openai/gpt-oss-20b",
        "~ finetune-lora: openai/gpt-oss-120b: footnotes: None -> ['model']",
    ]
    assert err.startswith("reconcile: refused: 1 row(s) would be removed")
    assert "finetune-lora: openai/gpt-oss-20b" in err
    assert state(work / "catalog") == before


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
    page = work / "snapshots" / "serverless-models.md"
    lines = page.read_text().split("\n")
    i = next(n for n, line in enumerate(lines) if "| Meta | LLaMA-2 (70B) |" in line)
    # Drop LLaMA-2 (the first row) and put Mixtral before Mistral.
    lines[i : i + 3] = [lines[i + 2], lines[i + 1]]
    page.write_text("\n".join(lines))
    code, out, _ = run(work, "--allow-removals", capsys=capsys, pages=["serverless-models.md"])
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
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
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
    page = work / "snapshots" / "serverless-models.md"
    edit(page, "| Flux.1 [schnell] (free)* |", "| Flux.1 [schnell] (free) |")
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
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
    code, out, _ = run(work, capsys=capsys, pages=["serverless-models.md"])
    assert code == 0, out
    assert (
        "    default_steps: null\n"
        "    # About N/A: stays above it.\n"
        "    na: [default_steps]\n"
        "    footnotes: [model_name]\n"
        "    # About the note: stays above it.\n"
        "    note: free tier\n"
    ) in image.read_text()


def test_table_moved_to_another_page_is_not_a_removal(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / "serverless-models.md"
    text = page.read_text()
    start, end = text.index("### Audio Models"), text.index("### Code Models")
    page.write_text(text[:start] + text[end:])
    head = text[: text.index("### Chat Models")]
    # The new page sorts before the old one, so the order of pages does not matter.
    (work / "snapshots" / "audio.md").write_text(head + text[start:end])
    code, out, _ = run(work, "--json", capsys=capsys, pages=["audio.md", "serverless-models.md"])
    assert code == 0, out
    report = json.loads(out)
    assert report["removed"] == report["added"] == []
    assert report["changed"] == [
        {
            "table": "serverless-audio",
            "model": "(source)",
            "field": "page",
            "old": "serverless-models",
            "new": "audio",
        }
    ]


@pytest.mark.parametrize(
    "args",
    [["parse", "--json"], ["parse"], ["reconcile", "--dry-run", "--json"]],
    ids=["mid-output", "at-flush", "reconcile"],
)
def test_reader_leaving_early_is_not_an_error(work: Path, args: list[str]) -> None:
    """`python -m scrapers parse --json F | head -1` ends quietly, exit 0, whether the
    closed pipe is hit mid-output or only when the last buffered block is flushed."""
    pages = [str(p) for p in sorted((work / "snapshots").glob("*.md"))]
    if args[0] == "reconcile":
        pages += ["--catalog", str(work / "catalog")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: deterministic
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scrapers", *args, *pages],
            stdout=write,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, b"")
