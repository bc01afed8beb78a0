"""Reconcile's diff: exactly the cells, rows and moves that changed, in the text and --json
reports; the committed catalog is current; and a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import yamlio
from catalog.load import CATALOG_DIR
from scrapers.__main__ import main
from tests.conftest import load_seed_era
from tests.scrapers.reconcile_helpers import SERVERLESS, edit, run, state


@pytest.mark.parametrize("name", sorted(p.name for p in CATALOG_DIR.glob("*.yaml")))
def test_load_dump_is_byte_identical(name: str) -> None:
    path = CATALOG_DIR / name
    assert yamlio.dumps(yamlio.load(path)) == path.read_text(encoding="utf-8")


EMPTY: dict[str, list[object]] = {
    "added": [],
    "removed": [],
    "changed": [],
    "moved": [],
    "new_values": [],
    "new_tables": [],
    "written": [],
    "cells_removed": [],
    "retired": [],
    "returned": [],
    "changelog": [],
    "unlogged": [],
    "older": [],
}


def test_committed_catalog_is_current(
    catalog_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make`'s reconcile (the bundled snapshots from the catalog's as-of on) changes nothing."""
    before = state(catalog_copy)
    code = main(["reconcile", "--catalog", str(catalog_copy), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out) == EMPTY
    assert state(catalog_copy) == before


def test_seed_catalog_is_current(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(work / "catalog")
    code, out, _ = run(work, "--json", capsys=capsys)
    assert code == 0
    assert json.loads(out) == EMPTY
    assert state(work / "catalog") == before


CHAT = "| meta-llama/Llama-3.3-70B-Instruct-Turbo | 131072 | FP8 |"


def test_report_names_exactly_the_changed_cells(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = work / "snapshots" / SERVERLESS
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
    assert set(report) == set(EMPTY)
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
        "changelog: serverless-models 2025-03-04 is already logged; 3 change(s) from "
        "re-reading it are not",
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
    load_seed_era(work / "catalog")

    # A second run on the same input changes nothing.
    code, out, _ = run(work, capsys=capsys)
    assert (code, out) == (0, "catalog is up to date\n")
    assert state(work / "catalog") == after


def test_moved_row_is_reported(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = work / "snapshots" / SERVERLESS
    lines = page.read_text().split("\n")
    i = next(n for n, line in enumerate(lines) if "| Meta | LLaMA-2 (70B) |" in line)
    lines[i], lines[i + 2] = lines[i + 2], lines[i]
    page.write_text("\n".join(lines))
    code, out, _ = run(work, "--json", capsys=capsys, pages=[SERVERLESS])
    assert code == 0
    report = json.loads(out)
    assert report["changed"] == report["added"] == report["removed"] == []
    assert report["moved"] == [
        {"table": "serverless-language", "model": "mistralai/Mixtral-8x7B-v0.1", "old": 2,
         "new": 0},
        {"table": "serverless-language", "model": "mistralai/Mistral-7B-v0.1", "old": 2,
         "new": 1},
    ]  # fmt: skip
    models = [r.model for r in load_seed_era(work / "catalog").tables["serverless-language"].rows]
    assert models == [
        "mistralai/Mixtral-8x7B-v0.1",
        "mistralai/Mistral-7B-v0.1",
        "meta-llama/Llama-2-70b-hf",
    ]
