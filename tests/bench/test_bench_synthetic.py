"""The benchmark's synthetic catalogs: deterministic, exactly N times the real rows, and as
valid as the real catalog (it loads, its pages agree with it, and `check` passes on it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import ROW_LISTS, derive_catalog, render_pages, render_table, suffixed
from catalog import check, yamlio
from catalog.columns import COLUMN_BY_FIELD
from catalog.load import CATALOG_DIR, load_catalog, table_files
from scrapers.__main__ import SNAPSHOTS
from scrapers.inputs import newest
from scrapers.parse import parse_file, parse_text
from scrapers.reconcile import reconcile

FACTOR = 3


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("synthetic") / "catalog"
    derive_catalog(CATALOG_DIR, dest, FACTOR)
    return dest


def _plain_docs(folder: Path) -> dict[str, Any]:
    return {p.name: yamlio.to_plain(yamlio.load(p)) for p in sorted(folder.glob("*.yaml"))}


@pytest.fixture(scope="module")
def real_docs() -> dict[str, Any]:
    return _plain_docs(CATALOG_DIR)


@pytest.fixture(scope="module")
def synthetic_docs(synthetic: Path) -> dict[str, Any]:
    return _plain_docs(synthetic)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_derivation_is_deterministic(synthetic: Path, tmp_path: Path) -> None:
    again = tmp_path / "catalog"
    derive_catalog(CATALOG_DIR, again, FACTOR)
    assert _files(again) == _files(synthetic)


def test_every_table_has_exactly_n_times_the_rows(
    real_docs: dict[str, Any], synthetic_docs: dict[str, Any]
) -> None:
    tables = [p.name for p in table_files(CATALOG_DIR)]
    assert tables, "the real catalog has no tables"
    assert any(real_docs[name].get("retired") for name in tables)
    for name in tables:
        for key in ROW_LISTS:  # current and retired rows alike
            real = real_docs[name].get(key, [])
            assert len(synthetic_docs[name].get(key, [])) == FACTOR * len(real), (name, key)


def test_copies_are_the_real_rows_with_suffixed_ids(
    real_docs: dict[str, Any], synthetic_docs: dict[str, Any]
) -> None:
    for path in table_files(CATALOG_DIR):
        lists = [synthetic_docs[path.name].get(key, []) for key in ROW_LISTS]
        ids = [r["model"] for rows in lists for r in rows]
        assert len(set(ids)) == len(ids), f"{path.name}: duplicate ids"
        for key, rows in zip(ROW_LISTS, lists, strict=True):
            real = real_docs[path.name].get(key, [])
            for copy in range(FACTOR):
                block = rows[copy * len(real) : (copy + 1) * len(real)]
                expected = [{**r, "model": suffixed(r["model"], copy)} for r in real]
                assert block == expected, f"{path.name}: {key}, copy {copy}"


def test_fast_text_path_agrees_with_round_trip_path(
    synthetic_docs: dict[str, Any], tmp_path: Path
) -> None:
    slow = tmp_path / "slow"
    derive_catalog(CATALOG_DIR, slow, FACTOR, fast=False)
    assert _plain_docs(slow) == synthetic_docs


def test_other_files_extend_ids_per_copy(
    real_docs: dict[str, Any], synthetic_docs: dict[str, Any]
) -> None:
    """Waivers, serving aliases and per-row note lists name each copy's rows too."""
    waivers = real_docs.get("waivers.yaml", {}).get("waivers", [])
    for real, derived in zip(waivers, synthetic_docs["waivers.yaml"]["waivers"], strict=True):
        expected = [suffixed(m, k) for k in range(FACTOR) for m in real["models"]]
        assert derived["models"] == expected
    variants = real_docs.get("aliases.yaml", {}).get("serving_variants") or {}
    derived_variants = synthetic_docs["aliases.yaml"]["serving_variants"]
    assert len(derived_variants) == FACTOR * len(variants)
    for base, target in variants.items():
        assert derived_variants[suffixed(base, FACTOR - 1)] == suffixed(target, FACTOR - 1)
    models = real_docs["notes.yaml"]["lora_only_long_context"]["models"]
    derived_models = synthetic_docs["notes.yaml"]["lora_only_long_context"]["models"]
    assert derived_models == [suffixed(m, k) for k in range(FACTOR) for m in models]


def test_synthetic_catalog_loads_and_validates(synthetic: Path) -> None:
    catalog = load_catalog(synthetic)
    real = load_catalog(CATALOG_DIR)
    assert list(catalog.tables) == list(real.tables)
    for table_id, table in catalog.tables.items():
        assert len(table.rows) == FACTOR * len(real.tables[table_id].rows)
        assert len(table.retired) == FACTOR * len(real.tables[table_id].retired)


def test_synthetic_catalog_passes_check(synthetic: Path) -> None:
    report = check.check(load_catalog(synthetic), use_waivers=True)
    assert report.ok, check.format_human(report)
    real = check.check(load_catalog(CATALOG_DIR), use_waivers=True)
    assert len(report.waived) == FACTOR * len(real.waived)
    assert len(report.historical) == FACTOR * len(real.historical)  # each copy's retired rows


def test_rendered_pages_agree_with_the_synthetic_catalog(synthetic: Path, tmp_path: Path) -> None:
    pages = render_pages(CATALOG_DIR, SNAPSHOTS, tmp_path / "pages", FACTOR)
    assert [p.relative_to(tmp_path / "pages") for p in pages] == [
        p.relative_to(SNAPSHOTS) for p in newest(SNAPSHOTS)
    ]
    report = reconcile([parse_file(p) for p in pages], synthetic, dry_run=True)
    assert report.empty, report.lines()


def test_factor_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="factor"):
        derive_catalog(CATALOG_DIR, tmp_path / "c", 0)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=6), st.integers(1, 1000), st.integers(1, 1000))
def test_suffixes_never_collide(model: str, a: int, b: int) -> None:
    assert (suffixed(model, a) == suffixed(model, b)) == (a == b)
    assert suffixed(model, a) != model


_CELL_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=30
).filter(lambda s: s == s.strip() and s not in {"N/A", "-"})


@settings(max_examples=150, deadline=None)
@given(name=_CELL_TEXT, marked=st.booleans())
def test_rendered_cells_read_back_exactly(name: str, marked: bool) -> None:
    """Whatever a catalog cell holds, the scraper reads back the same value from the page."""
    doc = {
        "columns": [
            {"field": "model", "header": "API Model String"},
            {"field": "model_name", "header": "Model Name"},
            {"field": "context_length", "header": "Context Length"},
        ],
        "rows": [
            {
                "model": "org/model",
                "model_name": name,
                "context_length": None,
                "footnotes": ["model_name"] if marked else [],
            }
        ],
    }
    page = "## Serverless Models\n\n### Chat Models\n\n" + "\n".join(render_table(doc, 2)) + "\n"
    (table,) = parse_text(page, Path("synthetic.md")).tables
    assert [r["model"] for r in table.rows] == ["org/model", "org/model-x1"]
    for row in table.rows:
        assert row["model_name"] == name
        assert row["context_length"] is None
        assert row.get("footnotes", []) == (["model_name"] if marked else [])


UNITS = COLUMN_BY_FIELD["price"].units
_PRICES = st.builds(
    lambda whole, fraction: f"{whole}{fraction}",
    st.integers(0, 10_000).map(str),
    st.sampled_from(["", ".0", ".30", ".0027", ".039"]),
)


@settings(max_examples=150, deadline=None)
@given(
    price=st.none() | _PRICES,
    rate=st.none() | st.builds(lambda p, u: f"{p} per {u}", _PRICES, st.sampled_from(UNITS)),
    flag=st.none() | st.booleans(),
    count=st.none() | st.integers(1, 10_000_000),
)
def test_typed_cells_are_rendered_as_the_docs_print_them(
    price: str | None, rate: str | None, flag: bool | None, count: int | None
) -> None:
    """A price is printed `$0.30`, a rate `$15.00 per 1M chars` and a flag Yes or No (each
    column's `published` form), and the scraper reads back the stored value."""
    fields = {
        "model": "API Model String",
        "context_length": "Context length",
        "input_price": "Input pricing (per 1M tokens)",
        "price": "Pricing",
        "function_calling": "Function Calling",
    }
    row = {
        "model": "org/model",
        "context_length": count,
        "input_price": price,
        "price": rate,
        "function_calling": flag,
    }
    doc = {"columns": [{"field": f, "header": h} for f, h in fields.items()], "rows": [row]}
    lines = render_table(doc)
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells[2] == ("-" if price is None else f"${price}")
    assert cells[3] == ("-" if rate is None else f"${rate}")
    assert cells[4] == {None: "-", True: "Yes", False: "No"}[flag]
    page = "## Serverless Models\n\n### Chat Models\n\n" + "\n".join(lines) + "\n"
    (table,) = parse_text(page, Path("synthetic.md")).tables
    (back,) = table.rows
    assert {k: back[k] for k in fields} == row
