"""catalog/changelog.yaml as files hold it: the loader puts it in the Catalog (absent is
empty), the fast line reader gives exactly what the YAML loader gives for the text reconcile
writes, text in another shape still loads, a bad one is a located error, and it names and
matches its JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import changelog_text, yamlio
from catalog.changelog import CHANGELOG_FILE
from catalog.load import CatalogError
from scrapers.history import HEADER
from tests.conftest import copy_catalog_data, load_seed_era


def test_the_loader_reads_the_changelog_and_an_absent_one_is_empty(
    seed_catalog: Path, tmp_path: Path
) -> None:
    catalog = load_seed_era(copy_catalog_data(tmp_path / "with", seed_catalog))
    assert [(e.page, e.snapshot.isoformat()) for e in catalog.changelog.entries] == [
        ("serverless-models", "2025-03-04"),
        ("fine-tuning-models", "2025-12-01"),
        ("serverless-lora-bases", "2025-12-01"),
    ]
    assert catalog.changelog.entries[0].changes[0].change == "added"
    without = copy_catalog_data(tmp_path / "without", seed_catalog)
    (without / CHANGELOG_FILE).unlink()
    assert load_seed_era(without).changelog.entries == ()


def test_changelog_in_another_shape_loads_and_a_bad_one_is_located(
    seed_catalog: Path, tmp_path: Path
) -> None:
    folder = copy_catalog_data(tmp_path / "catalog", seed_catalog)
    path = folder / CHANGELOG_FILE
    text = path.read_text()
    restyled = yamlio.dumps(yamlio.to_plain(yamlio.loads(text)))  # block style, plain scalars
    assert changelog_text.fast_plain(restyled) is None
    path.write_text(restyled + "# a comment at the end\n")
    assert len(load_seed_era(folder).changelog.entries) == 3
    # Entries of one page out of date order: refused, naming the file.
    second = restyled.index("  - page: fine-tuning-models")
    bad = restyled[:second] + restyled[second:].replace("2025-12-01", "2025-01-01", 1)
    bad = bad.replace("page: fine-tuning-models", "page: serverless-models", 1)
    path.write_text(bad)
    with pytest.raises(CatalogError, match=r"changelog\.yaml:\d+: .*is not after its previous"):
        load_seed_era(folder)
    path.write_text(text.replace('"change": "added"', '"change": "gone"', 1))
    with pytest.raises(CatalogError, match=r"changelog\.yaml:\d+: entries\.0\.changes\.0"):
        load_seed_era(folder)


def test_the_changelog_names_its_schema_and_matches_it(seed_catalog: Path) -> None:
    path = seed_catalog / CHANGELOG_FILE
    first = path.read_text().split("\n", 1)[0]
    assert first == "# yaml-language-server: $schema=schema/changelog.schema.json"
    schema = json.loads((seed_catalog / "schema" / "changelog.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(yamlio.to_plain(yamlio.load(path)))


_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)
_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), _TEXT)
_CHANGE = st.fixed_dictionaries(
    {"table": _TEXT, "model": _TEXT, "change": _TEXT},
    optional={"field": _TEXT, "old": _VALUE, "new": _VALUE},
)
_ENTRY = st.fixed_dictionaries(
    {
        "page": st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), _TEXT),
        "snapshot": st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
        "url": _TEXT,
        "changes": st.lists(_CHANGE, max_size=3),
    },
    optional={"approximate": _TEXT},
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ENTRY, max_size=4))
def test_fast_reader_reads_what_yaml_reads(entries: list[dict[str, Any]]) -> None:
    text = HEADER + "entries:\n" + changelog_text.render(entries)
    fast = changelog_text.fast_plain(text)
    if entries and all(entry["changes"] for entry in entries):  # as reconcile writes them
        assert fast is not None
    if fast is not None:
        assert fast == yamlio.to_plain(yamlio.loads(text))
