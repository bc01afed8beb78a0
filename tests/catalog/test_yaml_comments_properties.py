"""catalog.yaml_comments, by property: any sequence of row deletes, inserts and moves, or of key
deletes and inserts, gives exactly the text of what remains, every comment still above the row
or key it described and every end-of-line comment on its key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap

from catalog import yamlio
from catalog.yaml_comments import (
    delete_key,
    delete_row,
    flow,
    insert_key,
    insert_row,
    move_row,
    normalise_row_comments,
)


def load(text: str) -> CommentedMap:
    doc: CommentedMap = yamlio.loads(text)
    normalise_row_comments(doc)
    return doc


@dataclass(frozen=True)
class Row:
    name: str
    above: int  # comment lines above the row
    eol: bool  # an end-of-line comment on its `size:`
    flow: bool  # ends in a flow list (ruamel then files the next comment elsewhere)


def render_rows(rows: list[Row]) -> str:
    out = "# The top.\ntable: t\nrows:\n"
    for row in rows:
        out += "".join(f"  # About {row.name} ({n}).\n" for n in range(row.above))
        out += f"  - model: {row.name}\n"
        out += f"    size: 1  # eol {row.name}\n" if row.eol else "    size: 1\n"
        out += f"    tags: [{row.name}]\n" if row.flow else ""
    return out + "# The end.\n"


def above_text(row: Row) -> str:
    return "".join(f"  # About {row.name} ({n}).\n" for n in range(row.above))


def row_map(row: Row) -> CommentedMap:
    out = CommentedMap(model=row.name, size=1)
    if row.flow:
        out["tags"] = flow([row.name])
    return out


def rows_with(name: str, eol: st.SearchStrategy[bool]) -> st.SearchStrategy[Row]:
    return st.builds(Row, st.just(name), st.integers(0, 2), eol, st.booleans())


row_ops = st.lists(
    st.one_of(
        st.tuples(st.just("delete"), st.integers(0, 9)),
        st.tuples(st.just("insert"), st.integers(0, 9), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 9)),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(1, 5).flatmap(
        lambda n: st.tuples(*(rows_with(f"r{i}", st.booleans()) for i in range(n)))
    ),
    ops=row_ops,
)
def test_any_row_edits_keep_every_comment_above_its_row(
    rows: tuple[Row, ...], ops: list[tuple[Any, ...]]
) -> None:
    """Whatever rows are deleted, inserted (with or without comments) and moved, the text is
    exactly the rendering of the rows that remain, each with its own comments."""
    model = list(rows)
    text = render_rows(model)
    doc = load(text)
    assert yamlio.dumps(doc) == text
    for number, (op, *args) in enumerate(ops):
        if op == "delete" and len(model) > 1:
            at = args[0] % len(model)
            row, above = delete_row(doc, at)
            gone = model.pop(at)
            assert (row["model"], above) == (gone.name, above_text(gone))
        elif op == "insert":
            added = Row(f"n{number}", args[1], False, args[2])
            at = args[0] % (len(model) + 1)
            insert_row(doc, at, row_map(added), above_text(added))
            model.insert(at, added)
        elif op == "move":
            old, new = args[0] % len(model), args[1] % len(model)
            move_row(doc, old, new)
            model.insert(new, model.pop(old))
    assert yamlio.dumps(doc) == render_rows(model)


@dataclass(frozen=True)
class Key:
    name: str
    above: bool  # a comment line above the key (never on the first key: that is the row's)
    eol: bool


def render_keys(keys: list[Key]) -> str:
    out = "rows:\n"
    for n, key in enumerate(keys):
        out += f"    # About {key.name}.\n" if key.above else ""
        line = f"{key.name}: 1" + (f"  # eol {key.name}" if key.eol else "")
        out += f"  - {line}\n" if n == 0 else f"    {line}\n"
    return out + "  # About the next row.\n  - model: next\n"


@settings(max_examples=150, deadline=None)
@given(
    keys=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=5),
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("delete"), st.integers(0, 9)),
            st.tuples(st.just("insert"), st.integers(0, 9)),
        ),
        max_size=8,
    ),
)
def test_any_key_edits_keep_every_comment_above_its_key(
    keys: list[tuple[bool, bool]], ops: list[tuple[str, int]]
) -> None:
    """Keys after the first deleted or inserted anywhere: each remaining key keeps the comment
    above it and its end-of-line comment, and the next row keeps its comment."""
    model = [Key("model", False, False)] + [
        Key(f"k{n}", above, eol) for n, (above, eol) in enumerate(keys)
    ]
    text = render_keys(model)
    doc = load(text)
    assert yamlio.dumps(doc) == text
    row = doc["rows"][0]
    for number, (op, at) in enumerate(ops):
        if op == "delete" and len(model) > 1:
            gone = model.pop(1 + at % (len(model) - 1))
            assert delete_key(row, gone.name) == ""
        elif op == "insert":
            at = 1 + at % len(model)
            insert_key(row, at, f"new{number}", 1)
            model.insert(at, Key(f"new{number}", False, False))
    assert yamlio.dumps(doc) == render_keys(model)
