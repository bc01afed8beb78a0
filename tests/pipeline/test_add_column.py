"""Adding a column is one declaration: the README's recipe, followed in a copy of the project.

A synthetic column is declared in catalog/columns.py (nothing else hand-written is edited),
published on the LoRA table of a snapshot page, and followed through every stage a user
sees: reconcile writes it into the catalog YAML, check validates it, generate puts it in the
record classes, the data module, the docs page and catalog.json, and `together-catalog show`
prints it. The Full table does not publish it, so its records hold None.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.inputs import newest
from tests.conftest import ROOT, copy_catalog_data

FIELD = "widget_count"
HEADER = "Widget Count"
LABEL = "widgets"
DECLARATION = f"""    Column(
        {FIELD!r},
        ({HEADER!r},),
        "count",
        None,
        "How many widgets the synthetic test column says the model has.",
        {LABEL!r},
        {{"finetune": OPTIONAL}},
    ),
"""
MODEL = "Qwen/Qwen3.5-9B"  # LoRA row 10 (widget count 10); a Full row too


def _copy_project(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("scrapers", "codegen"):
        shutil.copytree(ROOT / package, target / package, ignore=ignore)
    copy_catalog_data(target / "catalog")
    for path in (ROOT / "catalog").rglob("*.py"):  # the catalog layer's code, beside its data
        rel = path.relative_to(ROOT)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)


def _declare(project: Path) -> None:
    path = project / "catalog" / "columns.py"
    text = path.read_text(encoding="utf-8")
    end = "\n)\n\nCOLUMN_BY_FIELD"
    assert text.count(end) == 1, "COLUMNS no longer ends where the recipe says"
    path.write_text(text.replace(end, "\n" + DECLARATION.rstrip("\n") + end), encoding="utf-8")


def _publish(project: Path) -> None:
    """Add the column to the LoRA table of the fine-tuning snapshot: row N gets value N."""
    pages = newest(project / "scrapers" / "snapshots")  # each page as now published
    page = next(p for p in pages if p.parent.name == "fine-tuning-models")
    lines = page.read_text(encoding="utf-8").split("\n")
    start = lines.index("## LoRA fine-tuning")
    header = next(i for i in range(start, len(lines)) if lines[i].startswith("|"))
    lines[header] += f" {HEADER} |"
    lines[header + 1] += " --- |"
    row = header + 2
    while row < len(lines) and lines[row].startswith("|"):
        lines[row] += f" {row - header - 1} |"
        row += 1
    page.write_text("\n".join(lines), encoding="utf-8")


def _run(project: Path, *args: str, pythonpath: Path | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(pythonpath or project), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("add-column")
    _copy_project(project)
    _declare(project)
    _publish(project)
    catalog = str(project / "catalog")
    _run(project, "-m", "scrapers", "reconcile", "--catalog", catalog)
    _run(project, "-m", "codegen", "--catalog", catalog, "check")
    _run(project, "-m", "codegen", "--catalog", catalog, "generate", "--out", "out")
    return project


def test_reconcile_writes_the_column_into_the_catalog_yaml(project: Path) -> None:
    text = (project / "catalog" / "finetune-lora.yaml").read_text(encoding="utf-8")
    assert f"- {{field: {FIELD}, header: {HEADER}}}" in text
    assert re.search(rf"model: {re.escape(MODEL)}\n(    .*\n)*?    {FIELD}: 10\n", text)
    full = (project / "catalog" / "finetune-full.yaml").read_text(encoding="utf-8")
    assert FIELD not in full


def test_the_record_class_and_data_carry_it(project: Path) -> None:
    records = (project / "out" / "together_catalog" / "_records.py").read_text(encoding="utf-8")
    assert f"    {FIELD}: int | None\n" in records
    assert f'("{FIELD}", "{LABEL}")' in records
    data = (project / "out" / "together_catalog" / "_data.py").read_text(encoding="utf-8")
    assert f"{FIELD}=10," in data
    assert f"{FIELD}=None," in data  # the Full table's rows


def test_the_package_answers_with_it(project: Path) -> None:
    code = (
        "import together_catalog as tc;"
        f"print(tc.finetune_limits({MODEL!r}).{FIELD},"
        f" tc.finetune_limits({MODEL!r}, method='full').{FIELD})"
    )
    out = _run(project, "-c", code, pythonpath=project / "out")
    assert out.split() == ["10", "None"]


def test_cli_show_prints_it(project: Path) -> None:
    out = _run(project, "-m", "together_catalog", "show", MODEL, pythonpath=project / "out")
    header = next(line for line in out.splitlines() if line.startswith("fine-tuning "))
    lora = next(line for line in out.splitlines() if line.startswith("LoRA "))
    assert header.rstrip().endswith(f"  {LABEL}"), header
    assert lora.split()[-1] == "10", lora


def test_docs_and_catalog_json_carry_it(project: Path) -> None:
    page = (project / "out" / "docs" / "fine-tuning-models.md").read_text(encoding="utf-8")
    assert f"| {HEADER} |" in page
    document = json.loads((project / "out" / "data" / "catalog.json").read_text("utf-8"))
    lora = next(t for t in document["tables"] if t["table"] == "finetune-lora")
    rows = lora["rows"]
    assert next(r for r in rows if r["model"] == MODEL)[FIELD] == 10
    schema = (project / "out" / "schema" / "catalog.schema.json").read_text(encoding="utf-8")
    assert FIELD in schema


def test_only_the_declaration_was_edited(project: Path) -> None:
    """The recipe's claim: of the hand-written code, only catalog/columns.py changed."""
    changed = []
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project)
        if rel.parts[0] in {"out", "generated"}:
            continue
        original = ROOT / rel
        if not original.exists() or original.read_bytes() != path.read_bytes():
            changed.append(rel.as_posix())
    assert changed == ["catalog/columns.py"]
