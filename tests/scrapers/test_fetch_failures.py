"""Every way a fetch can fail: exit 2, one line `error: <URL>: <reason>` on stderr, nothing on
stdout, and the snapshots folder exactly as it was (a previous snapshot is kept unchanged).
Each failure is served for real by the local server of test_fetch.py."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from catalog.pages import PAGE_BY_NAME
from scrapers.fetch import RETRY_DELAYS, run_fetch
from scrapers.parse import MAX_PAGE_BYTES
from tests.scrapers.test_fetch import (
    BUNDLED,
    DocsSite,
    Route,
    _no_proxy,
    catalog_dir,
    respond,
    run,
    sequence,
    site,
    snaps,
    status,
    tree,
)

__all__ = ["_no_proxy", "catalog_dir", "site", "snaps"]  # fixtures, used by name

PAGE = "serverless-lora-bases"
BODY = BUNDLED[PAGE]
PATH = PAGE_BY_NAME[PAGE].path + ".md"
TIMEOUT = 0.3


def stall(seconds: float, *, after: bytes | None = None) -> Route:
    """Wait before answering, or (with `after`) send headers and `after`, then wait."""

    def route(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
        if after is not None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(BODY)))
            handler.end_headers()
            handler.wfile.write(after)
            handler.wfile.flush()
        site.stop.wait(seconds)

    return route


def redirect(to: str) -> Route:
    def route(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def endless(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
    """Markdown with no Content-Length and no end (64 MiB at most): the reader must stop."""
    chunk = b"| a | b |\n" * 6554
    sent = 0
    handler.send_response(200)
    handler.send_header("Content-Type", "text/markdown")
    handler.end_headers()
    try:
        while sent < 64 * 1024 * 1024:
            handler.wfile.write(chunk)
            sent += len(chunk)
    finally:
        site.sent[handler.path] = sent
        site.done.set()


def trickle(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
    """A byte at a time, each well within the socket timeout, the whole far beyond it."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(BODY)))
    handler.end_headers()
    for byte in BODY:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        if site.stop.wait(TIMEOUT / 5):
            return


RAGGED = BODY.replace(b"| Alibaba | Qwen2.5 72B Instruct |", b"| Qwen2.5 72B Instruct |")
# (id, route, reason, requests the server must see)
CASES: list[tuple[str, Callable[[], Route], str, int]] = [
    ("not-found", lambda: status(404), "HTTP 404 Not Found", 1),
    ("gone", lambda: status(410), "HTTP 410 Gone", 1),
    ("server-error", lambda: status(500), "HTTP 500 Internal Server Error (3 attempts)", 3),
    (
        "server-error-then-not-found",
        lambda: sequence(status(502), status(404)),
        "HTTP 404 Not Found",
        2,
    ),
    ("timeout", lambda: stall(10), f"timed out after {TIMEOUT:g} s (3 attempts)", 3),
    (
        "timeout-mid-body",
        lambda: stall(10, after=BODY[:50]),
        f"timed out after {TIMEOUT:g} s (3 attempts)",
        3,
    ),
    ("trickle", lambda: trickle, f"timed out after {TIMEOUT:g} s (3 attempts)", 3),
    ("redirect-loop", lambda: redirect(PATH), "redirect loop (HTTP 302, too many redirects)", 5),
    (
        "html-content-type",
        lambda: respond(BODY, "text/html; charset=utf-8"),
        "got an HTML page (Content-Type text/html), not markdown",
        1,
    ),
    (
        "html-doctype",
        lambda: respond(b"\n<!DOCTYPE html>\n<html><body>Docs</body></html>", "text/plain"),
        "got an HTML page, not markdown",
        1,
    ),
    (
        "html-tag",
        lambda: respond(b"  <HTML lang=en><p>hi</p></HTML>", "text/markdown"),
        "got an HTML page, not markdown",
        1,
    ),
    (
        "html-after-bom",
        lambda: respond(b"\xef\xbb\xbf<!doctype html><p>Docs</p>", "text/plain"),
        "got an HTML page, not markdown",
        1,
    ),
    ("empty", lambda: respond(b""), "empty body", 1),
    ("blank", lambda: respond(b"\n  \n"), "empty body", 1),
    (
        "truncated",
        lambda: respond(BODY[:100], length=len(BODY)),
        f"truncated body: 100 of the {len(BODY)} bytes announced",
        1,
    ),
    (
        "too-large-declared",
        lambda: respond(BODY, length=MAX_PAGE_BYTES + 1),
        f"body of {MAX_PAGE_BYTES + 1} bytes is over the {MAX_PAGE_BYTES}-byte limit",
        1,
    ),
    ("too-large-streamed", lambda: endless, f"body is over the {MAX_PAGE_BYTES}-byte limit", 1),
    (
        "not-utf8",
        lambda: respond(b"# Serverless LoRA base models\n\nCaf\xe9\n"),
        "not UTF-8 (line 3, byte 34: invalid continuation byte)",
        1,
    ),
    (
        "unparseable",
        lambda: respond(RAGGED),
        "line 9: table 'Serverless LoRA base models', row 4: 3 cells, but the header has 4",
        1,
    ),
    ("no-tables", lambda: respond(b"# Moved\n\nSee elsewhere.\n"), "no tables in the page", 1),
    (
        "own-snapshot-comment",
        lambda: respond(b"<!-- snapshot: 2020-01-01 -->\n" + BODY),
        "with provenance stamped: line 4: a second snapshot ('2020-01-01') contradicts "
        "'2026-03-05'",
        1,
    ),
]


@pytest.fixture
def previous(snaps: Path) -> dict[str, bytes]:
    """A previous snapshot of every page, to show that a failure leaves it alone."""
    for name, body in BUNDLED.items():
        (snaps / name).mkdir()
        (snaps / name / "2026-03-01.md").write_bytes(b"<!-- snapshot: 2026-03-01 -->\n" + body)
    return tree(snaps)


@pytest.mark.parametrize(
    ("route", "reason", "hits"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_failure_exits_2_with_one_line_and_writes_nothing(
    site: DocsSite,
    snaps: Path,
    catalog_dir: Path,
    previous: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
    route: Callable[[], Route],
    reason: str,
    hits: int,
) -> None:
    site.route(PAGE, route())
    assert run(site, snaps, catalog_dir, PAGE, timeout=TIMEOUT) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"error: {site.url(PAGE)}: {reason}\n")
    assert site.hits[site.path(PAGE)] == hits
    assert tree(snaps) == previous


def test_streamed_oversize_body_is_not_read_to_its_end(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.route(PAGE, endless)
    assert run(site, snaps, catalog_dir, PAGE) == 2
    assert site.done.wait(10)
    # The server got rid of what the reader took and what socket buffers hold, not 64 MiB.
    assert site.sent[site.path(PAGE)] < 32 * 1024 * 1024
    assert capsys.readouterr().err.endswith("-byte limit\n")


def test_connection_refused(
    snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as bound:  # bound, never listening: a connection is refused
        bound.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{bound.getsockname()[1]}"
        code = run_fetch([PAGE], base_url=base, snapshots_dir=snaps, catalog_dir=catalog_dir)
    assert code == 2
    assert capsys.readouterr() == (
        "",
        f"error: {base}/docs/adapter-upload.md: connection refused\n",
    )
    assert tree(snaps) == {}


def test_server_errors_back_off_exponentially(
    site: DocsSite, snaps: Path, catalog_dir: Path
) -> None:
    site.route(PAGE, status(503))
    slept: list[float] = []
    assert run(site, snaps, catalog_dir, PAGE, delays=None, sleep=slept.append) == 2
    assert slept == list(RETRY_DELAYS) == [0.5, 1.0]


def test_one_failing_page_writes_no_page(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.route("serverless-models", status(404))
    assert run(site, snaps, catalog_dir) == 2
    assert (
        capsys.readouterr().err == f"error: {site.url('serverless-models')}: HTTP 404 Not Found\n"
    )
    assert site.hits[site.path("fine-tuning-models")] == 1  # fetched, then not written
    assert tree(snaps) == {}


def test_unreadable_previous_snapshot_exits_2(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (snaps / PAGE).mkdir()
    bad = snaps / PAGE / "2026-03-01.md"
    bad.write_bytes(b"# Serverless LoRA base models\n\n| Model |\n|---|\n| x |\n")
    before = tree(snaps)
    assert run(site, snaps, catalog_dir, PAGE, when=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}:") and err.count("\n") == 1
    assert tree(snaps) == before
