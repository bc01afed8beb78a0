"""`python -m scrapers fetch`: download the docs pages' markdown and keep a dated snapshot.

The docs site is the one input the pipeline does not control, so every way a download can go
wrong (no connection, a timeout, an HTTP error, a redirect loop, an HTML page, an empty,
truncated, oversized or non-UTF-8 body, a page the scraper cannot read) ends as `FetchError`
naming the URL and the reason, exit 2, and nothing written: a snapshot is either a whole
page the scraper reads or absent. Every page is downloaded and parsed before any file is
written, so a run that fails on its third page leaves the first two untouched too.

Only transient failures are retried (HTTP 5xx, a timeout), a few times with exponential
backoff; a 4xx says the request itself is wrong and asking again would only repeat it.
The standard library's urllib does the HTTP: one GET per page needs no new dependency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.load import CATALOG_DIR
from catalog.lock import DEFAULT_TIMEOUT as LOCK_TIMEOUT
from catalog.lock import LockTimeout, writer_lock
from catalog.pages import DOCS_BASE_URL, PAGE_BY_NAME, PAGE_SPECS, PageSpec
from scrapers.parse import MAX_PAGE_BYTES, ScrapedPage, ScrapeError, parse_text
from scrapers.snapshots import (
    SNAPSHOTS_DIR,
    Planned,
    iso_z,
    plan_snapshot,
    stamp,
    write_snapshot,
)

if TYPE_CHECKING:  # imported where used: reconcile and parse load this module, never the network
    import urllib.error
    import urllib.request

#: Pause before each retry (seconds); one more attempt than delays. Tests pass their own.
RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0)
#: Seconds each attempt may take to connect and between two reads.
DEFAULT_TIMEOUT = 30.0
USER_AGENT = (
    "together-catalog-fetch (python -m scrapers fetch; "
    f"Python-urllib/{sys.version_info[0]}.{sys.version_info[1]})"
)
_CHUNK = 64 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_STARTS = (b"<!doctype html", b"<html")


class FetchError(Exception):
    """A page that could not be fetched whole; `str()` is `<url>: <reason>`."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class _Transient(Exception):
    """A failure worth another attempt (HTTP 5xx, a timeout)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Download:
    url: str  # what was asked for
    final_url: str  # where it came from, after redirects
    body: bytes


def download(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    delays: Sequence[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int = MAX_PAGE_BYTES,
) -> Download:
    """GET `url`, retrying transient failures after each of `delays` (RETRY_DELAYS by default)."""
    pauses = tuple(RETRY_DELAYS if delays is None else delays)
    attempts = len(pauses) + 1
    for attempt in range(attempts):
        try:
            return _get(url, timeout, max_bytes)
        except _Transient as exc:
            if attempt == attempts - 1:
                tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
                raise FetchError(url, f"{exc.reason} ({tries})") from None
            sleep(pauses[attempt])
    raise AssertionError("unreachable")  # pragma: no cover


def _opener() -> urllib.request.OpenerDirector:
    # Built per call so proxy settings are read from the environment as it is now.
    import urllib.request

    return urllib.request.build_opener()


def _get(url: str, timeout: float, max_bytes: int) -> Download:
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/markdown, text/plain, */*;q=0.1"}
    )
    try:
        response = _opener().open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise _http_error(url, exc) from None
    except urllib.error.URLError as exc:
        raise _os_error(url, exc.reason, timeout) from None
    except (OSError, http.client.HTTPException) as exc:  # a timeout waiting for the headers
        raise _os_error(url, exc, timeout) from None
    with response:
        content_type = response.headers.get_content_type()
        if content_type in _HTML_TYPES:
            raise FetchError(url, f"got an HTML page (Content-Type {content_type}), not markdown")
        try:
            body = _read(url, response, max_bytes, deadline=time.monotonic() + timeout)
        except (OSError, http.client.HTTPException) as exc:
            raise _os_error(url, exc, timeout) from None
        return Download(url, response.geturl(), body)


def _read(url: str, response: Any, max_bytes: int, *, deadline: float) -> bytes:
    """The whole body, refused as soon as it is known to exceed `max_bytes`, or to take
    longer than the attempt's timeout (the socket's own timeout bounds each read, not a
    server trickling a byte at a time)."""
    declared = _content_length(response.headers.get("Content-Length"))
    if declared is not None and declared > max_bytes:
        raise FetchError(url, f"body of {declared} bytes is over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(min(_CHUNK, max_bytes + 1 - size))  # what has arrived
        if not chunk:
            break
        if time.monotonic() > deadline:
            raise TimeoutError
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"body is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    if declared is not None and size < declared:
        raise FetchError(url, f"truncated body: {size} of the {declared} bytes announced")
    return b"".join(chunks)


def _content_length(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _http_error(url: str, exc: urllib.error.HTTPError) -> Exception:
    if 300 <= exc.code < 400:  # urllib follows redirects; this one it would not
        if "infinite loop" in str(exc.msg):
            return FetchError(url, f"redirect loop (HTTP {exc.code}, too many redirects)")
        return FetchError(url, f"HTTP {exc.code}: redirect not followed")
    reason = f"HTTP {exc.code} {exc.reason}".rstrip()
    return _Transient(reason) if exc.code >= 500 else FetchError(url, reason)


def _os_error(url: str, exc: object, timeout: float) -> Exception:
    from http.client import IncompleteRead

    if isinstance(exc, str):  # URLError's reason for what urllib refuses itself
        return FetchError(url, exc)
    if isinstance(exc, TimeoutError):
        return _Transient(f"timed out after {timeout:g} s")
    if isinstance(exc, ConnectionRefusedError):
        return FetchError(url, "connection refused")
    if isinstance(exc, IncompleteRead):
        return FetchError(url, "truncated body: the connection closed mid-body")
    if isinstance(exc, OSError) and exc.strerror:
        return FetchError(url, exc.strerror.lower())
    return FetchError(url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def page_text(url: str, body: bytes) -> str:
    """The markdown of a downloaded body, or FetchError if it is not a markdown page."""
    head = body.removeprefix(b"\xef\xbb\xbf").lstrip()[:16].lower()
    if not head:
        raise FetchError(url, "empty body")
    if head.startswith(_HTML_STARTS):
        raise FetchError(url, "got an HTML page, not markdown")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise FetchError(url, f"not UTF-8 (line {line}, byte {exc.start}: {exc.reason})") from None


def _snapshot_body(text: str, page: str) -> str:
    """What a snapshot keeps of a fetched page. The body is stored as fetched for now; a
    reduction (headings and tables only) would be applied here, the one place bodies pass."""
    del page  # the reduction will need the page's name
    return text


@dataclass
class _Fetched:
    spec: PageSpec
    url: str
    final_url: str
    digest: str
    retrieved: dt.datetime
    body: str  # as the snapshot stores it
    text: str  # the snapshot: provenance, then body
    parsed: ScrapedPage


def _fetch_page(
    spec: PageSpec,
    base_url: str,
    *,
    timeout: float,
    delays: Sequence[float] | None,
    sleep: Callable[[float], None],
    now: Callable[[], dt.datetime],
) -> _Fetched:
    url = spec.markdown_url(base_url)
    got = download(url, timeout=timeout, delays=delays, sleep=sleep)
    retrieved = now().astimezone(dt.UTC).replace(microsecond=0)
    body = _snapshot_body(page_text(url, got.body), spec.name)
    digest = hashlib.sha256(got.body).hexdigest()
    name = Path(f"{spec.name}.md")  # so errors and the scraped page carry the page's name
    try:
        parsed = parse_text(body, name)
    except ScrapeError as exc:
        raise FetchError(url, _located(str(exc), str(name))) from None
    if not parsed.tables:
        raise FetchError(url, "no tables in the page")
    text = stamp(body, source_url=spec.url(base_url), retrieved=retrieved, sha256=digest)
    try:
        parsed = parse_text(text, name)
    except ScrapeError as exc:  # the body's own source or snapshot comment, or its size
        raise FetchError(url, "with provenance stamped: " + _located(str(exc), str(name))) from None
    return _Fetched(spec, url, got.final_url, digest, retrieved, body, text, parsed)


def _located(message: str, name: str) -> str:
    """A scraper message about `name` as a reason about the URL: `name:12: x` -> `line 12: x`."""
    message = one_line(message)
    rest = message.removeprefix(name)
    line, sep, after = rest.removeprefix(":").partition(": ")
    if sep and line.isdigit():
        return f"line {line}: {after}"
    return rest.removeprefix(": ").removeprefix(":").strip() or message


def one_line(message: str) -> str:
    """A message's lines, stripped, on one line."""
    return " ".join(line.strip() for line in message.splitlines() if line.strip())


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_fetch(
    pages: Sequence[str] = (),
    *,
    base_url: str = DOCS_BASE_URL,
    timeout: float = DEFAULT_TIMEOUT,
    snapshots_dir: Path = SNAPSHOTS_DIR,
    catalog_dir: Path = CATALOG_DIR,
    as_json: bool = False,
    delays: Sequence[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], dt.datetime] = _utc_now,
    lock_timeout: float = LOCK_TIMEOUT,
) -> int:
    """Fetch `pages` (every declared page when empty); print what changed; the exit code."""
    specs = [PAGE_BY_NAME[name] for name in dict.fromkeys(pages)] or list(PAGE_SPECS)
    try:
        # Downloads happen outside the lock: a slow docs site must not hold up reconcile.
        fetched = [
            _fetch_page(s, base_url, timeout=timeout, delays=delays, sleep=sleep, now=now)
            for s in specs
        ]
        with writer_lock(catalog_dir, timeout=lock_timeout, who="fetch"):
            planned = [_plan(f, snapshots_dir) for f in fetched]  # every check before a write
            for plan in planned:
                if plan.status != "unchanged":
                    write_snapshot(plan.path, plan.text)
    except (FetchError, LockTimeout, ScrapeError) as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable snapshots folder, an unopenable lock file
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    _report(planned, as_json=as_json)
    return 0


def _plan(fetched: _Fetched, snapshots_dir: Path) -> Planned:
    return plan_snapshot(
        snapshots_dir,
        fetched.spec.name,
        date=fetched.retrieved.date().isoformat(),
        text=fetched.text,
        body=fetched.body,
        sha256=fetched.digest,
        parsed=fetched.parsed,
        details={
            "url": fetched.url,
            "source": fetched.parsed.source.get("url", ""),
            "retrieved": iso_z(fetched.retrieved),
            "sha256": fetched.digest,
            "redirected_to": fetched.final_url if fetched.final_url != fetched.url else None,
        },
    )


def _report(planned: list[Planned], *, as_json: bool) -> None:
    import json

    if as_json:
        doc = {"pages": [p.to_json() for p in planned]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print("\n".join(line for p in planned for line in p.lines()))


# -- command line ------------------------------------------------------------------------


def _page_name(value: str) -> str:
    if value not in PAGE_BY_NAME:
        known = ", ".join(PAGE_BY_NAME)
        raise argparse.ArgumentTypeError(f"unknown page {value!r} (known pages: {known})")
    return value


def _base_url(value: str) -> str:
    parts = urllib.parse.urlsplit(value)
    unsafe = any(c.isspace() or c in '<>"' for c in value)  # it goes into an HTML comment
    if parts.scheme not in ("http", "https") or not parts.netloc or unsafe:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value.rstrip("/")


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 3600:
        raise argparse.ArgumentTypeError(f"not a number of seconds between 0 and 3600: {value!r}")
    return seconds


def add_parser(sub: Any) -> None:
    """Declare `fetch` on the `python -m scrapers` subcommands (`sub` is their action)."""
    known = ", ".join(PAGE_BY_NAME)
    fetch = sub.add_parser("fetch", help="download the docs pages into dated snapshots")
    fetch.add_argument(
        "pages", nargs="*", type=_page_name, metavar="PAGE", help=f"page (default: all: {known})"
    )
    fetch.add_argument("--base-url", type=_base_url, default=DOCS_BASE_URL, help="docs site")
    fetch.add_argument(
        "--timeout", type=_seconds, default=DEFAULT_TIMEOUT, help="seconds per attempt"
    )
    fetch.add_argument("--snapshots", type=Path, default=SNAPSHOTS_DIR, help="snapshots folder")
    fetch.add_argument("--catalog", type=Path, default=CATALOG_DIR, help="catalog folder (lock)")
    fetch.add_argument("--json", action="store_true", help="machine-readable report")


def command(args: argparse.Namespace) -> int:
    """Run `fetch` for parsed command-line arguments."""
    return run_fetch(
        args.pages,
        base_url=args.base_url,
        timeout=args.timeout,
        snapshots_dir=args.snapshots,
        catalog_dir=args.catalog,
        as_json=args.json,
    )
