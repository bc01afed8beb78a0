"""The rules run on every snapshot in the history, not only on the newest one.

The bundled snapshots are reconciled one at a time, oldest first, into an empty catalog
(with the committed notes, aliases and waivers), and after each step every rule runs on the
tables as they then stood: each violation must be waived by catalog/waivers.yaml. At the end
every waived row must have matched a violation at some step, so a waiver on a row that left
the docs (historical, which `check` does not fail on) is still held to what was published.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.contents import Catalog
from catalog.load import CATALOG_DIR, load_catalog, load_model, load_table, table_files
from catalog.models import Notes
from catalog.rules import run_rules
from scrapers.__main__ import main as scrapers_main
from tests.conftest import SNAPSHOTS_DIR

HAND_KEPT = ("notes.yaml", "aliases.yaml", "waivers.yaml")
#: Rules that hold the hand-kept files to the catalog as now published (notes name current
#: models, every alias is used, the recommendations are the newest page's): mid-history
#: they would only report that the files describe a later state.
CURRENT_STATE_ONLY = frozenset(
    {"notes-models-listed", "aliases-in-use", "recommended-model-listed"}
)


def _snapshots() -> list[Path]:
    """Every bundled snapshot, by date, then page: the order reconcile applies them."""
    found = [p for p in SNAPSHOTS_DIR.glob("*/*.md")]
    return sorted(found, key=lambda p: (p.stem, p.parent.name))


def _state(folder: Path, notes: Notes, committed: Catalog) -> Catalog:
    """The catalog as it stands mid-history: the tables reconciled so far, with the committed
    hand-kept files (the loader would insist on every declared table existing)."""
    tables = {t.table: t for t in (load_table(p) for p in table_files(folder))}
    return Catalog(tables, notes, committed.aliases, committed.waivers)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Catalog]]:
    folder = tmp_path_factory.mktemp("history") / "catalog"
    folder.mkdir()
    for name in HAND_KEPT:
        shutil.copy2(CATALOG_DIR / name, folder / name)
    committed = load_catalog(CATALOG_DIR)
    notes = load_model(Notes, folder / "notes.yaml")
    states = []
    for snapshot in _snapshots():
        code = scrapers_main(["reconcile", "--catalog", str(folder), str(snapshot)])
        assert code == 0, snapshot
        states.append((f"{snapshot.parent.name}/{snapshot.stem}", _state(folder, notes, committed)))
    return states


def test_the_history_ends_in_the_committed_catalog(history: list[tuple[str, Catalog]]) -> None:
    committed = load_catalog(CATALOG_DIR)
    last = history[-1][1]
    assert set(last.tables) == set(committed.tables)
    for table_id, table in committed.tables.items():
        assert last.tables[table_id].rows == table.rows, table_id
        assert last.tables[table_id].retired == table.retired, table_id


def test_every_violation_at_every_step_is_waived(history: list[tuple[str, Catalog]]) -> None:
    waived = {
        (w.rule, w.table, model)
        for w in load_catalog(CATALOG_DIR).waivers.waivers
        for model in w.models
    }
    unwaived = [
        f"{step}: {v.rule} {v.table} {v.model}: {v.message}"
        for step, state in history
        for v in run_rules(state)
        if (v.rule, v.table, v.model) not in waived and v.rule not in CURRENT_STATE_ONLY
    ]
    assert unwaived == []


def test_every_waived_row_matched_at_some_step(history: list[tuple[str, Catalog]]) -> None:
    matched = {(v.rule, v.table, v.model) for _, state in history for v in run_rules(state)}
    waivers = load_catalog(CATALOG_DIR).waivers.waivers
    never = [
        f"{w.rule} {w.table} {model}"
        for w in waivers
        for model in w.models
        if (w.rule, w.table, model) not in matched
    ]
    assert never == []
    assert len(history) == len(_snapshots()) >= 8
