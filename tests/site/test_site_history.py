"""What today's tables do not publish yet, on a synthetic catalog: capability flags and a
modality (the filters), prices (sortable columns), retired rows (a model gone from every
table, and one gone from a single table), and a changelog (a model's history).

The catalog is the committed one with these added, rendered like generated/ and opened
offline; a Catalog without a `changelog` attribute (as before the changelog landed) still
renders a page that says it has no history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page as PlaywrightPage

from catalog.changelog import Change, Changelog, Entry
from catalog.contents import Catalog
from catalog.models import (
    Column,
    FineTuneTable,
    RetiredFineTuneRow,
    ServerlessTable,
    Table,
)
from codegen.generate import render_all
from codegen.site_check import embedded_data
from tests.site.browser import open_page, write_site

GONE = "acme/Gone-7B-Instruct"
GONE_DATE = dt.date(2025, 6, 30)
SPEECH = "Synthetic-Speech"
FLAGS = (
    ("function_calling", "Function Calling"),
    ("structured_outputs", "Structured Outputs"),
    ("input_price", "Input pricing (per 1M tokens)"),
    ("output_price", "Output pricing (per 1M tokens)"),
    ("modality", "Modality"),
)
#: What the synthetic rows alone publish: cleared everywhere else, whatever the data holds.
CLEARED = (
    "function_calling",
    "structured_outputs",
    "modality",
    "input_price",
    "cached_input_price",
    "output_price",
    "token_price",
    "price_per_megapixel",
    "price_per_video",
    "price",
)


def _with_columns(table: Table, extra: tuple[tuple[str, str], ...]) -> tuple[Column, ...]:
    have = {c.field for c in table.columns}
    return (*table.columns, *(Column(field=f, header=h) for f, h in extra if f not in have))


def _cleared(table: ServerlessTable) -> ServerlessTable:
    rows = tuple(r.model_copy(update=dict.fromkeys(CLEARED)) for r in table.rows)
    return table.model_copy(update={"rows": rows, "columns": _with_columns(table, FLAGS)})


def synthetic(catalog: Catalog) -> tuple[Catalog, dict[str, Any]]:
    tables = {
        t.table: _cleared(t) if isinstance(t, ServerlessTable) else t
        for t in catalog.tables.values()
    }
    chat = next(
        t for t in tables.values() if isinstance(t, ServerlessTable) and t.category == "chat"
    )
    rows = list(chat.rows)
    values = [
        {
            "function_calling": True,
            "structured_outputs": True,
            "input_price": "0.88",
            "output_price": "1.20",
        },
        {
            "function_calling": True,
            "structured_outputs": False,
            "input_price": "0.20",
            "output_price": "0.60",
        },
        {"function_calling": False, "structured_outputs": True, "input_price": "3.50"},
    ]
    for index, update in enumerate(values):
        rows[index] = rows[index].model_copy(update=update)
    tables[chat.table] = chat.model_copy(update={"rows": tuple(rows)})
    audio = next(
        t for t in tables.values() if isinstance(t, ServerlessTable) and t.category == "audio"
    )
    spoken = audio.rows[0].model_copy(update={"modality": SPEECH})
    tables[audio.table] = audio.model_copy(update={"rows": (spoken, *audio.rows[1:])})
    lora = next(t for t in tables.values() if isinstance(t, FineTuneTable) and t.method == "lora")
    full = next(t for t in tables.values() if isinstance(t, FineTuneTable) and t.method == "full")
    left = next(r for r in lora.rows if r.model in {f.model for f in full.rows})
    template = lora.rows[0].model_dump()
    gone = RetiredFineTuneRow(
        **{**template, "model": GONE, "model_name": "Gone 7B", "last_seen": GONE_DATE}
    )
    tables[lora.table] = lora.model_copy(update={"retired": (*lora.retired, gone)})
    full_left = next(r for r in full.rows if r.model == left.model)
    tables[full.table] = full.model_copy(
        update={
            "rows": tuple(r for r in full.rows if r.model != left.model),
            "retired": (
                *full.retired,
                RetiredFineTuneRow(**full_left.model_dump(), last_seen=GONE_DATE),
            ),
        }
    )
    log = Changelog(
        entries=(
            Entry(
                page=lora.source.page,
                snapshot=GONE_DATE,
                url=lora.source.url,
                changes=(
                    Change(
                        table=lora.table,
                        model=left.model,
                        change="changed",
                        field="max_batch_size_sft",
                        old=32,
                        new=left.max_batch_size_sft,
                    ),
                    Change(table=full.table, model=left.model, change="retired"),
                    Change(table=lora.table, model=GONE, change="retired"),
                ),
            ),
        )
    )
    made = dataclasses.replace(catalog, tables=tables, changelog=log)
    current = {r.model for t in tables.values() for r in t.rows}
    gone_ones = {r.model for t in tables.values() for r in t.retired} - current
    facts = {
        "chat": chat,
        "audio": audio,
        "left": left.model,
        "lora": lora,
        "full": full,
        "retired_only": len(gone_ones),
    }
    return made, facts


@pytest.fixture(scope="module")
def made(
    catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Catalog, dict[str, Any]]:
    fake, facts = synthetic(catalog)
    index = write_site(render_all(fake), tmp_path_factory.mktemp("synthetic"))
    return index, fake, facts


@pytest.fixture
def page(browser: Browser, made: tuple[Path, Catalog, dict[str, Any]]) -> Iterator[PlaywrightPage]:
    with open_page(browser, made[0]) as opened:
        yield opened.page
        assert opened.offline == [] and opened.errors == []


def shown(page: PlaywrightPage) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "#model-table tbody tr", "rs => rs.map(r => r.dataset.model)"
    )
    return ids


def test_capability_and_modality_filters(page: PlaywrightPage, made: Any) -> None:
    chat = made[2]["chat"]
    first, second, third = (r.model for r in chat.rows[:3])
    page.check("#cap-function-calling")
    assert sorted(shown(page)) == sorted({first, second})
    page.check("#cap-structured-outputs")
    assert shown(page) == [first]
    page.uncheck("#cap-function-calling")
    assert sorted(shown(page)) == sorted({first, third})
    page.uncheck("#cap-structured-outputs")
    page.select_option("#modality-filter", SPEECH)
    assert shown(page) == [made[2]["audio"].rows[0].model]


def test_prices_sort_as_numbers(page: PlaywrightPage, made: Any) -> None:
    chat = made[2]["chat"]
    page.select_option("#sort-by", "price")
    order = shown(page)
    assert order[:3] == [chat.rows[1].model, chat.rows[0].model, chat.rows[2].model]
    page.select_option("#sort-dir", "desc")
    assert shown(page)[:3] == [chat.rows[2].model, chat.rows[0].model, chat.rows[1].model]
    row = page.locator(f'#model-table tr[data-model="{chat.rows[0].model}"]')
    assert "$0.88" in (row.text_content() or "")


def test_retired_models_and_rows(page: PlaywrightPage, made: Any) -> None:
    assert GONE not in shown(page)
    count = len(shown(page))
    page.check("#show-retired")
    assert GONE in shown(page) and len(shown(page)) == count + made[2]["retired_only"]
    assert "retired" in (page.text_content(f'tr[data-model="{GONE}"]') or "")
    page.click(f'tr[data-model="{GONE}"] a.model-link')
    page.wait_for_selector("#model-dialog[open]")
    detail = page.text_content("#model-detail") or ""
    assert "No longer listed" in detail
    assert f"Last seen {GONE_DATE.isoformat()}" in detail
    assert "No longer listed in" in detail  # its changelog entry
    page.keyboard.press("Escape")
    left = made[2]["left"]
    page.click(f'tr[data-model="{left}"] a.model-link')
    page.wait_for_selector("#model-dialog[open]")
    full = made[2]["full"]
    card = page.locator(f'#model-detail section.card.retired[data-table="{full.table}"]')
    assert f"Last seen {GONE_DATE.isoformat()}" in (card.text_content() or "")


def test_a_models_history(page: PlaywrightPage, made: Any) -> None:
    left = made[2]["left"]
    page.evaluate(f"location.hash = '#model=' + encodeURIComponent({left!r})")
    page.wait_for_selector("#model-dialog[open]")
    history = page.locator("#model-detail ol.history")
    text = history.text_content() or ""
    assert GONE_DATE.isoformat() in text
    lora, full = made[2]["lora"], made[2]["full"]
    header = next(c.header for c in lora.columns if c.field == "max_batch_size_sft")
    assert f"{header} in {lora.source.section}: 32 examples →" in text
    assert f"No longer listed in {full.source.section}" in text
    assert history.locator("a").first.get_attribute("href") == lora.source.url


def test_a_catalog_without_a_changelog_still_renders(catalog: Catalog) -> None:
    @dataclasses.dataclass(frozen=True)
    class Older:  # a Catalog as it was before catalog/changelog.yaml
        tables: dict[str, Table]
        notes: Any
        aliases: Any
        waivers: Any

    older = Older(catalog.tables, catalog.notes, catalog.aliases, catalog.waivers)
    from codegen.generate import RUNTIME_DIR
    from codegen.render import TEMPLATES_DIR
    from codegen.site import INDEX, outputs

    files = dict((rel, make()) for rel, make in outputs(older, TEMPLATES_DIR, RUNTIME_DIR))  # type: ignore[arg-type]
    data = embedded_data(files[INDEX])
    assert data["has_changelog"] is False and data["changelog"] == []
