"""What more than one rule family needs: the catalog's tables by kind, and the name matching
that lets a published name and an id be compared despite case and punctuation."""

from __future__ import annotations

import re

from catalog.contents import Catalog
from catalog.models import FineTuneTable, LoraBaseTable, NoteSource, ServerlessTable, Table

#: Pseudo-table under which findings about catalog/notes.yaml are reported and waived.
NOTES_TABLE = "notes"


def finetune_tables(catalog: Catalog, method: str | None = None) -> list[FineTuneTable]:
    """The fine-tuning tables, in order; only those of `method` when it is given."""
    return [
        t
        for t in catalog.tables.values()
        if isinstance(t, FineTuneTable) and (method is None or t.method == method)
    ]


def serverless_tables(catalog: Catalog) -> list[ServerlessTable]:
    return [t for t in catalog.tables.values() if isinstance(t, ServerlessTable)]


def lora_base_tables(catalog: Catalog) -> list[LoraBaseTable]:
    return [t for t in catalog.tables.values() if isinstance(t, LoraBaseTable)]


def under_note(source: NoteSource, table: Table) -> bool:
    """Whether `table` (as now published) comes from a version of its page that states the
    note: a note the docs dropped does not bind tables published after it."""
    return source.in_force(table.source.snapshot)


def same_section(source: NoteSource, table: Table) -> bool:
    """Whether a note is about `table`: its page, and its heading whatever the case (the
    docs moved to sentence case: "Image Models" is "Image models")."""
    return (
        table.source.page == source.page
        and table.source.section.casefold() == source.section.casefold()
    )


def words(text: str) -> set[str]:
    """Case-folded words of a name or id: `Llama-3.2-3B-Instruct-Turbo` -> {..., 'turbo'}."""
    return {w.casefold() for w in re.split(r"[^0-9A-Za-z]+", text) if w}


def name_words(model: str, model_name: str | None) -> set[str]:
    """Words of the id's name part and of the published name: a marker such as `Turbo` may
    appear in either; the namespace names the organization, not the variant."""
    return words(model.partition("/")[2] or model) | words(model_name or "")


def normalise(name: str) -> str:
    """A name reduced to lower-case letters and digits, so `Black Forest Labs` and
    `black-forest-labs` compare equal."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())
