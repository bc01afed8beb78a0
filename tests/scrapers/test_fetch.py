"""`python -m scrapers fetch` against a real HTTP server on 127.0.0.1 serving the bundled
pages: stamped snapshots, "unchanged" on a second identical fetch, the diff after an edit,
same-day replacement, retries. The failures are in test_fetch_failures.py, the lock and the
command line in test_fetch_cli.py; the server and helpers here are shared with both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from catalog.pages import PAGE_BY_NAME, PAGE_SPECS
from scrapers import fetch as fetch_module
from scrapers.fetch import RETRY_DELAYS, run_fetch
from scrapers.parse import parse_file
from tests.conftest import SEEDS, SNAPSHOTS_DIR

DAY1 = dt.datetime(2026, 3, 5, 12, 0, 0, tzinfo=dt.UTC)
DAY2 = DAY1 + dt.timedelta(days=1)
#: The seed pages as the docs serve them: without the provenance a snapshot gets (the
#: comments, a mirror's `# Source:` line).
BUNDLED: dict[str, bytes] = {
    spec.name: re.sub(
        rb"\A(?:<!-- (?:source|snapshot|approximate): [^\n]* -->\n)+(?:\n# Source: [^\n]*\n)?",
        b"",
        (SNAPSHOTS_DIR / SEEDS[spec.name]).read_bytes(),
    )
    for spec in PAGE_SPECS
}

Route = Callable[[BaseHTTPRequestHandler, "DocsSite"], None]


class DocsSite:
    """A docs site on 127.0.0.1: page path -> route, counting requests per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.agents: list[str] = []
        self.sent: dict[str, int] = {}  # bytes a streaming route wrote before the reader left
        self.done = threading.Event()  # a streaming route finished
        self.stop = threading.Event()  # stalled routes give up at teardown
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits[self.path] += 1
                site.agents.append(self.headers.get("User-Agent", ""))
                route = site.routes.get(self.path)
                try:
                    if route is None:
                        self.send_error(404)
                    else:
                        route(self, site)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url(self, page: str) -> str:
        return PAGE_BY_NAME[page].markdown_url(self.base_url)

    def path(self, page: str) -> str:
        return PAGE_BY_NAME[page].path + ".md"

    def route(self, page: str, route: Route) -> None:
        self.routes[self.path(page)] = route

    def serve(self, page: str, body: bytes) -> None:
        self.route(page, respond(body))

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def respond(
    body: bytes,
    content_type: str = "text/markdown; charset=utf-8",
    *,
    length: int | None = None,
) -> Route:
    """200 with `body`; `length` overrides the Content-Length header (None: the body's)."""

    def route(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def status(code: int) -> Route:
    def route(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
        handler.send_error(code)

    return route


def sequence(*routes: Route) -> Route:
    """The n-th request gets the n-th route (the last one from then on)."""
    served = [0]

    def route(handler: BaseHTTPRequestHandler, site: DocsSite) -> None:
        index = min(served[0], len(routes) - 1)
        served[0] += 1
        routes[index](handler, site)

    return route


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 must never go through a proxy configured in the environment."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def site() -> Iterator[DocsSite]:
    docs = DocsSite()
    for name, body in BUNDLED.items():
        docs.serve(name, body)
    yield docs
    docs.close()


@pytest.fixture
def snaps(tmp_path: Path) -> Path:
    path = tmp_path / "snapshots"
    path.mkdir()
    return path


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    path = tmp_path / "catalog"
    path.mkdir()
    return path


def run(
    site: DocsSite, snaps: Path, catalog_dir: Path, *pages: str, when: dt.datetime = DAY1, **kw: Any
) -> int:
    kw.setdefault("timeout", 5.0)
    kw.setdefault("delays", (0.0, 0.0))
    return run_fetch(
        pages,
        base_url=site.base_url,
        snapshots_dir=snaps,
        catalog_dir=catalog_dir,
        now=lambda: when,
        **kw,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (temporary ones too), with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_first_fetch_writes_stamped_snapshots(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, snaps, catalog_dir) == 0
    out = capsys.readouterr().out
    assert sorted(tree(snaps)) == sorted(f"{s.name}/2026-03-05.md" for s in PAGE_SPECS)
    for spec in PAGE_SPECS:
        path = snaps / spec.name / "2026-03-05.md"
        body = BUNDLED[spec.name]
        lines = path.read_bytes().split(b"\n", 3)
        assert lines[0].decode() == f"<!-- source: {site.base_url}{spec.path} -->"
        assert lines[1] == b"<!-- snapshot: 2026-03-05 -->"
        digest = hashlib.sha256(body).hexdigest()
        assert lines[2].decode() == f"<!-- retrieved: 2026-03-05T12:00:00Z sha256: {digest} -->"
        assert lines[3] == body  # stored as fetched
        page = parse_file(path)
        assert page.source == {"url": f"{site.base_url}{spec.path}", "snapshot": "2026-03-05"}
        bundled = parse_file(SNAPSHOTS_DIR / SEEDS[spec.name])
        assert [t.rows for t in page.tables] == [t.rows for t in bundled.tables]
        assert f"{spec.name}: wrote {path}\n  first snapshot of {spec.name}\n" in out
        assert site.hits[site.path(spec.name)] == 1
    assert all(agent.startswith("together-catalog-fetch") for agent in site.agents)


def test_second_identical_fetch_is_unchanged(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, snaps, catalog_dir) == 0
    before = tree(snaps)
    capsys.readouterr()
    assert run(site, snaps, catalog_dir, when=DAY2) == 0
    out = capsys.readouterr().out
    assert out == "".join(f"{s.name}: unchanged since 2026-03-05\n" for s in PAGE_SPECS)
    assert tree(snaps) == before


def test_flat_bundled_snapshot_is_the_previous_one(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Flat `<page>.md` files (no recorded digest), as the bundled pages were kept before
    their dated folders, compare by their stored body."""
    for spec in PAGE_SPECS:
        date = Path(SEEDS[spec.name]).stem
        head = f"<!-- source: {spec.url()} -->\n<!-- snapshot: {date} -->\n".encode()
        (snaps / f"{spec.name}.md").write_bytes(head + BUNDLED[spec.name])
    before = tree(snaps)
    assert run(site, snaps, catalog_dir, "serverless-models", "serverless-lora-bases") == 0
    assert capsys.readouterr().out == (
        "serverless-models: unchanged since 2025-03-04\n"
        "serverless-lora-bases: unchanged since 2025-12-01\n"
    )
    assert tree(snaps) == before
    site.serve("serverless-lora-bases", BUNDLED["serverless-lora-bases"].replace(b"FP8", b"FP4"))
    assert run(site, snaps, catalog_dir, "serverless-lora-bases") == 0
    out = capsys.readouterr().out
    assert f"changes since 2025-12-01 ({snaps / 'serverless-lora-bases.md'}):" in out
    assert "~ serverless-lora-bases: Qwen/Qwen2.5-72B-Instruct: quantization: FP8 -> FP4" in out
    assert (snaps / "serverless-lora-bases" / "2026-03-05.md").is_file()


def edited_pages(site: DocsSite) -> None:
    """Serve pages with a cell changed, a row removed, a row added and a table renamed."""
    bases = BUNDLED["serverless-lora-bases"]
    bases = bases.replace(
        b"| Qwen/Qwen2.5-72B-Instruct | FP8 |", b"| Qwen/Qwen2.5-72B-Instruct | BF16 |"
    )
    bases = re.sub(rb"\| Meta \| Llama 3.1 70B Instruct \|[^\n]*\n", b"", bases)
    bases += b"| Mistral AI | Mistral 7B | mistralai/Mistral-7B-Instruct-v0.3 | BF16 |\n"
    site.serve("serverless-lora-bases", bases)
    models = BUNDLED["serverless-models"].replace(b"### Moderation Models", b"### Safety Models")
    site.serve("serverless-models", models)


def test_edited_pages_print_their_diff(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = ("serverless-models", "serverless-lora-bases")
    assert run(site, snaps, catalog_dir, *pages) == 0
    capsys.readouterr()
    edited_pages(site)
    assert run(site, snaps, catalog_dir, *pages, when=DAY2) == 0
    out = capsys.readouterr().out
    models, bases = (snaps / p / "2026-03-06.md" for p in pages)
    old_models, old_bases = (snaps / p / "2026-03-05.md" for p in pages)
    assert out == (
        f"serverless-models: wrote {models}\n"
        f"  changes since 2026-03-05 ({old_models}):\n"
        "  + table serverless-safety (1 rows)\n"
        "  - table serverless-moderation (1 rows)\n"
        f"serverless-lora-bases: wrote {bases}\n"
        f"  changes since 2026-03-05 ({old_bases}):\n"
        "  + serverless-lora-bases: mistralai/Mistral-7B-Instruct-v0.3\n"
        "  - serverless-lora-bases: meta-llama/Meta-Llama-3.1-70B-Instruct-Reference\n"
        "  ~ serverless-lora-bases: Qwen/Qwen2.5-72B-Instruct: quantization: FP8 -> BF16\n"
    )
    assert old_models.is_file() and old_bases.is_file()  # history is kept


def test_json_report(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, snaps, catalog_dir, "serverless-lora-bases", as_json=True) == 0
    first = json.loads(capsys.readouterr().out)["pages"][0]
    assert first["status"] == "written" and first["first"] is True and first["changes"] is None
    assert first["sha256"] == hashlib.sha256(BUNDLED["serverless-lora-bases"]).hexdigest()
    assert first["url"] == site.url("serverless-lora-bases")
    edited_pages(site)
    assert run(site, snaps, catalog_dir, "serverless-lora-bases", when=DAY2, as_json=True) == 0
    (page,) = json.loads(capsys.readouterr().out)["pages"]
    assert page["previous"] == {"path": first["path"], "date": "2026-03-05"}
    assert page["retrieved"] == "2026-03-06T12:00:00Z"
    changes = page["changes"]
    assert changes["rows_added"] == [
        {"table": "serverless-lora-bases", "model": "mistralai/Mistral-7B-Instruct-v0.3"}
    ]
    assert changes["rows_removed"] == [
        {
            "table": "serverless-lora-bases",
            "model": "meta-llama/Meta-Llama-3.1-70B-Instruct-Reference",
        }
    ]
    assert changes["cells_changed"] == [
        {
            "table": "serverless-lora-bases",
            "model": "Qwen/Qwen2.5-72B-Instruct",
            "field": "quantization",
            "old": "FP8",
            "new": "BF16",
        }
    ]
    assert run(site, snaps, catalog_dir, "serverless-lora-bases", when=DAY2, as_json=True) == 0
    (again,) = json.loads(capsys.readouterr().out)["pages"]
    assert again["status"] == "unchanged" and again["path"] == page["path"]


def test_same_day_change_replaces_the_days_file(
    site: DocsSite, snaps: Path, catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, snaps, catalog_dir, "serverless-lora-bases") == 0
    capsys.readouterr()
    edited_pages(site)
    later = DAY1 + dt.timedelta(hours=3)
    assert run(site, snaps, catalog_dir, "serverless-lora-bases", when=later) == 0
    out = capsys.readouterr().out
    path = snaps / "serverless-lora-bases" / "2026-03-05.md"
    assert out.startswith(
        f"serverless-lora-bases: replaced {path} (the day's earlier snapshot had different content)"
    )
    assert "~ serverless-lora-bases: Qwen/Qwen2.5-72B-Instruct: quantization: FP8 -> BF16" in out
    assert list(tree(snaps)) == ["serverless-lora-bases/2026-03-05.md"]
    assert "<!-- retrieved: 2026-03-05T15:00:00Z" in path.read_text()


def test_503_then_200_succeeds_after_one_retry(
    site: DocsSite, snaps: Path, catalog_dir: Path
) -> None:
    site.route(
        "serverless-lora-bases", sequence(status(503), respond(BUNDLED["serverless-lora-bases"]))
    )
    slept: list[float] = []
    assert (
        run(site, snaps, catalog_dir, "serverless-lora-bases", delays=None, sleep=slept.append) == 0
    )
    assert slept == [RETRY_DELAYS[0]] == [0.5]
    assert site.hits[site.path("serverless-lora-bases")] == 2
    assert (snaps / "serverless-lora-bases" / "2026-03-05.md").is_file()


def test_snapshot_body_is_the_one_place_bodies_pass(
    site: DocsSite, snaps: Path, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reduction added in `_snapshot_body` shapes what is stored; the digest stays the
    download's."""
    monkeypatch.setattr(fetch_module, "_snapshot_body", lambda text, page: text.split("\n", 1)[1])
    assert run(site, snaps, catalog_dir, "serverless-lora-bases") == 0
    body = BUNDLED["serverless-lora-bases"]
    text = (snaps / "serverless-lora-bases" / "2026-03-05.md").read_bytes()
    assert text.split(b"\n", 3)[3] == body.split(b"\n", 1)[1]
    assert hashlib.sha256(body).hexdigest().encode() in text
