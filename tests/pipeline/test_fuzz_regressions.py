"""Inputs the fuzzers (tests/pipeline/fuzz_targets.py) once crashed on, plus an in-suite
Hypothesis fuzz.

Each regression input must now be refused with the error the CLIs turn into exit 2.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from catalog import yamlio
from catalog.load import CatalogError, validate
from catalog.models import Notes, Table
from scrapers.parse import ScrapeError, parse_text

# Found by atheris on the YAML loader: tags, and scalars ruamel.yaml itself chokes on.
YAML_CRASHES = [b"!!", b"._", b"+_", b"a: !foo 1", b"a: !!binary aGVsbG8=", b"? [1]\n: 2"]


def _load_and_validate(data: bytes) -> None:
    doc = yamlio.loads(data.decode("utf-8"), "fuzz.yaml")
    adapters: tuple[TypeAdapter[Any], ...] = (TypeAdapter(Table), TypeAdapter(Notes))
    for adapter in adapters:
        try:
            validate(adapter, doc, Path("fuzz.yaml"))
        except CatalogError as exc:
            assert str(exc).startswith("fuzz.yaml")


@pytest.mark.parametrize("data", YAML_CRASHES, ids=repr)
def test_yaml_crash_inputs_are_refused_cleanly(data: bytes) -> None:
    with pytest.raises((yamlio.YamlError, CatalogError)) as info:
        _load_and_validate(data)
    assert "fuzz.yaml" in str(info.value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_yaml_loader_never_crashes(data: bytes) -> None:
    with contextlib.suppress(yamlio.YamlError, CatalogError, UnicodeDecodeError):
        _load_and_validate(data)


_TABLE_HEAD = (
    "# Serverless LoRA base models\n\n"
    "| Organization | Base Model Name | Base Model String | Quantization |\n"
    "| --- | --- | --- | --- |\n"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_scraper_never_crashes(body: str) -> None:
    for text in (body, _TABLE_HEAD + body):
        try:
            page = parse_text(text, Path("fuzz.md"))
        except ScrapeError as exc:
            assert str(exc).startswith("fuzz.md")
            continue
        for table in page.tables:
            for row in table.rows:
                assert isinstance(row["model"], str) and row["model"]
