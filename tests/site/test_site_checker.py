"""One validator: the page's job checker (site/checker.js) gives the Python validator's
violations, code for code and in the same order, with the same field, limit, table and
suggestion, and the same message wherever JavaScript can hold the request exactly.

Requests come from the package's own Hypothesis strategies (valid and invalid, boundaries
weighted in), from a sweep of every job row's bounds and one past each, and from odd values
(case and namespace slips, serving twins, contact-only spellings, floats, huge numbers,
containers, unicode), and on every id a fine-tuning table retired (retired-model, with its
last-seen date and successor). They are checked in the page in one `page.evaluate` call.

What JavaScript cannot hold is only compared without the message: bytes (sent as an object,
still "not a number"), an integral float (8.0 arrives as 8), and an int beyond 2**53.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import together_catalog as tc
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser
from together_catalog import _data
from together_catalog.lookup import FINETUNE_METHODS, LORA_JOB, finetune_table_id
from together_catalog.testing import invalid_finetune_requests, valid_finetune_requests

from tests.site.browser import open_page

#: Requests drawn from each strategy (valid, invalid): together well over 500.
DRAWN = 300
SAFE_INT = 2**53

Request = dict[str, Any]


def drawn(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` examples of `strategy`, the same on every run (derandomized, no database)."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def gather(example: Any) -> None:
        found.append(example)

    gather()
    return found


def boundary_requests() -> Iterator[Request]:
    """Every job row (LoRA, long-context-only, full), both methods: each bound and one past."""
    for lora, rows in ((None, LORA_JOB), (False, _data.FULL)):
        for model, row in rows.items():
            for method in ("sft", "dpo"):
                top = getattr(row, f"max_batch_size_{method}")
                context = getattr(row, f"context_length_{method}")
                base: Request = {"model": model, "lora": lora, "training_method": method}
                for batch in {row.min_batch_size - 1, row.min_batch_size, top, top + 1}:
                    yield {**base, "batch_size": batch}
                for length in (context, context + 1, 0):
                    yield {**base, "max_seq_length": length}
                if row.max_lora_rank is not None:
                    yield {**base, "lora_r": row.max_lora_rank + 1}
            yield {"model": model, "lora": lora, "train_vision": True}


def finetune_tables() -> list[str]:
    return [finetune_table_id(m) for m in FINETUNE_METHODS]


def retired_requests() -> Iterator[Request]:
    """Every id a fine-tuning table retired, with each lora flag (None, True, False and one
    that is not a bool) and a few batch sizes, each method once, and one request in full."""
    retired = [r.model for t in finetune_tables() for r in tc.retired_models(t)]
    for model in dict.fromkeys(retired):
        for lora in (None, True, False, "yes"):
            for batch in ("max", 1, 8, 10**6):
                yield {"model": model, "lora": lora, "batch_size": batch}
            yield {"model": model, "lora": lora, "training_method": "dpo", "max_seq_length": 2**20}
        yield {"model": model, "lora": False, "lora_r": 4096, "train_vision": True}


def odd_requests() -> list[Request]:
    some = next(iter(LORA_JOB))
    namespace, _, name = some.partition("/")
    prefixes = list(_data.CONTACT_ONLY_PREFIXES)
    odd: list[Request] = [
        {"model": some.upper()},
        {"model": some.lower()},
        {"model": name},
        {"model": "other-org/" + name},
        {"model": some + "-Turbo"},
        {"model": some + "-Reference"},
        {"model": some[:-1]},
        {"model": namespace + "/"},
        {"model": ""},
        {"model": "x" * 250},
        {"model": some.replace("-", "_") * 9},
        {"model": "ẞtraße/" + name},
        {"model": "a\u2028b\x00\x7f\u00ad\U0001f600'\""},
        {"model": 'it\'s "quoted"'},
        {"model": None},
        {"model": 5},
        {"model": ["a"]},
        {"model": {"a": 1}},
        {"model": None, "from_checkpoint": "ft-1", "batch_size": 0, "max_seq_length": -1},
        {"model": some, "from_checkpoint": "ft-1"},
        {"model": some, "from_checkpoint": 7},
        {"model": some, "batch_size": 8.0, "max_seq_length": 1e16, "lora_r": 1e-07},
        {"model": some, "batch_size": 2.5e-05, "lora_r": 1.5e300, "max_seq_length": 123456.5},
        {"model": some, "batch_size": 2**60, "max_seq_length": 2**70},
        {"model": some, "training_method": "it's", "batch_size": "Max"},
        {"model": some, "training_method": None, "lora": "x", "train_vision": None},
        {"model": some, "lora_r": [], "gradient_accumulation_steps": {"steps": [1, None]}},
        {"model": some, "gradient_accumulation_steps": -5, "train_vision": 1},
    ]
    for prefix in prefixes:
        odd += [
            {"model": prefix},
            {"model": prefix.lower() + "-Instruct"},
            {"model": prefix.rpartition("/")[2] + "-Reference"},
            {"model": prefix, "lora": False, "batch_size": 10**6},
        ]
    return odd


def to_js(value: Any) -> Any:
    """The value as the page receives it: bytes become an object, huge ints a float."""
    if isinstance(value, bytes):
        return {"bytes": list(value)}
    if isinstance(value, list):
        return [to_js(v) for v in value]
    if isinstance(value, dict):
        return {k: to_js(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > SAFE_INT:
        return float(value)
    return value


def exact_in_js(value: Any) -> bool:
    """Whether JavaScript holds `value` as Python does (so messages must match too)."""
    if isinstance(value, bytes):
        return False
    if isinstance(value, list):
        return all(exact_in_js(v) for v in value)
    if isinstance(value, dict):
        return all(exact_in_js(v) for v in value.values())
    if isinstance(value, float):
        return not value.is_integer()
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= SAFE_INT
    return True


def without_message(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "message"} for item in found]


def test_the_page_checker_gives_the_python_violations(browser: Browser, site_index: Path) -> None:
    generated = [*drawn(valid_finetune_requests(), DRAWN)]
    generated += [tagged.request for tagged in drawn(invalid_finetune_requests(), DRAWN)]
    assert len(generated) >= 500
    retired = list(retired_requests())
    requests = [*generated, *boundary_requests(), *odd_requests(), *retired]
    expected = [[v.to_dict() for v in tc.check_finetune_request(**r)] for r in requests]
    with open_page(browser, site_index) as opened:
        got = opened.page.evaluate(
            "rs => rs.map(r => window.togetherCatalog.checkFinetuneRequest(r))",
            [to_js(r) for r in requests],
        )
    assert len(got) == len(requests)
    messages = 0
    for request, want, have in zip(requests, expected, got, strict=True):
        assert without_message(have) == without_message(want), request
        if exact_in_js(request):
            assert [v["message"] for v in have] == [v["message"] for v in want], request
            messages += 1
    codes = {v["code"] for found in expected for v in found}
    assert codes >= {"unknown-model", "batch-size-too-large", "max-seq-length-too-large"}
    assert any("did you mean" in str(v["suggestion"]) for f in expected for v in f)
    # The retired ids are checked, not passed over: Python reports retired-model for them,
    # for LoRA and full jobs, with and without a successor.
    gone = [v for found in expected[-len(retired) :] for v in found if v["code"] == "retired-model"]
    assert {v["table"] for v in gone} >= {finetune_table_id("lora"), finetune_table_id("full")}
    assert any("successor" in str(v["suggestion"]) for v in gone)
    assert any("successor" not in str(v["suggestion"]) for v in gone)
    assert messages >= 0.9 * len(requests)


def test_violations_come_in_the_documented_order(browser: Browser, site_index: Path) -> None:
    some = next(iter(LORA_JOB))
    everything = {
        "model": some,
        "from_checkpoint": 5,
        "lora": "yes",
        "training_method": "ppo",
        "batch_size": "many",
        "max_seq_length": 0,
        "lora_r": 0,
        "gradient_accumulation_steps": -1,
        "train_vision": "no",
    }
    with open_page(browser, site_index) as opened:
        found = opened.page.evaluate(
            "r => window.togetherCatalog.checkFinetuneRequest(r).map(v => v.code)", everything
        )
    assert found == [v.code for v in tc.check_finetune_request(**everything)]  # type: ignore[arg-type]
    assert found == sorted(found, key=tc.validate.CODES.index)
    assert len(found) >= 8


def _runs(points: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for cp in points:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return runs


def test_ids_fold_and_values_print_as_python_does(browser: Browser, site_index: Path) -> None:
    """casefold() (for id suggestions) and repr() (for messages) agree on every code point
    this Python's Unicode database assigns; the browser's may be newer."""
    points = [cp for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    folds = {cp: chr(cp).casefold() for cp in points if chr(cp).casefold() != chr(cp)}
    with open_page(browser, site_index) as opened:
        page_folds, escaped = opened.page.evaluate(
            r"""() => {
              const tc = window.togetherCatalog, folds = [], escaped = [];
              for (let cp = 0; cp <= 0x10ffff; cp++) {
                if (cp >= 0xd800 && cp <= 0xdfff) continue;
                const ch = String.fromCodePoint(cp), folded = tc.casefold(ch);
                if (folded !== ch) folds.push([cp, folded]);
                if (!tc.pyRepr(ch).includes("\\")) continue;
                const last = escaped[escaped.length - 1];
                if (last && last[1] === cp - 1) last[1] = cp;
                else escaped.push([cp, cp]);
              }
              return [folds, escaped];
            }"""
        )
    page_map = {cp: folded for cp, folded in page_folds}

    def assigned(cp: int) -> bool:
        return unicodedata.category(chr(cp)) != "Cn"

    differ = [
        cp
        for cp in set(folds) | set(page_map)
        if folds.get(cp) != page_map.get(cp) and assigned(cp)
    ]
    assert differ == []
    python_escaped = {cp for cp in points if "\\" in repr(chr(cp))}
    page_escaped = {cp for low, high in escaped for cp in range(low, high + 1)}
    mismatched = [cp for cp in python_escaped ^ page_escaped if assigned(cp)]
    assert _runs(sorted(mismatched)) == []


FLOATS = (0.5, 2.5, 8.5, 1e-05, 0.0001, 123456.789, -2.5, 1234567890123456.8, 3.3e-300, 0.1 + 0.2)


def test_floats_print_as_python_does(browser: Browser, site_index: Path) -> None:
    with open_page(browser, site_index) as opened:
        printed = opened.page.evaluate("vs => vs.map(window.togetherCatalog.pyRepr)", FLOATS)
    assert printed == [repr(v) for v in FLOATS]
