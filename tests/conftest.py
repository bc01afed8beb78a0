"""Fixtures every layer's tests share: the repository, the committed catalog, a writable copy
of its data, the bundled snapshots, and the generated files rendered from the catalog.

The loaded catalog and the rendered files are session-scoped (read-only, and the slowest
things to build); anything a test may change is copied into its own temporary folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.contents import Catalog
from catalog.load import CATALOG_DIR, load_catalog
from catalog.load import ROOT as ROOT  # re-exported: tests import the repository root from here

SNAPSHOTS_DIR = ROOT / "scrapers" / "snapshots"
GENERATED_DIR = ROOT / "generated"


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


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """tmp_path holding a writable catalog/ and snapshots/ (the bundled docs pages)."""
    copy_catalog_data(tmp_path / "catalog")
    shutil.copytree(SNAPSHOTS_DIR, tmp_path / "snapshots")
    return tmp_path


@pytest.fixture(scope="session")
def generated_files(catalog: Catalog) -> dict[str, str]:
    """Every generated file rendered from the committed catalog: path under generated/ -> text."""
    from codegen.generate import render_all

    return render_all(catalog)
