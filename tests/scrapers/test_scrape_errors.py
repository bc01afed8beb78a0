"""Every input the scraper does not understand is a ScrapeError naming file, table, row and
column; the CLI prints it on one line and exits 2, without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.__main__ import main
from scrapers.parse import ScrapeError, parse_file
from tests.scrapers.scrape_helpers import GOOD, HEADER, META, ROOT, chat, error_of, write

# (id, page text, fragments the message must contain besides the file name)
CASES = [
    (
        "unknown-column",
        chat(
            GOOD,
            header="| Organization | Model Name | API Model String | Context Size |\n"
            "|---|---|---|---|\n",
        ),
        ["'Chat Models'", "header", "column 4 'Context Size'", "unknown column"],
    ),
    (
        "duplicated-header",
        chat(header="| API Model String | Model String for API |\n|---|---|\n"),
        ["'Chat Models'", "column 2 'Model String for API'", "repeats field 'model'"],
    ),
    (
        "ragged-row-short",
        chat(GOOD, "| Meta | Llama 2 | meta-llama/Llama-2 | 8192 |\n"),
        ["'Chat Models'", "row 2", "4 cells, but the header has 5"],
    ),
    (
        "ragged-row-long",
        chat("| Meta | Llama 2 | meta-llama/Llama-2 | 8192 | FP8 | extra |\n"),
        ["'Chat Models'", "row 1", "6 cells, but the header has 5"],
    ),
    (
        "unparsable-number",
        chat(GOOD, "| Meta | L2 | meta-llama/L2 | lots | FP8 |\n"),
        ["'Chat Models'", "row 2", "column 'Context Length'", "not a whole number: 'lots'"],
    ),
    (
        "negative-number",
        chat("| Meta | L2 | meta-llama/L2 | -8192 | FP8 |\n"),
        ["row 1", "column 'Context Length'", "negative number '-8192'"],
    ),
    (
        "unit-suffixed-number",
        chat("| Meta | L2 | meta-llama/L2 | 32K | FP8 |\n"),
        ["row 1", "column 'Context Length'", "unit-suffixed number '32K'"],
    ),
    (
        "absurd-number",
        chat("| Meta | L2 | meta-llama/L2 | 1000000000000 | FP8 |\n"),
        ["row 1", "column 'Context Length'", "beyond any plausible limit"],
    ),
    (
        "decimal-number",
        chat("| Meta | L2 | meta-llama/L2 | 8192.0 | FP8 |\n"),
        ["row 1", "column 'Context Length'", "not a whole number"],
    ),
    (
        "empty-model-id",
        chat("| Meta | L2 |  | 8192 | FP8 |\n"),
        ["'Chat Models'", "row 1", "column 'API Model String'", "empty cell"],
    ),
    (
        "none-model-id",
        chat("| Meta | L2 | N/A | 8192 | FP8 |\n"),
        ["row 1", "column 'API Model String'", "a model id is required"],
    ),
    (
        "duplicate-model-id",
        chat(GOOD, "| Meta | Other | meta-llama/Llama | 4096 | FP16 |\n"),
        ["'Chat Models'", "row 2", "column 'model'", "duplicate model id 'meta-llama/Llama'"],
    ),
    (
        "table-without-heading",
        META + HEADER + GOOD,
        ["a table with no heading above it"],
    ),
    (
        "unknown-heading",
        META + "## Prices\n\n" + HEADER + GOOD,
        ["unrecognised heading 'Prices'"],
    ),
    (
        "missing-separator-row",
        chat(header="| Organization | Model Name | API Model String | Context Length |\n") + GOOD,
        ["a table without a separator row", "'Chat Models'"],
    ),
    (
        "separator-row-does-not-match-header",
        chat(GOOD, header=HEADER.replace("|---|---|---|---|---|", "|---|---|---|---|")),
        [":8:", "a table without a separator row", "does not match its header"],
    ),
    (
        "table-lines-after-prose",
        chat(GOOD) + "\nSome prose\n| Meta | L2 | meta-llama/L2 | 8192 | FP8 |\n",
        [":13:", "a table without a separator row"],
    ),
    (
        "html-in-cell",  # (a <br> is a line break in the rendered cell: a space)
        chat("| Meta | L2<span>x</span> | meta-llama/L2 | 8192 | FP8 |\n"),
        ["row 1", "column 'Model Name'", "HTML"],
    ),
    (
        "zero-width-character",
        chat("| Meta | L2 | meta-llama/L2\u200b | 8192 | FP8 |\n"),
        ["row 1", "column 'API Model String'", "U+200B"],
    ),
    (
        "control-character-at-the-edge",  # str.strip() would have eaten it
        chat("| Meta | L2 | meta-llama/L2\x1c | 8192 | FP8 |\n"),
        ["row 1", "column 'API Model String'", "U+001C"],
    ),
    (
        "second-table-under-one-heading",
        chat(GOOD) + "\n" + HEADER + GOOD,
        ["'Chat Models'", "a second table under this heading"],
    ),
    (
        "table-in-blockquote",
        META
        + "## Serverless Models\n\n### Chat Models\n\n> "
        + HEADER.replace("\n", "\n> ")
        + GOOD,
        ["'Chat Models'", "inside a list or blockquote"],
    ),
    (
        "bad-category-name",
        chat(GOOD, heading="### ../../etc Models"),
        ["a new serverless category needs a plain name"],
    ),
    (
        "invalid-snapshot-date",
        chat(GOOD).replace("2025-03-04", "2025-13-45"),
        ["snapshot date '2025-13-45' is not YYYY-MM-DD"],
    ),
    (
        "contradicting-snapshot-dates",
        chat(GOOD).replace(
            "<!-- snapshot: 2025-03-04 -->",
            "<!-- snapshot: 2025-03-04 -->\n\n<!-- snapshot: 2025-04-01 -->",
        ),
        [":4:", "a second snapshot ('2025-04-01') contradicts '2025-03-04'"],
    ),
    (
        "nul-character",
        chat("| Meta | L2 | meta-llama/L2\x00 | 8192 | FP8 |\n"),
        [":10:", "NUL character"],
    ),
    (
        "header-row-repeated-in-the-body",  # not a model named 'API Model String'
        chat(GOOD, HEADER.split("\n")[0] + "\n", "| Meta | L2 | meta-llama/L2 | 1 | FP8 |\n"),
        [":11:", "'Chat Models'", "row 2", "repeats the header row"],
    ),
    (
        "header-row-repeated-with-other-spellings",
        chat(
            GOOD,
            "| Organization | Model Name | Model String for API | Context Window "
            "| Quantization |\n",
        ),
        [":11:", "row 2", "repeats the header row"],
    ),
    (
        "separator-row-repeated-in-the-body",  # not a model named '---'
        chat(GOOD, "| --- | :-- | --- | --: | :-: |\n"),
        [":11:", "'Chat Models'", "row 2", "repeats the separator row"],
    ),
    (
        "html-table-under-a-known-heading",
        META + "## Serverless Models\n\n### Chat Models\n\n"
        "<table>\n<tr><td>Meta</td><td>meta-llama/Llama</td></tr>\n</table>\n",
        [":8:", "table 'Chat Models'", "HTML table markup <table>"],
    ),
    (
        "html-rows-after-a-markdown-table",  # a heading the vocabulary does not declare
        chat(GOOD, heading="### Text To Speech Models")
        + "\n<!-- <table> -->\n<TR><td>x</td></TR>\n",
        [":13:", "table 'Text To Speech Models'", "HTML table markup <TR>"],
    ),
    (
        "byte-order-mark-in-a-cell",  # only a page's first character may be a BOM
        chat("| Meta | L2 | \ufeffmeta-llama/L2 | 8192 | FP8 |\n"),
        [":10:", "row 1", "column 'API Model String'", "U+FEFF"],
    ),
    (
        "byte-order-mark-in-a-header",
        chat(GOOD, header=HEADER.replace("| Organization", "| \ufeffOrganization")),
        [":8:", "header", "column 1", "U+FEFF"],
    ),
]


@pytest.mark.parametrize(("text", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_names_its_location(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path, message = error_of(tmp_path, text)
    assert message.startswith(f"{path}:")
    for fragment in fragments:
        assert fragment in message
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


def test_row_error_names_the_source_line(tmp_path: Path) -> None:
    path, message = error_of(
        tmp_path, chat(GOOD, "| Meta | y | c/d | 1 | FP8 |\n", "| Meta | x | a/b | 1K | FP8 |\n")
    )
    line = path.read_text().split("\n").index("| Meta | x | a/b | 1K | FP8 |") + 1
    assert message.startswith(f"{path}:{line}: table 'Chat Models', row 3, column 'Context Length'")


def test_line_numbers_follow_markdown_not_str_splitlines(tmp_path: Path) -> None:
    """Regression: U+2028 or a form feed in prose must not shift the ragged-row check onto
    the wrong line (str.splitlines splits there, markdown-it does not), where an extra cell
    would be dropped silently."""
    page = META + "Some prose\u2028with a line separator\x0c and a form feed.\n\n"
    page += "## Serverless Models\n\n### Chat Models\n\n" + HEADER + GOOD
    page += "| a | b | c/d | 1 | FP8 | extra |\n"
    _, message = error_of(tmp_path, page)
    assert "row 2: 6 cells, but the header has 5" in message


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(ScrapeError, match=r"nope\.md"):
        parse_file(tmp_path / "nope.md")
    bad = tmp_path / "latin1.md"
    bad.write_bytes(chat(GOOD).encode() + "| Meta | Caf\xe9 | a/b | 1 | FP8 |\n".encode("latin-1"))
    with pytest.raises(ScrapeError, match=r"latin1\.md:11: not UTF-8"):
        parse_file(bad)


def test_no_traceback_in_a_subprocess(tmp_path: Path) -> None:
    path = write(tmp_path, chat("| Meta | L2 | meta-llama/L2 | 32K | FP8 |\n"))
    proc = subprocess.run(
        [sys.executable, "-m", "scrapers", "parse", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {path}:10: table 'Chat Models', row 1, column 'Context Length': "
        "unit-suffixed number '32K' is ambiguous (K = 1000 or 1024?); "
        "the docs must give the exact count"
    ]
