"""Which snapshots reconcile reads, and the provenance each one carries.

The bundled snapshots are `scrapers/snapshots/<page>/<YYYY-MM-DD>.md`, one folder per
declared page (catalog/pages.py): the folder names the page, and the file name its as-of
date. A snapshot's provenance is in its comments (`<!-- source: URL -->`, `<!-- snapshot:
DATE -->`, `<!-- approximate: HOW -->`) or a mirror's source line; a page saved by hand
from the browser gets it from `reconcile --page NAME --as-of DATE [--source URL]` instead.
A flag (or the file name's date) only fills what the page does not say; where both say
something and they differ, that is an error naming both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from catalog.pages import PAGE_BY_NAME, PAGE_SPECS
from scrapers.parse import ScrapedPage, ScrapeError
from scrapers.snapshots import dated_snapshots
from scrapers.wrappers import page_url


def bundled(snapshots_dir: Path, since: Mapping[str, dt.date]) -> list[Path]:
    """Every declared page's dated snapshots on or after `since[page]` (all of a page the
    catalog does not have yet), oldest first within each page."""
    files: list[Path] = []
    for spec in PAGE_SPECS:
        first = since.get(spec.name)
        files += [
            path
            for date, path in dated_snapshots(snapshots_dir, spec.name)
            if first is None or dt.date.fromisoformat(date) >= first
        ]
    return files


def newest(snapshots_dir: Path) -> list[Path]:
    """Each declared page's newest dated snapshot (the pages the current rows come from)."""
    found = (dated_snapshots(snapshots_dir, spec.name) for spec in PAGE_SPECS)
    return [dated[-1][1] for dated in found if dated]


def _name_date(path: Path) -> str | None:
    """The as-of date a bundled snapshot's file name gives (`<page>/<YYYY-MM-DD>.md`)."""
    try:
        dt.date.fromisoformat(path.stem)
    except ValueError:
        return None
    return path.stem if len(path.stem) == 10 and path.parent.name else None


def declared(name: str) -> str:
    """`name` if it is a declared page; ScrapeError naming the declared ones otherwise."""
    if name not in PAGE_BY_NAME:
        known = ", ".join(sorted(PAGE_BY_NAME))
        raise ScrapeError(f"--page {name!r} is not a declared page (catalog/pages.py: {known})")
    return name


def with_provenance(
    page: ScrapedPage,
    *,
    name: str | None = None,
    as_of: str | None = None,
    source: str | None = None,
) -> ScrapedPage:
    """`page` with its provenance completed: `name` (a declared page) names it and its
    tables; `as_of` and `source` fill a snapshot date and URL the page does not record
    (`source` defaults to the named page's current URL). A bundled file's name gives its
    date too. What the page records wins; a flag or file name saying otherwise is an error."""
    where = str(page.path)
    if name is not None:
        page.page = declared(name)
        for table in page.tables:
            table.page = name
    recorded = page.source.get("snapshot")
    for given, what in ((as_of, "--as-of"), (None if name else _name_date(page.path), "its name")):
        if given is None:
            continue
        if recorded is None:
            page.source["snapshot"] = recorded = given
        elif recorded != given:
            raise ScrapeError(
                f"{where}: the page says snapshot {recorded}, but {what} says {given}"
            )
    url = page.source.get("url")
    if url is not None and source is not None and page_url(url) != page_url(source):
        raise ScrapeError(f"{where}: the page says source {url}, but --source says {source}")
    if url is None and (source is not None or name is not None):
        page.source["url"] = source if source is not None else PAGE_BY_NAME[page.page].url()
    return page
