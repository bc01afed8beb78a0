"""The catalog browser as the generator writes it, without a browser: the escaping of the
embedded data, the self-check that reads it back, the validator constants taken from the
runtime's source, the templates' discipline, and the page's size."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import together_catalog as tc
from hypothesis import example, given
from hypothesis import strategies as st
from together_catalog import _checks, _limits, errors

from catalog.contents import Catalog
from codegen import site, site_check
from codegen.generate import RUNTIME_DIR, GenerateError, render_all
from codegen.render import TEMPLATES_DIR, RenderError
from codegen.verify import VerifyError, check_site

SITE_TEMPLATES = TEMPLATES_DIR / "site"
#: The page and its files together stay well under this (bytes).
BUDGET = 600_000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
@example("</script><script>alert(1)</script>")
@example("<!-- -->\u2028\u2029&amp;")
@example({"</SCRIPT": ["<", ">", "&"]})
@example("lone \ud800 surrogate")
def test_script_json_reads_back_and_holds_nothing_html_could_act_on(value: Any) -> None:
    text = site.script_json(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    text.encode("utf-8")  # no lone surrogate left raw


def test_html_escapes_text_and_refuses_other_values() -> None:
    assert site.html_text("<b title=\"x\">'&'</b>") == (
        "&lt;b title=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/b&gt;"
    )
    assert site.html_text(146) == "146"
    for value in (True, None, 1.5, ["x"]):
        with pytest.raises(RenderError):
            site.html_text(value)


def test_every_value_in_the_page_template_passes_a_filter() -> None:
    template = (SITE_TEMPLATES / "index.html.j2").read_text(encoding="utf-8")
    expressions = re.findall(r"\{\{(.*?)\}\}", template, re.DOTALL)
    assert expressions
    for expression in expressions:
        filters = re.findall(r"\|\s*(\w+)", expression)
        assert filters and filters[-1] in {"html", "script_json", "html_comment"}, expression


#: DOM and JavaScript calls that would read a value as markup or code.
_UNSAFE = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
    r"setTimeout\(\s*['\"`]|srcdoc|javascript:"
)


@pytest.mark.parametrize("name", site.ASSETS[:2])
def test_the_scripts_never_turn_values_into_markup_or_code(name: str) -> None:
    source = (SITE_TEMPLATES / name).read_text(encoding="utf-8")
    assert _UNSAFE.findall(source) == []


def test_the_checker_constants_are_the_runtimes() -> None:
    found = site.runtime_constants(RUNTIME_DIR)
    assert found["CODES"] == tc.validate.CODES
    assert found["TRAINING_METHODS"] == tc.validate.TRAINING_METHODS
    assert found["VISION_MODEL_SUFFIX"] == tc.validate.VISION_MODEL_SUFFIX
    assert found["_METHOD_WORD"] == dict(_limits._METHOD_WORD)
    assert found["_WHOLE"] == _checks._WHOLE
    assert found["SERVING_SUFFIXES"] == errors.SERVING_SUFFIXES
    assert found["FINETUNE_METHODS"] == tc.lookup.FINETUNE_METHODS
    assert found["_METHOD_TITLE"] == dict(tc.lookup._METHOD_TITLE)


def test_a_runtime_without_a_constant_stops_generation(tmp_path: Path, catalog: Catalog) -> None:
    runtime = tmp_path / "runtime"
    shutil.copytree(RUNTIME_DIR, runtime)
    limits = runtime / "_limits.py"
    limits.write_text(
        limits.read_text(encoding="utf-8").replace("_METHOD_WORD", "_WORDS"), encoding="utf-8"
    )
    with pytest.raises(GenerateError, match=r"site/index\.html: .*_METHOD_WORD"):
        render_all(catalog, TEMPLATES_DIR, runtime)


def test_the_data_carries_every_table_and_the_checker_rows(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    data = site_check.embedded_data(generated_files[site.INDEX])
    assert [t["id"] for t in data["tables"]] == list(catalog.tables)
    assert data["model_count"] == len(site.current_models(catalog))
    rows = dict(data["checker"]["rows"])
    assert [r["model"] for r in rows["lora"]] == list(tc._data.LORA)
    assert [r["model"] for r in rows["full"]] == list(tc._data.FULL)
    assert [r["model"] for r in rows["lora_long_context"]] == list(tc._data.LORA_LONG_CONTEXT)
    for method, table in data["checker"]["table_of_method"]:
        assert tc.lookup.finetune_table_id(method) == table
    assert data["checker"]["contact_prefixes"] == list(tc._data.CONTACT_ONLY_PREFIXES)
    retired = {
        table: [[r.model, r.last_seen, r.successor] for r in tc.retired_models(table)]
        for table in map(tc.lookup.finetune_table_id, tc.lookup.FINETUNE_METHODS)
    }
    assert dict(data["checker"]["retired"]) == retired
    check_site(catalog, generated_files)


def _tampered(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    """`files` with the first `old` in the data's tables replaced by `new`."""
    changed = dict(files)
    page = changed[site.INDEX]
    start = page.index('"tables": [', page.index(site.DATA_OPEN))
    at = page.index(old, start)
    changed[site.INDEX] = page[:at] + new + page[at + len(old) :]
    return changed


def test_the_self_check_catches_a_changed_or_broken_page(
    catalog: Catalog, generated_files: dict[str, str]
) -> None:
    table = next(iter(catalog.tables.values()))
    model = table.rows[0].model
    renamed = _tampered(generated_files, json.dumps(model), json.dumps(model + "-x"))
    with pytest.raises(VerifyError, match="rows differ"):
        check_site(catalog, renamed)
    broken = _tampered(generated_files, json.dumps(model), '"</script>"')
    with pytest.raises(VerifyError, match="does not read back"):
        check_site(catalog, broken)
    markup = _tampered(generated_files, json.dumps(model), '"<!-- x"')
    with pytest.raises(VerifyError, match="raw '<'"):
        check_site(catalog, markup)
    twice = dict(generated_files)
    twice[site.INDEX] += site.DATA_OPEN
    with pytest.raises(VerifyError, match="more than one"):
        check_site(catalog, twice)


def test_the_site_is_small(generated_files: dict[str, str]) -> None:
    sizes = {rel: len(text.encode("utf-8")) for rel, text in generated_files.items()}
    site_files = {rel: size for rel, size in sizes.items() if rel.startswith("site/")}
    assert sorted(site_files) == sorted([site.INDEX, *(f"site/{n}" for n in site.ASSETS)])
    assert sum(site_files.values()) < BUDGET
