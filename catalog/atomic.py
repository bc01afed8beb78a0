"""Writing a file so that readers see the old file or the new one, never half of either,
with the mode an ordinary write would give it (the temporary files' 0600 would hide it)."""

from __future__ import annotations

import functools
import os
from pathlib import Path


@functools.cache
def _umask() -> int:
    # The only way to read the umask is to set it; put it back at once, and only once.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode `open()` would give a new file; mkstemp's 0600 would hide catalog files."""
    return 0o666 & ~_umask()


def dir_mode() -> int:
    """The mode `mkdir()` would give a new folder; mkdtemp's 0700 would hide generated/."""
    return 0o777 & ~_umask()


def atomic_write(path: Path, text: str) -> None:
    """Write `text` (UTF-8) durably, with the mode an ordinary write would give the file."""
    replace_file(path, text.encode("utf-8"), mode=file_mode())


def replace_file(path: Path, data: bytes, *, mode: int | None, durable: bool = True) -> None:
    """Write a sibling temporary file, then rename: readers see the old file or the new one.
    `mode` None keeps the temporary file's 0600; `durable` syncs the data before the rename
    (a cache entry, which can be rebuilt, skips it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only when writing: it costs a read-only run ~10 ms

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
