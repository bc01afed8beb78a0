"""`python -m scrapers fetch` as a command: the writer lock, usage errors, and the real
entry point in a subprocess, against the local docs server of test_fetch.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.lock import writer_lock
from catalog.pages import PAGE_BY_NAME
from scrapers.__main__ import main
from scrapers.parse import parse_text
from scrapers.snapshots import newest_snapshot
from tests.conftest import ROOT
from tests.scrapers.test_fetch import (
    DocsSite,
    _no_proxy,
    catalog_dir,
    run,
    site,
    snaps,
    status,
    tree,
)

__all__ = ["_no_proxy", "catalog_dir", "site", "snaps"]  # fixtures, used by name


def test_lock_held_elsewhere_exits_2_writing_nothing(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with writer_lock(catalog_dir, who="reconcile"):
        code = run(site, snaps, catalog_dir, "serverless-lora-bases", lock_timeout=0.1)
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"fetch: waiting for another run to release {catalog_dir / '.lock'}"
    assert err[1].startswith(f"error: {catalog_dir / '.lock'}: another reconcile, generate")
    assert len(err) == 2
    assert tree(snaps) == {}


def test_newest_snapshot_is_the_latest_dated_file(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (tmp_path / "p.md").write_text("<!-- snapshot: 2027-01-01 -->\nflat\n")
    assert newest_snapshot(tmp_path, "p").date == "2027-01-01"  # type: ignore[union-attr]
    for name in ("2026-01-02.md", "2026-01-10.md", "2026-13-01.md", ".2026-02-01.md.x.tmp", "x.md"):
        (folder / name).write_text(f"<!-- snapshot: {name[:10]} -->\n")
    newest = newest_snapshot(tmp_path, "p")
    assert newest is not None and newest.path == folder / "2026-01-10.md"
    assert newest_snapshot(tmp_path, "q") is None


def test_unknown_page_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["fetch", "fine-tuning", "--snapshots", "/nonexistent"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown page 'fine-tuning' (known pages: " + ", ".join(PAGE_BY_NAME) + ")" in err
    for bad in (["--base-url", "file:///etc"], ["--timeout", "0"], ["--timeout", "x"]):
        with pytest.raises(SystemExit) as info:
            main(["fetch", *bad])
        assert info.value.code == 2


def test_command_line(site: DocsSite, snaps: Path, catalog_dir: Path) -> None:
    """The real entry point, in a subprocess: success with --json, then a 404."""
    argv = [sys.executable, "-m", "scrapers", "fetch", "--base-url", site.base_url]
    argv += ["--snapshots", str(snaps), "--catalog", str(catalog_dir), "--timeout", "5"]
    done = subprocess.run(
        [*argv, "serverless-lora-bases", "--json"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    (page,) = json.loads(done.stdout)["pages"]
    assert page["status"] == "written" and Path(page["path"]).is_file()
    assert parse_text(Path(page["path"]).read_text(), Path("x.md")).tables
    site.route("fine-tuning-models", status(404))
    done = subprocess.run([*argv, "fine-tuning-models"], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {site.url('fine-tuning-models')}: HTTP 404 Not Found\n"
