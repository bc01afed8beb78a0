"""One break per rule of catalog/rules/identity.py: model ids themselves, in every table
(an organization its id's namespace does not match, an id twice in a table, an id that is
not `namespace/name`).

Each case edits the shared minimal catalog (tests/catalog/rule_cases.py) in one place and
must fire exactly that rule on exactly the rows broken; a module per rule family so that a
change to one family's rules reads against that family's cases alone.
"""

from __future__ import annotations

import copy

import pytest

from tests.catalog.rule_cases import (
    CHAT,
    LITE,
    QWEN7,
    TPUT,
    Case,
    Edit,
    fired_after,
    one_break_params,
    registrar,
    row,
    rows,
)
from tests.support.catalog_strategies import BASES, LORA, CatalogDocs, finetune_row

CASES: list[Case] = []
case = registrar(CASES)


@case("organization-namespace", "unaliased-organization", {(CHAT, LITE)})
def _(d: CatalogDocs) -> None:
    row(d, CHAT, LITE)["organization"] = "Acme"


@case("organization-namespace", "alias-declared-for-another-name", {(BASES, TPUT)})
def _(d: CatalogDocs) -> None:
    row(d, BASES, TPUT)["organization"] = "Alibaba Cloud"
    del d["aliases"]["organizations"]["Alibaba"]  # now unused: keep aliases-in-use quiet


@case("model-id-unique", "duplicate-row", {(CHAT, QWEN7)})
def _(d: CatalogDocs) -> None:
    rows(d, CHAT).append(copy.deepcopy(row(d, CHAT, QWEN7)))


@case(
    "model-id-grammar",
    "whitespace-quote-control-slash",
    {
        (LORA, "acme-ai/Orca 3B"),
        (LORA, 'acme-ai/Orca"3B'),
        (LORA, "acme-ai/Orca\x073B"),
        (LORA, "acme-ai/Orca/3B"),
        (LORA, "Orca-3B"),
        (LORA, "acme-ai/Orca-3B\n"),
    },
)
def _(d: CatalogDocs) -> None:
    for model in (
        "acme-ai/Orca 3B",
        'acme-ai/Orca"3B',
        "acme-ai/Orca\x073B",
        "acme-ai/Orca/3B",
        "Orca-3B",
        "acme-ai/Orca-3B\n",
    ):
        rows(d, LORA).append(finetune_row(model, "Acme AI"))


@pytest.mark.parametrize(("rule", "edit", "expected"), one_break_params(CASES))
def test_one_break_fires_exactly_that_rule(
    rule: str, edit: Edit, expected: set[tuple[str, str]]
) -> None:
    assert fired_after(edit) == {(rule, table, model) for table, model in expected}
