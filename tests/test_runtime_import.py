"""`import together_catalog` stays light: stdlib only, no optional or maintainer dependency."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("hypothesis", "pydantic", "jinja2", "jsonschema", "ruamel", "markdown_it", "difflib")

PROBE = f"""
import json, sys
import together_catalog
from together_catalog import cli, validate
together_catalog.check_finetune_request("Qwen/Qwen3-8B", batch_size=8)
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def test_import_pulls_in_no_heavy_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_testing_module_is_the_one_that_imports_hypothesis() -> None:
    probe = "import sys, together_catalog.testing; print('hypothesis' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


def test_testing_without_hypothesis_says_how_to_install() -> None:
    probe = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n"
        "    import together_catalog.testing\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "pip install 'together-catalog[testing]'" in result.stdout
