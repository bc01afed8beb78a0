"""Together's docs pages, declared: where each has lived, and how its tables are laid out.

A page is logical: the fine-tuning table page moved to /docs/fine-tuning/supported-models in
2026 and the serverless LoRA base list from /docs/lora-inference to /docs/adapter-upload, but
each is one page with one history. `paths` lists the docs paths a page has had, oldest first;
the last is where it lives now and where `python -m scrapers fetch` downloads it from.

The layout says which headings enclose the tables in the page as now published, so that a
generated page parses back into the same tables under the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from catalog.tables import SERVERLESS_PARENT, SPEC_BY_TABLE

#: Where the docs are published; `fetch --base-url` overrides it (tests serve a local copy).
DOCS_BASE_URL: Final = "https://docs.together.ai"


@dataclass(frozen=True, slots=True)
class PageLayout:
    #: Headings opened before the first table, from level 1 down.
    headings: tuple[str, ...]
    #: Heading level of each table's own section. When it equals len(headings) and the
    #: section is the last of `headings`, the table sits directly under that heading.
    table_level: int


@dataclass(frozen=True, slots=True)
class PageSpec:
    name: str  # the page's id: snapshot folder, `source.page` of its tables
    #: Docs paths the page has been published at, oldest first; the last is current.
    paths: tuple[str, ...]
    layout: PageLayout

    @property
    def path(self) -> str:
        return self.paths[-1]

    def url(self, base_url: str = DOCS_BASE_URL) -> str:
        """The current page's address under `base_url`."""
        return base_url.rstrip("/") + self.path

    def markdown_url(self, base_url: str = DOCS_BASE_URL) -> str:
        """The page's markdown export: the docs serve every page's source at `<path>.md`."""
        return self.url(base_url) + ".md"

    def knows(self, url: str) -> bool:
        """Whether `url` is (any version of) this page on the docs site, anchors and a `.md`
        suffix aside."""
        path = url.split("#", 1)[0].removesuffix(".md")
        return any(path == DOCS_BASE_URL + p or path.endswith(p) for p in self.paths)


PAGE_SPECS: Final[tuple[PageSpec, ...]] = (
    PageSpec(
        "fine-tuning-models",
        ("/docs/fine-tuning-models", "/docs/fine-tuning/supported-models"),
        PageLayout(("Supported Models",), 2),
    ),
    PageSpec(
        "serverless-models",
        ("/docs/serverless-models",),
        PageLayout(("Together.ai Models", SERVERLESS_PARENT), 3),
    ),
    PageSpec(
        "serverless-lora-bases",
        ("/docs/lora-inference", "/docs/adapter-upload"),
        PageLayout((SPEC_BY_TABLE["serverless-lora-bases"].section,), 1),
    ),
)

PAGE_BY_NAME: Final[dict[str, PageSpec]] = {page.name: page for page in PAGE_SPECS}
#: Layout of each page's generated docs.
PAGES: Final[dict[str, PageLayout]] = {page.name: page.layout for page in PAGE_SPECS}
