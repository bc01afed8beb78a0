"""The user CLI: exit codes 0/1/2, readable tables, and the documented --json shapes.

Output under hostile streams is tested in test_runtime_cli_streams.py; the price command,
the list filters, --version and the as-of dates in test_runtime_cli_answers.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import together_catalog as tc
from together_catalog import _data

from tests.runtime.cli_helpers import QWEN, TOO_BIG_DPO, run

VIOLATION_KEYS = ["code", "field", "message", "limit", "table", "suggestion"]


def test_validate_job_valid_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate-job", "--model", QWEN, "--batch-size", "8")
    assert code == 0 and out.startswith("ok:")


def test_validate_job_invalid_exits_1_with_table(capsys: pytest.CaptureFixture[str]) -> None:
    top = _data.LORA[QWEN].max_batch_size_dpo
    code, out, _ = run(
        capsys,
        "validate-job",
        "--model",
        QWEN,
        "--training-method",
        "dpo",
        "--batch-size",
        str(top + 1),
    )
    assert code == 1
    assert "batch-size-too-large" in out and "finetune-lora" in out
    assert f"max DPO batch for LoRA on {QWEN} is {top}" in out


USAGE_ERRORS = [
    ["validate-job", "--model", QWEN, "--batch-size", "eight"],
    ["validate-job", "--model", QWEN, "--batch-size", "8.5"],
    ["validate-job", "--model", QWEN, "--batch-size", "nan"],
    ["validate-job", "--model", QWEN, "--batch-size", "inf"],
    ["validate-job", "--model", QWEN, "--max-seq-length", "8192.5"],
    ["validate-job", "--model", QWEN, "--max-seq-length", "long"],
    ["validate-job", "--model", QWEN, "--training-method", "ppo"],
    ["validate-job", "--batch-size", "8"],
    ["list", "--lora", "--full"],
    ["list", "--serverless", "nope"],
    ["frobnicate"],
    [],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and "usage:" in err and out == ""
    assert err.rstrip().splitlines()[-1].startswith("together-catalog")
    assert ": error: " in err


@pytest.mark.parametrize("argv", USAGE_ERRORS)
@pytest.mark.parametrize("where", ["end", "start"])
def test_usage_errors_with_json_are_one_json_document(
    capsys: pytest.CaptureFixture[str], argv: list[str], where: str
) -> None:
    """--json anywhere in argv: no usage text, one {"error": ...} document, exit 2."""
    full = [*argv, "--json"] if where == "end" else ["--json", *argv]
    code, out, err = run(capsys, *full)
    assert (code, err) == (2, "")
    doc = json.loads(out)
    assert list(doc) == ["error"] and list(doc["error"]) == ["code", "message"]
    assert doc["error"]["code"] == "usage" and doc["error"]["message"]
    assert "usage:" not in doc["error"]["message"]


def test_json_error_message_is_argparse_s(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "validate-job", "--model", QWEN, "--training-method", "ppo", "--json")
    message = json.loads(out)["error"]["message"]
    assert message.startswith("argument --training-method: invalid choice: 'ppo'")


def test_json_prefix_counts_and_double_dash_ends_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """argparse takes `--js` for --json, so errors do too; after `--` it is an operand."""
    code, out, err = run(capsys, "show", "nope/nope", "--js")
    assert (code, err) == (1, "") and json.loads(out)["error"]["code"] == "unknown-model"
    code, out, err = run(capsys, "list", "--lora", "--full", "--js")
    assert (code, err) == (2, "") and json.loads(out)["error"]["code"] == "usage"
    code, out, err = run(capsys, "show", "--", "--json")
    assert code == 1 and out == "" and "'--json' is not in the catalog" in err
    code, out, err = run(capsys, "frobnicate", "--", "--json")
    assert code == 2 and out == "" and "usage:" in err


def test_help_is_text_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate-job", "--help")
    assert (code, err) == (0, "") and out.startswith("usage: together-catalog validate-job")


def test_whole_number_float_spellings_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """`8.0` is 8 for the CLI as for the API and the request schema."""
    argv = ["validate-job", "--model", QWEN, "--batch-size", "8.0"]
    code, out, err = run(capsys, *argv, "--max-seq-length", "8192.0", "--json")
    assert (code, err) == (0, "")
    request = json.loads(out)["request"]
    assert request["batch_size"] == 8 and type(request["batch_size"]) is int
    assert request["max_seq_length"] == 8192 and type(request["max_seq_length"]) is int
    top = _data.LORA[QWEN].max_batch_size_sft
    code, out, _ = run(capsys, "validate-job", "--model", QWEN, "--batch-size", f"{top + 1}.0")
    assert code == 1 and "batch-size-too-large" in out


def test_validate_job_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "validate-job",
        "--model",
        QWEN,
        "--full",
        "--batch-size",
        "max",
        "--max-seq-length",
        "0",
        "--json",
    )
    doc = json.loads(out)
    assert code == 1
    assert list(doc) == ["valid", "request", "violations", "as_of"]
    assert doc["valid"] is False
    assert doc["request"] == {
        "model": QWEN,
        "lora": False,
        "training_method": "sft",
        "batch_size": "max",
        "max_seq_length": 0,
        "from_checkpoint": None,
        "lora_r": None,
        "gradient_accumulation_steps": None,
        "train_vision": False,
    }
    assert [list(v) for v in doc["violations"]] == [VIOLATION_KEYS]
    assert doc["violations"][0]["code"] == "max-seq-length-too-small"


def test_unknown_model_is_a_violation_not_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate-job", "--model", "qwen/qwen3.5-9b", "--json")
    doc = json.loads(out)
    assert code == 1
    assert doc["violations"][0]["suggestion"] == f"did you mean {QWEN}?"


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", QWEN)
    assert code == 0
    assert "finetune-lora" in out and str(_data.LORA[QWEN].context_length_dpo) in out
    code, out, _ = run(capsys, "show", QWEN, "--json")
    doc = json.loads(out)
    keys = ["model", "fine_tuning", "serverless", "serverless_lora_base", "retired", "as_of"]
    assert list(doc) == keys and doc["retired"] == []
    assert doc["fine_tuning"]["lora"]["max_batch_size_dpo"] == _data.LORA[QWEN].max_batch_size_dpo
    assert doc["fine_tuning"]["lora_long_context"] is None
    assert list(doc["serverless_lora_base"]) == ["ok", "base", "reason"]


def test_show_serverless_turbo(capsys: pytest.CaptureFixture[str]) -> None:
    turbo = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    code, out, _ = run(capsys, "show", turbo)
    assert code == 0
    assert "chat" in out and tc.serverless_lora_base(turbo).reason in out


def test_show_unknown_exits_1_with_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "Qwen3.5-9B")
    assert code == 1 and out == ""
    assert "did you mean 'Qwen/Qwen3.5-9B'" in err


def test_show_unknown_json_is_an_error_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "Qwen3.5-9B", "--json")
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "error": {
            "code": "unknown-model",
            "message": "'Qwen3.5-9B' is not in the catalog; did you mean 'Qwen/Qwen3.5-9B'?",
        }
    }


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["show", QWEN], 0),
        (["show", "nope/nope"], 1),
        (["list", "--serverless", "chat"], 0),
        (["list"], 0),
        (["validate-job", "--model", QWEN], 0),
        (["validate-job", "--model", QWEN, *TOO_BIG_DPO], 1),
        (["validate-job", "--model", "nope/nope"], 1),
        (["validate-job", "--model", QWEN, "--batch-size", "eight"], 2),
        (["list", "--serverless"], 2),
    ],
)
def test_every_json_call_writes_exactly_one_document(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: int
) -> None:
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (expected, "")
    doc = json.loads(out)  # raises on a second document ("Extra data") or on none
    assert isinstance(doc, dict)
    # an invalid job is a verdict, not an error; an unknown `show` id and bad usage are errors
    is_error = expected == 2 or (expected == 1 and argv[0] == "show")
    assert ("error" in doc) == is_error


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (["--lora"], list(_data.LORA)),
        (["--full"], list(_data.FULL)),
        (["--long-context"], list(_data.LORA_LONG_CONTEXT)),
        (["--lora-serverless"], list(_data.LORA_BASES)),
        (["--serverless", "embedding"], list(_data.SERVERLESS["embedding"])),
    ],
)
def test_list_json(
    capsys: pytest.CaptureFixture[str], flag: list[str], expected: list[str]
) -> None:
    code, out, _ = run(capsys, "list", *flag, "--json")
    doc = json.loads(out)
    assert code == 0
    assert list(doc) == ["selection", "table", "models", "filters", "as_of"]
    assert doc["table"] in _data.TABLES
    assert [m["model"] for m in doc["models"]] == expected


def test_list_human_and_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--lora")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("model") and set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + len(_data.LORA) + 2  # the table, a blank line, the as-of line
    assert lines[-1].startswith("as of: fine-tuning-models ")
    code, out, _ = run(capsys, "list", "--json")
    doc = json.loads(out)
    assert doc["selection"] == "all"
    assert {"model", "fine_tuning", "serverless", "serverless_lora_base"} == set(doc["models"][0])


def test_python_dash_m_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "together_catalog", "validate-job", "--model", QWEN, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["valid"] is True


def test_show_lora_base_only_model(capsys: pytest.CaptureFixture[str]) -> None:
    only = [m for m in _data.LORA_BASES if m not in _data.LORA and m not in _data.FULL]
    for model in only:
        code, out, _ = run(capsys, "show", model)
        assert code == 0
        assert "fine-tuning: not listed" in out
        assert "serverless LoRA base: yes" in out
