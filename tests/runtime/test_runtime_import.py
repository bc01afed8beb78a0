"""`import together_catalog` stays light: stdlib only, no optional or maintainer dependency."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("hypothesis", "pydantic", "jinja2", "jsonschema", "ruamel", "markdown_it", "difflib")

PROBE = f"""
import json, sys
import together_catalog
from together_catalog import cli, validate
together_catalog.check_finetune_request("Qwen/Qwen3.5-9B", batch_size=8)
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


#: Standard-library modules that cost most of the 20 ms import budget; `import together_catalog`
#: must not load them (typing only on first use of a `Literal` alias).
BUDGET_MODULES = ("typing", "dataclasses", "inspect", "re", "ast", "collections")

#: A comma-separated line of the budget modules loaded so far (json is not imported before the
#: end: it loads `re` itself).
LOADED = f"print(','.join(m for m in {BUDGET_MODULES!r} if m in sys.modules))"


def _lines(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_import_loads_neither_typing_nor_dataclasses_inspect_or_re() -> None:
    # What the interpreter loads by itself (site, .pth files) is not the package's doing.
    (baseline,) = _lines(f"import sys\n{LOADED}")
    probe = (
        f"import sys\n{LOADED}\n"
        "import together_catalog\n"
        "from together_catalog import check_finetune_request\n"
        "check_finetune_request('Qwen/Qwen3.5-9B', batch_size=10**6, max_seq_length=10**7)\n"
        "together_catalog.finetune_limits('Qwen/Qwen3.5-9B')\n"
        f"{LOADED}\n"
        "from together_catalog import LoraModelId\n"
        f"{LOADED}\n"
        "import typing\n"
        "print(len(typing.get_args(LoraModelId)), len(together_catalog.lora_models()))\n"
    )
    before, after_import, after_alias, counts = _lines(probe)
    assert before == baseline
    assert after_import == before, f"import together_catalog loaded: {after_import}"
    assert "typing" in after_alias.split(",")  # the alias is real, imported on first use
    members, rows = map(int, counts.split())
    assert members == rows > 0


def test_lazy_aliases_are_served_cached_and_listed() -> None:
    import together_catalog as tc
    from together_catalog import _aliases, _ids, _records, lookup, validate

    # Every generated id family, including one for a serverless category added later, is
    # exported: the hand-written lazy table must not drift from the generated module.
    for name in _ids.__all__:
        assert getattr(tc, name) is getattr(_ids, name)
        assert name in tc.__all__ and name in dir(tc)
    assert tc.FineTuneMethod is lookup.FineTuneMethod is _aliases.FineTuneMethod
    assert _records.FineTuneMethod is _aliases.FineTuneMethod  # type: ignore[attr-defined]
    assert validate.TrainingMethod is _aliases.TrainingMethod
    assert "FineTuneMethod" in vars(tc)  # cached after first access: __getattr__ runs once
    for module in (tc, lookup, validate, _records):
        with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
            _ = module.NoSuchName
    missing = [name for name in tc.__all__ if not hasattr(tc, name)]
    assert missing == []


def test_star_import_includes_the_lazy_aliases() -> None:
    (names,) = _lines(
        "from together_catalog import *\n"
        "print(','.join(n for n in ('CODES', 'FineTuneMethod', 'LoraModelId') if n in globals()))"
    )
    assert names == "CODES,FineTuneMethod,LoraModelId"
