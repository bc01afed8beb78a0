"""Both JSON Schemas are standard JSON Schema that ajv compiles in strict mode, catalog.json
passes under ajv, and ajv's verdict on a request is the Python validator's.

ajv (pinned by tools/ajv/package-lock.json) is installed into .cache/node by `make ajv`, which
`make pytest` runs first; with no node on PATH these tests skip, saying so. The schemas are
rendered here from the committed catalog with codegen.schemas, not read from generated/
(generated/data/catalog.json is checked as well, as committed). The Python validator is the
generated package's, as in every runtime test. Requests come from the package's Hypothesis
strategies and from the request generators of tests/runtime/test_runtime_agreement.py, and
ajv runs once over each batch of them (tools/ajv/verdicts.js), not once per request.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import together_catalog as tc
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pydantic import TypeAdapter, ValidationError
from together_catalog.testing import invalid_finetune_requests, valid_finetune_requests

from catalog.contents import Catalog
from codegen import schemas
from tests.conftest import ROOT
from tests.runtime.test_runtime_agreement import (
    EDGES,
    QWEN,
    SYNTHETIC,
    as_json_request,
    boundary_requests,
    synthetic,  # noqa: F401 (a fixture, used by name)
)

NODE_DIR = ROOT / ".cache" / "node"
AJV_CLI = NODE_DIR / "node_modules" / ".bin" / "ajv"
TOOLS = ROOT / "tools" / "ajv"
VERDICTS = TOOLS / "verdicts.js"
#: What the ajv command is told: JSON Schema 2020-12, and the formats catalog.schema.json uses
#: (`date`) from ajv-formats; `--strict=true` (every strict-mode finding an error) is added.
AJV_ARGS = ("--spec=draft2020", "-c", "ajv-formats")
T = TypeVar("T")
DOCUMENT = TypeAdapter(schemas.CatalogDocument)


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary (the dev extras' in .venv, else one on PATH), with ajv installed and
    current; without node this skips, saying why, and fails under CI."""
    beside = Path(sys.executable).with_name("node")
    path = str(beside) if beside.exists() else shutil.which("node")
    if path is None:
        message = "no node in .venv or on PATH: the ajv checks need node (make setup installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    installed = NODE_DIR / "package-lock.json"
    if not AJV_CLI.exists() or not installed.exists():
        pytest.fail(f"ajv is not installed in {NODE_DIR}: run make ajv")
    if installed.read_bytes() != (TOOLS / "package-lock.json").read_bytes():
        pytest.fail(f"{NODE_DIR} holds another ajv than tools/ajv/package-lock.json: run make ajv")
    return path


@pytest.fixture(scope="module")
def rendered(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two schemas and catalog.json, rendered from the committed catalog into files."""
    out = tmp_path_factory.mktemp("ajv")
    docs = {
        "catalog.schema.json": schemas.catalog_schema(),
        "finetune-request.schema.json": schemas.finetune_request_schema(catalog),
        "catalog.json": schemas.catalog_document(catalog),
    }
    paths = {}
    for name, doc in docs.items():
        paths[name] = out / name
        paths[name].write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
    return paths


def ajv_cli(node: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, AJV_CLI, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def ajv_verdicts(node: str, schema: Path | dict[str, Any], instances: list[Any]) -> list[str]:
    """ajv's verdict on each instance ("valid", or "invalid" and its first error), one run.

    verdicts.js compiles the schema in strict mode and logs to stderr, required empty here."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "instances.json"
        data.write_text(json.dumps(instances, allow_nan=False), encoding="utf-8")
        if isinstance(schema, dict):
            path = Path(tmp) / "schema.json"
            path.write_text(json.dumps(schema), encoding="utf-8")
            schema = path
        env = {**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules")}
        run = subprocess.run(
            [node, VERDICTS, schema, data],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
    assert run.returncode == 0 and not run.stderr, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(instances)
    return lines


# --- the schemas compile in strict mode, with nothing logged -------------------------------


@pytest.mark.parametrize("name", ["catalog.schema.json", "finetune-request.schema.json"])
def test_schema_compiles_strict_without_warnings(
    node: str, rendered: dict[str, Path], name: str
) -> None:
    """`--strict=true` makes the first strict-mode finding an error; on a failure ajv runs
    again with `--strict=log`, which lists every finding, for the message."""
    run = ajv_cli(node, "compile", *AJV_ARGS, "--strict=true", "-s", rendered[name])
    if run.returncode != 0 or run.stderr:
        log = ajv_cli(node, "compile", *AJV_ARGS, "--strict=log", "-s", rendered[name]).stderr
        pytest.fail(f"{run.stdout}{run.stderr}\n{log.count(chr(10))} findings:\n{log}")
    assert run.stdout.strip() == f"schema {rendered[name]} is valid"


def test_schemas_use_only_standard_keywords(rendered: dict[str, Path]) -> None:
    """No pydantic or OpenAPI keyword survives (ajv says so too; this names the keyword)."""
    text = rendered["catalog.schema.json"].read_text(encoding="utf-8")
    assert '"discriminator"' not in text
    assert '"oneOf"' in text  # the union the discriminator annotated is still there


# --- catalog.json --------------------------------------------------------------------------


def test_catalog_json_validates(node: str, rendered: dict[str, Path], root: Path) -> None:
    """The document rendered from the catalog, and generated/data/catalog.json as committed."""
    data = [rendered["catalog.json"], root / "generated/data/catalog.json"]
    schema = rendered["catalog.schema.json"]
    args = [a for d in data for a in ("-d", d)]
    run = ajv_cli(node, "validate", *AJV_ARGS, "--strict=true", "-s", schema, *args)
    assert run.returncode == 0 and run.stderr == "", run.stdout + run.stderr
    assert run.stdout.splitlines() == [f"{d} valid" for d in data]


def _mutations(doc: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """catalog.json with the first table of each kind broken in a way the union must catch."""
    first = {t["kind"]: i for i, t in reversed(list(enumerate(doc["tables"])))}
    kinds = set(first)
    for index in sorted(first.values()):
        table = doc["tables"][index]
        others = sorted(kinds - {table["kind"]})
        changes: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
            ("kind bogus", lambda t: t.update(kind="bogus")),
            ("kind absent", lambda t: t.pop("kind")),
            ("extra key", lambda t: t.update(extra=1)),
            ("rows not a list", lambda t: t.update(rows={})),
            *((f"kind {k}", lambda t, k=k: t.update(kind=k)) for k in others),
        ]
        for label, change in changes:
            broken = copy.deepcopy(doc)
            change(broken["tables"][index])
            yield f"table {index} ({table['kind']}): {label}", broken


def test_catalog_schema_union_keeps_pydantics_verdict(node: str, rendered: dict[str, Path]) -> None:
    """Without `discriminator`, the oneOf still tells the table kinds apart: ajv, jsonschema
    and pydantic (the model the schema comes from) reject every broken table, and accept the
    real document."""
    doc = json.loads(rendered["catalog.json"].read_text(encoding="utf-8"))
    cases = [("as rendered", doc), *_mutations(doc)]
    verdicts = ajv_verdicts(node, rendered["catalog.schema.json"], [d for _, d in cases])
    python = Draft202012Validator(json.loads(rendered["catalog.schema.json"].read_text()))
    for (label, case), verdict in zip(cases, verdicts, strict=True):
        try:
            DOCUMENT.validate_json(json.dumps(case))
            pydantic_ok = True
        except ValidationError:
            pydantic_ok = False
        found = (verdict == "valid", bool(python.is_valid(case)), pydantic_ok)
        assert found == (label == "as rendered",) * 3, f"{label}: ajv {verdict}, {found}"
    assert len(cases) >= 13


# --- ajv's verdicts on requests are the Python validator's ---------------------------------


def draw(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """`count` examples of a strategy (fewer if it has fewer), drawn by Hypothesis."""
    found: list[T] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: T) -> None:
        found.append(example)

    collect()
    return found


def json_safe(request: dict[str, Any]) -> bool:
    """A request JSON can carry (no bytes, inf or nan) and JavaScript reads back exactly."""
    try:
        json.dumps(request, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return all(
        not isinstance(v, int) or isinstance(v, bool) or abs(v) <= 2**53 for v in request.values()
    )


def assert_ajv_agrees(
    node: str, schema: Path | dict[str, Any], requests: list[dict[str, Any]]
) -> int:
    """Run ajv once over every request and compare with check_finetune_request; the number of
    requests ajv found valid."""
    verdicts = ajv_verdicts(node, schema, [as_json_request(r) for r in requests])
    wrong = []
    for request, verdict in zip(requests, verdicts, strict=True):
        found = [v.code for v in tc.check_finetune_request(**request)]
        if (verdict == "valid") != (not found):
            wrong.append(f"ajv: {verdict}; Python: {found or 'valid'}; {request!r}")
    assert not wrong, f"{len(wrong)} of {len(requests)} disagree:\n" + "\n".join(wrong[:20])
    return verdicts.count("valid")


def test_ajv_agrees_on_generated_requests(
    node: str, rendered: dict[str, Path], catalog: Catalog
) -> None:
    """Hypothesis' valid and invalid requests, the agreement tests' edges, its sweep of every
    row's bounds +-1, and each catalog id, current or retired, with and without lora=False."""
    valid = draw(valid_finetune_requests(), 200)
    invalid = [t.request for t in draw(invalid_finetune_requests(), 300)]
    retired = sorted({r.model for t in catalog.tables.values() for r in t.retired})
    ids = [*tc.all_model_ids(), *retired, "nope/nope", ""]
    known = [{"model": m, "lora": lora} for m in ids for lora in (None, False)]
    edges = [{"model": QWEN, **edge} for edge in EDGES]
    sweep = list(boundary_requests())
    requests = [r for r in [*valid, *invalid, *edges, *known, *sweep] if json_safe(r)]
    accepted = assert_ajv_agrees(node, rendered["finetune-request.schema.json"], requests)
    assert len(valid) >= 150 and len(invalid) >= 250
    # Only the draws and edges may hold what JSON cannot carry: the ids and the sweep are sent,
    # and the sweep covers every current LoRA row (so the count follows the catalog's size).
    assert all(json_safe(r) for r in [*known, *sweep])
    swept = {r.get("model") for r in sweep}
    assert all(row.model in swept for row in catalog.lora_index.values())
    assert 0 < accepted < len(requests)


def test_ajv_agrees_on_rank_and_vision_rules(
    node: str,
    synthetic: Draft202012Validator,  # noqa: F811
) -> None:
    """The rules today's tables do not exercise (a Max LoRA rank, a -VLM model), on the
    synthetic catalog of tests/runtime/test_runtime_agreement.py (whose schema, with its
    `lora_r` limit and `-VLM` pattern, compiles strict too)."""
    accepted = assert_ajv_agrees(node, synthetic.schema, SYNTHETIC)
    assert 0 < accepted < len(SYNTHETIC)
