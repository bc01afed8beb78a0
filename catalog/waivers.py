"""Models of the two hand-kept catalog files the consistency rules read.

- `catalog/aliases.yaml`: the identities the tables do not spell the same way. An
  organization whose published name differs from its id namespace (Meta -> meta-llama), and a
  serverless LoRA base served under a variant id (`...-tput`) of the model that is fine-tuned.
- `catalog/waivers.yaml`: the vendor's own contradictions, each kept as published, named by
  rule, table and rows, with the reason we keep it.

Both are strict and closed like every other catalog model: a misspelt key is a load error
(exit 2), never a waiver that silently waives nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from catalog.models import ModelId, _Strict

ALIASES_FILE = "aliases.yaml"
WAIVERS_FILE = "waivers.yaml"

NonBlank = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Aliases(_Strict):
    """Declared identities: organization -> namespaces, serving variant -> fine-tunable id."""

    organizations: dict[NonBlank, tuple[NonBlank, ...]] = Field(default_factory=dict)
    serving_variants: dict[ModelId, ModelId] = Field(default_factory=dict)

    def namespaces(self, organization: str) -> tuple[str, ...]:
        return self.organizations.get(organization, ())


class Waiver(_Strict):
    """Rows of one table that break one rule, kept as published, and why."""

    rule: RuleId
    table: NonBlank
    models: Annotated[tuple[ModelId, ...], Field(min_length=1)]
    reason: NonBlank
    #: As-of date of the last snapshot whose tables broke the rule for these rows, when a
    #: later one no longer does (the vendor fixed the row, or dropped the note the rule
    #: reads). The waiver stays as the record of what was published, and is not stale.
    until: dt.date | None = None


class Waivers(_Strict):
    waivers: tuple[Waiver, ...] = ()

    @model_validator(mode="after")
    def _each_row_waived_once(self) -> Waivers:
        seen: set[tuple[str, str, str]] = set()
        for waiver in self.waivers:
            for model in waiver.models:
                key = (waiver.rule, waiver.table, model)
                if key in seen:
                    raise ValueError(f"{waiver.rule} / {waiver.table} / {model} is waived twice")
                seen.add(key)
        return self


def unknown_reference(
    waivers: Waivers, rules: Collection[str], tables: Collection[str]
) -> tuple[tuple[str | int, ...], str] | None:
    """Where and why the first waiver names a rule or table that does not exist, if any.

    Such a waiver can never match a violation; reported as stale it would read as "the vendor
    fixed it", so it is a load error instead.
    """
    for i, waiver in enumerate(waivers.waivers):
        if waiver.rule not in rules:
            return ("waivers", i, "rule"), f"unknown rule id {waiver.rule!r}"
        if waiver.table not in tables:
            return ("waivers", i, "table"), f"unknown table {waiver.table!r} (no such file)"
    return None
