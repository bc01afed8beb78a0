"""Snapshot files: where each fetched docs page is kept, the provenance stamped on it, and
what changed since the page's previous snapshot.

A page's snapshots are `<snapshots>/<page>/<YYYY-MM-DD>.md`, one per retrieval day (UTC), so
a docs table's history is a folder listing. Their first lines are HTML comments: the scraper
reads `source` and `snapshot` into each table's source record; `retrieved` says when the
page was downloaded and the sha256 of the exact bytes received, so the next fetch knows an
unchanged page by its digest and anyone can check a snapshot against the live page. Until
the bundled pages move into folders, a flat `<snapshots>/<page>.md` is the page's snapshot
when its folder holds none.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from catalog.atomic import atomic_write
from scrapers.diff import differing, row_line
from scrapers.parse import (
    MAX_PAGE_BYTES,
    ScrapedPage,
    ScrapeError,
    decode_page,
    is_date,
    parse_text,
)

SNAPSHOTS_DIR = Path(__file__).resolve().parent / "snapshots"

_DATED_NAME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.md")
#: The provenance lines a snapshot starts with (any of them, in any number).
_STAMP_LINE = re.compile(r"<!-- (?:source|snapshot|retrieved): [^\n]*? -->(?:\r\n|\r|\n)")
_RETRIEVED = re.compile(r"<!-- retrieved: (\S+) sha256: ([0-9a-f]{64}) -->")
_SNAPSHOT = re.compile(r"<!-- snapshot: ([0-9]{4}-[0-9]{2}-[0-9]{2}) -->")

Status = Literal["written", "replaced", "unchanged"]


def stamp(body: str, *, source_url: str, retrieved: dt.datetime, sha256: str) -> str:
    """A snapshot's text: its three provenance lines, then the page body unchanged."""
    moment = retrieved.astimezone(dt.UTC).replace(microsecond=0)
    return (
        f"<!-- source: {source_url} -->\n"
        f"<!-- snapshot: {moment.date().isoformat()} -->\n"
        f"<!-- retrieved: {iso_z(moment)} sha256: {sha256} -->\n"
        f"{body}"
    )


def iso_z(moment: dt.datetime) -> str:
    """A UTC time in ISO 8601 with `Z` for its offset."""
    return moment.isoformat().replace("+00:00", "Z")


def _header_end(text: str) -> int:
    """Offset just after the leading provenance lines."""
    end = 0
    while (match := _STAMP_LINE.match(text, end)) is not None:
        end = match.end()
    return end


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot file as read back."""

    path: Path
    date: str  # YYYY-MM-DD, from the file name (or a flat file's snapshot comment)
    text: str

    @property
    def body(self) -> str:
        """The page as stored, without the provenance lines."""
        return self.text[_header_end(self.text) :]

    @property
    def sha256(self) -> str | None:
        """The digest of the download it was made from, when the file records one."""
        match = _RETRIEVED.search(self.text, 0, _header_end(self.text))
        return match[2] if match else None

    def same_download(self, sha256: str, body: str) -> bool:
        """Whether a new download is this snapshot's again: the recorded digest, or for an
        older file that records none, the stored body."""
        recorded = self.sha256
        return recorded == sha256 if recorded is not None else self.body == body


def read_snapshot(path: Path, date: str | None = None) -> Snapshot:
    """Read a snapshot, with the scraper's size and encoding limits (ScrapeError otherwise)."""
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise ScrapeError(f"{path}: snapshot of {size} bytes is over {MAX_PAGE_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise ScrapeError(f"{path}: {exc.strerror}") from None
    text = decode_page(raw, path)
    if date is None:
        match = _SNAPSHOT.search(text, 0, _header_end(text))
        date = match[1] if match else "an undated snapshot"
    return Snapshot(path, date, text)


def dated_snapshots(snapshots_dir: Path, page: str) -> list[tuple[str, Path]]:
    """A page's `<date>.md` files, oldest first; other names (temporary files) are ignored."""
    folder = snapshots_dir / page
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _DATED_NAME.fullmatch(path.name)
        if match and is_date(match[1]) and path.is_file():
            found.append((match[1], path))
    return sorted(found)


def newest_snapshot(snapshots_dir: Path, page: str) -> Snapshot | None:
    """The page's newest snapshot: the latest-dated file in its folder, else its flat file."""
    dated = dated_snapshots(snapshots_dir, page)
    if dated:
        date, path = dated[-1]
        return read_snapshot(path, date)
    flat = snapshots_dir / f"{page}.md"
    return read_snapshot(flat) if flat.is_file() else None


def write_snapshot(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, fsync, rename: whole or absent."""
    atomic_write(path, text)


# -- what changed -------------------------------------------------------------------------


@dataclass
class PageDiff:
    """How a page's tables changed between two snapshots; `to_json` is the --json shape."""

    tables_added: list[dict[str, Any]] = field(default_factory=list)  # {table, rows}
    tables_removed: list[dict[str, Any]] = field(default_factory=list)
    rows_added: list[dict[str, Any]] = field(default_factory=list)  # {table, model}
    rows_removed: list[dict[str, Any]] = field(default_factory=list)
    cells_changed: list[dict[str, Any]] = field(default_factory=list)  # {table, model, field,
    # old, new}

    @property
    def empty(self) -> bool:
        return not any(self.to_json().values())

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "tables_added": self.tables_added,
            "tables_removed": self.tables_removed,
            "rows_added": self.rows_added,
            "rows_removed": self.rows_removed,
            "cells_changed": self.cells_changed,
        }

    def lines(self) -> list[str]:
        out = [f"+ table {t['table']} ({t['rows']} rows)" for t in self.tables_added]
        out += [f"- table {t['table']} ({t['rows']} rows)" for t in self.tables_removed]
        out += [row_line("+", r) for r in self.rows_added]
        out += [row_line("-", r) for r in self.rows_removed]
        out += [
            f"~ {c['table']}: {c['model']}: {c['field']}: {_shown(c['old'])} -> {_shown(c['new'])}"
            for c in self.cells_changed
        ]
        return out


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def diff_pages(old: ScrapedPage, new: ScrapedPage) -> PageDiff:
    """Tables added and removed, then per common table rows added, removed and cells changed
    (`footnotes` and `na`, the cells' markers, count as fields), in page order."""
    diff = PageDiff()
    before = {t.spec.table: t for t in old.tables}
    after = {t.spec.table: t for t in new.tables}
    diff.tables_added = [
        {"table": k, "rows": len(t.rows)} for k, t in after.items() if k not in before
    ]
    diff.tables_removed = [
        {"table": k, "rows": len(t.rows)} for k, t in before.items() if k not in after
    ]
    for key, table in after.items():
        if key not in before:
            continue
        old_rows = {r["model"]: r for r in before[key].rows}
        new_rows = {r["model"]: r for r in table.rows}
        diff.rows_added += [{"table": key, "model": m} for m in new_rows if m not in old_rows]
        diff.rows_removed += [{"table": key, "model": m} for m in old_rows if m not in new_rows]
        for model, row in new_rows.items():
            was = old_rows.get(model)
            if was is None:
                continue
            diff.cells_changed += [
                {
                    "table": key,
                    "model": model,
                    "field": name,
                    "old": was.get(name),
                    "new": row.get(name),
                }
                for name in differing(row, was, {"model"})
            ]
    return diff


# -- one page's outcome -------------------------------------------------------------------


@dataclass
class Planned:
    """What a fetch does with one page, decided before anything is written."""

    page: str
    status: Status
    path: Path  # the file written, or the unchanged snapshot
    text: str  # what to write ("" when unchanged)
    previous: Snapshot | None
    changes: PageDiff | None  # None for a first snapshot or an unchanged page
    details: dict[str, Any]  # url, source, retrieved, sha256, redirected_to

    def lines(self) -> list[str]:
        if self.status == "unchanged":
            assert self.previous is not None
            return [f"{self.page}: unchanged since {self.previous.date}"]
        verb = "replaced" if self.status == "replaced" else "wrote"
        head = f"{self.page}: {verb} {self.path}"
        if self.status == "replaced":
            head += " (the day's earlier snapshot had different content)"
        out = [head]
        moved = self.details.get("redirected_to")
        if moved:
            out.append(f"  note: {self.details['url']} redirected to {moved}")
        if self.previous is None or self.changes is None:
            out.append(f"  first snapshot of {self.page}")
            return out
        out.append(f"  changes since {self.previous.date} ({self.previous.path}):")
        changed = self.changes.lines() or ["no table changed (only text outside the tables)"]
        out += ["  " + line for line in changed]
        return out

    def to_json(self) -> dict[str, Any]:
        previous = self.previous
        return {
            "page": self.page,
            "status": self.status,
            "path": str(self.path),
            **self.details,
            "first": previous is None,
            "previous": None
            if previous is None
            else {"path": str(previous.path), "date": previous.date},
            "changes": None if self.changes is None else self.changes.to_json(),
        }


def plan_snapshot(
    snapshots_dir: Path,
    page: str,
    *,
    date: str,
    text: str,
    body: str,
    sha256: str,
    parsed: ScrapedPage,
    details: dict[str, Any],
) -> Planned:
    """Compare a fetched page with its newest snapshot: unchanged, or the file to write (a
    same-day file is replaced) and the table changes since. Reads only; ScrapeError when the
    previous snapshot cannot be read or parsed."""
    previous = newest_snapshot(snapshots_dir, page)
    if previous is not None and previous.same_download(sha256, body):
        return Planned(page, "unchanged", previous.path, "", previous, None, details)
    path = snapshots_dir / page / f"{date}.md"
    status: Status = "replaced" if path.exists() else "written"
    changes = None
    if previous is not None:
        changes = diff_pages(parse_text(previous.text, previous.path), parsed)
    return Planned(page, status, path, text, previous, changes, details)
