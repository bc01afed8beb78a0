"""Merge scraped pages into catalog/*.yaml, in place, reporting every difference.

Snapshots are applied oldest first (by date, across pages, so the changelog is in date
order); a snapshot older than the catalog's current one of its page is refused. Each table
is merged by `scrapers.merge`: a snapshot newer than the table's moves the rows it no longer
lists to the table's `retired:` list and brings back the retired rows it lists again, a
table its page's newer snapshot no longer has retires whole, and every change is appended
to catalog/changelog.yaml (`scrapers.history`). Re-reading a table's own snapshot removes
rows, and non-null cells of columns it dropped, only when the caller allows it. Nothing is
written unless every file merges and validates; the tables and the changelog are then
written as one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from catalog import transaction, yamlio
from catalog.changelog import CHANGELOG_FILE
from catalog.load import TABLE, CatalogError, load_doc, table_files, validate, validate_plain
from catalog.lock import DEFAULT_TIMEOUT as LOCK_TIMEOUT
from catalog.lock import writer_lock
from scrapers import history
from scrapers.diff import OlderSnapshot, ReconcileDiff, RemovalRefused, older_refusal, removal
from scrapers.history import RETIRED, Step
from scrapers.merge import merge_table, retire_all, unchanged
from scrapers.parse import ScrapedPage, ScrapedTable, ScrapeError

#: Vocabularies Together owns; a value not seen before is reported, not rejected.
VOCABULARY_FIELDS = ("organization", "quantization")
#: Given each page's current as-of, the pages to merge (see `reconcile`).
Select = Callable[[dict[str, dt.date]], list[ScrapedPage]]


def _raise_duplicate(path: Path, key: str) -> None:
    """Raise the duplicate-model-id error, located by a round-trip reload (only on failure)."""
    doc = load_doc(path)
    seen: dict[str, int] = {}
    for index, row in enumerate(doc[key]):
        model = row["model"]
        if model in seen:
            line = yamlio.line_of(doc, [key, index, "model"])
            raise CatalogError(
                f"{path}:{line}: {key}.{index}.model: duplicate model id {model!r} "
                f"(also {key}.{seen[model]}); reconcile matches rows by model id"
            )
        seen[model] = index


def _read_table(path: Path) -> tuple[str, dict[str, Any]]:
    """A catalog table's text and plain data, validated, through the fast read-only loader.

    Only tables the docs changed are parsed round-trip (about four times slower), from the
    same text, to be edited; on any problem the round-trip load reports it with its line.
    """
    try:
        text = yamlio.read_text(path)
        plain: dict[str, Any] = yamlio.loads_plain(text, str(path))
    except (OSError, yamlio.YamlError) as exc:
        raise CatalogError(str(exc)) from None
    validate_plain(TABLE, plain, path)
    for key in ("rows", RETIRED):
        models = [row["model"] for row in plain.get(key, ())]
        if len(set(models)) != len(models):
            _raise_duplicate(path, key)
    return text, plain


def _round_trip(text: str, path: Path) -> CommentedMap:
    try:
        doc: CommentedMap = yamlio.loads(text, str(path))
    except yamlio.YamlError as exc:
        raise CatalogError(str(exc)) from None
    return doc


@dataclass
class _Table:
    """A table file during a run: as read, and as merged so far."""

    path: Path
    text: str | None  # as read; None: absent
    plain: dict[str, Any] | None  # current data; None: absent, or deleted by this run
    doc: CommentedMap | None = None  # round-trip document, once merged into

    def edit(self) -> CommentedMap | None:
        if self.doc is None and self.plain is not None and self.text is not None:
            self.doc = _round_trip(self.text, self.path)
        return self.doc if self.plain is not None else None


def reconcile(
    pages: list[ScrapedPage],
    catalog_dir: Path,
    *,
    dry_run: bool = False,
    allow_removals: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    select: Select | None = None,
) -> ReconcileDiff:
    """Merge `pages` into `catalog_dir`, oldest snapshot first; raises OlderSnapshot,
    RemovalRefused, ScrapeError, CatalogError, LockTimeout or TransactionError
    (CatalogChanged: a file was edited while this ran). `select`, given each page's
    current as-of in the catalog as read, returns more pages to merge (the CLI's default:
    the bundled snapshots from those dates on).

    Every input is checked and every output validated before the first write; the changed
    files are then written as one transaction (all or none, even across a crash). A real
    run holds the catalog's writer lock from its first read to its last write; a dry run
    only reads, so it takes none (a read-only checkout can run it).
    """
    if dry_run:
        transaction.recover(catalog_dir)  # a dead run's half-applied change: finish it first
        return _reconcile(pages, catalog_dir, True, allow_removals, select)
    with writer_lock(catalog_dir, timeout=lock_timeout, who="reconcile"):
        transaction.recover(catalog_dir)
        return _reconcile(pages, catalog_dir, False, allow_removals, select)


def _steps(pages: list[ScrapedPage]) -> list[Step]:
    """The pages as dated steps, oldest first (a date's pages by name); each page must
    record its URL and date, and a page may be given once per date."""
    steps: dict[tuple[str, dt.date], Step] = {}
    for page in pages:
        missing = [k for k in ("url", "snapshot") if k not in page.source]
        if missing:
            raise ScrapeError(
                f"{page.path}:1: the page does not record its {' and '.join(missing)} "
                "(<!-- source: URL --> / <!-- snapshot: YYYY-MM-DD -->)"
            )
        step = Step(page, dt.date.fromisoformat(page.source["snapshot"]))
        twin = steps.setdefault((step.name, step.date), step)
        if twin is not step:
            raise ScrapeError(
                f"{page.path}: a second snapshot of page {step.name} dated {step.date} "
                f"(the first is {twin.page.path})"
            )
    return [steps[key] for key in sorted(steps, key=lambda k: (k[1], k[0]))]


def _claims(steps: list[Step]) -> dict[str, str]:
    """Which page gives each table; a table two pages give is an error."""
    claimed: dict[str, Step] = {}
    for step in steps:
        for scraped in step.page.tables:
            first = claimed.setdefault(scraped.spec.table, step)
            if first.name != step.name:
                raise ScrapeError(
                    f"{step.page.path}:{scraped.line}: table {scraped.spec.section!r} "
                    f"({scraped.spec.table}) is also read from {first.page.path}"
                )
    return {table: step.name for table, step in claimed.items()}


def _refuse_older(
    diff: ReconcileDiff,
    steps: list[Step],
    tables: dict[str, _Table],
    current: Mapping[str, dt.date],
) -> None:
    """Refuse every snapshot dated before the catalog's `current` one of its page (or of a
    table it gives, read from another page until now)."""
    for step in steps:
        dates = [current.get(step.name)]
        for scraped in step.page.tables:
            plain = tables[scraped.spec.table].plain if scraped.spec.table in tables else None
            if plain is not None:
                dates.append(dt.date.fromisoformat(str(plain["source"]["snapshot"])))
        latest = max((d for d in dates if d is not None), default=None)
        if latest is not None and step.date < latest:
            diff.older.append(
                {"page": step.name, "file": str(step.page.path),
                 "snapshot": step.date.isoformat(), "current": latest.isoformat()}
            )  # fmt: skip
    if diff.older:
        raise OlderSnapshot(older_refusal(diff.older), diff)


def _reconcile(
    pages: list[ScrapedPage],
    catalog_dir: Path,
    dry_run: bool,
    allow_removals: bool,
    select: Select | None,
) -> ReconcileDiff:
    diff = ReconcileDiff()
    tables: dict[str, _Table] = {}
    for path in table_files(catalog_dir):
        text, plain = _read_table(path)
        tables[path.stem] = _Table(path, text, plain)
    log_text, log = history.read_changelog(catalog_dir)
    known: dict[str, set[Any]] = {f: set() for f in VOCABULARY_FIELDS}
    for table in tables.values():
        assert table.plain is not None
        for row in (*table.plain["rows"], *table.plain.get(RETIRED, ())):
            for name in VOCABULARY_FIELDS:
                if row.get(name) is not None:
                    known[name].add(row[name])
    current = history.page_as_of((t.plain for t in tables.values() if t.plain), log)
    if select is not None:
        pages = [*pages, *select(dict(current))]
    steps = _steps(pages)
    claimed = _claims(steps)
    _refuse_older(diff, steps, tables, current)
    logged = history.last_logged(log)
    entries: list[dict[str, Any]] = []
    for step in steps:
        changes: list[dict[str, Any]] = []
        for scraped in step.page.tables:
            path = catalog_dir / f"{scraped.spec.table}.yaml"
            table = tables.setdefault(scraped.spec.table, _Table(path, None, None))
            changes += _apply(diff, table, scraped, step, known)
        changes += _gone(diff, tables, step, claimed)
        if not changes:
            continue
        last = logged.get(step.name)
        if last is not None and last >= step.date:  # a re-read of a logged snapshot
            diff.unlogged.append(
                {"page": step.name, "snapshot": step.date.isoformat(), "changes": changes}
            )
            continue
        entries.append(history.entry(step, changes))
        logged[step.name] = step.date
    outputs: dict[Path, str] = {}
    deletions: list[Path] = []
    for table in tables.values():
        if table.plain is None and table.text is not None:
            deletions.append(table.path)
        elif table.doc is not None:
            validate(TABLE, table.doc, table.path)
            text = yamlio.dumps(table.doc)
            if text != table.text:
                outputs[table.path] = text
    if entries:
        diff.changelog = [{**e, "snapshot": e["snapshot"].isoformat()} for e in entries]
        log_path = catalog_dir / CHANGELOG_FILE
        outputs[log_path] = history.appended(log_text, log, entries, log_path)
    if diff.removes and not allow_removals:
        raise RemovalRefused(diff.refusal(), diff)
    if not dry_run:
        read = {t.path: t.text for t in tables.values()}
        read[catalog_dir / CHANGELOG_FILE] = log_text
        diff.written += _write(catalog_dir, outputs, deletions, read)
    return diff


def _apply(
    diff: ReconcileDiff,
    table: _Table,
    scraped: ScrapedTable,
    step: Step,
    known: dict[str, set[Any]],
) -> list[dict[str, Any]]:
    """Merge one scraped table; its changelog changes."""
    before = table.plain
    if before is not None and unchanged(before, scraped, step.page.source):
        return []  # nothing to merge; its values are all known already
    # Loading then dumping a catalog file gives back its text (a test pins it), so the
    # file's text is what an unchanged merge would write.
    doc = merge_table(diff, table.edit(), scraped, step.page.source)
    table.doc = doc
    table.plain = yamlio.to_plain(doc)
    name = scraped.spec.table
    for row in scraped.rows:
        for field in VOCABULARY_FIELDS:
            value = row.get(field)
            if value is not None and value not in known[field]:
                diff.new_values.append(
                    {"table": name, "model": row["model"], "field": field, "value": value}
                )
                known[field].add(value)
    return history.table_changes(name, before, table.plain)


def _gone(
    diff: ReconcileDiff, tables: dict[str, _Table], step: Step, claimed: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The tables of `step`'s page that it no longer has (and no other page gives): from a
    newer snapshot every row retires and the file stays; re-reading the table's own
    snapshot, every row is a removal and the file goes."""
    here = {scraped.spec.table for scraped in step.page.tables}
    changes: list[dict[str, Any]] = []
    for name, table in tables.items():
        plain = table.plain
        if plain is None or plain["source"]["page"] != step.name or name in here:
            continue
        if claimed.get(name, step.name) != step.name:
            continue  # moved to another page, which gives it in this run
        snapshot = dt.date.fromisoformat(str(plain["source"]["snapshot"]))
        if snapshot == step.date:
            rows = (*plain["rows"], *plain.get(RETIRED, ()))
            diff.removed += [removal(name, row) for row in rows]
            table.plain = table.doc = None
        elif snapshot < step.date and plain["rows"]:
            doc = table.edit()
            assert doc is not None
            retire_all(diff, name, doc)
            table.plain = yamlio.to_plain(doc)
            changes += history.table_changes(name, plain, table.plain)
    return changes


def _write(
    catalog_dir: Path,
    outputs: Mapping[Path, str],
    deletions: list[Path],
    read: Mapping[Path, str | None],
) -> list[str]:
    """Write every changed file and delete the vanished tables, after every check has
    passed, as one transaction: a crash leaves all of them or none. Each file must still
    hold the text this run `read` (None: absent), or nothing is written. Returns the paths
    touched."""
    ops = [
        transaction.Op(path.name, text.encode(), _encoded(read.get(path)))
        for path, text in sorted(outputs.items())
    ]
    ops += [transaction.Op(path.name, None, _encoded(read.get(path))) for path in deletions]
    transaction.commit(catalog_dir, ops)
    return [str(path) for path in sorted(outputs)] + [str(path) for path in deletions]


def _encoded(text: str | None) -> bytes | None:
    # read_text decoded the file strictly, so encoding gives back its bytes exactly.
    return None if text is None else text.encode()
