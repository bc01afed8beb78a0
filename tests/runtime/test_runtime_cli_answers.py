"""The CLI's newer answers: `price`, the `list` capability filters, `--version`, the SDK 3.1.1
arguments of `validate-job`, and the as-of dates every output carries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import together_catalog as tc
from together_catalog import _data

from tests.runtime.cli_helpers import QWEN, run
from tests.runtime.synthetic import PRICED_CHAT, TTS, Install, priced_chat, tts

CHAT = next(iter(_data.SERVERLESS["chat"]))


def _pages(*tables: str) -> dict[str, str]:
    """Each page of `tables` -> the oldest snapshot among them (all list rows here)."""
    pages: dict[str, str] = {}
    for info in map(tc.table_info, tables):
        assert info.row_count
        pages[info.page] = min(pages.get(info.page, info.snapshot), info.snapshot)
    return pages


def test_version_prints_the_package_version_and_every_page_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--version")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"together-catalog {tc.__version__}"
    for page, date in tc.data_as_of().items():
        assert any(line.split() == [page, date] for line in lines[2:]), page
    result = subprocess.run(
        [sys.executable, "-m", "together_catalog", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == out


def test_data_as_of_groups_the_tables_by_page() -> None:
    # A page is dated by its tables that still list rows: a table the docs dropped (the
    # long-context one, in 2026) keeps its old date and its retired rows, and dates nothing.
    pages = tc.data_as_of()
    assert list(pages) == list(dict.fromkeys(info.page for info in _data.TABLES.values()))
    for page in pages:
        tables = [info for info in _data.TABLES.values() if info.page == page]
        dating = [info.snapshot for info in tables if info.row_count] or [
            info.snapshot for info in tables
        ]
        assert pages[page] == min(dating)
    dropped = [info for info in _data.TABLES.values() if not info.row_count]
    assert any(pages[info.page] > info.snapshot for info in dropped)


def test_show_and_list_carry_the_as_of_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", QWEN, "--json")
    doc = json.loads(out)
    tables = [f"finetune-{m}".replace("_", "-") for m in tc.fine_tuning_methods(QWEN)]
    tables += [f"serverless-{c}" for c in tc.serverless_categories_of(QWEN)]
    assert code == 0 and doc["as_of"] == _pages(*tables)
    code, out, _ = run(capsys, "show", QWEN)
    assert out.rstrip().splitlines()[-1].startswith("as of: fine-tuning-models ")
    code, out, _ = run(capsys, "list", "--serverless", "chat", "--json")
    assert json.loads(out)["as_of"] == _pages("serverless-chat")
    code, out, _ = run(capsys, "list", "--json")
    assert json.loads(out)["as_of"] == tc.data_as_of()
    code, out, _ = run(capsys, "validate-job", "--model", QWEN, "--json")
    assert json.loads(out)["as_of"] == _pages("finetune-lora")
    code, out, _ = run(capsys, "validate-job", "--model", QWEN)
    assert "as of: fine-tuning-models" in out


def test_price_of_every_serverless_row_is_its_published_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for category, rows in _data.SERVERLESS.items():
        for model in rows:
            code, out, _ = run(capsys, "price", model, "--category", category, "--json")
            doc = json.loads(out)
            assert code == 0 and list(doc) == ["model", "category", "prices", "estimate", "as_of"]
            found = tc.price(model, category)
            for name, value in doc["prices"].items():
                expected = getattr(found, name)
                if expected is None:
                    assert value is None
                else:
                    assert value == {
                        "amount": str(expected.amount),
                        "unit": expected.unit,
                        "text": expected.text,
                    }


def test_price_and_cost_on_a_synthetic_row(
    capsys: pytest.CaptureFixture[str], serverless_rows: Install
) -> None:
    serverless_rows(priced_chat())
    argv = ["price", PRICED_CHAT, "--input-tokens", "1000000", "--output-tokens", "500000"]
    code, out, _ = run(capsys, *argv, "--cached-input-tokens", "250000", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["prices"]["input"] == {
        "amount": "0.88",
        "unit": "USD per 1M input tokens",
        "text": "$0.88",
    }
    assert doc["estimate"] == {
        "input_tokens": 1_000_000,
        "output_tokens": 500_000,
        "cached_input_tokens": 250_000,
        "cost_usd": str(
            tc.estimate_cost(
                PRICED_CHAT,
                input_tokens=1_000_000,
                output_tokens=500_000,
                cached_input_tokens=250_000,
            )
        ),
    }
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "$0.88" in out and "cost: $" in out and "as of: serverless-models" in out


def test_price_errors(capsys: pytest.CaptureFixture[str], serverless_rows: Install) -> None:
    serverless_rows(tts())
    code, out, _ = run(
        capsys, "price", TTS, "--input-tokens", "1", "--output-tokens", "1", "--json"
    )
    assert code == 1 and json.loads(out)["error"]["code"] == "price-not-published"
    code, out, _ = run(capsys, "price", "nope/nope", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "unknown-model"
    for argv in (
        ["--input-tokens", "1"],
        ["--cached-input-tokens", "1"],
        ["--input-tokens", "1", "--output-tokens", "1", "--cached-input-tokens", "2"],
        ["--input-tokens", "-1", "--output-tokens", "1"],
    ):
        code, out, err = run(capsys, "price", CHAT, *argv)
        assert code == 2 and "usage:" in err, argv


def test_list_filters_on_synthetic_rows(
    capsys: pytest.CaptureFixture[str], serverless_rows: Install
) -> None:
    serverless_rows(priced_chat(), tts())
    code, out, _ = run(capsys, "list", "--function-calling", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["selection"] == "serverless" and doc["table"] is None
    assert doc["filters"] == {"function_calling": True}
    assert [m["model"] for m in doc["models"]] == list(tc.models_with("function_calling"))
    code, out, _ = run(capsys, "list", "--serverless", "chat", "--structured-outputs", "--json")
    assert PRICED_CHAT not in [m["model"] for m in json.loads(out)["models"]]
    code, out, _ = run(capsys, "list", "--modality", "TEXT-TO-SPEECH")
    assert code == 0 and TTS in out and PRICED_CHAT not in out
    code, out, err = run(capsys, "list", "--lora", "--function-calling")
    assert code == 2 and "usage:" in err


def test_validate_job_sdk_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate-job", "--from-checkpoint", "ft-1:10", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["request"]["model"] is None and doc["request"]["lora"] is None
    code, out, _ = run(
        capsys, "validate-job", "--model", QWEN, "--from-checkpoint", "ft-1:10", "--json"
    )
    assert code == 1 and [v["code"] for v in json.loads(out)["violations"]] == [
        "model-and-checkpoint"
    ]
    code, out, _ = run(capsys, "validate-job", "--model", QWEN, "--train-vision", "--lora-r", "0")
    assert code == 1 and "lora-rank-too-small" in out and "vision-not-supported" in out
    argv = ["validate-job", "--model", QWEN, "--lora", "--gradient-accumulation-steps", "0"]
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["request"]["lora"] is True
    code, out, err = run(capsys, "validate-job", "--model", QWEN, "--lora", "--full")
    assert code == 2 and "usage:" in err
