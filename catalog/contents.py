"""What a loaded catalog holds: every table, the notes, and the hand-kept files.

Kept apart from the loader so that the rules (which read a Catalog) and the loader (which
checks that waivers name real rules) do not import each other.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from catalog.changelog import Changelog
from catalog.models import FineTuneRow, FineTuneTable, Notes, Table
from catalog.waivers import Aliases, Waivers


@dataclass(frozen=True)
class Catalog:
    """Every table, in the declared order, plus the notes, the hand-kept files and the
    changelog (catalog/changelog.yaml, what each docs snapshot changed).

    `aliases`, `waivers` and `changelog` are empty when their file is absent (or empty).
    """

    tables: dict[str, Table]
    notes: Notes
    aliases: Aliases = field(default_factory=Aliases)
    waivers: Waivers = field(default_factory=Waivers)
    changelog: Changelog = field(default_factory=Changelog)

    @functools.cached_property
    def lora_index(self) -> dict[str, FineTuneRow]:
        """LoRA rows by model id, built once per Catalog (the first row wins; duplicate ids
        are the model-id-unique rule's business)."""
        index: dict[str, FineTuneRow] = {}
        for table in self.tables.values():
            if not isinstance(table, FineTuneTable) or table.method != "lora":
                continue
            for row in table.rows:
                index.setdefault(row.model, row)
        return index
