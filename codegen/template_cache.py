"""Compiled Jinja templates kept between generator runs, in the pipeline's cache folder
(catalog/plain_cache.py: TOGETHER_CATALOG_CACHE, default .cache/ in the checkout).

Compiling the templates is a tenth of a generate run, and the same templates compile to the
same code every time the generator and Jinja are unchanged. Like the parsed catalog files,
this costs speed, never correctness: a changed template, environment, generator or Jinja
never meets an old entry, and a folder that cannot be written is not used.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache

from catalog import plain_cache

#: The module that sets the environments' options (and so what templates compile to).
_RENDER = Path(__file__).resolve().parent / "render.py"


def bytecode_cache(env: Environment) -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (catalog/plain_cache.py names the folder).

    Jinja checks an entry against the template's source and its own bytecode format only,
    but compiled code also holds the environment's options (set in codegen/render.py) and
    which filters and tests exist and how they are called. So entries are named by a hash of
    render.py and of the Jinja and Python versions (older generations are removed) and by
    the environment's filter and test names with their pass-types."""
    where = plain_cache.folder("jinja")
    if where is None:
        return None
    made = hashlib.sha256(_RENDER.read_bytes())
    made.update(f"{jinja2.__version__}\n{sys.version}".encode())
    generation = made.hexdigest()[:16]
    calls = [
        sorted((name, str(getattr(f, "jinja_pass_arg", None))) for name, f in table.items())
        for table in (env.filters, env.tests)
    ]
    flavour = hashlib.sha256(repr(calls).encode()).hexdigest()[:12]
    try:
        where.mkdir(mode=0o755, parents=True, exist_ok=True)
        if not plain_cache.trusted(where):  # compiled code another user could have put there
            return None
        for old in where.iterdir():
            if not old.name.startswith(generation):
                old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout: compile every run
        return None
    return FileSystemBytecodeCache(str(where), pattern=f"{generation}-{flavour}-%s.cache")
