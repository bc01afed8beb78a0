"""`python -m codegen check`: run every consistency rule and hold the findings to the waivers.

A violation is *waived* when catalog/waivers.yaml has an entry with the same rule and table
that names its model; otherwise it *fails*. A waived model that matches no current violation
is a *stale* waiver and fails too, so an upstream fix is noticed and the waiver removed.

Exit status: 0 when every rule passes or is waived; 1 on an unwaived violation or a stale
waiver (exit 2, a catalog that does not load, is decided before this module runs; that
includes a waiver naming a rule or table that does not exist, which could never match).

The human format prints what needs action, one line each: unwaived violations (`FAIL`) and
stale waivers (`STALE`), then a one-line summary. `--verbose` lists the waived violations
too (`waived`, with the waiver's reason), before the stale waivers.

`--json` prints one object, stable for tools (every list, whatever `--verbose` says):

    {
      "ok": bool,
      "rules": [{"id", "source", "title"}],            # every rule that ran, in order
      "violations": [finding],                          # unwaived: these fail the check
      "waived": [finding + {"reason"}],                 # known anomalies, with the waiver's reason
      "stale_waivers": [{"rule", "table", "model", "reason"}],
      "summary": {"rules", "violations", "waived", "stale_waivers"}
    }

where a finding is {"rule", "table", "model", "field", "values", "message"}. With
`--no-waivers` the waivers are ignored: every violation is listed under "violations".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from catalog.contents import Catalog
from catalog.rules import RULES, RuleViolation, run_rules
from catalog.waivers import Waiver


@dataclass(frozen=True)
class StaleWaiver:
    rule: str
    table: str
    model: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.table, self.model)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "table": self.table, "model": self.model, "reason": self.reason}


@dataclass(frozen=True)
class CheckReport:
    """The findings once waivers are applied: the exit status and both output formats are
    read from this one object, so they cannot disagree."""

    violations: list[RuleViolation]
    waived: list[tuple[RuleViolation, str]]
    stale: list[StaleWaiver]
    #: Waived rows the docs no longer list (retired): the waiver records what was published
    #: and cannot go stale; the history test checks it matched while the row was listed.
    historical: list[StaleWaiver] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations and not self.stale

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rules": [{"id": r.id, "source": r.source, "title": r.title} for r in RULES.values()],
            "violations": [v.as_dict() for v in self.violations],
            "waived": [{**v.as_dict(), "reason": reason} for v, reason in self.waived],
            "stale_waivers": [s.as_dict() for s in self.stale],
            "historical_waivers": [s.as_dict() for s in self.historical],
            "summary": {
                "rules": len(RULES),
                "violations": len(self.violations),
                "waived": len(self.waived),
                "stale_waivers": len(self.stale),
                "historical_waivers": len(self.historical),
            },
        }


def apply_waivers(
    violations: list[RuleViolation],
    waivers: tuple[Waiver, ...],
    retired: frozenset[tuple[str, str]] = frozenset(),
) -> CheckReport:
    """Split violations into unwaived and waived; list the waived rows nothing matched, as
    stale, or as historical when the row is `retired` ((table, model) pairs) or the waiver
    says until when the tables broke the rule."""
    index: dict[tuple[str, str, str], Waiver] = {
        (w.rule, w.table, model): w for w in waivers for model in w.models
    }
    used: set[tuple[str, str, str]] = set()
    failing: list[RuleViolation] = []
    waived: list[tuple[RuleViolation, str]] = []
    for violation in violations:
        key = (violation.rule, violation.table, violation.model)
        waiver = index.get(key)
        if waiver is None:
            failing.append(violation)
        else:
            used.add(key)
            waived.append((violation, waiver.reason))
    unmatched = [
        StaleWaiver(rule, table, model, waiver.reason)
        for (rule, table, model), waiver in index.items()
        if (rule, table, model) not in used
    ]
    past = {key for key, waiver in index.items() if waiver.until is not None}
    stale = [s for s in unmatched if (s.table, s.model) not in retired and s.key not in past]
    historical = [s for s in unmatched if (s.table, s.model) in retired or s.key in past]
    return CheckReport(failing, waived, stale, historical)


def check(catalog: Catalog, use_waivers: bool = True) -> CheckReport:
    violations = run_rules(catalog)
    waivers = catalog.waivers.waivers if use_waivers else ()
    retired = frozenset(
        (table.table, row.model) for table in catalog.tables.values() for row in table.retired
    )
    return apply_waivers(violations, waivers, retired)


def _safe(text: str) -> str:
    """One printable line: control characters and non-ASCII escaped as in JSON."""
    return json.dumps(text, ensure_ascii=True)[1:-1]


def _line(label: str, v: RuleViolation) -> str:
    values = json.dumps(dict(v.values), ensure_ascii=True)
    return (
        f"{label} {v.rule} {_safe(v.table)} {_safe(v.model)} [{_safe(v.field)}] {values}: "
        f"{_safe(v.message)}"
    )


def _reason(reason: str) -> str:
    return _safe(" ".join(reason.split()))


def format_human(report: CheckReport, verbose: bool = False) -> str:
    """One line per finding that needs action (unwaived, then stale waivers) and a summary
    line; `verbose` adds a line per waived violation after the unwaived ones."""
    lines = [_line("FAIL  ", v) for v in report.violations]
    if verbose:
        lines += [f"{_line('waived', v)} (waiver: {_reason(r)})" for v, r in report.waived]
    lines += [
        f"STALE  {s.rule} {_safe(s.table)} {_safe(s.model)}: waiver matches no violation "
        f"(waiver: {_reason(s.reason)})"
        for s in report.stale
    ]
    if verbose:
        lines += [
            f"historical {s.rule} {_safe(s.table)} {_safe(s.model)}: the row left the docs "
            f"(waiver: {_reason(s.reason)})"
            for s in report.historical
        ]
    listed = " (listed with --verbose)" if report.waived and not verbose else ""
    past = f", {len(report.historical)} on retired rows" if report.historical else ""
    lines.append(
        f"{'ok' if report.ok else 'FAILED'}: {len(RULES)} rules, "
        f"{len(report.violations)} unwaived violations, {len(report.waived)} waived{listed}, "
        f"{len(report.stale)} stale waivers{past}"
    )
    return "\n".join(lines)


def run_check(catalog: Catalog, as_json: bool, use_waivers: bool, verbose: bool = False) -> int:
    report = check(catalog, use_waivers=use_waivers)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=True))
    else:
        print(format_human(report, verbose=verbose))
    return 0 if report.ok else 1
