"""The rules as a set, across the families of catalog/rules/: the minimal catalog
(tests/catalog/rule_cases.py) breaks nothing, every registered rule has a one-break case in
its family's test module, the rules report in the declared order whichever family is
imported first, a rule outside that order is refused, each rule documents its source, and a
violation names the field and the values that broke it.

These hold for the registry (catalog/rules/registry.py), not for any one family, so they
sit apart from the per-family cases in test_rules_{finetune,serverless,identity,integrity}.py.
"""

from __future__ import annotations

import pytest

from catalog.rules import RULE_ORDER, RULES, run_rules
from catalog.rules import rule as register_rule
from tests.catalog.rule_cases import NOVA, fired, minimal, row
from tests.catalog.test_rules_finetune import CASES as FINETUNE_CASES
from tests.catalog.test_rules_identity import CASES as IDENTITY_CASES
from tests.catalog.test_rules_integrity import CASES as INTEGRITY_CASES
from tests.catalog.test_rules_serverless import CASES as SERVERLESS_CASES
from tests.support.catalog_strategies import FULL, build_catalog

#: Every family's one-break cases, so that a rule without one is noticed here.
CASES = [*FINETUNE_CASES, *SERVERLESS_CASES, *IDENTITY_CASES, *INTEGRITY_CASES]


def test_minimal_catalog_breaks_nothing() -> None:
    assert fired(minimal()) == set()


def test_every_rule_has_a_case() -> None:
    assert {r for r, *_ in CASES} == set(RULES)


def test_rules_report_in_the_declared_order() -> None:
    # The families are separate modules; the order the check prints must not depend on
    # which of them is imported first.
    assert list(RULES) == list(RULE_ORDER)


def test_a_rule_missing_from_the_order_is_refused() -> None:
    with pytest.raises(ValueError, match="RULE_ORDER"):
        register_rule("not-in-the-order", "observed invariant")(lambda catalog: iter(()))
    assert "not-in-the-order" not in RULES


def test_every_rule_is_documented_with_its_source() -> None:
    for rule in RULES.values():
        assert rule.id == rule.id.lower() and " " not in rule.id
        assert len(rule.doc) > 40, rule.id
        assert rule.source.startswith(("docs:", "observed invariant", "catalog integrity"))


def test_violation_names_field_and_values() -> None:
    docs = minimal()
    row(docs, FULL, NOVA).update(max_batch_size_dpo=4, min_batch_size=8, max_batch_size_sft=16)
    (violation,) = run_rules(build_catalog(docs))
    assert violation.field == "min_batch_size"
    assert dict(violation.values) == {"min_batch_size": 8, "max_batch_size_dpo": 4}
    assert "8" in violation.message
