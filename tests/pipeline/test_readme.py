"""The README's promises: it opens with the two commands and says how to run the tools after
them, its Python example runs as shown, and so does the package's README's (README.pypi.md,
the long description on PyPI); both link where they say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PYPI_README = ROOT / "README.pypi.md"
MAINTAINING = ROOT / "docs" / "MAINTAINING.md"


def _blocks(language: str, path: Path = README) -> list[str]:
    text = path.read_text(encoding="utf-8")
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
    assert (
        f".max_batch_size_dpo  # {finetune_limits('Qwen/Qwen3.5-9B').max_batch_size_dpo} " in text
    )
    quant = serverless_model("meta-llama/Llama-3.3-70B-Instruct-Turbo").quantization
    assert f".quantization  # {quant!r}" in text


def test_readme_says_how_to_run_the_tools_after_make() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "activate it with `. .venv/bin/activate`" in text
    assert "`.venv/bin/together-catalog show Qwen/Qwen3.5-9B`" in text
    assert "`.venv/bin/python -m codegen check`" in text


def test_the_package_readme_example_prints_what_it_says() -> None:
    """README.pypi.md's first example (test_wheel.py also runs it from an installed wheel)."""
    example = _blocks("python", PYPI_README)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, "README.pypi.md", "exec"), {})
    shown = re.search(r"^# (batch-size-too-large .*?)\.\.\.$", example, flags=re.M)
    assert shown is not None
    assert out.getvalue().startswith(shown.group(1))


def test_relative_links_resolve() -> None:
    for path in (README, MAINTAINING):
        text = path.read_text(encoding="utf-8")
        targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
        local = [t for t in targets if "://" not in t]
        assert local, path
        for target in local:
            assert (path.parent / target).exists(), f"{path.name}: {target}"
    assert "[docs/MAINTAINING.md](docs/MAINTAINING.md)" in README.read_text(encoding="utf-8")
    assert "[README.pypi.md](README.pypi.md)" in README.read_text(encoding="utf-8")
