"""The scraper reproduces every table of the bundled snapshots of the seed pages (the earliest
versions: `<page>/<date>.md`), row for row.

The expected ids are read from the snapshot files with a deliberately simple line split that
shares no code with the scraper (no markdown-it, no alias table), so a scraper bug cannot
hide by agreeing with itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapers.__main__ import main
from scrapers.parse import ScrapedTable, parse_file

SNAPSHOTS = Path(__file__).resolve().parents[2] / "scrapers" / "snapshots"

FINE_TUNING = "fine-tuning-models/2025-12-01.md"
SERVERLESS = "serverless-models/2025-03-04.md"
LORA_BASES = "serverless-lora-bases/2025-12-01.md"

#: (snapshot, heading, catalog table, rows) as the issue states them.
EXPECTED = [
    (FINE_TUNING, "LoRA Fine-tuning", "finetune-lora", 93),
    (FINE_TUNING, "LoRA Long-context Fine-tuning", "finetune-lora-long-context", 20),
    (FINE_TUNING, "Full Fine-tuning", "finetune-full", 51),
    (SERVERLESS, "Chat Models", "serverless-chat", 38),
    (SERVERLESS, "Image Models", "serverless-image", 9),
    (SERVERLESS, "Vision Models", "serverless-vision", 4),
    (SERVERLESS, "Audio Models", "serverless-audio", 1),
    (SERVERLESS, "Code Models", "serverless-code", 1),
    (SERVERLESS, "Language Models", "serverless-language", 3),
    (SERVERLESS, "Moderation Models", "serverless-moderation", 1),
    (SERVERLESS, "Embedding Models", "serverless-embedding", 6),
    (SERVERLESS, "Rerank Models", "serverless-rerank", 1),
    (LORA_BASES, "Serverless LoRA base models", "serverless-lora-bases", 5),
]

ID_HEADERS = {"Model String for API", "API Model String", "Base Model String"}


def simple_tables(path: Path) -> dict[str, list[dict[str, str]]]:
    """heading -> rows as {header: cell text}, by splitting table lines on '|'."""
    tables: dict[str, list[dict[str, str]]] = {}
    heading = ""
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            header = None
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
                tables[heading] = []
            elif set("".join(cells)) <= set("-: "):
                continue  # the separator row
            else:
                tables[heading].append(dict(zip(header, cells, strict=True)))
        else:
            header = None
    return tables


def scraped(snapshot: str) -> dict[str, ScrapedTable]:
    return {t.spec.section: t for t in parse_file(SNAPSHOTS / snapshot).tables}


@pytest.mark.parametrize(("snapshot", "heading", "table", "count"), EXPECTED)
def test_row_count_and_ids_match_the_snapshot(
    snapshot: str, heading: str, table: str, count: int
) -> None:
    simple = simple_tables(SNAPSHOTS / snapshot)[heading]
    id_header = next(h for h in simple[0] if h in ID_HEADERS)
    expected_ids = [row[id_header] for row in simple]
    assert len(expected_ids) == count

    got = scraped(snapshot)[heading]
    assert got.spec.table == table
    assert [row["model"] for row in got.rows] == expected_ids


def test_every_snapshot_table_is_accounted_for() -> None:
    found = {
        (snapshot, t.spec.section)
        for snapshot in {e[0] for e in EXPECTED}
        for t in parse_file(SNAPSHOTS / snapshot).tables
    }
    assert found == {(e[0], e[1]) for e in EXPECTED}
    for snapshot in {e[0] for e in EXPECTED}:
        assert set(simple_tables(SNAPSHOTS / snapshot)) == {
            e[1] for e in EXPECTED if e[0] == snapshot
        }


@pytest.mark.parametrize("snapshot", sorted({e[0] for e in EXPECTED}))
def test_every_cell_matches_the_simple_reading(snapshot: str) -> None:
    """Cell by cell: integers where the text is digits, none for N/A and -, text otherwise."""
    simple = simple_tables(SNAPSHOTS / snapshot)
    for section, table in scraped(snapshot).items():
        assert table.headers == list(simple[section][0])
        for plain, row in zip(simple[section], table.rows, strict=True):
            for (header, text), name in zip(plain.items(), table.fields, strict=True):
                marked = text.endswith("*")
                text = text.removesuffix("*")
                want: object = None if text in {"N/A", "-"} else text
                if text.isdigit():
                    want = int(text)
                assert row[name] == want, (section, row["model"], header)
                assert (name in row.get("footnotes", [])) == marked
                assert (name in row.get("na", [])) == (text == "N/A")


def test_cell_normalisation_on_the_snapshots() -> None:
    image = {r["model"]: r for r in scraped(SERVERLESS)["Image Models"].rows}
    free = image["black-forest-labs/FLUX.1-schnell-Free"]
    assert free["model_name"] == "Flux.1 [schnell] (free)"
    assert free["footnotes"] == ["model_name"]
    assert free["default_steps"] is None
    assert free["na"] == ["default_steps"]  # spelled N/A
    pro = image["black-forest-labs/FLUX.1.1-pro"]
    assert pro["default_steps"] is None
    assert "na" not in pro  # spelled -
    assert image["black-forest-labs/FLUX.1-dev"]["default_steps"] == 28
    lora = scraped(FINE_TUNING)["LoRA Fine-tuning"].rows[0]
    assert lora == {
        "model": "openai/gpt-oss-20b",
        "organization": "OpenAI",
        "model_name": "gpt-oss-20b",
        "context_length_sft": 16384,
        "context_length_dpo": 8192,
        "max_batch_size_sft": 8,
        "max_batch_size_dpo": 8,
        "min_batch_size": 8,
    }


def test_parse_json_cli_shape(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(SNAPSHOTS / e) for e in sorted({e[0] for e in EXPECTED})]
    assert main(["parse", *files, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["tables"]
    by_section = {t["section"]: t for t in out["tables"]}
    assert set(by_section) == {e[1] for e in EXPECTED}
    for _, heading, table, count in EXPECTED:
        t = by_section[heading]
        assert t["table"] == table
        assert t["kind"] in {"finetune", "serverless", "serverless_lora_base"}
        assert len(t["rows"]) == count
        assert all(isinstance(r["model"], str) and r["model"] for r in t["rows"])


def test_parse_text_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SNAPSHOTS / LORA_BASES)]) == 0
    assert capsys.readouterr().out == (
        "serverless-lora-bases: 5 rows (Serverless LoRA base models)\n"
    )


@pytest.mark.parametrize("snapshot", sorted({e[0] for e in EXPECTED}))
def test_a_byte_order_mark_changes_nothing(
    snapshot: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page saved with a UTF-8 BOM reads exactly like the same page without one (the BOM
    used to hide the page's `<!-- source -->` comment)."""
    plain = tmp_path / "plain" / snapshot
    marked = tmp_path / "marked" / snapshot
    for path, prefix in ((plain, b""), (marked, b"\xef\xbb\xbf")):
        path.parent.mkdir(parents=True)
        path.write_bytes(prefix + (SNAPSHOTS / snapshot).read_bytes())
    outputs = []
    for path in (plain, marked):
        assert main(["parse", str(path), "--json"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert '"url": "https://docs.together.ai/' in outputs[1]
