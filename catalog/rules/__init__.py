"""Consistency rules across Together's tables.

Each rule is a small function `(catalog) -> Iterable[Finding]`, registered under a stable
kebab-case id. Its docstring says what it checks and where the rule comes from: a note in the
docs (named by page and section, as in catalog/notes.yaml) or an invariant observed across the
tables. A rule reports every offending row as a Finding, which the registry turns into a
RuleViolation under the rule's id; whether a violation is a known, waived anomaly is decided
by catalog.check, never here.

The rules are kept in one module per family (fine-tuning tables, serverless tables, ids,
hand-kept files) so that each can be read on its own; importing this package imports every
family, which is what registers the rules. They still report in the single order of
`registry.RULE_ORDER`, whatever order the families are imported in.

Cost: every rule walks each table once and looks rows up in dict/set indexes built in that
walk, so checking grows linearly with the catalog. No rule compares pairs of rows.
"""

from __future__ import annotations

from catalog.rules import finetune, identity, integrity, serverless
from catalog.rules.common import finetune_tables, lora_base_tables, serverless_tables, words
from catalog.rules.finetune import LIMIT_FIELDS, named_context
from catalog.rules.registry import (
    RULE_ORDER,
    RULES,
    Finding,
    Rule,
    RuleFn,
    RuleViolation,
    Value,
    require_all_registered,
    rule,
    run_rules,
)

require_all_registered()

__all__ = [
    "LIMIT_FIELDS",
    "RULES",
    "RULE_ORDER",
    "Finding",
    "Rule",
    "RuleFn",
    "RuleViolation",
    "Value",
    "finetune",
    "finetune_tables",
    "identity",
    "integrity",
    "lora_base_tables",
    "named_context",
    "rule",
    "run_rules",
    "serverless",
    "serverless_tables",
    "words",
]
