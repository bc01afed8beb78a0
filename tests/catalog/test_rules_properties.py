"""Properties of the rule set over drawn catalogs (tests/support/catalog_strategies.py):
rule-respecting catalogs produce no findings; one rule-breaking mutation is caught by that
rule alone, on the mutated row."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.check import check
from catalog.contents import Catalog
from catalog.rules import RULES, run_rules
from tests.support.catalog_strategies import MUTATIONS, Broken, broken_catalogs, catalogs

SETTINGS = settings(max_examples=100, deadline=None)


def test_every_rule_has_a_mutation() -> None:
    assert set(MUTATIONS) == set(RULES)


@SETTINGS
@given(catalogs())
def test_rule_respecting_catalogs_have_no_findings(catalog: Catalog) -> None:
    violations = run_rules(catalog)
    assert violations == [], [(v.rule, v.table, v.model, dict(v.values)) for v in violations]
    assert check(catalog).ok


@SETTINGS
@given(broken_catalogs())
def test_one_mutation_is_caught_by_its_rule_alone(broken: Broken) -> None:
    violations = run_rules(broken.catalog)
    assert {v.rule for v in violations} == {broken.rule}, [
        (v.rule, v.table, v.model) for v in violations
    ]
    assert (broken.table, broken.model) in {(v.table, v.model) for v in violations}
    assert not check(broken.catalog).ok


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_each_rule_catches_its_mutation(data: st.DataObject) -> None:
    # Every rule drawn in turn, so none is left to chance in the mixed property above.
    for rule_id in RULES:
        broken = data.draw(broken_catalogs([rule_id]), label=rule_id)
        assert {v.rule for v in run_rules(broken.catalog)} == {rule_id}
