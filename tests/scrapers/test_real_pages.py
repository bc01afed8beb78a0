"""Every published version of the docs pages kept beside the clone (`../shared/real-pages/`,
`../shared/seeds/`) parses completely: every table, every row, clean ids, typed cells.

The expected row counts are counted independently of the scraper, from the page's lines
(each run of `|` lines, less its header and separator rows); the table ids and the spot
values are written out from reading the pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from catalog.columns import COLUMN_BY_FIELD
from scrapers.__main__ import main
from scrapers.parse import ScrapedPage, parse_file

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real-pages"
SEEDS = SHARED / "seeds"
ID = re.compile(r"[^/\s*\\`<>\[\]]+/[^/\s*\\`<>\[\]]+")

#: page file -> its tables' ids, in page order.
TABLES = {
    REAL / "serverless-models.2026-04-14.md": [
        "serverless-chat",
        "serverless-image",
        "serverless-vision",
        "serverless-video",
        "serverless-audio",
        "serverless-embedding",
        "serverless-moderation",
    ],
    REAL / "serverless-models.2025-12.md": [
        "serverless-chat",
        "serverless-image",
        "serverless-vision",
        "serverless-video",
        "serverless-audio",
        "serverless-embedding",
        "serverless-rerank",
        "serverless-moderation",
    ],
    REAL / "fine-tuning-models.2025-11-08.md": [
        "finetune-lora",
        "finetune-lora-long-context",
        "finetune-full",
    ],
    REAL / "fine-tuning-supported-models.2026.md": ["finetune-lora", "finetune-full"],
    REAL / "adapter-upload.2026-02.md": ["serverless-lora-bases"],
    SEEDS / "serverless-models.md": [
        "serverless-chat",
        "serverless-image",
        "serverless-vision",
        "serverless-audio",
        "serverless-code",
        "serverless-language",
        "serverless-moderation",
        "serverless-embedding",
        "serverless-rerank",
    ],
    SEEDS / "fine-tuning-models.md": [
        "finetune-lora",
        "finetune-lora-long-context",
        "finetune-full",
    ],
    SEEDS / "serverless-lora-bases.md": ["serverless-lora-bases"],
}
#: Counts the real-pages README states, as a check on the line count itself.
STATED = {
    "fine-tuning-models.2025-11-08.md": [81, 10, 51],
    "fine-tuning-supported-models.2026.md": [30, 11],
    "adapter-upload.2026-02.md": [2],
}
PAGES = sorted(TABLES, key=lambda p: p.name)
TYPES = {"text": str, "count": int, "price": str, "rate": str, "flag": bool}


@pytest.fixture(autouse=True)
def _the_pages_are_here() -> None:
    if not REAL.is_dir() or not SEEDS.is_dir():
        pytest.skip(f"{SHARED} is missing: the published pages are kept beside the clone")


def counted_rows(path: Path) -> list[int]:
    """Rows of each table, by lines: a run of lines starting with `|`, less two."""
    counts: list[int] = []
    run = 0
    for line in [*path.read_text(encoding="utf-8").split("\n"), ""]:
        if line.lstrip().startswith("|"):
            run += 1
        elif run:
            counts.append(run - 2)
            run = 0
    return counts


def rows_by_id(page: ScrapedPage, table: str) -> dict[str, dict[str, Any]]:
    (found,) = [t for t in page.tables if t.spec.table == table]
    return {row["model"]: row for row in found.rows}


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_every_table_and_every_row(path: Path) -> None:
    page = parse_file(path)
    assert [t.spec.table for t in page.tables] == TABLES[path]
    assert [len(t.rows) for t in page.tables] == counted_rows(path)
    if path.name in STATED:
        assert counted_rows(path) == STATED[path.name]
    for table in page.tables:
        columns = [COLUMN_BY_FIELD[f] for f in table.fields]
        assert len(columns) == len(table.headers)
        assert all(table.spec.kind in c.tables for c in columns)
        for row in table.rows:
            assert ID.fullmatch(row["model"]), (table.spec.table, row["model"])
            assert set(row) <= {*table.fields, "footnotes", "na"}
            for column in columns:  # each value of its column's declared type, or none
                value = row[column.field]
                assert value is None or type(value) is TYPES[column.cell], (row, column)


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_the_cli_prints_every_table(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(path), "--json"]) == 0
    assert capsys.readouterr().out.count('"table": ') == len(TABLES[path])


def test_spot_values_of_the_2026_serverless_page() -> None:
    page = parse_file(REAL / "serverless-models.2026-04-14.md")
    chat = rows_by_id(page, "serverless-chat")
    minimax = chat["MiniMaxAI/MiniMax-M2.7"]
    assert (minimax["input_price"], minimax["cached_input_price"]) == ("0.30", "0.06")
    assert minimax["function_calling"] is True and minimax["structured_outputs"] is True
    assert minimax["quantization"] == "FP4"
    assert chat["Qwen/Qwen3.5-397B-A17B"]["cached_input_price"] is None  # "-", never 0
    assert chat["deepcogito/cogito-v2-1-671b"]["function_calling"] is None
    assert rows_by_id(page, "serverless-audio")["openai/whisper-large-v3"]["price"] == (
        "0.0015 per audio min"
    )
    assert rows_by_id(page, "serverless-image")["black-forest-labs/FLUX.1-schnell"] == {
        "model": "black-forest-labs/FLUX.1-schnell",
        "organization": "Black Forest Labs",
        "model_name": "Flux.1 [schnell] (Turbo)",
        "price_per_megapixel": "0.0027",
        "default_steps": 4,
    }
    video = rows_by_id(page, "serverless-video")["google/veo-3.0"]
    assert (video["price_per_video"], video["resolution_duration"]) == ("1.60", "720p / 8s")
    assert page.tables[3].spec.category == "video"


def test_spot_values_of_the_2025_serverless_page() -> None:
    page = parse_file(REAL / "serverless-models.2025-12.md")
    assert page.source == {"url": "https://docs.together.ai/docs/serverless-models"}
    chat = rows_by_id(page, "serverless-chat")
    gemma = chat["google/gemma-2b-it"]  # published `google/gemma-2b-it\*`
    assert gemma["footnotes"] == ["model"]
    maverick = chat["meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"]
    assert maverick["model_name"] == "Llama 4 Maverick (17Bx128E)"  # `<br />` is a space
    free = rows_by_id(page, "serverless-image")["black-forest-labs/FLUX.1-schnell-Free"]
    assert free["model_name"] == "Flux.1 [schnell] (free)"  # `**(free)\*`**`
    assert (free["footnotes"], free["default_steps"], free["na"]) == (
        ["model_name"],
        None,
        ["default_steps"],
    )
    rerank = rows_by_id(page, "serverless-rerank")["mixedbread-ai/Mxbai-Rerank-Large-V2"]
    assert (rerank["max_doc_size_tokens"], rerank["max_docs"]) == (32768, None)


def test_spot_values_of_the_fine_tuning_pages() -> None:
    new = parse_file(REAL / "fine-tuning-supported-models.2026.md")
    assert new.source == {"url": "https://docs.together.ai/docs/fine-tuning/supported-models"}
    flash = rows_by_id(new, "finetune-lora")["deepseek-ai/DeepSeek-V4-Flash"]  # backticked
    assert (flash["gradient_accumulation_steps"], flash["max_lora_rank"]) == (8, 64)
    assert new.tables[0].heading == "LoRA fine-tuning"
    old = parse_file(REAL / "fine-tuning-models.2025-11-08.md")
    assert old.source == {"url": "https://docs.together.ai/docs/fine-tuning-models"}
    full = rows_by_id(old, "finetune-full")["deepseek-ai/DeepSeek-R1-Distill-Llama-70B"]
    assert full["training_precision"] == "bf16"


def test_spot_values_of_the_adapter_upload_page() -> None:
    page = parse_file(REAL / "adapter-upload.2026-02.md")
    assert page.source == {"url": "https://docs.together.ai/docs/adapter-upload"}
    assert list(rows_by_id(page, "serverless-lora-bases")) == [
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        "Qwen/Qwen3-235B-A22B-Instruct-2507-tput",
    ]
