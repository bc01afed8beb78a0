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
which holds these entries under yaml/ and the generator's compiled templates under jinja/
(codegen/template_cache.py); set it empty to turn both off. At most MAX_ENTRIES are kept here, the
least recently written going first.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    from ruamel.yaml import __version__ as ruamel_version

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{sys.version}\n{ruamel_version}\n{_clib()}\n".encode())
    for name in ("yamlio.py", "changelog_text.py", "plain_cache.py"):
        digest.update((here / name).read_bytes())
    return digest.digest()


def _clib() -> str:
    """Which build of ruamel.yaml's C parser (which the loader uses when it is installed)."""
    try:
        import _ruamel_yaml  # type: ignore[import-not-found]
    except ImportError:
        return "no C parser"
    built = os.stat(_ruamel_yaml.__file__)
    return f"{_ruamel_yaml.__file__} {built.st_size} {built.st_mtime_ns}"


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob.encode("ascii"))
            os.replace(tmp, path)  # readers see the whole entry or none
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(path.parent)
    except OSError:  # a read-only checkout, a full disk: read without the cache
        pass


def _prune(where: Path) -> None:
    entries = sorted(where.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[: max(0, len(entries) - MAX_ENTRIES)]:
        old.unlink(missing_ok=True)
