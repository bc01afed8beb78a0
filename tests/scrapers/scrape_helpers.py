"""Pages and helpers the scraper's tests share: a serverless chat page to vary, and ways to
parse one and get its rows or its error."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.parse import ScrapeError, parse_file, parse_text

ROOT = Path(__file__).resolve().parents[2]
META = "<!-- source: https://example.test/page -->\n<!-- snapshot: 2025-03-04 -->\n\n"
HEADER = (
    "| Organization | Model Name | API Model String | Context Length | Quantization |\n"
    "|---|---|---|---|---|\n"
)
GOOD = "| Meta | Llama | meta-llama/Llama | 8192 | FP8 |\n"


def chat(*rows: str, header: str = HEADER, heading: str = "### Chat Models") -> str:
    """A page with one serverless table (by default Chat Models) holding `rows`."""
    return META + "## Serverless Models\n\n" + heading + "\n\n" + header + "".join(rows)


def write(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> tuple[Path, str]:
    """The file a page was written to, and the message the scraper refuses it with."""
    path = write(tmp_path, text)
    with pytest.raises(ScrapeError) as info:
        parse_file(path)
    return path, str(info.value)


def rows_of(text: str) -> list[dict[str, object]]:
    """The rows of a page's one table."""
    (table,) = parse_text(text, Path("page.md")).tables
    return table.rows
