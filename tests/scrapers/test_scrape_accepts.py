"""What the scraper accepts, and reads as: cells normalised, HTML and MDX prose stepped over,
headings and headers in any case, a page's provenance wherever the page gives it."""

from __future__ import annotations

from pathlib import Path

from scrapers.parse import page_name, parse_file, parse_text
from tests.scrapers.scrape_helpers import GOOD, HEADER, META, chat, error_of, rows_of, write


def test_cells_are_normalised() -> None:
    rows = rows_of(
        chat(
            "| Meta | [Llama](https://x.test) | `meta-llama/Llama` | 8192* | N/A |\n",
            "|  Meta  | a \\| b | `x/y`* | - | FP8 |\n",
        )
    )
    assert rows == [
        {
            "model": "meta-llama/Llama",
            "organization": "Meta",
            "model_name": "Llama",
            "context_length": 8192,
            "quantization": None,
            "footnotes": ["context_length"],
            "na": ["quantization"],
        },
        {
            "model": "x/y",
            "organization": "Meta",
            "model_name": "a | b",
            "context_length": None,
            "quantization": "FP8",
            "footnotes": ["model"],
        },
    ]


def test_escaped_asterisk_is_a_footnote_mark_an_entity_or_code_is_data() -> None:
    """The docs escape the footnote mark after an id (`google/gemma-2b-it\\*`), so a trailing
    `\\*` is a mark like a bare `*`. This reverses the earlier rule, under which an escaped
    `\\*` was data. An entity or a `*` in a code span stays data (outside model ids)."""
    rows = rows_of(chat("| Meta | `Star*` | a/b\\* | 1 | FP8&#42; |\n"))
    assert rows == [
        {
            "model": "a/b",
            "organization": "Meta",
            "model_name": "Star*",
            "context_length": 1,
            "quantization": "FP8*",
            "footnotes": ["model"],
        }
    ]
    # Inside emphasis, as the 2025 image table writes it: `**(free)\\***`.
    (row,) = rows_of(chat("| Meta | Flux **(free)\\*** | a/b | 1 | FP8 |\n"))
    assert row["model_name"] == "Flux (free)"
    assert row["footnotes"] == ["model_name"]


def test_a_line_break_in_a_cell_is_a_space() -> None:
    rows = rows_of(
        chat(
            "| Meta | Llama 4 Maverick<br />(17Bx128E) | a/b | 1 | FP8 |\n",
            "| Meta | Scout <br> (17Bx16E) | c/d | 1 | FP8 |\n",
            "| Meta | x<BR/>y | e/f | 1 | FP8 |\n",
        )
    )
    assert [r["model_name"] for r in rows] == [
        "Llama 4 Maverick (17Bx128E)",
        "Scout (17Bx16E)",
        "x y",
    ]


PRICED = (
    "| Organization | Model Name | API Model String | Input pricing (per 1M tokens) "
    "| Pricing | Function Calling | Structured Outputs |\n|---|---|---|---|---|---|---|\n"
)


def test_prices_rates_and_flags_are_typed() -> None:
    rows = rows_of(
        chat(
            "| A | a | a/a | \\$0.30 | \\$15.00 per 1M chars | Yes | No |\n",
            "| B | b | b/b | $1 | $0.0015 per audio min | - | N/A |\n",
            "| C | c | c/c | - | - | No | Yes |\n",
            header=PRICED,
        )
    )
    assert [
        (r["input_price"], r["price"], r["function_calling"], r["structured_outputs"]) for r in rows
    ] == [
        ("0.30", "15.00 per 1M chars", True, False),
        ("1", "0.0015 per audio min", None, None),
        (None, None, False, True),
    ]
    assert rows[1]["na"] == ["structured_outputs"]  # spelled N/A; "-" is the unmarked none


def test_headings_and_headers_match_in_any_case_and_by_alias() -> None:
    page = parse_text(
        chat(
            GOOD,
            heading="### chat MODELS",
            header=HEADER.replace("Context Length", "context length"),
        ),
        Path("p.md"),
    )
    (table,) = page.tables
    assert table.spec.table == "serverless-chat"
    assert table.spec.section == "Chat Models"  # the declared section, for the catalog
    assert table.heading == "chat MODELS"  # the page's spelling, for messages
    assert table.headers[3] == "context length"
    assert table.fields[3] == "context_length"
    lora = "| Organization | Base Model Name | Base Model String | Quantization |\n|-|-|-|-|\n"
    aliased = parse_text(
        META + "## Supported base models\n\n" + lora + "| Meta | L | a/b | FP8 |\n", Path("p.md")
    )
    assert aliased.tables[0].spec.table == "serverless-lora-bases"


def test_a_heading_without_a_table_is_prose() -> None:
    """Formerly the corpus case heading-without-table.md (an error): the docs now publish
    headings with no table (`Rerank models`, `LoRA target modules`)."""
    page = parse_text(chat(GOOD) + "\n### Image Models\n\nThe table moved.\n", Path("p.md"))
    assert [t.spec.table for t in page.tables] == ["serverless-chat"]
    assert [r["model"] for r in page.tables[0].rows] == ["meta-llama/Llama"]


def test_new_serverless_category_in_any_case() -> None:
    """An undeclared "<Name> Models" table below the Serverless Models heading is a new
    category (compared without regard to case): the 2025-12 page's `Video models`."""
    video = "| Organization | Model Name | Model String for API | Resolution / Duration |\n"
    video += "|---|---|---|---|\n| Google | Veo | google/veo-2.0 | 720p / 5s |\n"
    page = parse_text(META + "# serverless models\n\n## Video models\n\n" + video, Path("p.md"))
    (table,) = page.tables
    assert (table.spec.table, table.spec.category) == ("serverless-video", "video")
    assert table.rows[0]["resolution_duration"] == "720p / 5s"


def test_table_with_no_rows_and_new_serverless_category() -> None:
    page = parse_text(chat(GOOD, heading="### Text To Speech Models"), Path("p.md"))
    (table,) = page.tables
    assert table.spec.table == "serverless-text-to-speech"
    assert table.spec.category == "text-to-speech"
    assert page.source == {"url": "https://example.test/page", "snapshot": "2025-03-04"}


def test_byte_order_mark_opening_the_page_is_not_text(tmp_path: Path) -> None:
    """Regression: a BOM hid the first `<!-- source -->` comment, so the url was lost."""
    text = chat(GOOD)
    plain = parse_text(text, Path("page.md"))
    marked = parse_text("\ufeff" + text, Path("page.md"))
    assert (
        marked.source
        == plain.source
        == {
            "url": "https://example.test/page",
            "snapshot": "2025-03-04",
        }
    )
    assert marked.to_json() == plain.to_json()
    from_file = parse_file(write(tmp_path, "\ufeff" + text))
    assert from_file.to_json() == plain.to_json()
    # Line numbers are those of the page as an editor shows it, BOM or not.
    _, message = error_of(tmp_path, "\ufeff" + chat("| Meta | L2 | a/b | 32K | FP8 |\n"))
    assert ":10: table 'Chat Models', row 1" in message


def test_rows_that_merely_contain_header_words_are_data() -> None:
    rows = rows_of(chat("| Organization | Model Name | org/x | 8192 | FP8 |\n"))
    assert rows[0]["organization"] == "Organization"
    assert rows[0]["model_name"] == "Model Name"


def test_html_that_is_not_a_table_is_prose() -> None:
    """Comments (the page's own metadata among them) and other HTML blocks are accepted
    anywhere; an HTML table is refused only where a catalog table belongs."""
    page = (
        META
        + "<div>Intro <b>prose</b></div>\n\n"
        + "## Notes\n\n<table><tr><td>not a catalog table</td></tr></table>\n\n"
        + "## Serverless Models\n\n### Chat Models\n\n"
        + "<!-- a comment that mentions <table> and <tr> -->\n\n<p>Note.</p>\n\n"
        + HEADER
        + GOOD
        + "\n<div>Footnote</div>\n"
    )
    parsed = parse_text(page, Path("page.md"))
    assert [t.spec.table for t in parsed.tables] == ["serverless-chat"]
    assert [r["model"] for r in parsed.tables[0].rows] == ["meta-llama/Llama"]


def test_the_page_of_a_dated_snapshot_is_its_folder() -> None:
    assert page_name(Path("snapshots/serverless-models/2026-04-14.md")) == "serverless-models"
    assert page_name(Path("snapshots/serverless-models.md")) == "serverless-models"
    assert page_name(Path("real/serverless-models.2025-12.md")) == "serverless-models.2025-12"
