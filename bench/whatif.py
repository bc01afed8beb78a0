"""Proposed fixes, measured without changing the project, so results can show before/after.

`python -m bench.whatif CLI-ARGS...` runs `python -m codegen` with a faster read-only YAML
loader; `indexed_longer_context` is a drop-in for the validator's long-context suggestion.

The loader: `check` and `generate` only read the catalog, yet load it through the
round-trip loader that reconcile needs to keep comments; ruamel's pure-Python round-trip
scanner is the largest cost of both stages at every size. Here `codegen.yamlio.load` is
swapped for ruamel's `typ="safe"` loader (plain dicts, no comment tracking). A real fix
would keep the round-trip load for error locations (re-reading a file only when it fails
validation) and keep refusing anchors and aliases.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ruamel.yaml import YAML

from codegen import yamlio


def _safe_load(path: Path) -> Any:
    return YAML(typ="safe").load(yamlio.read_text(path))


LongerContext = Callable[..., "str | None"]


def indexed_longer_context(validate: ModuleType) -> LongerContext:
    """`together_catalog.validate._longer_context` with the id families indexed once.

    The validator used to call `family_key` on every LoRA and long-context row each time a
    request exceeded its context length (O(rows) per violation); grouping the rows by family
    key on first use makes it O(rows in the family). Candidate order is unchanged (LoRA rows,
    then long-context rows, in docs order), so the sorted answer is the same. The shipped
    validator now does this itself (and also caches each id's family), so this proposal is
    kept only as a cross-check: bench.micro asserts it answers as the shipped one does.
    """
    families: dict[str, list[Any]] = {}
    family_key = validate.family_key
    for rows in (validate.LORA, validate.LORA_LONG_CONTEXT):
        for other, row in rows.items():
            families.setdefault(family_key(other), []).append(row)

    def longer_context(model: str, method: str, length: int, *, lora_job: bool) -> str | None:
        column = "context_length_sft" if method == "sft" else "context_length_dpo"
        candidates = [
            row
            for row in families.get(family_key(model), ())
            if not (lora_job and row.model == model) and getattr(row, column) >= length
        ]
        if not candidates:
            return None
        candidates.sort(key=lambda r: (r.model != model, getattr(r, column)))
        result: str = candidates[0].model
        return result

    return longer_context


def main(argv: list[str]) -> int:
    yamlio.load = _safe_load
    from codegen.__main__ import main as codegen_main

    return codegen_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
