"""The rule registry: how a rule is declared, what it reports, and the order rules report in.

Rules live in one module per family, but they report in one fixed order that the check
output, its JSON and the README table all share, and that order interleaves the families.
So the order is written down here once, as `RULE_ORDER`, instead of falling out of which
module happens to be imported first; `RULES` is kept in that order as rules register.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from catalog.contents import Catalog

#: Scalar values a violation reports (JSON-ready).
Value = str | int | bool | None | list[str] | dict[str, int | None]


@dataclass(frozen=True)
class RuleViolation:
    """One offending row: which rule, where, the values that disagree, and in words.

    Named apart from the runtime package's `Violation`, which describes a rejected
    fine-tuning request, not a catalog row that breaks a consistency rule.
    """

    rule: str
    table: str
    model: str
    field: str
    values: Mapping[str, Value]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "table": self.table,
            "model": self.model,
            "field": self.field,
            "values": dict(self.values),
            "message": self.message,
        }


class Finding(NamedTuple):
    """What a rule reports about one row; the rule's id is added by `Rule.run`, so a rule
    never has to repeat (or misspell) its own id."""

    table: str
    model: str
    field: str
    values: Mapping[str, Value]
    message: str


RuleFn = Callable[[Catalog], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    source: str  # "docs: <page> / <section>" or "observed invariant" or "catalog integrity"
    check: RuleFn = field(repr=False)

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()

    @property
    def title(self) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(self.doc.split("\n\n")[0].split()) or self.id

    def run(self, catalog: Catalog) -> list[RuleViolation]:
        return [RuleViolation(self.id, *finding) for finding in self.check(catalog)]


#: The order rules run and report in. Ids are stable: waivers name them.
RULE_ORDER: tuple[str, ...] = (
    "long-context-subset-of-lora",
    "full-subset-of-lora",
    "min-batch-le-max-batch",
    "lora-base-not-turbo",
    "lora-base-fine-tunable",
    "quantization-legend",
    "llama31-long-context-lora-only",
    "serverless-context-consistent",
    "organization-namespace",
    "model-id-unique",
    "model-id-grammar",
    "recommended-model-listed",
    "full-context-matches-lora",
    "finetune-identity-consistent",
    "context-size-suffix",
    "contact-only-not-self-serve",
    "notes-models-listed",
    "aliases-in-use",
)

#: Every registered rule, in `RULE_ORDER`.
RULES: dict[str, Rule] = {}


def rule(rule_id: str, source: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        if rule_id not in RULE_ORDER:
            raise ValueError(
                f"rule {rule_id} is not in RULE_ORDER (catalog/rules/registry.py); "
                "add it where it should report"
            )
        RULES[rule_id] = Rule(rule_id, source, fn)
        ordered = sorted(RULES.values(), key=lambda r: RULE_ORDER.index(r.id))
        RULES.clear()
        RULES.update((r.id, r) for r in ordered)
        return fn

    return register


def require_all_registered() -> None:
    """Fail at import, not at check time, when a family module was never imported: its
    rules would silently not run, and waivers naming them would look invalid."""
    missing = [rule_id for rule_id in RULE_ORDER if rule_id not in RULES]
    if missing:
        raise RuntimeError(f"rules listed in RULE_ORDER but never registered: {missing}")


def run_rules(catalog: Catalog) -> list[RuleViolation]:
    return [v for r in RULES.values() for v in r.run(catalog)]
