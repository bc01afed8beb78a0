"""The README's promises: it opens with the two commands, and its Python example runs as shown."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_readme_opens_with_make_and_make_test() -> None:
    first = _blocks("sh")[0].splitlines()
    commands = [line.split("#")[0].strip() for line in first]
    assert commands == ["make", "make test"]


def test_python_example_runs_and_prints_what_it_says() -> None:
    (example,) = _blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, "README.md", "exec"), {})
    printed = out.getvalue()
    # The example's trailing comment shows the start of the line it prints.
    shown = re.search(r"^# (batch-size-too-large .*?)\.\.\.$", example, flags=re.M)
    assert shown is not None
    assert printed.startswith(shown.group(1))


def test_example_comments_match_the_catalog() -> None:
    from together_catalog import finetune_limits, serverless_model

    text = README.read_text(encoding="utf-8")
    assert f".max_batch_size_dpo  # {finetune_limits('Qwen/Qwen3-8B').max_batch_size_dpo} " in text
    quant = serverless_model("meta-llama/Llama-3.3-70B-Instruct-Turbo").quantization
    assert f".quantization  # {quant!r}" in text
