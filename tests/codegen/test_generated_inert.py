"""Generated code is inert: a catalog full of hostile strings renders to a package that runs
none of them, and hands every string back exactly.

The strings try each way a value could escape into code (Python quoting, docstrings, Jinja
delimiters, shell metacharacters); if any escaped, importing the generated package would
import the `tripwire` module planted on its path, which leaves a marker file behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import yamlio
from catalog.load import load_catalog
from codegen.generate import run_generate
from tests.conftest import copy_catalog_data

HOSTILE = [
    '"""; import tripwire; """',
    "'''; import tripwire; '''",
    "'); import tripwire  #",
    '"); __import__("tripwire")  #',
    "\\'; import tripwire  #",
    "{{ __import__('tripwire') }}",
    "{% import 'tripwire' as t %}",
    "$(python -c 'import tripwire')",
    "`python -c 'import tripwire'`; touch TRIPPED &",
    "</script><script>tripwire()</script>",
    "a | b \\| c",
    "# noqa: tripwire",
    "é😀中文 tripwire",
]
HOSTILE_ID = 'evil/x"""; import tripwire; """'


def _plant(catalog: Path) -> dict[str, str]:
    """Write hostile strings into a copy of the catalog; returns model id -> model_name planted."""
    planted: dict[str, str] = {}
    path = catalog / "finetune-lora.yaml"
    doc = yamlio.load(path)
    rows = doc["rows"]
    for row, value in zip(rows, HOSTILE, strict=False):
        row["model_name"] = value
        row["note"] = value
        planted[str(row["model"])] = value
    first = rows[0]
    first["model"] = HOSTILE_ID
    planted[HOSTILE_ID] = planted.pop(next(iter(planted)))
    yamlio.atomic_write(path, yamlio.dumps(doc))
    return planted


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("inert")
    catalog = copy_catalog_data(root / "catalog")
    planted = _plant(catalog)
    out = root / "generated"
    assert run_generate(load_catalog(catalog), check=False, out=out) == 0
    return root, planted


def test_importing_the_hostile_package_runs_nothing(
    hostile_build: tuple[Path, dict[str, str]],
) -> None:
    root, planted = hostile_build
    trap = root / "trap"
    trap.mkdir(exist_ok=True)
    marker = root / "TRIPPED"
    (trap / "tripwire.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\n", encoding="utf-8"
    )
    probe = (
        "import json, sys\n"
        "import together_catalog as tc\n"
        "from together_catalog import _data\n"
        "out = {m: r.model_name for m, r in _data.LORA.items()}\n"
        "notes = {m: r.note for m, r in _data.LORA.items()}\n"
        "print(json.dumps({'names': out, 'notes': notes, "
        "'tripwire': 'tripwire' in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "generated"), str(trap)])}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=root
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert not marker.exists(), "a hostile string ran as code"
    assert seen["tripwire"] is False
    for model, value in planted.items():
        assert seen["names"][model] == value
        assert seen["notes"][model] == value


def test_hostile_strings_survive_every_output(hostile_build: tuple[Path, dict[str, str]]) -> None:
    root, planted = hostile_build
    data = json.loads((root / "generated" / "data" / "catalog.json").read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    for value in planted.values():
        assert json.dumps(value, ensure_ascii=False) in text
    from scrapers.parse import parse_file

    page = parse_file(root / "generated" / "docs" / "fine-tuning-models.md")
    lora = next(t for t in page.tables if t.spec.table == "finetune-lora")
    names = {row["model"]: row["model_name"] for row in lora.rows}
    for model, value in planted.items():
        assert names[model] == value


def test_an_invisible_character_stops_generation_loudly(
    tmp_path: Path, catalog_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalog_copy / "finetune-lora.yaml"
    doc = yamlio.load(path)
    doc["rows"][0]["model_name"] = "looks fine \u202e enif skool"
    yamlio.atomic_write(path, yamlio.dumps(doc))
    out = tmp_path / "generated"
    out.mkdir()
    (out / "keep.txt").write_text("previous tree", encoding="utf-8")
    assert run_generate(load_catalog(catalog_copy), check=False, out=out) == 2
    assert "U+202E" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
