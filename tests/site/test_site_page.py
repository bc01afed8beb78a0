"""The catalog browser in a real browser: it opens from file:// without the network, lists
every current model, filters, sorts, opens a model with the source and date of each fact,
lists the waived contradictions, checks a job from its form, and works by keyboard and at
phone width.

Screenshots for README.md (docs/screenshots/) are written only with UPDATE_SCREENSHOTS=1, so
the suite never dirties the tree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import together_catalog as tc
from playwright.sync_api import Browser
from playwright.sync_api import Page as PlaywrightPage

from catalog.contents import Catalog
from catalog.load import ROOT
from catalog.models import FineTuneTable
from tests.site.browser import DESKTOP, PHONE, open_page

SCREENSHOTS = ROOT / "docs" / "screenshots"
NO_VALUE = "\u2013"  # what the page shows for a value not published (an en dash)


def current_ids(catalog: Catalog) -> list[str]:
    return list(dict.fromkeys(row.model for t in catalog.tables.values() for row in t.rows))


def shown_ids(page: PlaywrightPage) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "#model-table tbody tr", "rows => rows.map(r => r.dataset.model)"
    )
    return ids


def test_the_page_opens_offline_and_lists_every_current_model(
    browser: Browser, site_index: Path, catalog: Catalog
) -> None:
    with open_page(browser, site_index) as opened:
        page = opened.page
        ids = current_ids(catalog)
        assert sorted(shown_ids(page)) == sorted(ids)
        assert page.evaluate("window.togetherCatalog.currentModelCount") == len(ids)
        status = page.text_content("#model-status") or ""
        assert f"Showing {len(ids)} of {len(ids)} current models" in status
        assert opened.errors == []
        # Asked to, the page still cannot reach the network (its CSP refuses, else the route).
        refused = page.evaluate(
            "() => fetch('https://example.com/x').then(() => false, () => true)"
        )
        assert refused is True
        assert all("Content Security Policy" in error for error in opened.errors)
        assert opened.offline == []
        assert opened.requests and all(url.startswith("file://") for url in opened.requests)


def test_search_and_table_filter(browser: Browser, site_index: Path, catalog: Catalog) -> None:
    lora = next(t for t in catalog.tables.values() if isinstance(t, FineTuneTable))
    target = lora.rows[0]
    needle = target.model_name.casefold()
    names: dict[str, set[str]] = {}
    for table in catalog.tables.values():
        for row in table.rows:
            name = getattr(row, "model_name", None)
            names.setdefault(row.model, {row.model.casefold()}).add((name or "").casefold())
    with open_page(browser, site_index) as opened:
        page = opened.page
        page.fill("#q", target.model_name.upper())
        found = shown_ids(page)
        assert target.model in found
        assert found == [m for m in found if any(needle in text for text in names[m])]
        assert sorted(found) == sorted(m for m in names if any(needle in t for t in names[m]))
        page.fill("#q", "no such model, surely")
        assert shown_ids(page) == []
        assert "Showing 0 of" in (page.text_content("#model-status") or "")
        page.fill("#q", "")
        page.select_option("#table-filter", lora.table)
        assert sorted(shown_ids(page)) == sorted({row.model for row in lora.rows})
        page.select_option("#table-filter", "")
        assert len(shown_ids(page)) == len(current_ids(catalog))


#: Each cell of a column as the page sorts it: the model link alone in the id column, a
#: price's amount and unit apart, else the text.
_CELLS = """cs => cs.map(c => {
  const pick = (selector) => (c.querySelector(selector) || {}).textContent || null;
  return [pick("a.model-link"), pick(".amount"), pick(".unit"), c.textContent];
})"""
TOKENS = "1M tokens"


def sort_key(cell: list[str | None], numeric: bool) -> Any:
    """A cell's value as the page sorts it (None for a dash): numbers, flags, prices by unit
    (tokens first) then amount, else case-folded text."""
    link, amount, unit, text = cell
    if link is not None:
        return link.casefold()
    assert text is not None
    if text.strip() == NO_VALUE:
        return None
    if amount is not None and unit is not None:
        group = unit.partition("per ")[2]
        return (group != TOKENS, group.casefold(), float(amount.split()[0].lstrip("$")))
    if text in ("Yes", "No"):
        return text == "Yes"
    if numeric:
        return float(text.replace(",", ""))
    return text.casefold()


def test_every_column_sorts_both_ways(browser: Browser, site_index: Path) -> None:
    with open_page(browser, site_index) as opened:
        page = opened.page
        keys: list[str] = page.eval_on_selector_all(
            "#model-table thead button.sort", "bs => bs.map(b => b.dataset.key)"
        )
        assert len(keys) >= 5
        for index, key in enumerate(keys):
            header = f'#model-table thead button[data-key="{key}"]'
            th = f"{header} >> xpath=.."
            numeric = page.eval_on_selector(th, "th => th.classList.contains('num')")
            for direction in ("ascending", "descending"):
                if page.get_attribute(th, "aria-sort") != direction:
                    page.click(header)
                assert page.get_attribute(th, "aria-sort") == direction
                cells = page.eval_on_selector_all(
                    f"#model-table tbody tr > :nth-child({index + 1})", _CELLS
                )
                values = [sort_key(c, numeric) for c in cells]
                present = [v for v in values if v is not None]
                assert values[: len(present)] == present, f"{key}: values after an empty cell"
                assert present == sorted(present, reverse=direction == "descending"), key
            assert page.input_value("#sort-by") == key


def test_a_model_opens_with_the_date_and_source_of_each_fact(
    browser: Browser, site_index: Path, catalog: Catalog
) -> None:
    listed: dict[str, list[Any]] = {}
    for table in catalog.tables.values():
        for row in table.rows:
            listed.setdefault(row.model, []).append(table)
    model, tables = max(listed.items(), key=lambda item: len(item[1]))
    assert len(tables) >= 2
    with open_page(browser, site_index) as opened:
        page = opened.page
        page.click(f'#model-table a[href="#model={quote(model)}"]')
        page.wait_for_selector("#model-dialog[open]")
        assert page.text_content("#model-title") == model
        for table in tables:
            card = page.locator(f'#model-detail section[data-table="{table.table}"]')
            text = card.text_content() or ""
            assert f"As of {table.source.snapshot.isoformat()}" in text
            assert table.source.section in text
            assert card.locator("a").first.get_attribute("href") == table.source.url
        assert "Change history" in (page.text_content("#model-detail") or "")
        assert page.evaluate("document.activeElement.id") == "model-close"
        page.keyboard.press("Escape")
        page.wait_for_selector("#model-dialog[open]", state="detached")
        assert not page.evaluate("location.hash")
        # A link to a model opens it too (and an unknown one says so).
        page.evaluate(f"location.hash = '#model=' + encodeURIComponent({model!r})")
        page.wait_for_selector("#model-dialog[open]")
        page.click("#model-close")
        page.evaluate("location.hash = '#model=nobody%2Fnothing'")
        page.wait_for_function(
            "document.getElementById('model-status').textContent.includes('No model')"
        )


def quote(model: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(model, safe="-_.!~*'()")  # encodeURIComponent's spelling


def test_the_waived_contradictions_are_listed_with_their_reasons(
    browser: Browser, site_index: Path, catalog: Catalog
) -> None:
    waivers = catalog.waivers.waivers
    with open_page(browser, site_index) as opened:
        page = opened.page
        cards = page.locator("#waiver-list article")
        assert cards.count() == len(waivers)
        for index, waiver in enumerate(waivers):
            text = cards.nth(index).text_content() or ""
            assert waiver.rule in text
            assert " ".join(waiver.reason.split()) in " ".join(text.split())
            for model in waiver.models:
                assert model in text
        if waivers:
            first = waivers[0]
            page.locator("#waiver-list article").first.locator("a.model-link").first.click()
            page.wait_for_selector("#model-dialog[open]")
            assert first.rule in (page.text_content("#model-detail") or "")


def fill_job(page: PlaywrightPage, fields: dict[str, str]) -> None:
    page.click("#job-form button[type=reset]")
    for selector, value in fields.items():
        if selector in ("#job-lora", "#job-method"):
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click("#job-form button[type=submit]")


def test_the_job_form_reports_what_the_python_validator_does(
    browser: Browser, site_index: Path
) -> None:
    model = tc.lora_models()[0]
    row = tc.job_limits(model)
    with open_page(browser, site_index) as opened:
        page = opened.page
        fill_job(
            page,
            {
                "#job-model": model,
                "#job-method": "dpo",
                "#job-batch": str(row.max_batch_size_dpo + 1),
                "#job-length": str(row.context_length_dpo + 1),
            },
        )
        codes = page.eval_on_selector_all("#job-result li", "ls => ls.map(l => l.dataset.code)")
        want = tc.check_finetune_request(
            model,
            training_method="dpo",
            batch_size=row.max_batch_size_dpo + 1,
            max_seq_length=row.context_length_dpo + 1,
            train_vision=False,
        )
        assert codes == [v.code for v in want]
        text = page.text_content("#job-result") or ""
        for violation in want:
            assert violation.suggestion is not None and violation.suggestion in text
        assert str(row.context_length_sft) in (page.text_content("#job-row") or "")
        fill_job(page, {"#job-model": model})
        assert "No violations" in (page.text_content("#job-result") or "")
        fill_job(page, {"#job-model": model, "#job-batch": "eight", "#job-rank": "0"})
        codes = page.eval_on_selector_all("#job-result li", "ls => ls.map(l => l.dataset.code)")
        assert codes == ["invalid-batch-size-type", "lora-rank-too-small"]


def test_keyboard_alone_reaches_a_model_and_the_checker(browser: Browser, site_index: Path) -> None:
    with open_page(browser, site_index) as opened:
        page = opened.page
        page.focus("#q")
        page.keyboard.type(tc.lora_models()[0])
        link = page.locator("#model-table tbody a.model-link").first
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#model-dialog[open]")
        page.keyboard.press("Tab")  # from Close to the first link or button in the details
        page.keyboard.press("Escape")
        page.wait_for_selector("#model-dialog[open]", state="detached")
        assert page.evaluate("document.activeElement.classList.contains('model-link')")
        sort = page.locator("#model-table thead button.sort").nth(1)
        sort.focus()
        page.keyboard.press("Enter")
        assert page.get_attribute("#model-table thead th:nth-child(2)", "aria-sort") == "ascending"
        for control in page.query_selector_all(
            "#filters input, #filters select, #job-form input, #job-form select"
        ):
            ident = control.get_attribute("id")
            assert ident and page.locator(f'label[for="{ident}"]').count() == 1, ident


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_page_fits_its_width(browser: Browser, site_index: Path, viewport: Any) -> None:
    with open_page(browser, site_index, viewport=viewport) as opened:
        page = opened.page
        overflow: Callable[[], int] = lambda: page.evaluate(  # noqa: E731
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow() <= 0
        page.click("#model-table tbody a.model-link")
        page.wait_for_selector("#model-dialog[open]")
        assert overflow() <= 0
        page.keyboard.press("Escape")
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            save_screenshots(page, "desktop" if viewport == DESKTOP else "phone")


def save_screenshots(page: PlaywrightPage, name: str) -> None:
    """The top of the page, and (at desktop width) the checker reporting a job over its limits."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"site-{name}.png"))
    if name != "desktop":
        return
    model = tc.lora_models()[0]
    row = tc.job_limits(model)
    fill_job(
        page,
        {
            "#job-model": model,
            "#job-method": "dpo",
            "#job-batch": str(row.max_batch_size_dpo + 1),
            "#job-length": str(row.context_length_dpo + 1),
        },
    )
    page.evaluate("document.activeElement.blur()")
    page.locator("#checker").screenshot(path=str(SCREENSHOTS / "site-checker.png"))
