"""The indexed successor rule answers exactly as the plain one, for any table of ids."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.contents import Catalog
from codegen.successors import Successors, successor

#: Pieces that exercise every rule: namespaces (rule 1), versions and sizes (rule 2),
#: dates and variant segments (rule 3), and case (ids compare case aside).
_NAMESPACES = st.sampled_from(["acme", "Acme", "old", "zai-org"])
_PIECES = st.sampled_from(
    [
        *("GLM", "glm", "R1", "Coder", "-", ".", "4", "4.6", "5", "5.1", "8B", "0528"),
        *("20250101", "-tput", "-Turbo", "-free", "-FP8", "-Large", "-V3", "-V3.1", "FLUX.1"),
    ]
)
_IDS = st.builds(
    lambda ns, pieces: f"{ns}/{''.join(pieces)}", _NAMESPACES, st.lists(_PIECES, max_size=4)
)


@settings(max_examples=400, deadline=None)
@given(current=st.lists(_IDS, max_size=12), retired=st.lists(_IDS, min_size=1, max_size=6))
def test_the_index_answers_as_the_rule(current: list[str], retired: list[str]) -> None:
    index = Successors(current)
    for model in retired + current:  # a retired id may also still be listed
        assert index(model) == successor(model, current), (model, current)


def test_the_index_on_the_rule_examples() -> None:
    index = Successors(["acme/GLM-5", "acme/GLM-5.1", "acme/Coder-8B", "other/GLM-6", "acme/R1"])
    assert index("acme/GLM-4.6") == "acme/GLM-5.1"
    assert index("acme/Coder-7B") is None
    assert index("acme/R1-0528-tput") == "acme/R1"
    assert index("old/Coder-8B") == "acme/Coder-8B"
    assert Successors(["acme/GLM-5", "acme/glm-5"])("acme/GLM-4.6") is None  # a tie


def test_the_index_agrees_on_the_catalog(catalog: Catalog) -> None:
    checked = 0
    for table in catalog.tables.values():
        current = [row.model for row in table.rows]
        index = Successors(current)
        for row in table.retired:
            assert index(row.model) == successor(row.model, current), (table.table, row.model)
            checked += 1
    assert checked > 200  # the real history retires hundreds of rows
