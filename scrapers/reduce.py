"""Reduce a docs page to what the scraper reads, so the project can keep snapshots of
Together's tables without copying Together's prose.

What is kept: the provenance comments (`<!-- source | snapshot | approximate | retrieved -->`,
one per line, first), the front matter's `source:`, a mirror's `# Source: URL` line and the
`Source: URL` line under a page title (with that title), written as the URL alone, every
heading above a table (the chain of sections the table sits in, outside MDX elements and
blockquotes), and the tables: headings and tables as their source lines, verbatim.
Everything else (prose, lists, code, MDX and HTML blocks, headings with no table under them)
is dropped. The property, tested on every seed and real page: the reduced page parses to the
same source record, tables and rows as the page, and reducing it again changes nothing.

`python -m scrapers reduce FILE [--source URL --snapshot DATE [--approximate HOW]]` prints
the reduced page, stamped with the provenance comments given.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from scrapers.parse import parse_text, read_page

#: Provenance comments a snapshot carries: the scraper reads source, snapshot and approximate;
#: `retrieved` (written by fetch) records the download's digest.
_RETRIEVED = re.compile(r"<!-- retrieved: [^\n]*? -->")


def reduce_page(text: str, name: str) -> str:
    """The page `text` reduced to what the scraper reads (`name` locates its errors: a page
    the scraper refuses is not reduced, the ScrapeError propagates)."""
    page = parse_text(text, Path(name))
    outline = page.outline
    stamps = [f"<!-- {key}: {value} -->" for key, value in outline.comments]
    stamps += _RETRIEVED.findall(text)
    blocks = ["\n".join(stamps)] if stamps else []
    if outline.front_source is not None:
        blocks.append(f"---\nsource: {outline.front_source}\n---")
    blocks += [outline.blocks[first] for first in sorted(outline.blocks)]
    return "\n\n".join(blocks) + "\n"


def add_parser(sub: Any) -> None:
    """The `reduce` subcommand, on `python -m scrapers`' subparsers."""
    red = sub.add_parser("reduce", help="print a docs page reduced to what the scraper reads")
    red.add_argument("file", type=Path)
    red.add_argument("--source", metavar="URL", help="stamp <!-- source: URL -->")
    red.add_argument("--snapshot", metavar="DATE", help="stamp <!-- snapshot: YYYY-MM-DD -->")
    red.add_argument(
        "--approximate", metavar="HOW", help="stamp <!-- approximate: HOW --> (an estimated date)"
    )


def command(args: argparse.Namespace) -> int:
    """Print the reduced page; a ScrapeError propagates (the CLI prints it, exit 2)."""
    text = parse_file_text(args.file)
    stamps = [(k, getattr(args, k)) for k in ("source", "snapshot", "approximate")]
    head = "".join(f"<!-- {key}: {value} -->\n" for key, value in stamps if value)
    print(reduce_page(head + text, str(args.file)), end="")
    return 0


def parse_file_text(path: Path) -> str:
    """The file's text, once the scraper has accepted it whole (size, encoding, tables)."""
    text = read_page(path)
    parse_text(text, path)
    # Line ends as reading the file as text gives them (universal newlines).
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
