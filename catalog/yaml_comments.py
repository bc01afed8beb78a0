"""Editing round-trip YAML rows and keys so every comment stays above what it describes.

A comment line in a catalog file describes the row or key below it:

    rows:
      # About R1: the docs round its context length.     <- above row 0 (the "head")
      - model: deepseek-ai/DeepSeek-R1
        context_length: 128000  # was 131072              <- end of line: stays with its key
        # Written by hand.                                <- above `note:`
        note: kept
      # About V3.                                         <- above row 1
      - model: deepseek-ai/DeepSeek-V3

ruamel.yaml (0.18) does not store a comment with what it describes: it hangs each one on the
token before it. For the shapes catalog files use (a top-level mapping whose `rows:` is a
block list of mappings holding scalars and flow-style lists), comments live in:

- `mapping.ca.items[key][2]`: one CommentToken after `key`'s value. Its text is the
  end-of-line comment (when there is one, starting with "#") and then every full-line comment
  up to the next key; after a row's last key, up to the next row (the row's "tail").
- `doc.ca.items["rows"][3]`: the tokens between `rows:` and the first row (the "head").
  ruamel keeps a copy in `doc["rows"].ca.comment[1]`; the dumper writes the former.
- `seq.ca.items[i][1]`: tokens "before item i". ruamel files a comment here, instead of in
  row i - 1's tail, when row i - 1 ends in a flow-style list (`na: [x]`).
  `normalise_row_comments` moves these to the tail or the head, so that the comments above
  row i are always in one place: the tail of row i - 1, or the head when i is 0.
- `seq.ca.end`: comments after the last row when it ends in a flow-style list. They stay at
  the end of the list, whatever the edits (the dumper writes them only while
  `seq.ca.comment` is a list, so the head's copy there is cleared, never the list).
- `doc.ca.comment`: the comments at the top of the file; nothing here touches them.

So the comments above a row belong, in ruamel's structure, to the row above it, and the
comments above a key to the key above that one. Deleting, inserting or moving a row or a key
changes which entry precedes the same text, so every edit here hands those comments on to the
entry that now precedes the row or key they describe: comments follow the row below them.
End-of-line comments stay with their key. A deleted row's comments are returned to the caller
(`delete_row`), who drops them or puts them back above the row elsewhere (`move_row`).

Rows must be non-empty mappings whose values are scalars or flow-style lists, as catalog rows
are: a block-style nested value would hold the row's tail inside itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

__all__ = [
    "delete_key",
    "delete_row",
    "flow",
    "flow_value",
    "insert_key",
    "insert_row",
    "move_row",
    "normalise_row_comments",
    "row_map",
]


def flow(items: list[Any]) -> CommentedSeq:
    """A YAML list written inline (`[a, b]`), as catalog rows hold their lists."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def flow_value(value: Any) -> Any:
    """A row's value as catalog rows hold it: a list written inline (`flow`), else as is."""
    return flow(value) if isinstance(value, list) else value


def row_map(values: Mapping[str, Any]) -> CommentedMap:
    """A new row of `values`, in order, its lists written inline."""
    out = CommentedMap()
    for key, value in values.items():
        out[key] = flow_value(value)
    return out


# --- keys: the comments above key k sit after the key before k ---------------------------


def _split(text: str) -> tuple[str, str]:
    """(end-of-line comment, following full-line comments) of a comment token's text."""
    if text.startswith("#"):
        eol, _, rest = text.partition("\n")
        return eol, rest
    return "", text[1:] if text.startswith("\n") else text


def _take_below(mapping: CommentedMap, key: Any) -> str:
    """Detach the full-line comments that follow `key` (its end-of-line comment stays)."""
    entry = mapping.ca.items.get(key)
    if not entry or len(entry) < 3 or entry[2] is None:
        return ""
    eol, rest = _split(entry[2].value)
    if eol:
        entry[2].value = eol + "\n"
    else:
        entry[2] = None
    return rest


def _give_below(mapping: CommentedMap, key: Any, rest: str) -> None:
    """Attach full-line comments after `key`, replacing any it had (its end-of-line comment
    stays)."""
    if not rest:
        return
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    if entry[2] is None:
        entry[2] = CommentToken("\n" + rest, CommentMark(0), None)
    else:  # the same token: its column is where the end-of-line comment is written
        entry[2].value = _split(entry[2].value)[0] + "\n" + rest


def insert_key(mapping: CommentedMap, index: int, key: str, value: Any) -> None:
    """Insert `key` at position `index`; the comments that were above the key now at
    `index + 1` stay above that key (the new key takes none).

    At index 0 the comments above the mapping (outside it) end up above the new first key.
    """
    if key in mapping:
        raise ValueError(f"key {key!r} is already in the mapping")
    keys = list(mapping)
    displaced = _take_below(mapping, keys[index - 1]) if index > 0 else ""
    mapping.insert(index, key, value)
    _give_below(mapping, key, displaced)


def delete_key(mapping: CommentedMap, key: str) -> str:
    """Remove `key` with the comments above it and its end-of-line comment; the comments above
    the key after it stay above that key. Returns "", or, when `key` was the first key, the
    comments that were below it: no line inside the mapping is above its new first key, so
    the caller places them (above the row) or drops them.
    """
    keys = list(mapping)
    at = keys.index(key)
    rest = _take_below(mapping, key)
    del mapping[key]
    if at == 0:
        return rest
    _take_below(mapping, keys[at - 1])  # it described the removed key
    _give_below(mapping, keys[at - 1], rest)
    return ""


# --- rows: the comments above row i sit in row i - 1's tail, or in the head ------------------


def _take_tail(row: Any) -> str:
    """The comments that follow a row (they sit after its last key)."""
    if isinstance(row, CommentedMap) and row:
        return _take_below(row, next(reversed(row)))
    return ""


def _give_tail(row: Any, rest: str) -> None:
    if isinstance(row, CommentedMap) and row:
        _give_below(row, next(reversed(row)), rest)


def _take_head(doc: CommentedMap, rows_key: str) -> str:
    """The comment lines between `rows:` and the first row, in tail form (indented lines)."""
    entry = doc.ca.items.get(rows_key)
    tokens = entry[3] if entry and len(entry) > 3 else None
    if not tokens:
        return ""
    entry[3] = None
    # ruamel keeps a copy in the list's own comment; clear the copy, not the list that holds
    # it, which the dumper extends with `seq.ca.end` (dropped when there is no list).
    copy = doc[rows_key].ca.comment
    if copy:
        copy[1] = None
    return _indented(tokens)


def _indented(tokens: list[CommentToken]) -> str:
    """Comment tokens as text in tail form: each line with its indentation (blank lines bare)."""
    return "".join(" " * t.column + t.value if t.value.strip() else t.value for t in tokens)


def _give_head(doc: CommentedMap, rows_key: str, rest: str) -> None:
    if not rest:
        return
    text = rest.lstrip(" ")
    entry = doc.ca.items.setdefault(rows_key, [None, None, None, None])
    entry[3] = [CommentToken(text, CommentMark(len(rest) - len(text)), None)]


def _take_above(doc: CommentedMap, index: int, rows_key: str) -> str:
    """Detach the comments above row `index` (row `index - 1`'s tail, or the head)."""
    if index > 0:
        return _take_tail(doc[rows_key][index - 1])
    return _take_head(doc, rows_key)


def _give_above(doc: CommentedMap, index: int, rows_key: str, text: str) -> None:
    if index > 0:
        _give_tail(doc[rows_key][index - 1], text)
    else:
        _give_head(doc, rows_key, text)


def normalise_row_comments(doc: CommentedMap, rows_key: str = "rows") -> None:
    """Move the comments ruamel filed as "before row i" (it does so after a flow-style value)
    to the tail of row i - 1, or the head, where the row functions here look for them.

    Call it once on a freshly loaded document, before the first row edit; the dumped text
    does not change.
    """
    seq: CommentedSeq = doc[rows_key]
    for index in sorted(seq.ca.items):
        entry = seq.ca.items[index]
        tokens = entry[1] if len(entry) > 1 else None
        if not tokens or index >= len(seq):
            continue
        entry[1] = None
        if not any(entry):
            del seq.ca.items[index]
        _give_above(doc, index, rows_key, _take_above(doc, index, rows_key) + _indented(tokens))


def delete_row(doc: CommentedMap, index: int, rows_key: str = "rows") -> tuple[Any, str]:
    """Remove row `index`: the comments above the next row stay above it. Returns the row and
    the comments that were above it (detached: the caller drops them or reattaches them)."""
    seq = doc[rows_key]
    row = seq[index]
    tail = _take_tail(row)
    del seq[index]
    before = _take_above(doc, index, rows_key)
    _give_above(doc, index, rows_key, tail)
    return row, before


def insert_row(
    doc: CommentedMap, index: int, row: CommentedMap, above: str = "", rows_key: str = "rows"
) -> None:
    """Insert `row` at `index` with the comments `above` it (as `delete_row` returns them);
    the comments above the row it displaces stay above that row."""
    if not isinstance(row, CommentedMap) or not row:
        raise ValueError("a row is a non-empty CommentedMap (it holds the next row's comments)")
    seq = doc[rows_key]
    displaced = _take_above(doc, index, rows_key)
    seq.insert(index, row)
    _give_tail(row, displaced)
    _give_above(doc, index, rows_key, above)


def move_row(doc: CommentedMap, old: int, new: int, rows_key: str = "rows") -> None:
    """Move row `old` to position `new` (counted after its removal), with the comments above
    it; the comments above every other row stay above that row."""
    row, above = delete_row(doc, old, rows_key)
    insert_row(doc, new, row, above, rows_key)
