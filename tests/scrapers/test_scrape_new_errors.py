"""The errors the published pages' new forms call for: MDX elements and comments that would
hide part of a page, tables HTML would hide, columns of another kind of table, cells that are
not the price, rate or flag their column declares, model ids with markup left in them, and
provenance that contradicts itself. Each names its file and line, on one line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.__main__ import main
from tests.scrapers.scrape_helpers import GOOD, HEADER, META, chat, error_of, write

TOP = META + "# Serverless Models\n\n"
CHAT = "## Chat models\n\n" + HEADER + GOOD
PRICES = (
    "| Organization | Model Name | API Model String | Input pricing (per 1M tokens) "
    "| Pricing | Function Calling |\n|---|---|---|---|---|---|\n"
)


def priced(row: str) -> str:
    return chat(row, header=PRICES)


# (id, page text, fragments the message must contain besides the file name)
CASES = [
    (
        "table-inside-an-mdx-element",
        TOP + "## Chat models\n\n<Note>\n\n" + HEADER + GOOD + "\n</Note>\n",
        [":10:", "a markdown table inside MDX element <Note> (opened at line 8)"],
    ),
    (
        "table-inside-an-mdx-block",  # no blank line: markdown-it sees one HTML block
        TOP + "## Chat models\n\n<Tabs>\n" + HEADER + GOOD + "</Tabs>\n",
        [":9:", "a markdown table inside MDX element <Tabs> (opened at line 8)"],
    ),
    (
        "table-inside-an-html-block",
        TOP + "## Chat models\n\n<div>\n" + HEADER + GOOD + "</div>\n",
        [":9:", "a markdown table inside <div>"],
    ),
    (
        "mdx-element-never-closed",
        TOP + CHAT + "\n<Warning>\n  Careful.\n\n## Image models\n\nProse.\n",
        [":12:", "MDX element <Warning> is never closed (no </Warning>)", "rest of the page"],
    ),
    (
        "mdx-element-closing-nothing",
        TOP + "</Note>\n\n" + CHAT,
        [":6:", "</Note> closes nothing"],
    ),
    (
        "mdx-elements-closed-out-of-order",
        TOP + '<Tabs>\n<Tab title="a">\n</Tabs>\n</Tab>\n\n' + CHAT,
        [":8:", "</Tabs> while <Tab> (opened at line 7) is still open"],
    ),
    (
        "unterminated-comment",  # it hides the table: never "0 tables, exit 0"
        TOP + "<!-- draft\n\n" + CHAT,
        [":6:", "an HTML comment (<!--) that is never closed"],
    ),
    (
        "unterminated-comment-in-an-mdx-element",
        TOP + "<Note>\n  Text <!-- a note\n</Note>\n\n" + CHAT,
        [":7:", "an HTML comment (<!--) that is never closed"],
    ),
    (
        "table-in-a-code-block-an-html-block-opened",
        TOP + "## Chat models\n\n<div>\n```\ncode\n\n" + HEADER + GOOD,
        [":12:", "a markdown table inside a code block (opened at line 9)"],
    ),
    (
        "column-of-another-kind-of-table",
        META + "## LoRA Fine-tuning\n\n| Organization | API ID | Quantization |\n|-|-|-|\n"
        "| Meta | a/b | FP8 |\n",
        [":6:", "column 3 'Quantization'", "column 'quantization'", "'finetune' tables"],
    ),
    (
        "fine-tuning-column-in-a-serverless-table",
        chat(
            GOOD.replace("| 8192 |", "| 8192 | 8 |"),
            header=HEADER.replace("| Quantization |\n|", "| Quantization | Max LoRA rank |\n|---|"),
        ),
        ["column 6 'Max LoRA rank'", "column 'max_lora_rank'", "'serverless' tables"],
    ),
    (
        "price-without-a-dollar",
        priced("| Meta | L | a/b | 0.30 | - | Yes |\n"),
        [":10:", "row 1, column 'Input pricing (per 1M tokens)'", "not a price: '0.30'"],
    ),
    (
        "price-with-a-thousands-separator",
        priced("| Meta | L | a/b | \\$1,000 | - | Yes |\n"),
        ["column 'Input pricing (per 1M tokens)'", "not a price: '$1,000'"],
    ),
    (
        "price-with-a-unit",
        priced("| Meta | L | a/b | $0.3/MP | - | Yes |\n"),
        ["column 'Input pricing (per 1M tokens)'", "not a price: '$0.3/MP'"],
    ),
    (
        "rate-in-an-undeclared-unit",
        priced("| Meta | L | a/b | - | \\$15.00 per 1K chars | Yes |\n"),
        ["row 1, column 'Pricing'", "unknown unit '1K chars'"],
    ),
    (
        "rate-without-a-unit",
        priced("| Meta | L | a/b | - | $15.00 | Yes |\n"),
        ["row 1, column 'Pricing'", "not a price per unit: '$15.00'"],
    ),
    (
        "flag-not-yes-or-no",
        priced("| Meta | L | a/b | - | - | Partly |\n"),
        ["row 1, column 'Function Calling'", "not Yes or No: 'Partly'"],
    ),
    (
        "asterisk-inside-a-model-id",
        chat("| Meta | L | meta-llama/Llama*-3 | 8192 | FP8 |\n"),
        ["row 1, column 'API Model String'", "'*' inside the model id 'meta-llama/Llama*-3'"],
    ),
    (
        "two-footnote-marks-after-a-model-id",  # one is a mark, the other is left in the id
        chat("| Meta | L | a/b\\*\\* | 8192 | FP8 |\n"),
        ["row 1, column 'API Model String'", "'*' inside the model id 'a/b*'"],
    ),
    (
        "unbalanced-backtick-in-a-model-id",
        chat("| Meta | L | `a/b | 8192 | FP8 |\n"),
        ["row 1, column 'API Model String'", "'`' inside the model id"],
    ),
    (
        "html-other-than-a-line-break-in-a-cell",
        chat('| Meta | <Tooltip tip="x">L</Tooltip> | a/b | 8192 | FP8 |\n'),
        ["row 1, column 'Model Name'", "HTML or images are not data"],
    ),
    (
        "page-source-contradicts-the-snapshot",
        META + "# Source: https://docs.together.ai/docs/other-page.md\n\n" + CHAT,
        [":4:", "the page's source", "contradicts 'https://example.test/page'"],
    ),
    (
        "approximate-date-without-a-date",
        "<!-- approximate: about 2025-12 -->\n\n## Serverless Models\n\n### Chat Models\n\n"
        + HEADER
        + GOOD,
        [":1:", "<!-- approximate --> says how a snapshot date was estimated"],
    ),
    (
        "table-under-an-unknown-heading-after-mdx",
        TOP + "<Note>\n  x\n</Note>\n\n## Prices\n\n" + HEADER + GOOD,
        [":12:", "unrecognised heading 'Prices'"],
    ),
]


@pytest.mark.parametrize(("text", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_names_its_location(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path, message = error_of(tmp_path, text)
    assert message.startswith(f"{path}:")
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert "\n" not in message


@pytest.mark.parametrize(("text", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cli_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    assert main(["parse", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {path}:")
    assert captured.err.count("\n") == 1
    assert fragments[-1] in captured.err
