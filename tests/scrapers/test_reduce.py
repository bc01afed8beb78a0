"""`scrapers.reduce`: a page reduced to what the scraper reads parses to exactly what the
page does (source record, tables, rows), holds none of the vendor's prose, and reducing it
again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.__main__ import main
from scrapers.parse import parse_text
from scrapers.reduce import reduce_page
from tests.scrapers.scrape_helpers import GOOD, HEADER, write

SHARED = Path(__file__).resolve().parents[3] / "shared"
PUBLISHED = sorted([*SHARED.glob("seeds/*.md"), *SHARED.glob("real-pages/*.2*.md")])
#: Prose each page holds that a reduced page must not.
PROSE = [
    "If you're not sure which",
    "AgentInstructions",
    "Submitting Feedback",
    "Documentation Index",
    "<Card",
    "Built with",
    "Deprecated model",
    "The following models are available",
    "ADAPTER_URL",
]


def same_reading(text: str, reduced: str) -> None:
    page = parse_text(text, Path("page.md"))
    again = parse_text(reduced, Path("page.md"))
    assert again.to_json() == page.to_json()
    assert again.source == page.source
    assert [t.heading for t in again.tables] == [t.heading for t in page.tables]


@pytest.mark.parametrize("path", PUBLISHED, ids=[f"{p.parent.name}/{p.name}" for p in PUBLISHED])
def test_published_pages_reduce_to_the_same_tables(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    reduced = reduce_page(text, path.name)
    same_reading(text, reduced)
    assert reduce_page(reduced, path.name) == reduced
    for prose in PROSE:
        assert prose not in reduced, prose
    assert len(reduced) < len(text)


def test_the_published_pages_are_here() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is missing: the published pages are kept beside the clone")
    assert len(PUBLISHED) == 8


WRAPPED = (
    "<!-- source: https://docs.together.ai/docs/serverless-models -->\n"
    "<!-- snapshot: 2025-12-01 -->\n<!-- approximate: about 2025-12 -->\n"
    "<!-- retrieved: 2025-12-01T00:00:00Z sha256: " + "0" * 64 + " -->\n"
    "---\ntitle: Models\nsource: https://docs.together.ai/docs/serverless-models.md\n---\n\n"
    "# Source: https://docs.together.ai/docs/serverless-models.md (a mirror's remark)\n\n"
    "> ## Documentation Index\n> Fetch it.\n\n# Serverless Models\n\nIntro prose.\n\n"
    "<Note>\n  ## A heading in a note\n\n  More.\n</Note>\n\n## Chat models\n\nProse.\n\n"
    + HEADER
    + GOOD
    + "\nFootnote prose.\n\n## Rerank models\n\nNone.\n\n## Video models\n\n"
    + "| Organization | Model Name | Model String for API |\n|-|-|-|\n| G | V | g/v |\n"
)


def test_a_wrapped_page_keeps_its_provenance_headings_and_tables_only() -> None:
    reduced = reduce_page(WRAPPED, "page.md")
    same_reading(WRAPPED, reduced)
    assert reduced == (
        "<!-- source: https://docs.together.ai/docs/serverless-models -->\n"
        "<!-- snapshot: 2025-12-01 -->\n<!-- approximate: about 2025-12 -->\n"
        "<!-- retrieved: 2025-12-01T00:00:00Z sha256: " + "0" * 64 + " -->\n\n"
        "---\nsource: https://docs.together.ai/docs/serverless-models.md\n---\n\n"
        "# Source: https://docs.together.ai/docs/serverless-models.md\n\n"
        "# Serverless Models\n\n## Chat models\n\n"
        + HEADER
        + GOOD
        + "\n## Video models\n\n"
        + "| Organization | Model Name | Model String for API |\n|-|-|-|\n| G | V | g/v |\n"
    )
    assert reduce_page(reduced, "page.md") == reduced


def test_a_source_line_keeps_its_title() -> None:
    page = (
        "# Supported Models\nSource: https://docs.together.ai/docs/fine-tuning-models\n\n"
        "Prose.\n\n## Serverless LoRA base models\n\n"
        "| Organization | Base Model Name | Base Model String | Quantization |\n|-|-|-|-|\n"
        "| Meta | L | a/b | FP8 |\n"
    )
    reduced = reduce_page(page, "page.md")
    same_reading(page, reduced)
    assert reduced.startswith(
        "# Supported Models\n\nSource: https://docs.together.ai/docs/fine-tuning-models\n\n"
    )


def test_a_page_the_scraper_refuses_is_not_reduced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "## Prices\n\n" + HEADER + GOOD)
    assert main(["reduce", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:3: ") and "unrecognised heading" in err


def test_the_cli_stamps_and_reduces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "# Serverless Models\n\nProse.\n\n## Chat models\n\n" + HEADER + GOOD)
    url = "https://docs.together.ai/docs/serverless-models"
    args = ["reduce", str(path), "--source", url, "--snapshot", "2026-01-01"]
    assert main([*args, "--approximate", "about then"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"<!-- source: {url} -->\n<!-- snapshot: 2026-01-01 -->\n"
        "<!-- approximate: about then -->\n\n# Serverless Models\n\n## Chat models\n\n"
    )
    assert parse_text(out, Path("x.md")).source == {
        "url": url,
        "snapshot": "2026-01-01",
        "approximate": "about then",
    }
