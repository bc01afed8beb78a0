"""Reading and writing catalog YAML without losing comments, key order or hand-written fields.

One configured ruamel.yaml instance is used for both directions, so loading a file and
dumping it again gives back the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog import plain_cache

if TYPE_CHECKING:
    from ruamel.yaml import YAML

# ruamel.yaml (about 25 ms to import) loads on first use: a run whose files all come from
# catalog/plain_cache.py never needs it.

#: Largest catalog file we agree to read; real files are a few tens of KiB.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Deepest nesting of collections a catalog file may have; real files use four levels.
#: ruamel.yaml builds documents recursively: the pure-Python loaders raise RecursionError
#: at a few hundred levels and the C loader crashes the process (SIGSEGV) at about 100,000,
#: which a 200 KB file reaches; so depth is checked before either builds anything.
MAX_DEPTH = 64


class YamlError(Exception):
    """A catalog file that cannot be read; the message names the file and the line."""


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_duplicate_keys = False
    yaml.representer.add_representer(type(None), _represent_null)
    # Rows that share a value (one date object for every row retired in a run) are written
    # out in full: an anchor would hide the value from a reviewer and send every later read
    # down the slow round-trip path (load_plain).
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def _represent_null(representer: Any, _: None) -> Any:
    # An explicit `null` reads better than an empty value in a hand-reviewed file.
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlError(f"{path}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(f"{path}:{line}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def load(path: Path) -> Any:
    """Round-trip load: the result keeps comments and can be dumped back unchanged."""
    text = read_text(path)
    return loads(text, str(path))


def _safe_yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)  # C-accelerated when ruamel.yaml.clib is installed
    yaml.allow_duplicate_keys = False
    return yaml


def _is_plain(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, _PLAIN):
            return False
    return True


def load_plain(path: Path) -> Any:
    """JSON-shaped data of a file that is only read (check, generate, validate).

    ruamel.yaml's safe loader is about four times faster than the round-trip one. Text that
    could hold an anchor, alias or tag, or that the fast loader rejects or reads into anything
    but plain data, takes the round-trip path, so every refusal and its line number stay
    exactly as `loads` gives. What loads is kept in catalog/plain_cache.py.
    """
    return loads_plain(read_text(path), str(path))


def loads_plain(text: str, name: str = "<string>") -> Any:
    """`load_plain` of text already read; `name` is the file name errors give."""
    return plain_cache.cached(text, lambda: _loads_plain(text, name))


def _loads_plain(text: str, name: str) -> Any:
    _check_depth(text, name)
    if not any(mark in text for mark in ("&", "*", "!", "<<")):  # "<<": a merge key?
        try:
            data = _safe_yaml().load(text)
        except Exception:  # the round-trip path below reports it, located
            data = _NOT_LOADED
        if data is not _NOT_LOADED and _is_plain(data):
            return to_plain(data)
    return to_plain(loads(text, name))


_NOT_LOADED = object()


def loads(text: str, name: str = "<string>") -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    _check_depth(text, name)
    if any(mark in text for mark in ("!", "<<", "&", "*")):
        _check_tags_and_merges(text, name)
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise YamlError(f"{where}: {exc.problem or exc.context}") from None
    except YAMLError as exc:
        raise YamlError(f"{name}: {exc}") from None
    except RecursionError:  # not expected after _check_depth; still never a traceback
        _check_depth(text, name, bound=False)
        raise YamlError(f"{name}: nested too deeply to load") from None
    except Exception as exc:
        # ruamel.yaml itself raises ValueError/IndexError on some malformed scalars
        # (found by fuzzing: "._", "+_"; an impossible date such as 2025-03-40).
        line = _bad_scalar_line(text)
        where = f"{name}:{line}" if line is not None else name
        raise YamlError(f"{where}: not valid YAML ({type(exc).__name__}: {exc})") from None
    _check_nodes(data, name)
    return data


#: Characters YAML parsers may take for a line break (YAML 1.1 counts the last three).
_BREAKS = "\n\r\x85\u2028\u2029"


def _bound_exceeds(text: str, limit: int) -> bool:
    """Whether a cheap upper bound on the nesting depth of `text` is over `limit`.

    Every flow collection opens with a "[" or "{". A block collection starts after the
    indentation and indicators ("- ", "? ", ": ") that begin its first line, at a column
    greater than its parent's, or equal to it for a sequence indented like its parent
    mapping's key (which cannot happen twice in a row); so n nested block collections need
    such a prefix of at least (n - 2) / 2 characters. The bound is the number of "[" and "{"
    plus twice the longest prefix plus two; this finds whether it is over `limit` with
    string methods only (the longest prefix itself would take ten times longer).
    """
    room = limit - 2 - text.count("[") - text.count("{")
    if room < 0:
        return True
    prefix = f"[ \t?:-]{{{room // 2 + 1},}}"
    if re.match(prefix, text):
        return True
    odd_breaks = any(c in text for c in _BREAKS[1:])
    starts = f"[{_BREAKS}]" if odd_breaks else "\n"  # one literal is much faster to scan for
    return re.search(starts + prefix, text) is not None


def _events(text: str) -> Iterator[Any]:
    """The YAML event stream of `text`, from the C parser when there is one (it is iterative
    and about a hundred times faster on deep flow collections); never recursive."""
    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    except ImportError:  # ruamel.yaml.clib not installed
        yield from _yaml().parse(text)
        return
    parser = CParser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def _check_depth(text: str, name: str, *, bound: bool = True) -> None:
    """Refuse, with its line, a collection nested more than MAX_DEPTH deep. Real files stay
    far under the cheap bound, so only odd texts pay for an event scan, which stops at the
    first level too deep; text the parser rejects is left to the loader to report."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    if bound and not _bound_exceeds(text, MAX_DEPTH):
        return
    depth = 0
    try:
        for event in _events(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise YamlError(
                        f"{name}:{line}: collections nested more than {MAX_DEPTH} levels deep "
                        "(catalog files need a few)"
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YamlError:
        raise
    except Exception:
        return


_CORE_TAG = "tag:yaml.org,2002:"


def _check_tags_and_merges(text: str, name: str) -> None:
    """Refuse explicit tags (core ones too: `!!int 3` and `!!str 3` change a value's type
    silently), merge keys (`<<: *base` copies keys in from elsewhere) and anchors (a date
    loads as a plain value that no longer shows one), with their line.

    The loaded document no longer shows either (a core tag gives a plain value, a merge
    gives ordinary keys), so this reads the event stream, as ruamel.yaml's own parser
    gives it (the same line numbers as every other error).
    """
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        MappingStartEvent,
        ScalarEvent,
    )

    open_: list[list[int]] = []  # per open collection: [is a mapping, children so far]
    try:
        for event in _yaml().parse(text):
            if isinstance(event, ScalarEvent | CollectionStartEvent | AliasEvent):
                line = event.start_mark.line + 1
                if isinstance(event, AliasEvent) or event.anchor is not None:
                    raise YamlError(f"{name}:{line}: {_NO_ANCHORS}")
                tag = getattr(event, "tag", None)
                if tag is not None:
                    shown = "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag
                    raise YamlError(
                        f"{name}:{line}: unsupported YAML value: explicit tags ({shown}) are "
                        "not allowed in catalog files"
                    )
                in_key = bool(open_) and open_[-1][0] == 1 and open_[-1][1] % 2 == 0
                plain_merge = isinstance(event, ScalarEvent) and event.value == "<<"
                # Only a plain << key merges; a quoted "<<" is an ordinary string.
                if in_key and plain_merge and getattr(event, "style", None) is None:
                    raise YamlError(
                        f"{name}:{line}: merge keys (<<) are not allowed in catalog files"
                    )
                if open_:
                    open_[-1][1] += 1
                if isinstance(event, CollectionStartEvent):
                    open_.append([int(isinstance(event, MappingStartEvent)), 0])
            elif isinstance(event, CollectionEndEvent):
                open_.pop()
    except YamlError:
        raise
    except Exception:  # not YAML: the loader reports it, located
        return


def _bad_scalar_line(text: str) -> int | None:
    """1-based line of the first scalar ruamel.yaml cannot construct, if it can be found."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    yaml = _yaml()
    try:
        root = yaml.compose(text)
    except Exception:
        return None
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: visited once, so expansion stays bounded
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            try:
                yaml.constructor.construct_object(node, deep=True)
            except Exception:
                return int(node.start_mark.line) + 1
        elif isinstance(node, MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return None


_PLAIN = (str, int, float, bool, dt.date, type(None))
_NO_ANCHORS = "anchors and aliases are not allowed in catalog files"


def _check_nodes(node: Any, name: str) -> None:
    """Refuse what catalog files never need: anchors (bounds expansion), tags, odd types."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    seen: set[int] = set()
    stack: list[tuple[Any, int | None]] = [(node, 1)]
    while stack:
        item, line = stack.pop()
        where = f"{name}:{line}" if line is not None else name
        if isinstance(item, CommentedMap | CommentedSeq):
            own = item.lc.line + 1 if item.lc.line is not None else line
            if id(item) in seen or item.anchor.value is not None:
                raise YamlError(f"{name}:{own}: {_NO_ANCHORS}")
            if item.tag.value is not None:
                raise YamlError(f"{name}:{own}: YAML tags ({item.tag.value}) are not allowed")
            seen.add(id(item))
            if isinstance(item, CommentedMap):
                for key, value in item.items():
                    key_line = item.lc.key(key)[0] + 1
                    if not isinstance(key, str):
                        raise YamlError(f"{name}:{key_line}: keys must be strings, got {key!r}")
                    stack.append((value, key_line))
            else:
                stack.extend((value, item.lc.item(i)[0] + 1) for i, value in enumerate(item))
        elif getattr(item, "anchor", None) is not None and item.anchor.value is not None:
            raise YamlError(f"{where}: {_NO_ANCHORS}")
        elif not isinstance(item, _PLAIN):  # tagged scalars load as TaggedScalar
            raise YamlError(f"{where}: unsupported YAML value of type {type(item).__name__}")


def dumps(data: Any) -> str:
    stream = StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def to_plain(node: Any) -> Any:
    """JSON-shaped copy of a loaded document (dates as ISO strings) for strict validation."""
    if isinstance(node, Mapping):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, Sequence) and not isinstance(node, str):
        return [to_plain(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def line_of(node: Any, loc: Sequence[int | str]) -> int | None:
    """1-based line of the value at `loc` inside a round-trip document, as far as it resolves."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line: int | None = None
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            pos = node.lc.key(key)
            line = pos[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            pos = node.lc.item(key)
            line = pos[0] + 1
            node = node[key]
        else:
            break
    return line
