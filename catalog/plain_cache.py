"""A content-addressed cache of catalog files' plain data.

The pipeline is three fresh interpreters (reconcile, check, generate) that each read every
catalog file, and building plain data with ruamel.yaml is most of what reading costs; JSON
of the same data reads back about a hundred times faster. So each file that loaded without
error is kept, as JSON, under the SHA-256 of its text and of the loader (this module,
catalog/yamlio.py, catalog/changelog_text.py and ruamel.yaml's version): a changed file or
loader never meets an old entry. Like CPython's `.pyc` files, the cache costs speed, never
correctness: an entry that cannot be read is parsed again and rewritten, a folder that
cannot be written is not used, and every refusal and its located message still come from
the loader itself.

TOGETHER_CATALOG_CACHE names the pipeline's cache folder (default .cache in the checkout),
which holds these entries under yaml/, validated documents under models/
(catalog/model_cache.py) and the generator's compiled templates under jinja/
(codegen/template_cache.py); set it empty to turn them all off. At most MAX_ENTRIES are
kept here, the least recently written going first.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.atomic import replace_file

CACHE_ENV = "TOGETHER_CATALOG_CACHE"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / ".cache"
#: Entries kept; a catalog has about twenty files, and a few generations of each fit.
MAX_ENTRIES = 256


def folder(kind: str = "yaml") -> Path | None:
    """The folder of one kind of cache entries, or None when caching is turned off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is None:
        return DEFAULT_ROOT / kind
    return Path(chosen) / kind if chosen else None


@functools.cache
def _loader_key() -> bytes:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(
        f"{sys.version}\n{build('ruamel.yaml')}\n{build('_ruamel_yaml')}\n".encode()
    )
    for name in ("yamlio.py", "changelog_text.py", "plain_cache.py"):
        digest.update((here / name).read_bytes())
    return digest.digest()


def build(module: str) -> str:
    """Which installed build of a module the loader would use (ruamel.yaml, and its C parser
    when installed), found without importing it: a run served from the cache never needs
    ruamel.yaml, whose import costs about as much as reading every entry."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return f"no {module}"
    built = os.stat(spec.origin)
    return f"{spec.origin} {built.st_size} {built.st_mtime_ns}"


def entry(text: str, where: Path, reader: str = "yaml") -> Path:
    """The file that holds (or would hold) what `reader` makes of `text`."""
    key = hashlib.sha256(
        _loader_key() + f"{reader}\n".encode() + text.encode("utf-8", "surrogatepass")
    )
    return where / f"{key.hexdigest()}.json"


def cached(text: str, load: Callable[[], Any], reader: str = "yaml") -> Any:
    """`load()`, the plain data `reader` makes of `text`, from the cache when an entry holds
    it (the changelog's line reader, which may decline a text, keeps its own entries)."""
    where = folder()
    if where is None:
        return load()
    path = entry(text, where, reader)
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):  # no entry, or one that cannot be read: parse again
        pass
    data = load()  # a refusal raises here, and nothing is stored
    _store(path, data)
    return data


def _store(path: Path, data: Any) -> None:
    try:
        blob = json.dumps(data, ensure_ascii=True)
        # Kept only when it reads back as exactly `data`: JSON joins two lone surrogates
        # ("\ud83d\ude00" in a quoted YAML scalar) into one character, and NaN is not
        # equal to itself; such data is parsed every time instead.
        if json.loads(blob) != data:
            return
    except (TypeError, ValueError, RecursionError):  # no JSON form (a 4,300-digit int)
        return
    write_entry(path, blob.encode("ascii"), MAX_ENTRIES)


def trusted(path: Path) -> bool:
    """Whether `path`, a cache folder or entry whose contents run as code (pickles, compiled
    templates), is the current user's and writable by no one else: TOGETHER_CATALOG_CACHE
    may name a shared folder, and what another user put there must never be loaded."""
    if not hasattr(os, "getuid"):  # Windows: ownership is ACLs, not checked here
        return True
    try:
        found = os.stat(path)
    except OSError:
        return False
    return found.st_uid == os.getuid() and not found.st_mode & 0o022


def write_entry(path: Path, blob: bytes, keep: int) -> None:
    """Write a cache entry whole (readers see all of it or none), then keep only the `keep`
    most recently written entries of its kind; a folder that cannot be written is skipped."""
    try:
        path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)  # not writable by others
        replace_file(path, blob, mode=None, durable=False)  # 0600: only its owner may write
        entries = sorted(path.parent.glob(f"*{path.suffix}"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[: max(0, len(entries) - keep)]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout, a full disk: read without the cache
        pass
