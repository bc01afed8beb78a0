"""The project's snapshots in their layout, `scrapers/snapshots/<page>/<YYYY-MM-DD>.md`: one
per published version, reduced (no vendor prose), each opening with the provenance the
scraper reads, and each reading exactly as the published page it was made from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.pages import PAGE_BY_NAME
from scrapers.parse import parse_file
from scrapers.reduce import reduce_page

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "scrapers" / "snapshots"
SHARED = ROOT.parent / "shared"

#: snapshot -> (the published page it was made from, whether its date is an estimate)
MADE_FROM = {
    "fine-tuning-models/2025-11-08.md": ("real-pages/fine-tuning-models.2025-11-08.md", False),
    "fine-tuning-models/2025-12-01.md": ("seeds/fine-tuning-models.md", True),
    "fine-tuning-models/2026-05-01.md": ("real-pages/fine-tuning-supported-models.2026.md", True),
    "serverless-models/2025-03-04.md": ("seeds/serverless-models.md", False),
    "serverless-models/2025-12-01.md": ("real-pages/serverless-models.2025-12.md", True),
    "serverless-models/2026-04-14.md": ("real-pages/serverless-models.2026-04-14.md", False),
    "serverless-lora-bases/2025-12-01.md": ("seeds/serverless-lora-bases.md", True),
    "serverless-lora-bases/2026-02-01.md": ("real-pages/adapter-upload.2026-02.md", True),
}
STAMPS = re.compile(
    r"<!-- source: (\S+) -->\n<!-- snapshot: (\S+) -->\n(?:<!-- approximate: ([^\n]+) -->\n)?\n"
)


def test_every_version_has_its_snapshot() -> None:
    found = {p.relative_to(SNAPSHOTS).as_posix() for p in SNAPSHOTS.glob("*/*.md")}
    assert found == set(MADE_FROM)


@pytest.mark.parametrize("name", sorted(MADE_FROM))
def test_a_snapshot_opens_with_its_provenance_and_is_reduced(name: str) -> None:
    path = SNAPSHOTS / name
    text = path.read_text(encoding="utf-8")
    stamps = STAMPS.match(text)
    assert stamps is not None, text[:300]
    url, date, approximate = stamps.groups()
    assert date == path.stem
    assert (approximate is not None) == MADE_FROM[name][1]
    page = PAGE_BY_NAME[path.parent.name]
    assert page.knows(url) and "#" not in url and not url.endswith(".md")
    assert reduce_page(text, name) == text
    parsed = parse_file(path)
    want = {"url": url, "snapshot": date} | ({"approximate": approximate} if approximate else {})
    assert parsed.source == want
    assert {t.page for t in parsed.tables} == {page.name}


@pytest.mark.parametrize("name", sorted(MADE_FROM))
def test_a_snapshot_reads_as_its_published_page(name: str) -> None:
    source = SHARED / MADE_FROM[name][0]
    if not source.is_file():
        pytest.skip(f"{source} is missing: the published pages are kept beside the clone")
    snapshot = parse_file(SNAPSHOTS / name)
    published = parse_file(source)
    assert [t.spec.table for t in snapshot.tables] == [t.spec.table for t in published.tables]
    assert [t.headers for t in snapshot.tables] == [t.headers for t in published.tables]
    assert [t.rows for t in snapshot.tables] == [t.rows for t in published.tables]
