"""Together's docs tables, declared: which heading holds which table, and of what kind.

Together with catalog/columns.py this is everything the pipeline knows about the docs, so
that anything else on a page (a renamed column, a new section) is an error, not a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from catalog.columns import COLUMN_ALIASES as COLUMN_ALIASES  # re-exported for the scraper
from catalog.columns import INTEGER_FIELDS as INTEGER_FIELDS
from catalog.columns import TableKind

#: A table's kind (the shape of its rows); declared with the columns.
Kind = TableKind

#: Cell spellings the docs use for "no value". Rows list the fields whose cell read N/A
#: (key `na`), so the docs can be regenerated with the vendor's spelling; "-" is the default.
NA_MARKER: Final = "N/A"
DASH_MARKER: Final = "-"
NONE_MARKERS: Final[frozenset[str]] = frozenset({NA_MARKER, DASH_MARKER})

#: Trailing footnote marker; stripped from the value and recorded on the row.
FOOTNOTE_MARKER: Final = "*"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """Where a docs table lives and what it becomes in catalog/."""

    table: str  # catalog id, also the YAML file stem
    kind: Kind
    section: str  # heading text as first declared
    method: str | None = None  # fine-tuning method, for kind == "finetune"
    category: str | None = None  # serverless category, for kind == "serverless"
    #: Other headings the docs have published for the same table. Headings match without
    #: regard to case ("Chat Models" is "Chat models"), so only real renames are listed.
    aliases: tuple[str, ...] = ()

    @property
    def headings(self) -> tuple[str, ...]:
        return (self.section, *self.aliases)


TABLES: Final[tuple[TableSpec, ...]] = (
    TableSpec("finetune-lora", "finetune", "LoRA Fine-tuning", method="lora"),
    TableSpec(
        "finetune-lora-long-context",
        "finetune",
        "LoRA Long-context Fine-tuning",
        method="lora_long_context",
    ),
    TableSpec("finetune-full", "finetune", "Full Fine-tuning", method="full"),
    TableSpec("serverless-chat", "serverless", "Chat Models", category="chat"),
    TableSpec("serverless-image", "serverless", "Image Models", category="image"),
    TableSpec("serverless-vision", "serverless", "Vision Models", category="vision"),
    TableSpec("serverless-audio", "serverless", "Audio Models", category="audio"),
    TableSpec("serverless-code", "serverless", "Code Models", category="code"),
    TableSpec("serverless-language", "serverless", "Language Models", category="language"),
    TableSpec("serverless-moderation", "serverless", "Moderation Models", category="moderation"),
    TableSpec("serverless-embedding", "serverless", "Embedding Models", category="embedding"),
    TableSpec("serverless-rerank", "serverless", "Rerank Models", category="rerank"),
    TableSpec("serverless-video", "serverless", "Video models", category="video"),
    TableSpec(
        "serverless-lora-bases",
        "serverless_lora_base",
        "Serverless LoRA base models",
        aliases=("Supported base models",),
    ),
)

SPEC_BY_SECTION: Final[dict[str, TableSpec]] = {spec.section: spec for spec in TABLES}
#: Every declared heading, case-folded -> its table.
SPEC_BY_HEADING: Final[dict[str, TableSpec]] = {
    heading.casefold(): spec for spec in TABLES for heading in spec.headings
}


def spec_for_heading(text: str) -> TableSpec | None:
    """The declared table a heading names, whatever its case; None for any other heading."""
    return SPEC_BY_HEADING.get(text.casefold())


SPEC_BY_TABLE: Final[dict[str, TableSpec]] = {spec.table: spec for spec in TABLES}

#: Serverless sections not yet declared above are accepted as new categories when their
#: heading reads "<Name> Models" and they sit under this parent heading.
SERVERLESS_PARENT: Final = "Serverless Models"
SERVERLESS_SUFFIX: Final = " Models"
#: What a serverless category (and so a catalog file name) may look like.
CATEGORY_PATTERN: Final = re.compile(r"[a-z][a-z0-9-]*")


def serverless_spec_for(section: str) -> TableSpec:
    """A spec for a serverless category the vocabulary has not seen yet."""
    name = section[: -len(SERVERLESS_SUFFIX)].strip().lower().replace(" ", "-")
    return TableSpec(f"serverless-{name}", "serverless", section, category=name)
