"""catalog.yaml_comments: rows and keys inserted, deleted and moved keep every comment above the
row or key it describes and every end-of-line comment on its key; the rest of the text is
unchanged, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
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
    row_map,
)

# Row b ends in a flow list, so ruamel files the comment above c as "before item 2" of the
# list rather than in b's tail; the comment at the end follows a row ending in a scalar.
DOC = """\
# The top of the file.
table: t
rows:
  # About a.
  - model: a
    size: 1  # end of a's line
  # About b, line 1.
  # About b, line 2.
  - model: b
    tags: [x, y]
  # About c.
  - model: c
    size: 3
# The end.
"""


def load(text: str) -> CommentedMap:
    doc: CommentedMap = yamlio.loads(text)
    normalise_row_comments(doc)
    return doc


def new_row(model: str, **values: Any) -> CommentedMap:
    return row_map({"model": model, **values})


def test_normalising_changes_no_text_and_files_comments_above_rows_in_one_place() -> None:
    raw = yamlio.loads(DOC)
    assert raw["rows"].ca.items  # the comment above c, filed "before item 2"
    doc = load(DOC)
    assert not doc["rows"].ca.items
    assert yamlio.dumps(doc) == DOC


def test_flow_lists_are_written_inline() -> None:
    assert yamlio.dumps(CommentedMap(tags=flow(["a", "b"]))) == "tags: [a, b]\n"


# --- rows ------------------------------------------------------------------------------------


def test_delete_row_takes_its_comments_and_leaves_the_next_rows() -> None:
    doc = load(DOC)
    row, above = delete_row(doc, 1)
    assert row["model"] == "b"
    assert above == "  # About b, line 1.\n  # About b, line 2.\n"
    assert yamlio.dumps(doc) == (
        "# The top of the file.\n"
        "table: t\n"
        "rows:\n"
        "  # About a.\n"
        "  - model: a\n"
        "    size: 1  # end of a's line\n"
        "  # About c.\n"
        "  - model: c\n"
        "    size: 3\n"
        "# The end.\n"
    )


def test_delete_first_row_leaves_the_next_rows_comments_under_rows() -> None:
    doc = load(DOC)
    row, above = delete_row(doc, 0)
    assert (row["model"], above) == ("a", "  # About a.\n")
    assert yamlio.dumps(doc) == (
        "# The top of the file.\n"
        "table: t\n"
        "rows:\n"
        "  # About b, line 1.\n"
        "  # About b, line 2.\n"
        "  - model: b\n"
        "    tags: [x, y]\n"
        "  # About c.\n"
        "  - model: c\n"
        "    size: 3\n"
        "# The end.\n"
    )


def test_delete_last_row_keeps_the_comment_at_the_end() -> None:
    doc = load(DOC)
    row, above = delete_row(doc, 2)
    assert (row["model"], above) == ("c", "  # About c.\n")
    assert yamlio.dumps(doc) == (
        "# The top of the file.\n"
        "table: t\n"
        "rows:\n"
        "  # About a.\n"
        "  - model: a\n"
        "    size: 1  # end of a's line\n"
        "  # About b, line 1.\n"
        "  # About b, line 2.\n"
        "  - model: b\n"
        "    tags: [x, y]\n"
        "# The end.\n"
    )


def test_insert_first_row_with_a_comment_above_it() -> None:
    doc = load(DOC)
    insert_row(doc, 0, new_row("new", size=0), "  # About new.\n")
    assert yamlio.dumps(doc) == (
        "# The top of the file.\n"
        "table: t\n"
        "rows:\n"
        "  # About new.\n"
        "  - model: new\n"
        "    size: 0\n"
        "  # About a.\n"
        "  - model: a\n"
        "    size: 1  # end of a's line\n"
        "  # About b, line 1.\n"
        "  # About b, line 2.\n"
        "  - model: b\n"
        "    tags: [x, y]\n"
        "  # About c.\n"
        "  - model: c\n"
        "    size: 3\n"
        "# The end.\n"
    )


def test_insert_row_without_comment_leaves_the_displaced_rows_comment_above_it() -> None:
    doc = load(DOC)
    insert_row(doc, 2, new_row("new", tags=["z"]))
    assert yamlio.dumps(doc) == (
        "# The top of the file.\n"
        "table: t\n"
        "rows:\n"
        "  # About a.\n"
        "  - model: a\n"
        "    size: 1  # end of a's line\n"
        "  # About b, line 1.\n"
        "  # About b, line 2.\n"
        "  - model: b\n"
        "    tags: [x, y]\n"
        "  - model: new\n"
        "    tags: [z]\n"
        "  # About c.\n"
        "  - model: c\n"
        "    size: 3\n"
        "# The end.\n"
    )


def test_insert_last_row_keeps_the_comment_at_the_end() -> None:
    doc = load(DOC)
    insert_row(doc, 3, new_row("new", size=4), "  # About new.\n")
    assert yamlio.dumps(doc).endswith(
        "  # About c.\n"
        "  - model: c\n"
        "    size: 3\n"
        "  # About new.\n"
        "  - model: new\n"
        "    size: 4\n"
        "# The end.\n"
    )


def test_move_row_carries_its_comments_and_its_end_of_line_comment() -> None:
    doc = load(DOC)
    move_row(doc, 0, 2)
    assert yamlio.dumps(doc) == (
        "# The top of the file.\n"
        "table: t\n"
        "rows:\n"
        "  # About b, line 1.\n"
        "  # About b, line 2.\n"
        "  - model: b\n"
        "    tags: [x, y]\n"
        "  # About c.\n"
        "  - model: c\n"
        "    size: 3\n"
        "  # About a.\n"
        "  - model: a\n"
        "    size: 1  # end of a's line\n"
        "# The end.\n"
    )


@pytest.mark.parametrize(("old", "new"), [(o, n) for o in range(3) for n in range(3) if o != n])
def test_move_row_and_back_gives_back_the_text(old: int, new: int) -> None:
    doc = load(DOC)
    move_row(doc, old, new)
    models = ["a", "b", "c"]
    models.insert(new, models.pop(old))
    assert [r["model"] for r in doc["rows"]] == models
    move_row(doc, new, old)
    assert yamlio.dumps(doc) == DOC


def test_comments_above_the_first_row_keep_each_lines_indentation_and_blank_lines() -> None:
    text = (
        "rows:\n"
        "  # About a, line 1.\n"
        "\n"
        "  # About a, line 2.\n"
        "  - model: a\n"
        "    size: 1\n"
        "  - model: b\n"
        "    size: 2\n"
    )
    doc = load(text)
    move_row(doc, 0, 1)
    assert yamlio.dumps(doc) == (
        "rows:\n"
        "  - model: b\n"
        "    size: 2\n"
        "  # About a, line 1.\n"
        "\n"
        "  # About a, line 2.\n"
        "  - model: a\n"
        "    size: 1\n"
    )
    move_row(doc, 1, 0)
    assert yamlio.dumps(doc) == text


def test_comment_after_a_last_row_ending_in_a_flow_list_stays_when_the_first_row_goes() -> None:
    # ruamel keeps that comment on the list itself, and writes it only beside the copy of the
    # comments above the first row.
    text = "rows:\n  # About a.\n  - model: a\n  - model: b\n    tags: [x]\n# The end.\n"
    doc = load(text)
    delete_row(doc, 0)
    assert yamlio.dumps(doc) == "rows:\n  - model: b\n    tags: [x]\n# The end.\n"


def test_insert_row_refuses_a_row_that_cannot_hold_comments() -> None:
    doc = load(DOC)
    with pytest.raises(ValueError, match="non-empty CommentedMap"):
        insert_row(doc, 0, CommentedMap())
    assert yamlio.dumps(doc) == DOC


# --- keys ------------------------------------------------------------------------------------

ROW = """\
rows:
  - model: a
    size: 1  # end of size's line
    # About tags.
    tags: [x]
    # About the note.
    note: hand-written
  # About b.
  - model: b
"""


def test_insert_key_leaves_the_displaced_keys_comment_above_it() -> None:
    doc = load(ROW)
    insert_key(doc["rows"][0], 2, "footnotes", flow(["size"]))
    assert yamlio.dumps(doc) == (
        "rows:\n"
        "  - model: a\n"
        "    size: 1  # end of size's line\n"
        "    footnotes: [size]\n"
        "    # About tags.\n"
        "    tags: [x]\n"
        "    # About the note.\n"
        "    note: hand-written\n"
        "  # About b.\n"
        "  - model: b\n"
    )


def test_insert_key_last_leaves_the_next_rows_comment_above_it() -> None:
    doc = load(ROW)
    insert_key(doc["rows"][0], 4, "extra", 5)
    assert yamlio.dumps(doc) == (
        "rows:\n"
        "  - model: a\n"
        "    size: 1  # end of size's line\n"
        "    # About tags.\n"
        "    tags: [x]\n"
        "    # About the note.\n"
        "    note: hand-written\n"
        "    extra: 5\n"
        "  # About b.\n"
        "  - model: b\n"
    )


def test_delete_key_takes_its_comments_and_leaves_the_next_keys() -> None:
    doc = load(ROW)
    assert delete_key(doc["rows"][0], "tags") == ""
    assert yamlio.dumps(doc) == (
        "rows:\n"
        "  - model: a\n"
        "    size: 1  # end of size's line\n"
        "    # About the note.\n"
        "    note: hand-written\n"
        "  # About b.\n"
        "  - model: b\n"
    )


def test_delete_key_takes_its_end_of_line_comment() -> None:
    doc = load(ROW)
    assert delete_key(doc["rows"][0], "size") == ""
    assert yamlio.dumps(doc) == (
        "rows:\n"
        "  - model: a\n"
        "    # About tags.\n"
        "    tags: [x]\n"
        "    # About the note.\n"
        "    note: hand-written\n"
        "  # About b.\n"
        "  - model: b\n"
    )


def test_delete_last_key_leaves_the_next_rows_comment_above_it() -> None:
    doc = load(ROW)
    assert delete_key(doc["rows"][0], "note") == ""
    assert yamlio.dumps(doc) == (
        "rows:\n"
        "  - model: a\n"
        "    size: 1  # end of size's line\n"
        "    # About tags.\n"
        "    tags: [x]\n"
        "  # About b.\n"
        "  - model: b\n"
    )


def test_delete_first_key_returns_the_comments_it_cannot_place() -> None:
    doc = load("rows:\n  - model: a\n    # About size.\n    size: 1\n")
    assert delete_key(doc["rows"][0], "model") == "    # About size.\n"
    assert yamlio.dumps(doc) == "rows:\n  - size: 1\n"


def test_insert_key_refuses_a_key_already_there() -> None:
    doc = load(ROW)
    with pytest.raises(ValueError, match="'tags' is already"):
        insert_key(doc["rows"][0], 1, "tags", 1)
    assert yamlio.dumps(doc) == ROW
