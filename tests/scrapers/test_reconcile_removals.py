"""Removals: rows gone from the docs, non-null cells of dropped columns and vanished tables are
refused without --allow-removals (exit 1, the whole diff printed, nothing written) and made
with it; a dropped column of nulls, or a table moved to another page, is no removal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from catalog import yamlio
from catalog.load import CatalogError, validate
from catalog.models import Table
from tests.conftest import load_seed_era
from tests.scrapers.reconcile_helpers import FINE_TUNING, SERVERLESS, run, state


def test_dropped_and_renamed_columns(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = work / "snapshots" / SERVERLESS
    text = page.read_text()
    start = text.index("### Chat Models")
    end = text.index("### Image Models")
    chat = text[start:end].split("\n")
    # Drop the Quantization column; rename "API Model String" to "Model String for API".
    chat = ["|".join(line.split("|")[:-2]) + "|" if line.startswith("|") else line for line in chat]
    new = "\n".join(chat).replace("API Model String", "Model String for API")
    page.write_text(text[:start] + new + text[end:])
    before = state(work / "catalog")
    code, out, err = run(work, "--json", capsys=capsys, pages=[SERVERLESS])
    assert code == 1  # every chat row had a quantization: dropping them is a removal
    assert "38 non-null value(s) of dropped column(s) would be removed" in err
    assert "(serverless-chat: quantization (38))" in err
    assert len(json.loads(out)["cells_removed"]) == 38
    assert state(work / "catalog") == before
    code, out, _ = run(work, "--json", "--allow-removals", capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    report = json.loads(out)
    columns = [c for c in report["changed"] if c["field"] == "columns"]
    assert len(columns) == 1
    assert columns[0]["new"][2] == {"field": "model", "header": "Model String for API"}
    cells = [c for c in report["changed"] if c["field"] != "columns"]
    assert len(cells) == 38
    assert {(c["field"], c["new"]) for c in cells} == {("quantization", None)}
    table = load_seed_era(work / "catalog").tables["serverless-chat"]
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
    page = work / "snapshots" / SERVERLESS
    _drop_image_steps(page)
    before = state(work / "catalog")
    code, out, err = run(work, "--json", capsys=capsys, pages=[SERVERLESS])
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
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert code == 1
    assert f"~ serverless-image: {flux}dev: default_steps: 28 -> None" in out.splitlines()
    assert state(work / "catalog") == before

    code, out, _ = run(work, "--json", "--allow-removals", capsys=capsys, pages=[SERVERLESS])
    assert code == 0
    assert len(json.loads(out)["cells_removed"]) == 5
    assert "default_steps" not in (work / "catalog" / "serverless-image.yaml").read_text()


def test_dropped_column_of_nulls_needs_no_flag(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / SERVERLESS
    text = page.read_text()
    for steps in ("| 4 |", "| 28 |", "| N/A |"):
        text = text.replace(steps, "| - |")
    page.write_text(text)
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out  # values becoming null in the docs is a change, not a removal
    _drop_image_steps(page)
    code, out, _ = run(work, "--json", capsys=capsys, pages=[SERVERLESS])
    assert code == 0, out
    report = json.loads(out)
    assert report["cells_removed"] == report["removed"] == []
    assert "default_steps" not in (work / "catalog" / "serverless-image.yaml").read_text()


def test_new_serverless_category_and_vanished_table(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / SERVERLESS
    text = page.read_text()
    start = text.index("### Rerank Models")
    page.write_text(
        text[:start]
        + "### Text To Speech Models\n\n| Organization | Model Name | Model String for API |\n"
        "|---|---|---|\n| Cartesia | Sonic 2 | cartesia/sonic-2 |\n"
    )
    code, _, err = run(work, capsys=capsys, pages=[SERVERLESS])
    assert code == 1
    assert "1 row(s) would be removed (serverless-rerank: Salesforce/Llama-Rank-v1)" in err
    assert not (work / "catalog" / "serverless-text-to-speech.yaml").exists()

    code, out, _ = run(work, "--allow-removals", "--json", capsys=capsys, pages=[SERVERLESS])
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
    # catalog/tables.py, which the maintainer edits next. The new file is valid alone.)
    with pytest.raises(CatalogError, match=r"serverless-rerank\.yaml: missing"):
        load_seed_era(work / "catalog")
    tts = yamlio.load(work / "catalog" / "serverless-text-to-speech.yaml")
    validate(TypeAdapter(Table), tts, work / "catalog" / "serverless-text-to-speech.yaml")
    assert [r["model"] for r in tts["rows"]] == ["cartesia/sonic-2"]
    code, out, _ = run(work, capsys=capsys, pages=[SERVERLESS])
    assert (code, out) == (0, "catalog is up to date\n")


def test_removal_refused_writes_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = work / "snapshots" / FINE_TUNING
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


def test_table_moved_to_another_page_is_not_a_removal(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / SERVERLESS
    text = page.read_text()
    start, end = text.index("### Audio Models"), text.index("### Code Models")
    page.write_text(text[:start] + text[end:])
    head = text[: text.index("### Chat Models")]
    # The new page sorts before the old one, so the order of pages does not matter.
    (work / "snapshots" / "audio.md").write_text(head + text[start:end])
    code, out, _ = run(work, "--json", capsys=capsys, pages=["audio.md", SERVERLESS])
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
