"""catalog/changelog.yaml as text: how reconcile writes entries, and a fast reader for them.

The changelog grows by thousands of lines (a new row's every cell is a change), and a pure
Python YAML parser takes seconds over it; every reconcile and every catalog load reads it.
So reconcile writes it in a fixed shape that is YAML and can also be read line by line:

    entries:
      - page: serverless-models
        snapshot: 2025-03-04
        url: "https://docs.together.ai/docs/serverless-models"
        changes:
          - {"table": "serverless-chat", "model": "deepseek-ai/DeepSeek-R1", "change": "added"}

Every value but the page name and the date is written as JSON (a YAML flow mapping, or a
double-quoted scalar, reads as the same value), so `fast_plain` reads a change with
`json.loads`. Text in any other shape (a hand edit) is read by the YAML loader instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: Entry keys in file order; `changes` last.
ENTRY_KEYS = ("page", "snapshot", "url", "approximate")
_PLAIN_PAGE = re.compile(r"[a-z][a-z0-9-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ENTRY = "  - "
_KEY = re.compile(r"(  - |    )(page|snapshot|url|approximate): (.*)")
_CHANGE = "      - {"
#: Characters outside YAML's printable set, and its line breaks beyond \n and \r.
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def _json(value: Any) -> str:
    """JSON text, readable (non-ASCII kept) but with every character a YAML reader might
    take for a line break, or refuse as unprintable, escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return _ESCAPE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if key == "page" and _PLAIN_PAGE.fullmatch(str(value)):
        return str(value)
    return _json(value)


def render(entries: Iterable[Mapping[str, Any]]) -> str:
    """The `entries:` items for `entries` (page, snapshot, url, approximate?, changes)."""
    out: list[str] = []
    for entry in entries:
        keys = [k for k in ENTRY_KEYS if entry.get(k) is not None]
        for index, key in enumerate(keys):
            out.append(f"{_ENTRY if index == 0 else '    '}{key}: {_scalar(key, entry[key])}")
        out.append("    changes:")
        out += ["      - " + _json(dict(change)) for change in entry["changes"]]
    return "".join(line + "\n" for line in out)


def fast_plain(text: str) -> dict[str, Any] | None:
    """The plain document of a changelog in the shape `render` writes (after comment lines
    and `entries:`), as the YAML loader would give it; None for text in any other shape."""
    lines = text.split("\n")
    at = 0
    while at < len(lines) and (lines[at].startswith("#") or not lines[at].strip()):
        at += 1
    if at == len(lines) or lines[at] != "entries:":
        return None
    entries: list[dict[str, Any]] = []
    entry: dict[str, Any] | None = None
    for line in lines[at + 1 :]:
        if line.startswith(_CHANGE):
            if entry is None or "changes" not in entry:
                return None
            try:
                change = json.loads(line[8:], object_pairs_hook=_unique)
            except ValueError:
                return None
            if not isinstance(change, dict):
                return None
            entry["changes"].append(change)
            continue
        if line == "    changes:":
            if entry is None or "changes" in entry:
                return None
            entry["changes"] = []
            continue
        if not line:
            continue
        found = _KEY.fullmatch(line)
        if found is None:
            return None
        lead, key, raw = found.groups()
        if lead == _ENTRY:
            if key != "page":
                return None
            entry = {}
            entries.append(entry)
        if entry is None or key in entry or "changes" in entry:
            return None
        value = _value(key, raw)
        if value is None:
            return None
        entry[key] = value
    if not entries or any(not entry.get("changes") for entry in entries):
        return None  # (`entries:` or `changes:` with no items reads as null)
    return {"entries": entries}


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")  # the YAML loader refuses them too
    return out


def _value(key: str, raw: str) -> str | None:
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    if key == "page" and _PLAIN_PAGE.fullmatch(raw):
        return raw
    if key == "snapshot" and _DATE.fullmatch(raw):
        return raw
    return None
