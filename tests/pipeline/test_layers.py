"""The architecture the folder names promise: catalog/ at the bottom, scrapers/ and codegen/
on top of it, no import cycles, and no hand-written module too long to read in one sitting.

Read from the sources with `ast` (nothing is imported), so a lazy import inside a function
counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

LAYERS = ("catalog", "scrapers", "codegen")
#: Which layers each layer may import (itself included).
ALLOWED = {
    "catalog": {"catalog"},
    "scrapers": {"catalog", "scrapers"},
    # The generator reads its docs output back through the scraper's public parser (its
    # self-check); the scraper never imports codegen, so the edge runs one way.
    "codegen": {"catalog", "codegen", "scrapers"},
}
MAX_LINES = 400


def _modules() -> Iterator[tuple[str, Path]]:
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel.parts[:2] == ("codegen", "runtime"):
                continue  # the runtime package's sources: they import together_catalog only
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _imports(name: str, path: Path) -> set[str]:
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = dict(_modules())
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(name, path) if m in modules and m != name}
    return graph


def test_layers_import_only_downwards() -> None:
    wrong = []
    for module, targets in _graph().items():
        layer = module.split(".")[0]
        for target in sorted(targets):
            if target.split(".")[0] not in ALLOWED[layer]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_graph_sees_real_imports() -> None:
    """Guard against a reader that finds nothing: known edges must be there."""
    graph = _graph()
    assert "catalog.models" in graph["catalog.load"]
    assert "catalog.columns" in graph["catalog.models"]
    assert any(t.startswith("catalog.") for t in graph["scrapers.reconcile"])


def test_no_hand_written_module_is_over_the_limit() -> None:
    long = []
    for folder in (*LAYERS, "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert long == []
