"""What wraps the tables on a published page is read past, not guessed at: front matter and
provenance lines give the page's URL, the documentation-index preamble and MDX elements are
prose (a heading inside one is not a section), and code fences an HTML block opens are
followed the way the docs site reads them, so the markdown after them is not lost."""

from __future__ import annotations

from pathlib import Path

from scrapers.parse import ScrapedPage, parse_text
from tests.scrapers.scrape_helpers import GOOD, HEADER

CHAT = "## Chat models\n\n" + HEADER + GOOD
URL = "https://docs.together.ai/docs/serverless-models"


def parsed(text: str) -> ScrapedPage:
    return parse_text(text, Path("page.md"))


def tables_of(page: ScrapedPage) -> list[tuple[str, str, int]]:
    return [(t.spec.table, t.heading, len(t.rows)) for t in page.tables]


def test_front_matter_gives_the_url_and_is_not_a_heading() -> None:
    page = parsed(
        '<!-- a mirror\'s note -->\n---\ntitle: "Supported models"\n'
        f"source: {URL}.md#chat-models\npath: docs/serverless-models\n---\n\n"
        "# Serverless Models\n\n" + CHAT
    )
    assert page.source == {"url": URL}  # the page, not its markdown export or an anchor
    assert tables_of(page) == [("serverless-chat", "Chat models", 1)]
    assert page.outline.front_source == f"{URL}.md#chat-models"


def test_a_thematic_break_is_not_front_matter() -> None:
    page = parsed("---\n\n## Serverless Models\n\n### Chat Models\n\n" + HEADER + GOOD + "\n---\n")
    assert page.source == {}
    assert tables_of(page) == [("serverless-chat", "Chat Models", 1)]


def test_a_mirrors_source_line_and_the_documentation_index() -> None:
    page = parsed(
        f"# Source: {URL}.md\n\n> ## Documentation Index\n> Fetch the index at: x\n\n"
        "# Serverless Models\n\n" + CHAT
    )
    assert page.source == {"url": URL}
    (table,) = page.tables
    assert table.heading == "Chat models"
    # Neither the source line nor the blockquote's heading is a section.
    assert parsed(f"# Source: {URL}.md\n\n" + CHAT.replace("## Chat", "# Chat")).tables


def test_a_source_line_under_the_page_title() -> None:
    page = parsed(
        f"# Supported Models\nSource: {URL}\n\n## Full Fine-tuning\n\n"
        "| Organization | Model | API ID | Context (SFT) | Context (DPO) "
        "| Max batch (SFT) | Max batch (DPO) | Min batch |\n|-|-|-|-|-|-|-|-|\n"
        "| Qwen | Q | Qwen/Q | 1 | 1 | 1 | 1 | 1 |\n"
    )
    assert page.source == {"url": URL}
    assert tables_of(page) == [("finetune-full", "Full Fine-tuning", 1)]


def test_a_recorded_source_wins_and_agrees_with_the_page() -> None:
    page = parsed(
        f"<!-- source: {URL}#anchor -->\n<!-- snapshot: 2025-12-01 -->\n"
        "<!-- approximate: about 2025-12 -->\n"
        f"# Source: {URL}.md\n\n# Serverless Models\n\n" + CHAT
    )
    assert page.source == {
        "url": f"{URL}#anchor",
        "snapshot": "2025-12-01",
        "approximate": "about 2025-12",
    }


def test_mdx_elements_are_prose_and_their_headings_are_not_sections() -> None:
    """As the 2026 page: an <AgentInstructions> block holding its own `##` heading (split by
    markdown-it at blank lines, closed by a tag at the end of a paragraph), <Columns> of
    multi-line <Card>s, a <Note> under the table's heading."""
    page = parsed(
        "<AgentInstructions>\n  Do things.\n\n  ## Submitting Feedback\n  Post to x.\n"
        "  Only then.\n</AgentInstructions>\n\n# Serverless Models\n\n"
        '<Columns cols={4}>\n  <Card\n    title="Chat"\n    href="#chat-models"\n  />\n\n'
        '  <Card title="a > b" icon={<Icon />} horizontal />\n</Columns>\n\n'
        "## Chat models\n\n<Note>\n  **Cached** input at \\$0.06 (see `<Tip>`).\n</Note>\n\n"
        + HEADER
        + GOOD
        + "\n## Rerank models\n\n<Tip>\n  None offered.\n\n  ### Rerank Models\n</Tip>\n"
    )
    assert tables_of(page) == [("serverless-chat", "Chat models", 1)]


def test_a_fence_an_html_block_opened_is_followed_past_its_close() -> None:
    """The docs indent code inside <CodeGroup>; a blank line in the code ends markdown-it's
    HTML block, and the fence's closing line then opens a fence in its reading that swallows
    the page after </CodeGroup>. The markdown it swallowed is read again: here, a table."""
    page = parsed(
        "# Serverless Models\n\n<CodeGroup>\n  ```sh\n  # a comment, not a heading\n\n"
        "  curl x\n  ```\n</CodeGroup>\n\n" + CHAT + "\n<CodeGroup>\n  ```sh\n  z\n\n"
        "  w\n  ```\n</CodeGroup>\n"
    )
    assert tables_of(page) == [("serverless-chat", "Chat models", 1)]
    assert page.tables[0].line == 13  # lines are the page's, not the swallowed part's


def test_comments_are_prose_wherever_they_are() -> None:
    page = parsed(
        "<!-- a\n\nmulti-line comment with | a | b |\n|---|---|\n-->\n\n"
        "# Serverless Models\n\n" + CHAT + "\n<!-- the end -->\n"
    )
    assert tables_of(page) == [("serverless-chat", "Chat models", 1)]
