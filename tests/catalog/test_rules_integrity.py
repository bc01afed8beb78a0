"""One break per rule of catalog/rules/integrity.py: the hand-kept notes.yaml and
aliases.yaml kept true to the tables (a note naming a model no table lists, an alias nothing
uses).

Each case edits the shared minimal catalog (tests/catalog/rule_cases.py) in one place and
must fire exactly that rule on exactly the rows broken; a module per rule family so that a
change to one family's rules reads against that family's cases alone.
"""

from __future__ import annotations

import pytest

from tests.catalog.rule_cases import Q235, Case, Edit, fired_after, one_break_params, registrar
from tests.support.catalog_strategies import CatalogDocs

CASES: list[Case] = []
case = registrar(CASES)


@case(
    "notes-models-listed",
    "rate-limit-and-lora-only",
    {
        ("notes", "acme-ai/Gone-7B"),
        ("notes", "meta-llama/Gone-8B"),
    },
)
def _(d: CatalogDocs) -> None:
    d["notes"]["rate_limits"].append(
        {
            "source": {"page": "serverless-models", "section": "Chat Models"},
            "model": "acme-ai/Gone-7B",
            "limit": 10,
            "per": "minute",
            "unit": "requests",
        }
    )
    d["notes"]["lora_only_long_context"]["models"].append("meta-llama/Gone-8B")


@case(
    "aliases-in-use",
    "unused-namespace-and-variant",
    {
        ("aliases", "unused-ns"),
        ("aliases", "Qwen/Gone-tput"),
        ("aliases", "acme-ai"),
    },
)
def _(d: CatalogDocs) -> None:
    d["aliases"]["organizations"]["Meta"].append("unused-ns")
    d["aliases"]["organizations"]["Acme AI"] = ["acme-ai"]  # the name match already covers it
    d["aliases"]["serving_variants"]["Qwen/Gone-tput"] = Q235


@pytest.mark.parametrize(("rule", "edit", "expected"), one_break_params(CASES))
def test_one_break_fires_exactly_that_rule(
    rule: str, edit: Edit, expected: set[tuple[str, str]]
) -> None:
    assert fired_after(edit) == {(rule, table, model) for table, model in expected}
