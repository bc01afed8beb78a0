"""`python -m codegen check` on the real catalog and on copies with waivers removed, stale,
or malformed: exit codes, human lines and the JSON object."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalog import yamlio
from catalog.check import apply_waivers, check
from catalog.load import CATALOG_DIR, ROOT, load_catalog
from catalog.rules import RULES, RuleViolation
from catalog.waivers import Waiver
from codegen.__main__ import main

#: The anomalies Together's tables hold today (rule, table, model), each waived.
KNOWN = {
    *(
        ("min-batch-le-max-batch", table, model)
        for table in ("finetune-lora", "finetune-lora-long-context")
        for model in (
            "deepseek-ai/DeepSeek-R1-0528",
            "deepseek-ai/DeepSeek-R1",
            "deepseek-ai/DeepSeek-V3.1",
            "deepseek-ai/DeepSeek-V3-0324",
            "deepseek-ai/DeepSeek-V3",
            "deepseek-ai/DeepSeek-V3.1-Base",
            "deepseek-ai/DeepSeek-V3-Base",
            "Qwen/Qwen3-235B-A22B",
            "Qwen/Qwen3-235B-A22B-Instruct-2507",
            "Qwen/Qwen3-Coder-480B-A35B-Instruct",
        )
    ),
    ("quantization-legend", "serverless-chat", "meta-llama/Llama-3.2-3B-Instruct-Turbo"),
    ("quantization-legend", "serverless-chat", "deepseek-ai/DeepSeek-R1"),
    ("quantization-legend", "serverless-chat", "deepseek-ai/DeepSeek-V3"),
    ("llama31-long-context-lora-only", "finetune-full", "meta-llama/Meta-Llama-3.1-8B-Reference"),
    ("context-size-suffix", "finetune-lora", "meta-llama/Llama-3.3-70B-32k-Instruct-Reference"),
    (
        "context-size-suffix",
        "finetune-lora-long-context",
        "meta-llama/Llama-3.3-70B-32k-Instruct-Reference",
    ),
}


def edit_waivers(catalog_dir: Path, change: Any) -> None:
    path = catalog_dir / "waivers.yaml"
    doc = yamlio.load(path)
    change(doc["waivers"])
    yamlio.atomic_write(path, yamlio.dumps(doc))


def run(catalog_dir: Path, *args: str) -> int:
    return main(["--catalog", str(catalog_dir), "check", *args])


def test_real_catalog_passes_with_its_waivers(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CATALOG_DIR, "--verbose") == 0  # without it, only the summary line
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith(f"ok: {len(RULES)} rules, 0 unwaived violations, {len(KNOWN)} waived")
    assert sum(line.startswith("waived ") for line in out) == len(KNOWN)
    assert all("(waiver: " in line for line in out if line.startswith("waived "))


def test_real_anomalies_are_exactly_the_known_ones() -> None:
    report = check(load_catalog(), use_waivers=True)
    assert not report.violations and not report.stale
    assert {(v.rule, v.table, v.model) for v, _ in report.waived} == KNOWN


def test_no_waivers_reports_every_violation(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(CATALOG_DIR, "--no-waivers", "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["waived"] == [] and result["stale_waivers"] == []
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
        "historical_waivers": len(result["historical_waivers"]),
    }
    first = result["waived"][0]
    assert set(first) == {"rule", "table", "model", "field", "values", "message", "reason"}
    assert first["reason"].strip()


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
    def drop_lora_only(waivers: Any) -> None:
        waivers[:] = [w for w in waivers if w["rule"] != "llama31-long-context-lora-only"]

    edit_waivers(catalog_copy, drop_lora_only)
    assert run(catalog_copy) == 1
    out = capsys.readouterr().out.splitlines()
    failing = [line for line in out if line.startswith("FAIL ")]
    assert len(failing) == 1
    assert failing[0].split()[1:4] == [
        "llama31-long-context-lora-only",
        "finetune-full",
        "meta-llama/Meta-Llama-3.1-8B-Reference",
    ]
    assert out[-1].startswith("FAILED: ") and "1 unwaived" in out[-1]


def test_removing_one_model_from_a_waiver_fails(catalog_copy: Path) -> None:
    def drop_one(waivers: Any) -> None:
        waivers[0]["models"].remove("deepseek-ai/DeepSeek-V3")

    edit_waivers(catalog_copy, drop_one)
    report = check(load_catalog(catalog_copy))
    assert [(v.rule, v.table, v.model) for v in report.violations] == [
        ("min-batch-le-max-batch", "finetune-lora", "deepseek-ai/DeepSeek-V3")
    ]


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
    report = check(load_catalog(catalog_copy), use_waivers=False)
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


def test_dropping_an_alias_fails_the_rule_it_served(catalog_copy: Path) -> None:
    path = catalog_copy / "aliases.yaml"
    text = path.read_text(encoding="utf-8")
    variant = "  Qwen/Qwen3-235B-A22B-Instruct-2507-tput: Qwen/Qwen3-235B-A22B-Instruct-2507\n"
    assert variant in text
    path.write_text(text.replace(variant, "").replace("serving_variants:", "#"), encoding="utf-8")
    report = check(load_catalog(catalog_copy))
    assert [(v.rule, v.model) for v in report.violations] == [
        ("lora-base-fine-tunable", "Qwen/Qwen3-235B-A22B-Instruct-2507-tput")
    ]


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
        ids = {r.model for r in catalog.tables[waiver.table].rows}
        assert set(waiver.models) <= ids


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
