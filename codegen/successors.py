"""Which current row evidently succeeds a retired one (`_retired.py`, the site, RetiredModelError).

Decided at generation time, so the runtime only reads it. A retired row's successor is a
current row of the same table whose id is, case aside,

1. the same name under another namespace (the organisation renamed its namespace), when
   exactly one current id is;
2. the same namespace and name with one version number higher and the rest equal
   (`GLM-4.6` -> `GLM-5.1`, `FLUX.1-dev` -> `FLUX.2-dev`, `DeepSeek-V3` -> `DeepSeek-V3.1`): a
   version is a number (`3`, `2.5`, `0.2`) not glued to a letter or digit after it, so the
   sizes `8B`, `32k` and `128E` are not versions; of several such ids the highest version
   wins, and a tie gives none;
3. the same namespace and name with trailing date or variant segments dropped
   (`DeepSeek-R1-0528-tput` -> `DeepSeek-R1`, `FLUX.1-schnell-Free` -> `FLUX.1-schnell`): a
   date is 4, 6 or 8 digits, a variant one of VARIANT_SEGMENTS; the fewest dropped wins.

The successor is named only when these rules together point at exactly one id; otherwise
there is none (no evident successor is better than a guessed one).

`successor` states the rule plainly and scans the whole table per call; `Successors` indexes
a table's current ids once and answers the same (a property test holds the two together), so
a table with thousands of retired rows costs linear time, not retired x current.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

#: Trailing id segments that name a variant of the same model, dropped by rule 3.
VARIANT_SEGMENTS = frozenset({"free", "tput", "turbo", "lite", "preview", "fp8", "hf"})

#: A version number: digits with dots, not preceded by a digit, not followed by a letter,
#: digit or dot (so "8B", "32k", "0.6b" are sizes, not versions).
_VERSION = re.compile(r"(?<![0-9])([0-9]+(?:\.[0-9]+)*)(?![0-9A-Za-z.])")
_DATE = re.compile(r"[0-9]{4}|[0-9]{6}|[0-9]{8}")


def _split(model: str) -> tuple[str, str]:
    namespace, _, name = model.casefold().rpartition("/")
    return namespace, name


def _raised(old: Sequence[str], new: Sequence[str]) -> tuple[int, ...] | None:
    """The new version when exactly one of the version numbers differs and is higher."""
    differ = [
        (tuple(map(int, a.split("."))), tuple(map(int, b.split("."))))
        for a, b in zip(old, new, strict=True)
        if a != b
    ]
    if len(differ) != 1 or not differ[0][1] > differ[0][0]:
        return None
    return differ[0][1]


def _version_key(retired: str, candidate: str) -> tuple[int, ...] | None:
    """The candidate's version when its name is the retired name with one version number
    raised (rule 2), else None."""
    old = _VERSION.split(retired)
    new = _VERSION.split(candidate)
    if len(old) != len(new) or old[0::2] != new[0::2]:
        return None
    return _raised(old[1::2], new[1::2])


def _stripped(name: str) -> Iterator[str]:
    """`name` with 1, 2, ... trailing date or variant segments dropped (rule 3)."""
    parts = name.split("-")
    while len(parts) > 1 and (parts[-1] in VARIANT_SEGMENTS or _DATE.fullmatch(parts[-1])):
        parts.pop()
        yield "-".join(parts)


def _decide(
    renamed: list[str], newer: list[tuple[tuple[int, ...], str]], hits: list[str]
) -> str | None:
    """The one id rules 1-3 point at, given each rule's candidates."""
    found: set[str] = set()
    if len(renamed) == 1:
        found.add(renamed[0])
    if newer:
        best = max(key for key, _ in newer)
        top = [c for key, c in newer if key == best]
        if len(top) == 1:
            found.add(top[0])
    if len(hits) == 1:
        found.add(hits[0])
    return found.pop() if len(found) == 1 else None


def successor(model: str, current: Sequence[str]) -> str | None:
    """The current id (of the same table) that evidently succeeds the retired `model`, by the
    rules in this module's docstring; None when there is none or it is not clear."""
    namespace, name = _split(model)
    others = [c for c in current if c != model]
    renamed = [c for c in others if _split(c)[1] == name and _split(c)[0] != namespace]
    same = [(c, _split(c)[1]) for c in others if _split(c)[0] == namespace]
    newer = [(key, c) for c, other in same for key in [_version_key(name, other)] if key]
    hits: list[str] = []
    for shorter in _stripped(name):
        hits = [c for c, other in same if other == shorter]
        if hits:
            break
    return _decide(renamed, newer, hits)


class Successors:
    """`successor(model, current)` for one table's current ids, indexed once."""

    def __init__(self, current: Iterable[str]) -> None:
        #: name -> [(namespace, id)], for rule 1.
        self._by_name: dict[str, list[tuple[str, str]]] = {}
        #: (namespace, name) -> [id], for rule 3.
        self._by_id: dict[tuple[str, str], list[str]] = {}
        #: (namespace, the name's text between version numbers) -> [(versions, id)], rule 2.
        self._by_shape: dict[tuple[str, tuple[str, ...]], list[tuple[list[str], str]]] = {}
        for c in current:
            namespace, name = _split(c)
            self._by_name.setdefault(name, []).append((namespace, c))
            self._by_id.setdefault((namespace, name), []).append(c)
            parts = _VERSION.split(name)
            shape = (namespace, tuple(parts[0::2]))
            self._by_shape.setdefault(shape, []).append((parts[1::2], c))

    def __call__(self, model: str) -> str | None:
        namespace, name = _split(model)
        renamed = [c for ns, c in self._by_name.get(name, ()) if ns != namespace and c != model]
        parts = _VERSION.split(name)
        newer = [
            (key, c)
            for versions, c in self._by_shape.get((namespace, tuple(parts[0::2])), ())
            if c != model
            for key in [_raised(parts[1::2], versions)]
            if key
        ]
        hits: list[str] = []
        for shorter in _stripped(name):
            hits = [c for c in self._by_id.get((namespace, shorter), ()) if c != model]
            if hits:
                break
        return _decide(renamed, newer, hits)
