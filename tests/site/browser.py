"""Headless Chromium for the page tests: Debian's `chromium`, driven by Playwright for Python.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`make browser`
installs it where it is missing). Without it the browser tests are skipped, except under CI
(`CI` set), where a missing browser is a failure, not a quiet pass.

Every page is opened from file:// with the network cut off: each request that is not a
file:// one is aborted and recorded, and `Page.offline` lists them for the tests to assert
there were none.
"""

from __future__ import annotations

import atexit
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Playwright,
    Route,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page as PlaywrightPage

CHROMIUM = Path("/usr/bin/chromium")
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
READY = "() => window.togetherCatalog && window.togetherCatalog.ready"
READY_MS = 10_000


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


_running: tuple[Playwright, Browser] | None = None


def shared_browser() -> Browser:
    """One Chromium for the whole test run (Playwright's sync API runs once per thread), shut
    down when the process exits."""
    global _running
    require_chromium()
    if _running is None:
        os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
        _running = (playwright, browser)
        atexit.register(_stop)
    return _running[1]


def _stop() -> None:
    global _running
    if _running is not None:
        playwright, browser = _running
        _running = None
        browser.close()
        playwright.stop()


@dataclass
class Page:
    """An open page and what it asked for: every request, and those that left file://."""

    page: PlaywrightPage
    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _cut_off(record: list[str]) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            record.append(url)
            route.abort()

    return handle


@contextmanager
def open_page(
    browser: Browser,
    index: Path,
    *,
    fragment: str = "",
    viewport: ViewportSize | None = None,
    bypass_csp: bool = False,
    init_script: str | None = None,
) -> Iterator[Page]:
    """`index` opened from file://, offline, with the app ready (`togetherCatalog.ready`)."""
    context = browser.new_context(
        viewport=viewport or DESKTOP,
        bypass_csp=bypass_csp,
        service_workers="block",
    )
    page = context.new_page()
    opened = Page(page, context)
    context.route("**/*", _cut_off(opened.offline))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    if init_script is not None:
        page.add_init_script(init_script)
    try:
        page.goto(index.as_uri() + fragment)
        try:
            page.wait_for_function(READY, timeout=READY_MS)
        except PlaywrightError as exc:
            problem = f"the page did not start ({exc}); its errors: {opened.errors}"
            raise AssertionError(problem) from exc
        yield opened
    finally:
        context.close()


def write_site(files: dict[str, str], target: Path) -> Path:
    """The site/ files of a rendered tree written under `target`; the path of index.html."""
    if target.exists():
        shutil.rmtree(target)
    for rel, text in files.items():
        if rel.startswith("site/"):
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return target / "site" / "index.html"
