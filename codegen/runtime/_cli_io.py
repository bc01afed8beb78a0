"""The CLI's output plumbing: aligned tables, JSON documents, and writes that never raise.

Output is best effort and the exit code is not: `write` swallows a closed pipe, a full disk
or an encoding that cannot show the text, so a reader leaving early (`| head`) cannot turn a
verdict into another exit code.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from together_catalog._frozen import Frozen
from together_catalog.lookup import _pages_as_of, table_info
from together_catalog.retired import RetiredModel  # CLI only: a light module

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = [
    "as_of",
    "as_of_line",
    "cell",
    "error",
    "fail",
    "print_json",
    "print_text",
    "record_json",
    "retired_error_json",
    "retirement_json",
    "table",
    "write",
]


def cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table: numbers right-aligned, text left-aligned."""
    cells = [[cell(v) for v in row] for row in rows]
    numeric = [
        all(
            (isinstance(row[i], int) and not isinstance(row[i], bool)) or row[i] is None
            for row in rows
        )
        for i in range(len(headers))
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


def record_json(record: Frozen) -> dict[str, Any]:
    """A generated record's fields as JSON values (tuples as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record._asdict().items()}


def as_of(tables: Iterable[str]) -> dict[str, str]:
    """Docs page -> ISO snapshot date, for the pages the given catalog tables came from, dated
    as `data_as_of` dates them."""
    return _pages_as_of([table_info(table_id) for table_id in tables])


def as_of_line(pages: dict[str, str]) -> str:
    """ "as of: fine-tuning-models 2026-11-23, ..." for the pages shown."""
    return "as of: " + ", ".join(f"{page} {date}" for page, date in pages.items())


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def fail(code: str, message: str, *, as_json: bool) -> int:
    """Report a failed command (the `error` document, or "error: ..." on stderr); exit 1."""
    if as_json:
        print_json(error(code, message))
    else:
        write(sys.stderr, f"error: {message}\n")
    return 1


def retirement_json(found: RetiredModel) -> dict[str, Any]:
    return {"table": found.table, "last_seen": found.last_seen, "successor": found.successor}


def retired_error_json(model: str, message: str, gone: Iterable[RetiredModel]) -> dict[str, Any]:
    """The retired-model `error` document: the message, the id, and every retirement."""
    document = {"code": "retired-model", "message": message, "model": model}
    return {"error": {**document, "retired": [retirement_json(r) for r in gone]}}


def print_text(text: str) -> None:
    write(sys.stdout, text + "\n")


def print_json(payload: object) -> None:
    # ensure_ascii: the document is pure ASCII (\uXXXX escapes), so it is valid JSON in any
    # output encoding; backslashreplace would make it invalid.
    print_text(json.dumps(payload, indent=2, ensure_ascii=True))


def write(stream: SupportsWrite[str] | None, text: str) -> None:
    """Write and flush `text`, and never raise: output is best effort, the exit code is not.

    Characters the stream's encoding cannot show (a non-ASCII id under PYTHONIOENCODING=ascii,
    an undecodable argv byte) are backslash-escaped. On a write error (the reader left, a
    full disk) the stream's descriptor is pointed at os.devnull, so what is still buffered
    cannot fail again when Python flushes at exit (which would exit 120).
    """
    if stream is None:  # the descriptor was closed before Python started
        return
    encoding = getattr(stream, "encoding", None)
    if encoding:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            text = text.encode(encoding, "backslashreplace").decode(encoding)
        except LookupError:
            pass
    try:
        stream.write(text)
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        _discard(stream)
        if not isinstance(exc, BrokenPipeError) and stream is not sys.stderr:
            write(sys.stderr, f"together-catalog: output not written: {exc}\n")


def _discard(stream: object) -> None:
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):  # an in-memory stream: nothing to redirect
        return
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)
