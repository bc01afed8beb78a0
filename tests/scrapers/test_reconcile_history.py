"""History: a newer snapshot retires the rows it no longer lists (no --allow-removals), brings
back retired rows it lists again, drops columns, retires a table it no longer has; every
change lands in catalog/changelog.yaml with its date, appended after bytes never rewritten;
an older snapshot is refused, and a re-read of the same snapshot still needs the flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import yamlio
from catalog.changelog import CHANGELOG_FILE
from catalog.load import load_table
from scrapers.__main__ import main
from scrapers.history import read_changelog
from tests.scrapers.history_helpers import (
    CHAT,
    RERANK,
    Table,
    chat,
    chat_row,
    write_page,
)
from tests.scrapers.reconcile_helpers import edit, state


def rec(catalog: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["reconcile", "--catalog", str(catalog), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def changes(catalog: Path, index: int = -1) -> list[dict[str, object]]:
    entry = read_changelog(catalog)[1].entries[index]
    return [c.model_dump(exclude_defaults=True) for c in entry.changes]


def cells(model: str, **values: object) -> list[dict[str, object]]:
    return [
        {"table": "serverless-chat", "model": model, "change": "changed", "field": k, "new": v}
        for k, v in values.items()
    ]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    (tmp_path / "catalog").mkdir()
    return tmp_path / "catalog"


A, B, C, D = "acme/a", "acme/b", "acme/c", "acme/d"


def test_newer_snapshot_retires_changes_and_logs(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_page(tmp_path, "2025-01-01", chat(chat_row(A, 1000), chat_row(B, 2000, "FP16")))
    assert rec(catalog, str(first), capsys=capsys)[0] == 0
    assert changes(catalog) == [
        {"table": "serverless-chat", "model": A, "change": "added"},
        *cells(A, organization="Acme", model_name=f"Name of {A}", context_length=1000,
               quantization="FP8"),
        {"table": "serverless-chat", "model": B, "change": "added"},
        *cells(B, organization="Acme", model_name=f"Name of {B}", context_length=2000,
               quantization="FP16"),
    ]  # fmt: skip
    second = write_page(tmp_path, "2025-02-01", chat(chat_row(A, 1500), chat_row(C)))
    code, out, err = rec(catalog, str(second), "--json", capsys=capsys)  # no --allow-removals
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["retired"] == [
        {"table": "serverless-chat", "model": B, "last_seen": "2025-01-01"}
    ]
    assert report["removed"] == report["returned"] == []
    assert report["changelog"][0]["snapshot"] == "2025-02-01"
    table = load_table(catalog / "serverless-chat.yaml")
    assert [r.model for r in table.rows] == [A, C]
    assert [(r.model, r.last_seen.isoformat(), r.context_length) for r in table.retired] == [
        (B, "2025-01-01", 2000)
    ]
    assert table.source.snapshot.isoformat() == "2025-02-01"
    text = (catalog / "serverless-chat.yaml").read_text()
    assert text.index("\nrows:\n") < text.index("\nretired:\n")
    assert text.endswith(
        "retired:\n"
        f"  - model: {B}\n"
        "    last_seen: 2025-01-01\n"
        "    organization: Acme\n"
        f"    model_name: Name of {B}\n"
        "    context_length: 2000\n"
        "    quantization: FP16\n"
    )
    assert changes(catalog) == [
        {"table": "serverless-chat", "model": A, "change": "changed",
         "field": "context_length", "old": 1000, "new": 1500},
        {"table": "serverless-chat", "model": C, "change": "added"},
        *cells(C, organization="Acme", model_name=f"Name of {C}", context_length=4096,
               quantization="FP8"),
        {"table": "serverless-chat", "model": B, "change": "retired"},
    ]  # fmt: skip
    # The text report says the same.
    third = write_page(tmp_path, "2025-03-01", chat(chat_row(C)))
    code, out, _ = rec(catalog, str(third), "--dry-run", capsys=capsys)
    assert code == 0
    assert f"- serverless-chat: {A} (retired, last seen 2025-02-01)" in out.splitlines()
    assert "changelog: + serverless-models 2025-03-01 (1 change(s))" in out.splitlines()


def test_retired_row_listed_again_returns_with_its_note(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = [
        write_page(tmp_path, "2025-01-01", chat(chat_row(A), chat_row(B, 2000))),
        write_page(tmp_path, "2025-02-01", chat(chat_row(A))),
    ]
    assert rec(catalog, *map(str, pages), capsys=capsys)[0] == 0
    path = catalog / "serverless-chat.yaml"
    edit(path, "    quantization: FP8\n", "    quantization: FP8\n    note: kept by hand\n", 2)
    edit(path, f"  - model: {B}\n", f"  # About B: kept above it.\n  - model: {B}\n")
    back = write_page(tmp_path, "2025-03-01", chat(chat_row(B, 8192), chat_row(A)))
    code, out, _ = rec(catalog, str(back), "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["returned"] == [{"table": "serverless-chat", "model": B}]
    assert report["added"] == report["retired"] == []
    table = load_table(path)
    assert [(r.model, r.context_length, r.note) for r in table.rows] == [
        (B, 8192, "kept by hand"),
        (A, 4096, "kept by hand"),
    ]
    assert table.retired == ()
    text = path.read_text()
    assert "\nretired:" not in text and "last_seen" not in text
    assert f"rows:\n  # About B: kept above it.\n  - model: {B}\n" in text
    assert changes(catalog) == [
        {"table": "serverless-chat", "model": B, "change": "returned"},
        {"table": "serverless-chat", "model": B, "change": "changed",
         "field": "context_length", "old": 2000, "new": 8192},
    ]  # fmt: skip


def test_dropped_column_leaves_current_rows_and_the_log_keeps_its_values(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_page(tmp_path, "2025-01-01", chat(chat_row(A), chat_row(B, 2000, "FP16")))
    assert rec(catalog, str(first), capsys=capsys)[0] == 0
    narrow = CHAT[:-1]
    second = write_page(tmp_path, "2025-02-01", chat(chat_row(A)[:-1], headers=narrow))
    code, out, err = rec(catalog, str(second), "--json", capsys=capsys)
    assert (code, err) == (0, "")  # the values stay in the log: no removal
    assert json.loads(out)["cells_removed"] == []
    table = load_table(catalog / "serverless-chat.yaml")
    assert [c.field for c in table.columns] == ["organization", "model_name", "model",
                                                "context_length"]  # fmt: skip
    assert table.rows[0].quantization is None
    assert table.retired[0].quantization == "FP16"  # as last published
    assert "quantization: FP8" not in (catalog / "serverless-chat.yaml").read_text()
    assert changes(catalog) == [
        {"table": "serverless-chat", "model": A, "change": "changed", "field": "quantization",
         "old": "FP8"},
        {"table": "serverless-chat", "model": B, "change": "retired"},
    ]  # fmt: skip


def test_table_gone_from_a_newer_snapshot_retires_whole_and_comes_back(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rerank: dict[str, Table] = {"Rerank Models": (RERANK, [("Acme", "R", "acme/rerank", "1024")])}
    first = write_page(tmp_path, "2025-01-01", {**chat(chat_row(A)), **rerank})
    second = write_page(tmp_path, "2025-02-01", chat(chat_row(A, 2048)))
    code, out, _ = rec(catalog, str(first), str(second), "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["retired"] == [
        {"table": "serverless-rerank", "model": "acme/rerank", "last_seen": "2025-01-01"}
    ]
    table = load_table(catalog / "serverless-rerank.yaml")
    assert table.rows == ()
    assert [r.model for r in table.retired] == ["acme/rerank"]
    assert table.source.snapshot.isoformat() == "2025-01-01"  # the last snapshot that had it
    assert "rows: []\n" in (catalog / "serverless-rerank.yaml").read_text()
    assert changes(catalog)[-1] == {
        "table": "serverless-rerank",
        "model": "acme/rerank",
        "change": "retired",
    }
    assert [e.snapshot.isoformat() for e in read_changelog(catalog)[1].entries] == [
        "2025-01-01",
        "2025-02-01",
    ]
    # Listed again by a later snapshot: back, in block style.
    third = write_page(tmp_path, "2025-03-01", {**chat(chat_row(A, 2048)), **rerank})
    assert rec(catalog, str(third), capsys=capsys)[0] == 0
    table = load_table(catalog / "serverless-rerank.yaml")
    assert ([r.model for r in table.rows], table.retired) == (["acme/rerank"], ())
    assert table.source.snapshot.isoformat() == "2025-03-01"
    assert "rows:\n  - model: acme/rerank\n" in (catalog / "serverless-rerank.yaml").read_text()
    assert changes(catalog) == [
        {"table": "serverless-rerank", "model": "acme/rerank", "change": "returned"}
    ]


def test_older_snapshot_is_refused_and_nothing_written(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write_page(tmp_path, "2025-01-01", chat(chat_row(A), chat_row(B)))
    new = write_page(tmp_path, "2025-02-01", chat(chat_row(A)))
    assert rec(catalog, str(new), capsys=capsys)[0] == 0
    before = state(catalog)
    code, out, err = rec(catalog, str(old), capsys=capsys)
    assert code == 1
    assert err.startswith("reconcile: refused: serverless-models snapshot 2025-01-01 (")
    assert "is older than the catalog's current 2025-02-01" in err
    assert out.startswith("! serverless-models: snapshot 2025-01-01 (")
    assert state(catalog) == before
    code, out, _ = rec(catalog, str(old), "--json", "--allow-removals", capsys=capsys)
    assert code == 1
    assert json.loads(out)["older"] == [
        {"page": "serverless-models", "file": str(old), "snapshot": "2025-01-01",
         "current": "2025-02-01"}
    ]  # fmt: skip
    assert state(catalog) == before


def test_rereading_the_same_snapshot_still_needs_allow_removals(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write_page(tmp_path, "2025-01-01", chat(chat_row(A), chat_row(B)))
    assert rec(catalog, str(page), capsys=capsys)[0] == 0
    log = (catalog / CHANGELOG_FILE).read_bytes()
    page = write_page(tmp_path, "2025-01-01", chat(chat_row(A, 512)))  # the file, corrected
    before = state(catalog)
    code, out, err = rec(catalog, str(page), capsys=capsys)
    assert code == 1
    assert err.startswith("reconcile: refused: 1 row(s) would be removed (serverless-chat: ")
    assert f"- serverless-chat: {B}" in out.splitlines()
    assert state(catalog) == before
    code, out, _ = rec(catalog, str(page), "--allow-removals", "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["removed"] == [{"table": "serverless-chat", "model": B}]
    assert report["retired"] == report["changelog"] == []
    assert report["unlogged"] == [
        {"page": "serverless-models", "snapshot": "2025-01-01", "changes": [
            {"table": "serverless-chat", "model": A, "change": "changed",
             "field": "context_length", "old": 4096, "new": 512}]}
    ]  # fmt: skip
    table = load_table(catalog / "serverless-chat.yaml")
    assert ([r.model for r in table.rows], table.retired) == ([A], ())
    assert (catalog / CHANGELOG_FILE).read_bytes() == log  # that date's entry stays as written


def test_snapshots_apply_oldest_first_across_pages(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lora = tmp_path / "serverless-lora-bases" / "2025-02-01.md"
    lora.parent.mkdir()
    lora.write_text(
        "<!-- source: https://docs.together.ai/docs/adapter-upload -->\n"
        "<!-- snapshot: 2025-02-01 -->\n\n# Serverless LoRA base models\n\n"
        "| Organization | Base Model Name | Base Model String | Quantization |\n|---|---|---|---|\n"
        "| Acme | Base | acme/base | BF16 |\n"
    )
    pages = [
        write_page(tmp_path, "2025-03-01", chat(chat_row(A))),
        lora,
        write_page(tmp_path, "2025-01-01", chat(chat_row(B))),
    ]
    assert rec(catalog, *map(str, pages), capsys=capsys)[0] == 0
    entries = read_changelog(catalog)[1].entries
    assert [(e.page, e.snapshot.isoformat()) for e in entries] == [
        ("serverless-models", "2025-01-01"),
        ("serverless-lora-bases", "2025-02-01"),
        ("serverless-models", "2025-03-01"),
    ]
    assert [r.model for r in load_table(catalog / "serverless-chat.yaml").retired] == [B]


def test_changelog_is_append_only(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_page(tmp_path, "2025-01-01", chat(chat_row(A), chat_row(B)))
    assert rec(catalog, str(first), capsys=capsys)[0] == 0
    # An entry as a person (or another YAML writer) might have formatted it: kept byte for
    # byte, comments included.
    path = catalog / CHANGELOG_FILE
    text = path.read_text()
    head, _, body = text.partition("entries:\n")
    doc = yamlio.loads("entries:\n" + body)
    restyled = head + "entries:\n" + yamlio.dumps(doc).partition("\n")[2] + "# a hand comment\n"
    path.write_text(restyled)
    for number, date in enumerate(["2025-02-01", "2025-03-01"], start=2):
        before = path.read_bytes()
        page = write_page(tmp_path, date, chat(chat_row(A, number)))
        assert rec(catalog, str(page), capsys=capsys)[0] == 0
        after = path.read_bytes()
        assert after.startswith(before) and len(after) > len(before)
        assert len(read_changelog(catalog)[1].entries) == number
    assert path.read_text().startswith(restyled)


def test_a_snapshot_date_quoted_by_hand_still_dates_the_retired_rows(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_page(tmp_path, "2025-01-01", chat(chat_row(A), chat_row(B)))
    assert rec(catalog, str(first), capsys=capsys)[0] == 0
    edit(catalog / "serverless-chat.yaml", "  snapshot: 2025-01-01\n", "  snapshot: '2025-01-01'\n")
    second = write_page(tmp_path, "2025-02-01", chat(chat_row(A)))
    assert rec(catalog, str(second), capsys=capsys)[0] == 0
    table = load_table(catalog / "serverless-chat.yaml")
    assert [(r.model, r.last_seen.isoformat()) for r in table.retired] == [(B, "2025-01-01")]
