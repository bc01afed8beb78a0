"""The CLI under hostile output: a reader leaving early, a closed or full stdout, an output
encoding that cannot show the text, and undecodable argv bytes. Run in a subprocess; the
exit code must be the verdict whatever becomes of stdout."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.runtime.cli_helpers import CLI, QWEN, TOO_BIG_DPO, cli_env

# argv and the verdict its exit code must give, whatever happens to stdout.
VERDICTS = [
    (["show", QWEN], 0),
    (["show", QWEN, "--json"], 0),
    (["list"], 0),
    (["validate-job", "--model", QWEN], 0),
    (["validate-job", "--model", QWEN, *TOO_BIG_DPO], 1),
    (["validate-job", "--model", QWEN, *TOO_BIG_DPO, "--json"], 1),
    (["show", "nope/nope"], 1),
    (["show", "nope/nope", "--json"], 1),
    (["list", "--serverless", "nope", "--json"], 2),
    (["--help"], 0),
    (["--version"], 0),
    (["price", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "--json"], 0),
    (["price", "nope/nope"], 1),
]


@pytest.mark.parametrize(("argv", "expected"), VERDICTS)
def test_reader_leaving_early_keeps_the_verdict(argv: list[str], expected: int) -> None:
    """`together-catalog ... | head`: a closed pipe ends the command quietly, with the exit
    code of the verdict, whether it is hit mid-output or only at the last flush."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: deterministic
    try:
        result = subprocess.run(
            [*CLI, *argv], stdout=write, stderr=subprocess.PIPE, env=cli_env(), check=False
        )
    finally:
        os.close(write)
    assert result.returncode == expected, result.stderr
    assert b"Traceback" not in result.stderr and b"Exception ignored" not in result.stderr
    if expected == 0:
        assert result.stderr == b""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for pipefail")
@pytest.mark.parametrize(("argv", "expected"), VERDICTS)
def test_pipefail_head_c0_exit_code_is_the_verdict(argv: list[str], expected: int) -> None:
    """The shell-level promise: `set -o pipefail; together-catalog ... | head -c0`."""
    command = f"{shlex.join([*CLI, *argv])} | head -c0"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        env=cli_env(),
        check=False,
    )
    assert result.returncode == expected, result.stderr
    assert b"Traceback" not in result.stderr and b"Exception ignored" not in result.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash to close stdout")
@pytest.mark.parametrize(("argv", "expected"), VERDICTS)
def test_closed_stdout_keeps_the_verdict(argv: list[str], expected: int) -> None:
    result = subprocess.run(
        ["bash", "-c", f"{shlex.join([*CLI, *argv])} >&-"],
        capture_output=True,
        env=cli_env(),
        check=False,
    )
    assert result.returncode == expected, result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_keeps_the_verdict_and_says_so() -> None:
    argv = ["validate-job", "--model", QWEN, *TOO_BIG_DPO]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*CLI, *argv], stdout=full, stderr=subprocess.PIPE, env=cli_env(), check=False
        )
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"output not written" in result.stderr


NON_ASCII = "Qwen/Qwen3-8\u00c9"


@pytest.mark.parametrize(
    "argv",
    [
        ["show", NON_ASCII],
        ["validate-job", "--model", NON_ASCII],
        ["validate-job", "--model", QWEN, "--batch-size", "\u00e9"],
        ["list", "--serverless", "\u00e9"],
    ],
)
def test_ascii_output_encoding_never_crashes(argv: list[str]) -> None:
    """PYTHONIOENCODING=ascii and text no ASCII can show: backslash escapes, no traceback."""
    result = subprocess.run(
        [*CLI, *argv], capture_output=True, env=cli_env(PYTHONIOENCODING="ascii"), check=False
    )
    assert result.returncode in (1, 2)
    assert b"Traceback" not in result.stderr
    both = result.stdout + result.stderr
    assert both.isascii() and (b"\\xc9" in both or b"\\xe9" in both)


@pytest.mark.parametrize("encoding", ["ascii", "utf-8"])
@pytest.mark.parametrize(
    "argv", [["show", NON_ASCII, "--json"], ["validate-job", "--model", NON_ASCII, "--json"]]
)
def test_json_output_is_ascii_and_exact_in_any_encoding(argv: list[str], encoding: str) -> None:
    result = subprocess.run(
        [*CLI, *argv], capture_output=True, env=cli_env(PYTHONIOENCODING=encoding), check=False
    )
    assert (result.returncode, result.stderr) == (1, b"")
    assert result.stdout.isascii()
    doc = json.loads(result.stdout)
    text = doc["error"]["message"] if "error" in doc else doc["request"]["model"]
    assert NON_ASCII in text


def test_undecodable_argv_bytes_never_crash() -> None:
    """A byte that is not UTF-8 reaches Python as a lone surrogate, which UTF-8 cannot encode."""
    cli = [os.fsencode(arg) for arg in CLI]
    for argv in ([b"show", b"Qwen/\xff"], [b"validate-job", b"--model", b"Qwen/\xff"]):
        result = subprocess.run(
            [*cli, *argv],
            capture_output=True,
            env=cli_env(),
            check=False,
        )
        assert result.returncode == 1 and b"Traceback" not in result.stderr
        assert b"\\udcff" in result.stdout + result.stderr
