"""The Literal id types catch a misspelt model id at type-check time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from catalog.contents import Catalog
from catalog.load import ROOT


def _ids(catalog: Catalog) -> dict[str, str]:
    """Ids for the snippet, from the current rows (the Literal types list no retired id)."""
    rows = {name: [r.model for r in t.rows] for name, t in catalog.tables.items()}
    serverless = {
        model
        for name, models in rows.items()
        if name.startswith("serverless-") and name != "serverless-lora-bases"
        for model in models
    }
    fine_tunable = {
        m for name, models in rows.items() if name.startswith("finetune-") for m in models
    }
    lora = next(m for m in rows["finetune-lora"] if m not in serverless)
    misspelt = lora.swapcase()
    assert misspelt not in fine_tunable | serverless
    video = rows["serverless-video"][0]  # the last member family of ServerlessModelId
    assert video not in rows["serverless-chat"]
    return {
        "lora": lora,
        "chat": rows["serverless-chat"][0],
        "full": rows["finetune-full"][0],
        "misspelt": misspelt,
        "video": video,
    }


def test_mypy_reports_a_misspelt_model_id(catalog: Catalog, tmp_path: Path) -> None:
    ids = _ids(catalog)
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from together_catalog._ids import (\n"
        "    ChatModelId, FineTunableModelId, LoraModelId, ServerlessModelId,\n"
        ")\n"
        f'good: LoraModelId = "{ids["lora"]}"\n'
        f'typo: LoraModelId = "{ids["lora"]}b"\n'
        f'chat: ChatModelId = "{ids["chat"]}"\n'
        f'wrong_family: ChatModelId = "{ids["lora"]}"\n'
        # The union families: any member family's id passes, anything else is flagged. (No
        # id is in the Full table alone in the 2026 tables; a later member family's id is
        # tried on ServerlessModelId below.)
        f'full: FineTunableModelId = "{ids["full"]}"\n'
        f'union_typo: FineTunableModelId = "{ids["misspelt"]}"\n'
        f'video: ServerlessModelId = "{ids["video"]}"\n'
        f'not_serverless: ServerlessModelId = "{ids["lora"]}"\n',
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
    assert f"{ids['lora']}b'" in errors[0]  # mypy quotes the literal with '
