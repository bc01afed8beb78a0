"""Fixtures every layer's tests share: the repository, the committed catalog, a writable copy
of its data, the bundled snapshots, the seed-era catalog, and the generated files rendered
from the catalog.

The loaded catalog, the seed-era catalog and the rendered files are session-scoped
(read-only, and the slowest things to build); anything a test may change is copied into its
own temporary folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from catalog import plain_cache
from catalog.contents import Catalog
from catalog.load import CATALOG_DIR, load_catalog
from catalog.load import ROOT as ROOT  # re-exported: tests import the repository root from here

#: Tests read every catalog file afresh, so that no cached entry can stand in for the loader
#: they test (and the fault tests count the same writes in every run); the caches have their
#: own tests (tests/catalog/test_plain_cache.py, test_model_cache.py), which turn them on where
#: they need them.
os.environ[plain_cache.CACHE_ENV] = ""

SNAPSHOTS_DIR = ROOT / "scrapers" / "snapshots"
GENERATED_DIR = ROOT / "generated"
#: The seed snapshots, `<page>/<date>.md` under SNAPSHOTS_DIR: the pages the catalog was
#: first made from (the fine-tuning and LoRA base pages of about 2025-12, the serverless page
#: of 2025-03-04), and which the `work` fixture's catalog holds.
SEEDS = {
    "fine-tuning-models": "fine-tuning-models/2025-12-01.md",
    "serverless-lora-bases": "serverless-lora-bases/2025-12-01.md",
    "serverless-models": "serverless-models/2025-03-04.md",
}
#: The catalog's hand-kept files, kept when a catalog is made from snapshots alone.
HAND_KEPT = ("notes.yaml", "aliases.yaml", "waivers.yaml")


def copy_catalog_data(target: Path, source: Path = CATALOG_DIR) -> Path:
    """Copy a catalog folder's data (its YAML files and their schemas), not the code beside it."""
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns("*.py", "__pycache__", "rules", ".*")
    )
    return target


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The committed catalog, loaded once. Read-only: build a copy to change anything."""
    return load_catalog(CATALOG_DIR)


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed catalog's data at tmp_path/catalog."""
    return copy_catalog_data(tmp_path / "catalog")


def hand_kept(target: Path) -> Path:
    """A catalog folder holding only the hand-kept files (and the schemas), no table yet."""
    target.mkdir(parents=True)
    for name in HAND_KEPT:
        shutil.copy(CATALOG_DIR / name, target / name)
    shutil.copytree(CATALOG_DIR / "schema", target / "schema")
    return target


@pytest.fixture(scope="session")
def seed_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed-era catalog: the seed snapshots reconciled into empty tables, beside the
    hand-kept files. Read-only: `work` copies it."""
    from scrapers.parse import parse_file
    from scrapers.reconcile import reconcile

    target = hand_kept(tmp_path_factory.mktemp("seed") / "catalog")
    reconcile([parse_file(SNAPSHOTS_DIR / seed) for seed in SEEDS.values()], target)
    return target


def load_seed_era(folder: Path) -> Catalog:
    """`load_catalog` on a catalog of the seed era (seed_catalog, `work`), which predates the
    tables declared since: the video table was first published in 2025-12, so reconcile writes
    no file for it from the seed pages (and deletes one on a re-read of them). Only the tables
    the seed pages publish are required; every file is validated as `load_catalog` does."""
    from catalog import tables
    from scrapers.parse import parse_file

    published = {
        t.spec.table for seed in SEEDS.values() for t in parse_file(SNAPSHOTS_DIR / seed).tables
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "TABLES", tuple(s for s in tables.TABLES if s.table in published))
        return load_catalog(folder)


@pytest.fixture
def work(tmp_path: Path, seed_catalog: Path) -> Path:
    """tmp_path holding a writable catalog/ (the seed-era catalog, its tables at the seed
    snapshots' dates) and snapshots/ (the bundled dated docs pages, `<page>/<date>.md`)."""
    copy_catalog_data(tmp_path / "catalog", seed_catalog)
    shutil.copytree(SNAPSHOTS_DIR, tmp_path / "snapshots")
    return tmp_path


@pytest.fixture(scope="session")
def generated_files(catalog: Catalog) -> dict[str, str]:
    """Every generated file rendered from the committed catalog: path under generated/ -> text."""
    from codegen.generate import render_all

    return render_all(catalog)
