"""Where a snapshot's page, date and URL come from: its folder and comments for the bundled
`<page>/<date>.md` files (reconcile's default list, from the catalog's as-of on), and
`--page NAME --as-of DATE [--source URL]` for a page saved by hand, which fill only what the
file does not say (a contradiction is an error naming both)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scrapers.__main__ as cli
from catalog.load import load_table
from catalog.pages import PAGE_BY_NAME
from scrapers.history import read_changelog
from tests.scrapers.history_helpers import SERVERLESS_URL, chat, chat_row, page_text, write_page
from tests.scrapers.reconcile_helpers import state

A, B = "acme/a", "acme/b"


def rec(catalog: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["reconcile", "--catalog", str(catalog), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    (tmp_path / "catalog").mkdir()
    return tmp_path / "catalog"


def saved(tmp_path: Path, text: str, name: str = "Serverless Models - Together AI.md") -> Path:
    path = tmp_path / "Downloads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_page_saved_by_hand_gets_its_provenance_from_the_flags(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = saved(tmp_path, page_text(None, chat(chat_row(A)), url=None))
    code, _, err = rec(catalog, str(page), capsys=capsys)
    assert code == 2
    assert "does not record its url and snapshot" in err
    args = ["--page", "serverless-models", "--as-of", "2025-01-01", str(page)]
    code, _, err = rec(catalog, *args, capsys=capsys)
    assert (code, err) == (0, "")
    source = load_table(catalog / "serverless-chat.yaml").source
    assert (source.page, source.snapshot.isoformat(), source.url) == (
        "serverless-models",
        "2025-01-01",
        PAGE_BY_NAME["serverless-models"].url(),
    )
    entry = read_changelog(catalog)[1].entries[0]
    assert (entry.page, entry.snapshot.isoformat()) == ("serverless-models", "2025-01-01")
    # --source names the address it was saved from; the next date's page retires A.
    later = saved(tmp_path, page_text(None, chat(chat_row(B)), url=None), "later.md")
    mirror = "https://mirror.example/docs/serverless-models"
    args = ["--page", "serverless-models", "--as-of", "2025-02-01", "--source", mirror]
    assert rec(catalog, *args, str(later), capsys=capsys)[0] == 0
    table = load_table(catalog / "serverless-chat.yaml")
    assert table.source.url == mirror
    assert [(r.model, r.last_seen.isoformat()) for r in table.retired] == [(A, "2025-01-01")]
    # A hand-saved page older than the catalog's is refused like any other.
    before = state(catalog)
    args = ["--page", "serverless-models", "--as-of", "2025-01-15", str(page)]
    code, _, err = rec(catalog, *args, capsys=capsys)
    assert code == 1
    assert "2025-01-15" in err and "2025-02-01" in err
    assert state(catalog) == before


def test_a_mirror_copy_needs_no_hand_editing(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirror's front matter gives the URL; --page and --as-of give the rest."""
    body = page_text(None, chat(chat_row(A)), url=None)
    front = f"---\ntitle: Serverless models\nsource: {SERVERLESS_URL}.md\n---\n"
    page = saved(tmp_path, front + body)
    args = ["--page", "serverless-models", "--as-of", "2026-04-14", str(page)]
    assert rec(catalog, *args, capsys=capsys)[0] == 0
    source = load_table(catalog / "serverless-chat.yaml").source
    assert (source.url, source.snapshot.isoformat()) == (SERVERLESS_URL, "2026-04-14")


@pytest.mark.parametrize(
    ("date", "url", "args", "fragment"),
    [
        ("2025-01-01", SERVERLESS_URL, ["--as-of", "2025-01-02"],
         "the page says snapshot 2025-01-01, but --as-of says 2025-01-02"),
        ("2025-01-01", SERVERLESS_URL, ["--source", "https://docs.together.ai/docs/other"],
         f"the page says source {SERVERLESS_URL}, but --source says "
         "https://docs.together.ai/docs/other"),
    ],
    ids=["as-of", "source"],
)  # fmt: skip
def test_a_flag_contradicting_the_file_is_an_error(
    catalog: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    date: str,
    url: str,
    args: list[str],
    fragment: str,
) -> None:
    page = saved(tmp_path, page_text(date, chat(chat_row(A)), url=url))
    code, out, err = rec(catalog, "--page", "serverless-models", *args, str(page), capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {page}: ") and fragment in err
    assert state(catalog) == {}
    # Saying the same as the file is fine (the URL's anchor and `.md` aside).
    same = ["--as-of", date] if args[0] == "--as-of" else ["--source", url + ".md#chat"]
    assert rec(catalog, "--page", "serverless-models", *same, str(page), capsys=capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--page", "serverless"], "--page 'serverless' is not a declared page"),
        (["--as-of", "2025-01-01"], "give --page NAME too"),
        (["--page", "serverless-models", "--as-of", "2025-1-1"], "is not a date"),
        (["--page", "serverless-models", "--as-of", "2025-01-01", "x.md"], "exactly one FILE"),
    ],
    ids=["undeclared", "as-of-alone", "bad-date", "two-files"],
)
def test_bad_provenance_flags_exit_2(
    catalog: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    fragment: str,
) -> None:
    page = saved(tmp_path, page_text(None, chat(chat_row(A)), url=None))
    code: int | str | None
    try:
        code = cli.main(["reconcile", "--catalog", str(catalog), *args, str(page)])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    assert code == 2
    assert fragment in capsys.readouterr().err
    assert state(catalog) == {}


def test_bundled_snapshots_from_the_catalogs_as_of(
    catalog: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No FILE: each page's `<page>/<date>.md` dated on or after the catalog's current one,
    oldest first; a second run changes nothing and appends nothing."""
    snapshots = tmp_path / "snapshots"
    write_page(snapshots, "2025-01-01", chat(chat_row(A), chat_row(B)))
    write_page(snapshots, "2025-02-01", chat(chat_row(A, 8192)))
    (snapshots / "serverless-models" / ".2025-03-01.md.tmp").write_text("not a snapshot")
    (snapshots / "undeclared-page").mkdir()
    (snapshots / "undeclared-page" / "2025-01-01.md").write_text("not read")
    monkeypatch.setattr(cli, "SNAPSHOTS", snapshots)
    code, out, _ = rec(catalog, "--json", capsys=capsys)
    assert code == 0
    assert [(e["page"], e["snapshot"]) for e in json.loads(out)["changelog"]] == [
        ("serverless-models", "2025-01-01"),
        ("serverless-models", "2025-02-01"),
    ]
    after = state(catalog)
    assert rec(catalog, capsys=capsys)[:2] == (0, "catalog is up to date\n")
    assert state(catalog) == after
    # A new day's snapshot is picked up; the older ones are not read again (a broken one
    # would be an error).
    (snapshots / "serverless-models" / "2025-01-01.md").write_text("| broken |\n")
    write_page(snapshots, "2025-03-01", chat(chat_row(B)))
    code, out, _ = rec(catalog, capsys=capsys)
    assert code == 0
    assert "changelog: + serverless-models 2025-03-01 (2 change(s))" in out.splitlines()
    assert "+ serverless-chat: acme/b (returned)" in out.splitlines()
    table = load_table(catalog / "serverless-chat.yaml")
    assert [r.model for r in table.rows] == [B]
    assert [(r.model, r.last_seen.isoformat()) for r in table.retired] == [(A, "2025-02-01")]


def test_a_bundled_snapshot_dated_otherwise_than_its_name_is_an_error(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_page(tmp_path, "2025-01-01", chat(chat_row(A)))
    path.write_text(path.read_text().replace("2025-01-01", "2025-01-02"))
    code, _, err = rec(catalog, str(path), capsys=capsys)
    assert code == 2
    assert "the page says snapshot 2025-01-02, but its name says 2025-01-01" in err
    # Undated, its name gives the date.
    path.write_text(path.read_text().replace("<!-- snapshot: 2025-01-02 -->\n", ""))
    assert rec(catalog, str(path), capsys=capsys)[0] == 0
    assert load_table(catalog / "serverless-chat.yaml").source.snapshot.isoformat() == (
        "2025-01-01"
    )
