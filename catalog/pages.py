"""How the generated docs pages are laid out: the headings above each page's tables.

The catalog records each table's page and its own heading; the headings that enclose the
tables (a page title, "Serverless Models") are declared here, once per page, so that a
generated page parses back into the same tables under the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from catalog.tables import SERVERLESS_PARENT, SPEC_BY_TABLE


@dataclass(frozen=True, slots=True)
class PageLayout:
    #: Headings opened before the first table, from level 1 down.
    headings: tuple[str, ...]
    #: Heading level of each table's own section. When it equals len(headings) and the
    #: section is the last of `headings`, the table sits directly under that heading.
    table_level: int


PAGES: Final[dict[str, PageLayout]] = {
    "fine-tuning-models": PageLayout(("Supported Models",), 2),
    "serverless-models": PageLayout(("Together.ai Models", SERVERLESS_PARENT), 3),
    "serverless-lora-bases": PageLayout((SPEC_BY_TABLE["serverless-lora-bases"].section,), 1),
}
