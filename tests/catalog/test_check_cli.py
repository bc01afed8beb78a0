"""`python -m codegen check` on the real catalog and on copies with waivers removed, stale,
or malformed: exit codes, human lines and the JSON object."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalog import atomic, yamlio
from catalog.check import apply_waivers, check
from catalog.contents import Catalog
from catalog.load import CATALOG_DIR, ROOT, load_catalog
from catalog.rules import RULES, RuleViolation
from catalog.waivers import Waiver
from codegen.__main__ import main

Key = tuple[str, str, str]


def _expected() -> tuple[frozenset[Key], frozenset[Key]]:
    """(rule, table, model) of every waived row, read from catalog/waivers.yaml and split as
    the docs now stand: a waiver on a current row with no `until` must match a violation
    today (an anomaly Together's tables hold now); one on a retired row, or saying until when
    the tables broke the rule, is historical (tests/pipeline/test_history_rules.py holds it
    to the snapshots it was published in)."""
    catalog = load_catalog()
    current = {(t.table, r.model) for t in catalog.tables.values() for r in t.rows}
    known: set[Key] = set()
    historical: set[Key] = set()
    for waiver in catalog.waivers.waivers:
        for model in waiver.models:
            today = waiver.until is None and (waiver.table, model) in current
            (known if today else historical).add((waiver.rule, waiver.table, model))
    return frozenset(known), frozenset(historical)


#: The anomalies Together's tables hold today, each waived, and the waived rows of the past.
KNOWN, HISTORICAL = _expected()


def keys(waiver: Any) -> set[Key]:
    return {(waiver["rule"], waiver["table"], model) for model in waiver["models"]}


def edit_waivers(catalog_dir: Path, change: Any) -> None:
    path = catalog_dir / "waivers.yaml"
    doc = yamlio.load(path)
    change(doc["waivers"])
    atomic.atomic_write(path, yamlio.dumps(doc))


def drop_waiver(catalog_dir: Path, dropped: set[Key]) -> None:
    """Delete the waiver whose rows are exactly `dropped`."""

    def change(waivers: Any) -> None:
        waivers[:] = [w for w in waivers if keys(w) != dropped]

    edit_waivers(catalog_dir, change)


def run(catalog_dir: Path, *args: str) -> int:
    return main(["--catalog", str(catalog_dir), "check", *args])


def test_the_waivers_split_into_todays_anomalies_and_history() -> None:
    assert KNOWN and HISTORICAL  # both kinds are in the file as committed
    assert not KNOWN & HISTORICAL


def test_real_catalog_passes_with_its_waivers(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CATALOG_DIR, "--verbose") == 0  # without it, only the summary line
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"ok: {len(RULES)} rules, 0 unwaived violations, {len(KNOWN)} waived, "
        f"0 stale waivers, {len(HISTORICAL)} on retired rows"
    )
    assert sum(line.startswith("waived ") for line in out) == len(KNOWN)
    assert sum(line.startswith("historical ") for line in out) == len(HISTORICAL)
    assert all("(waiver: " in line for line in out if line.startswith(("waived ", "historical ")))


def test_real_anomalies_are_exactly_the_known_ones() -> None:
    report = check(load_catalog(), use_waivers=True)
    assert not report.violations and not report.stale
    assert {(v.rule, v.table, v.model) for v, _ in report.waived} == KNOWN
    assert {s.key for s in report.historical} == HISTORICAL


def test_no_waivers_reports_every_violation(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CATALOG_DIR, "--no-waivers", "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["waived"] == [] and result["stale_waivers"] == []
    assert result["historical_waivers"] == []
    assert {(v["rule"], v["table"], v["model"]) for v in result["violations"]} == KNOWN


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CATALOG_DIR, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {
        "ok",
        "rules",
        "violations",
        "waived",
        "stale_waivers",
        "historical_waivers",
        "summary",
    }
    assert [r["id"] for r in result["rules"]] == list(RULES)
    assert result["summary"] == {
        "rules": len(RULES),
        "violations": 0,
        "waived": len(KNOWN),
        "stale_waivers": 0,
        "historical_waivers": len(HISTORICAL),
    }
    first = result["waived"][0]
    assert set(first) == {"rule", "table", "model", "field", "values", "message", "reason"}
    assert first["reason"].strip()
    past = result["historical_waivers"][0]
    assert set(past) == {"rule", "table", "model", "reason"} and past["reason"].strip()


def test_a_waiver_on_a_retired_row_is_historical_not_stale() -> None:
    violation = RuleViolation("r", "t", "gone/model", "f", {}, "msg")
    waivers = (
        Waiver(rule="r", table="t", models=("gone/model",), reason="as published"),
        Waiver(rule="r", table="t", models=("current/model",), reason="fixed upstream"),
    )
    report = apply_waivers([], waivers, frozenset({("t", "gone/model")}))
    assert [s.model for s in report.historical] == ["gone/model"]
    assert [s.model for s in report.stale] == ["current/model"]
    assert not report.ok  # the current row's waiver is stale
    matched = apply_waivers([violation], waivers[:1], frozenset({("t", "gone/model")}))
    assert matched.historical == [] and len(matched.waived) == 1 and matched.ok


def test_removing_a_waiver_fails(catalog_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = yamlio.load(catalog_copy / "waivers.yaml")
    dropped = next(keys(w) for w in doc["waivers"] if keys(w) <= KNOWN)  # waives a current row

    drop_waiver(catalog_copy, dropped)
    assert run(catalog_copy) == 1
    out = capsys.readouterr().out.splitlines()
    failing = [line for line in out if line.startswith("FAIL ")]
    assert {tuple(line.split()[1:4]) for line in failing} == dropped
    assert len(failing) == len(dropped)
    assert out[-1].startswith("FAILED: ") and f"{len(dropped)} unwaived" in out[-1]


def test_removing_a_waiver_of_a_retired_row_leaves_check_passing(catalog_copy: Path) -> None:
    """Documented: `check` holds the waivers to the docs as they stand, and a retired row no
    longer breaks anything; the history test, not check, holds it to what was published."""
    doc = yamlio.load(catalog_copy / "waivers.yaml")
    dropped = next(keys(w) for w in doc["waivers"] if keys(w) <= HISTORICAL)

    drop_waiver(catalog_copy, dropped)
    report = check(load_catalog(catalog_copy))
    assert report.ok
    assert {s.key for s in report.historical} == HISTORICAL - dropped


def relist(catalog_dir: Path, table: str, model: str) -> None:
    """Move `model`'s retired row back among the current rows with its last values, as if
    the docs listed it again unchanged."""
    path = catalog_dir / f"{table}.yaml"
    doc = yamlio.load(path)
    retired = doc["retired"]
    row = retired.pop(next(i for i, r in enumerate(retired) if r["model"] == model))
    del row["last_seen"]
    doc["rows"].append(row)
    atomic.atomic_write(path, yamlio.dumps(doc))


def test_removing_one_model_from_a_waiver_fails(catalog_copy: Path) -> None:
    """A waiver of several rows waives exactly those it names. No waiver of several rows
    names a current row today, so a retired row the waiver names (DeepSeek-V3: min batch 2,
    max batch 1) is listed again; its waiver covers it, until the row is taken out of it."""
    model = "deepseek-ai/DeepSeek-V3"
    key = ("min-batch-le-max-batch", "finetune-lora", model)
    assert key in HISTORICAL
    relist(catalog_copy, "finetune-lora", model)
    report = check(load_catalog(catalog_copy))
    assert report.ok and key in {(v.rule, v.table, v.model) for v, _ in report.waived}

    def drop_one(waivers: Any) -> None:
        (waiver,) = [w for w in waivers if key in keys(w) and len(w["models"]) > 1]
        waiver["models"].remove(model)

    edit_waivers(catalog_copy, drop_one)
    report = check(load_catalog(catalog_copy))
    assert [(v.rule, v.table, v.model) for v in report.violations] == [key]
    assert {(v.rule, v.table, v.model) for v, _ in report.waived} == KNOWN


def test_stale_waiver_fails(catalog_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def add_stale(waivers: Any) -> None:
        waivers[0]["models"].append("openai/gpt-oss-20b")  # satisfies min <= max
        # A row the table does not hold (any more): stale, not a load error.
        gone = {"rule": "min-batch-le-max-batch", "table": "finetune-full", "models": ["x/y"]}
        waivers.append({**gone, "reason": "r"})

    edit_waivers(catalog_copy, add_stale)
    assert run(catalog_copy, "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["violations"] == []
    assert [(s["rule"], s["model"]) for s in result["stale_waivers"]] == [
        ("min-batch-le-max-batch", "openai/gpt-oss-20b"),
        ("min-batch-le-max-batch", "x/y"),
    ]


def test_waiver_for_the_wrong_table_is_stale_and_leaves_the_violation() -> None:
    violation = RuleViolation("r", "t1", "m", "f", {}, "msg")
    report = apply_waivers([violation], (Waiver(rule="r", table="t2", models=("m",), reason="x"),))
    assert report.violations == [violation]
    assert [(s.table, s.model) for s in report.stale] == [("t2", "m")]
    assert not report.ok


def test_no_waivers_flag_ignores_stale_waivers(catalog_copy: Path) -> None:
    def add_stale(waivers: Any) -> None:
        waivers[0]["models"].append("openai/gpt-oss-20b")

    edit_waivers(catalog_copy, add_stale)
    catalog = load_catalog(catalog_copy)
    assert [s.model for s in check(catalog).stale] == ["openai/gpt-oss-20b"]  # with waivers
    report = check(catalog, use_waivers=False)
    assert report.stale == [] and len(report.violations) == len(KNOWN)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("waivers:\n  - rule: min-batch-le-max-batch\n    table: t\n    models: [a/b]\n", ":2:"),
        (
            "waivers:\n  - rule: x\n    table: t\n    models: [a/b]\n    reason: r\n"
            "    expires: soon\n",
            ":6:",
        ),
        ("waivers:\n  - rule: x\n    table: t\n    models: []\n    reason: r\n", ":4:"),
        ("waivers:\n  - rule: Bad Rule\n    table: t\n    models: [a/b]\n    reason: r\n", ":2:"),
        (
            "waivers:\n  - {rule: x, table: t, models: [a/b], reason: r}\n"
            "  - {rule: x, table: t, models: [a/b], reason: s}\n",
            "waived twice",
        ),
    ],
    ids=["no-reason", "unknown-key", "no-models", "bad-rule-id", "duplicate"],
)
def test_malformed_waivers_exit_2(
    catalog_copy: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    (catalog_copy / "waivers.yaml").write_text(text, encoding="utf-8")
    assert run(catalog_copy) == 2
    err = capsys.readouterr().err
    assert "waivers.yaml" in err and where in err


def test_malformed_aliases_exit_2(catalog_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (catalog_copy / "aliases.yaml").write_text(
        "organizations:\n  Meta: meta-llama\n", encoding="utf-8"
    )
    assert run(catalog_copy) == 2
    assert "aliases.yaml:2" in capsys.readouterr().err


def test_dropping_an_alias_fails_the_rule_it_served(catalog: Catalog, catalog_copy: Path) -> None:
    """Minimax's models are published under MiniMaxAI/: without the alias each current row
    of theirs breaks organization-namespace (a retired row is not held to it)."""
    path = catalog_copy / "aliases.yaml"
    text = path.read_text(encoding="utf-8")
    alias = "  Minimax: [MiniMaxAI]\n"
    assert alias in text
    path.write_text(text.replace(alias, ""), encoding="utf-8")
    served = [
        ("organization-namespace", table.table, row.model)
        for table in catalog.tables.values()
        for row in table.rows
        if getattr(row, "organization", None) == "Minimax"
    ]
    assert served
    report = check(load_catalog(catalog_copy))
    assert [(v.rule, v.table, v.model) for v in report.violations] == served


def test_hostile_values_stay_on_one_line(catalog_copy: Path) -> None:
    from catalog.check import format_human

    violation = RuleViolation("r", "t", "a/b\nFAKE ok", "f", {"v": "x\ny"}, "line\nbreak")
    report = apply_waivers([violation], ())
    text = format_human(report)
    assert len(text.splitlines()) == 2  # the finding and the summary


def test_waivers_file_rows_are_each_a_real_table() -> None:
    catalog = load_catalog()
    for waiver in catalog.waivers.waivers:
        assert waiver.rule in RULES
        assert waiver.table in catalog.tables
        table = catalog.tables[waiver.table]
        ids = {r.model for r in (*table.rows, *table.retired)}  # a retired row's too
        assert set(waiver.models) <= ids, waiver


def test_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codegen", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("ok: ")
