"""A content-addressed cache of validated catalog documents.

After catalog/plain_cache.py made reading cheap, each of the pipeline's three interpreters
still built every pydantic model's validator (about 100 ms, with the metadata scan pydantic
runs for its plugins) only to validate files that had not changed since the last run. The
models are declared with `defer_build`, so nothing is built until something validates or
dumps (a warm `check` builds nothing; `generate` still builds what it dumps with); here each
validated document is kept, pickled, under the SHA-256 of its JSON text,
the adapter's type, the Python and pydantic builds, and the source of every module of the
catalog layer (catalog/*.py): a changed file, model or loader never meets an old entry.

An entry is stored only when it unpickles as an object equal to the one validation gave,
and one that cannot be read is validated again and rewritten: the cache costs speed, never
correctness. The entries are pickles, so they are code to this checkout as its `.pyc`
files are: they are kept in the folder TOGETHER_CATALOG_CACHE names (models/), and a folder
or entry that is not the current user's, or that others may write, is never read (it could
hold anyone's code). Set it empty to turn the cache off.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core

from catalog import plain_cache

KIND = "models"
#: Libraries pydantic validates through, named by their installed builds in the key.
_PYDANTIC_DEPENDENCIES = ("annotated_types", "typing_extensions", "typing_inspection")
#: Entries kept; a catalog has about twenty documents, and a few generations of each fit.
MAX_ENTRIES = 256


@functools.cache
def _models_key() -> bytes:
    here = Path(__file__).resolve().parent
    versions = [sys.version, pydantic.VERSION, pydantic_core.__version__]
    versions += [plain_cache.build(m) for m in _PYDANTIC_DEPENDENCIES]
    digest = hashlib.sha256("\n".join(versions).encode())
    for path in sorted(here.glob("*.py")):  # the whole catalog layer: models, loader, types
        digest.update(f"{path.name}\n".encode() + path.read_bytes())
    return digest.digest()


def entry(name: str, text: str, where: Path) -> Path:
    """The file that holds (or would hold) the document `text` validated as `name`."""
    key = hashlib.sha256(
        _models_key() + f"{name}\n".encode() + text.encode("utf-8", "surrogatepass")
    )
    return where / f"{key.hexdigest()}.pickle"


def cached(name: str, text: str, validate: Callable[[], Any]) -> Any:
    """`validate()`, the document `text` validated by the adapter `name` (its repr), from the
    cache when an entry holds it. A document that fails validation raises, and is never
    stored."""
    where = plain_cache.folder(KIND)
    if where is None:
        return validate()
    path = entry(name, text, where)
    if where.is_dir() and not plain_cache.trusted(where):  # another user's: never used
        return validate()
    try:
        if plain_cache.trusted(path):
            return pickle.loads(path.read_bytes())
    except Exception:  # no entry, or any unreadable one: validate again
        pass
    result = validate()
    _store(path, result)
    return result


def _store(path: Path, result: Any) -> None:
    try:
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        if pickle.loads(blob) != result:  # kept only when it comes back exactly
            return
    except Exception:  # an object pickle cannot take: validate it every time
        return
    plain_cache.write_entry(path, blob, MAX_ENTRIES)
