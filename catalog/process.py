"""How the maintainer commands (`python -m scrapers`, `python -m codegen`) run and end.

A command is a batch job of about a second that builds tens of thousands of objects it
keeps to the end (the catalog's models, the rendered tree, Jinja's and pydantic's caches),
and Python's cyclic garbage collector kept tracing them: about 100 ms of a `generate`
during the run (250 collections, most over everything imported), and 150 ms more in the
interpreter's teardown, after the output was written. So `begin` freezes what the imports
built (`gc.freeze`: never traced again, still freed by reference counts) and collects the
youngest objects every 20,000 allocations instead of 700; `finish` freezes the rest before
exiting. Nothing is left open by then: every write has been closed and renamed into place,
and the kernel releases the locks. Only the `__main__` blocks call them; `main()` called in
a long-lived process (the tests) keeps the interpreter's defaults.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

#: gc.set_threshold for a command's run (the interpreter's default is (700, 10, 10)).
THRESHOLDS = (20_000, 20, 20)


def begin() -> None:
    """Take what is imported so far out of the collector's way, and collect less often."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def finish(code: int) -> NoReturn:
    """Exit with `code`, skipping the garbage collector's last passes over the heap."""
    gc.freeze()
    sys.exit(code)
