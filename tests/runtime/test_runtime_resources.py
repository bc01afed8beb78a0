"""`together_catalog.resources`: the data files by name, from an installed wheel's data folder
or, in a checkout or an editable install, from generated/'s folders beside the package.

The package is rendered from the current sources into a temporary folder laid out as
generated/ is, and probed in a subprocess (tests/pipeline/test_wheel.py covers the wheel).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

KNOWN = ["CHANGES.md", "catalog.json", "catalog.schema.json", "finetune-request.schema.json"]

PROBE = """
import json, sys
from together_catalog import resources
report = {"names": list(resources.names()), "paths": {}, "texts": {}, "errors": {}}
for name in [*resources.FILES, "nope.json"]:
    try:
        report["paths"][name] = str(resources.path(name))
        report["texts"][name] = resources.text(name)
    except (KeyError, FileNotFoundError) as exc:
        report["errors"][name] = [type(exc).__name__, isinstance(exc, KeyError), str(exc)]
print(json.dumps(report))
"""


@pytest.fixture
def tree(tmp_path: Path, generated_files: dict[str, str]) -> Path:
    """The generated tree as `generate --out` writes it, without the data changelog."""
    out = tmp_path / "generated"
    for rel, text in generated_files.items():
        if rel == "docs/CHANGES.md":
            continue
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def _probe(tree: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _error(report: dict[str, Any], name: str) -> tuple[str, bool, str]:
    found = report["errors"][name]
    assert isinstance(found, list)
    kind, is_key_error, message = found
    assert isinstance(kind, str) and isinstance(is_key_error, bool) and isinstance(message, str)
    return kind, is_key_error, message


def test_a_checkout_reads_the_generator_folders(tree: Path) -> None:
    report = _probe(tree)
    assert report["names"] == KNOWN[1:]
    assert report["paths"] == {
        "catalog.json": str(tree / "data" / "catalog.json"),
        "catalog.schema.json": str(tree / "schema" / "catalog.schema.json"),
        "finetune-request.schema.json": str(tree / "schema" / "finetune-request.schema.json"),
    }
    for name, path in report["paths"].items():
        assert isinstance(path, str)
        assert report["texts"][name] == Path(path).read_text(encoding="utf-8")


def test_a_known_file_this_build_lacks_is_file_not_found(tree: Path) -> None:
    kind, is_key_error, message = _error(_probe(tree), "CHANGES.md")
    assert (kind, is_key_error) == ("FileNotFoundError", False)
    assert "CHANGES.md is not in this build" in message
    assert str(tree / "docs" / "CHANGES.md") in message


def test_the_changelog_is_served_once_it_exists(tree: Path) -> None:
    (tree / "docs" / "CHANGES.md").write_text("# Data changelog\n", encoding="utf-8")
    report = _probe(tree)
    assert report["names"] == KNOWN
    assert report["texts"]["CHANGES.md"] == "# Data changelog\n"


def test_an_unknown_name_is_a_key_error_naming_the_files(tree: Path) -> None:
    kind, is_key_error, message = _error(_probe(tree), "nope.json")
    assert (kind, is_key_error) == ("UnknownResourceError", True)
    assert message == (
        "'nope.json' is not a together_catalog data file; the files are: " + ", ".join(KNOWN)
    )


def test_the_package_data_folder_comes_first(tree: Path) -> None:
    packaged = tree / "together_catalog" / "data"
    packaged.mkdir()
    (packaged / "catalog.json").write_text("{}\n", encoding="utf-8")
    report = _probe(tree)
    assert report["paths"]["catalog.json"] == str(packaged / "catalog.json")
    assert report["texts"]["catalog.json"] == "{}\n"
    assert report["paths"]["catalog.schema.json"] == str(tree / "schema" / "catalog.schema.json")


def test_the_editable_install_reads_the_repository_generated_folder() -> None:
    from together_catalog import resources

    if not hasattr(resources, "path"):  # pragma: no cover - generated/ older than resources
        pytest.fail("generated/ is stale: run `make generate`")
    assert resources.path("catalog.json") == ROOT / "generated" / "data" / "catalog.json"
    schema = resources.path("finetune-request.schema.json")
    assert schema == ROOT / "generated" / "schema" / "finetune-request.schema.json"


def test_import_together_catalog_does_not_load_resources() -> None:
    probe = "import sys, together_catalog; print('together_catalog.resources' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
