"""Coverage-guided fuzzing (atheris) of everything that reads untrusted text.

`make fuzz` runs each target for a fixed time: `python tests/pipeline/fuzz_targets.py [SECONDS]`.
A target may reject its input only with the error type the CLI turns into a clean exit 2;
any other exception is a crash, which atheris reports with the input that caused it. Each
crash found becomes a regression case in tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import contextlib
import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "scrapers" / "snapshots"


def fuzz_scraper(data: bytes) -> None:
    from catalog.tables import INTEGER_FIELDS
    from scrapers.parse import MAX_COUNT, ScrapeError, parse_text

    text = data.decode("utf-8", errors="replace")
    try:
        page = parse_text(text, Path("fuzz.md"))
    except ScrapeError:
        return
    for table in page.tables:
        for row in table.rows:
            assert isinstance(row["model"], str) and row["model"], row
            for name, value in row.items():
                if name in INTEGER_FIELDS and value is not None:
                    assert isinstance(value, int) and 0 <= value <= MAX_COUNT, (name, value)


def fuzz_yaml_loader(data: bytes) -> None:
    from pydantic import TypeAdapter

    from catalog import yamlio
    from catalog.load import CatalogError, validate
    from catalog.models import Notes, Table

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        doc = yamlio.loads(text, "fuzz.yaml")
    except yamlio.YamlError:
        return
    adapters: tuple[TypeAdapter[Any], ...] = (TypeAdapter(Table), TypeAdapter(Notes))
    for adapter in adapters:
        with contextlib.suppress(CatalogError):
            validate(adapter, doc, Path("fuzz.yaml"))


def fuzz_markdown_escape(data: bytes) -> None:
    """A cell value rendered by the generator's escaping filter must parse back unchanged."""
    from codegen.render import RenderError, cell
    from scrapers.parse import ScrapeError, parse_text

    value = data.decode("utf-8", errors="replace").strip()
    if not value:
        return
    try:
        text = cell(value)
    except RenderError:
        return  # the generator refuses values no cell can spell (e.g. "N/A"), loudly
    page = (
        "# Serverless LoRA base models\n\n"
        "| Organization | Base Model Name | Base Model String | Quantization |\n"
        "| --- | --- | --- | --- |\n"
        f"| Org | {text} | ns/model | FP8 |\n"
    )
    try:
        parsed = parse_text(page, Path("fuzz.md"))
    except ScrapeError:
        return  # the scraper may refuse a value (e.g. control characters), loudly
    assert parsed.tables[0].rows[0]["model_name"] == value, (value, page)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "scraper": fuzz_scraper,
    "yaml-loader": fuzz_yaml_loader,
    "markdown-escape": fuzz_markdown_escape,
}


def _run_one(name: str, seconds: int) -> int:
    import atheris

    corpus = ROOT / ".fuzz-corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    if name == "scraper":
        for seed in SEEDS.glob("*/*.md"):
            (corpus / seed.name).write_bytes(seed.read_bytes()[:4000])
    target = TARGETS[name]
    with atheris.instrument_imports():
        for module in ("catalog.load", "codegen.render", "catalog.yamlio", "scrapers.parse"):
            importlib.import_module(module)
    atheris.Setup(
        [sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=2048", str(corpus)],
        target,
    )
    atheris.Fuzz()
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--target":
        return _run_one(argv[1], int(argv[2]) if len(argv) > 2 else 60)
    seconds = int(argv[0]) if argv else 60
    failed = []
    for name in TARGETS:
        print(f"fuzz {name}: {seconds}s", flush=True)
        code = subprocess.call([sys.executable, __file__, "--target", name, str(seconds)], cwd=ROOT)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"fuzz: crashes in {', '.join(failed)} (inputs saved as crash-* files)")
        return 1
    print("fuzz: no crashes")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
