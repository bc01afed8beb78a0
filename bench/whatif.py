"""Proposed fixes, measured without changing the project, so results can show before/after.

`python -m bench.whatif CLI-ARGS...` runs `python -m codegen` with a faster read-only YAML
loader. (The validator's indexed long-context suggestion, measured here first, has shipped:
together_catalog.validate groups the rows by family on first use.)

The loader: `check` and `generate` only read the catalog, yet load it through the
round-trip loader that reconcile needs to keep comments; ruamel's pure-Python round-trip
scanner is the largest cost of both stages at every size. Here `codegen.yamlio.load` is
swapped for ruamel's `typ="safe"` loader (plain dicts, no comment tracking). A real fix
would keep the round-trip load for error locations (re-reading a file only when it fails
validation) and keep refusing anchors and aliases.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from codegen import yamlio


def _safe_load(path: Path) -> Any:
    return YAML(typ="safe").load(yamlio.read_text(path))


def main(argv: list[str]) -> int:
    yamlio.load = _safe_load
    from codegen.__main__ import main as codegen_main

    return codegen_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
