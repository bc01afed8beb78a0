"""The Literal id types catch a misspelt model id at type-check time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from catalog.load import ROOT


def test_mypy_reports_a_misspelt_model_id(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from together_catalog._ids import (\n"
        "    ChatModelId, FineTunableModelId, LoraModelId, ServerlessModelId,\n"
        ")\n"
        'good: LoraModelId = "openai/gpt-oss-20b"\n'
        'typo: LoraModelId = "openai/gpt-oss-20bb"\n'
        'chat: ChatModelId = "deepseek-ai/DeepSeek-R1"\n'
        'wrong_family: ChatModelId = "openai/gpt-oss-20b"\n'
        # The union families: any member family's id passes, anything else is flagged.
        'full_only: FineTunableModelId = "togethercomputer/llama-2-7b-chat"\n'
        'union_typo: FineTunableModelId = "Qwen/Qwen3-8b"\n'
        'rerank: ServerlessModelId = "Salesforce/Llama-Rank-v1"\n'
        'not_serverless: ServerlessModelId = "Qwen/Qwen3-8B"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            "--config-file=",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith(str(snippet))]
    lines = sorted(int(line.split(":")[1]) for line in errors)
    assert lines == [5, 7, 9, 11], result.stdout + result.stderr
    assert "openai/gpt-oss-20bb" in errors[0]
