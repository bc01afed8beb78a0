"""Fixtures of the page tests: one browser per session, and the site rendered from the
committed catalog (the same render as generated/, written to a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.site.browser import shared_browser, write_site


@pytest.fixture(scope="session")
def browser() -> Browser:
    return shared_browser()


@pytest.fixture(scope="session")
def site_index(generated_files: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """index.html of the site rendered from the committed catalog."""
    return write_site(generated_files, tmp_path_factory.mktemp("site"))
