"""A corpus of bad inputs (tests/pipeline/bad_inputs/): each gives a clear, located,
one-line message, exit 2, no traceback, and nothing written.

Each corpus file states what its message must contain on its first line: `<!-- expect: ... -->`
for docs pages, `# expect: ...` for catalog YAML files (which stand in for
catalog/serverless-audio.yaml in a copy of the catalog); `# expect-reconcile: ...` marks a
file only reconcile refuses (`codegen validate` loads it; `codegen check` reports it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.__main__ import main as codegen_main
from scrapers.__main__ import main as scrapers_main
from scrapers.inputs import newest
from scrapers.parse import MAX_PAGE_BYTES

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
STANDS_IN_FOR = "serverless-audio.yaml"
PAGES = sorted(p.name for p in CORPUS.glob("*.md"))
YAMLS = sorted(p.name for p in CORPUS.glob("*.yaml"))


def expectation(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii", "replace")
    found = re.fullmatch(r"(?:<!--|#) expect(?:-reconcile)?: (.*?)(?: -->)?", first)
    assert found, f"{path.name}: first line must state the expected message"
    return found.group(1)


def reconcile_only(path: Path) -> bool:
    return path.read_bytes().startswith(b"# expect-reconcile: ")


def state(folder: Path) -> dict[str, bytes]:
    """The catalog's files; hidden ones (the writer lock, a transaction's staging) aside."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def assert_one_located_line(err: str, path: Path, expected: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: {path}:"), err
    assert re.match(rf"error: {re.escape(str(path))}:[0-9]+: ", err), err
    assert expected in err, (expected, err)
    assert "Traceback" not in err


def test_corpus_is_complete() -> None:
    assert len(PAGES) >= 14 and len(YAMLS) >= 8


@pytest.mark.parametrize("name", PAGES)
def test_bad_page_parse(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / name
    assert scrapers_main(["parse", str(path), "--json"]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert_one_located_line(out.err, path, expectation(path))


@pytest.mark.parametrize("name", PAGES)
def test_bad_page_reconcile_writes_nothing(
    name: str, root: Path, catalog_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CORPUS / name
    good = next(p for p in newest(root / "scrapers" / "snapshots") if "fine-tuning" in str(p))
    before = state(catalog_copy)
    assert scrapers_main(["reconcile", str(good), str(path), "--catalog", str(catalog_copy)]) == 2
    assert_one_located_line(capsys.readouterr().err, path, expectation(path))
    assert state(catalog_copy) == before


@pytest.mark.parametrize("name", YAMLS)
def test_bad_catalog_file(
    name: str, catalog_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = catalog_copy / STANDS_IN_FOR
    shutil.copy(CORPUS / name, target)
    expected = expectation(target)
    before = state(catalog_copy)

    assert scrapers_main(["reconcile", "--catalog", str(catalog_copy)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert_one_located_line(out.err, target, expected)
    assert state(catalog_copy) == before

    if not reconcile_only(target):
        assert codegen_main(["--catalog", str(catalog_copy), "validate"]) == 2
        assert_one_located_line(capsys.readouterr().err, target, expected)


def big_page(tmp_path: Path, size: int) -> Path:
    head = (
        "<!-- source: https://docs.together.ai/docs/serverless-models -->\n"
        "<!-- snapshot: 2025-03-04 -->\n\n## Serverless Models\n\n### Chat Models\n\n"
        "| Organization | Model Name | API Model String | Context Length | Quantization |\n"
        "|---|---|---|---|---|\n"
    )
    rows = []
    total = len(head)
    n = 0
    while total < size:
        row = f"| Org | Model {n} | org/model-{n} | 8192 | FP16 |\n"
        rows.append(row)
        total += len(row)
        n += 1
    path = tmp_path / "huge.md"
    path.write_text(head + "".join(rows), encoding="utf-8")
    return path


class _Parsed(Exception):
    """Raised by the patched markdown parser: the page reached it."""


def test_ten_megabyte_page_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused on its size alone (no markdown parse), so quickly whatever the machine's load."""
    from markdown_it import MarkdownIt

    def parse(*_: object, **__: object) -> None:
        raise _Parsed

    monkeypatch.setattr(MarkdownIt, "parse", parse)
    path = big_page(tmp_path, 10 * 1024 * 1024)
    assert scrapers_main(["parse", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {path}: page is larger than {MAX_PAGE_BYTES} bytes; refusing to parse\n"
    # The patch does catch a parse: a page under the limit reaches it.
    (tmp_path / "small").mkdir()
    small = big_page(tmp_path / "small", 1000)
    with pytest.raises(_Parsed):
        scrapers_main(["parse", str(small)])


def test_the_page_limit_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scrapers.parse

    path = big_page(tmp_path, 200_000)
    size = len(path.read_bytes())
    monkeypatch.setattr(scrapers.parse, "MAX_PAGE_BYTES", size)
    (table,) = scrapers.parse.parse_file(path).tables
    assert len(table.rows) > 3_000
    monkeypatch.setattr(scrapers.parse, "MAX_PAGE_BYTES", size - 1)
    with pytest.raises(scrapers.parse.ScrapeError, match="page is larger than"):
        scrapers.parse.parse_file(path)


def test_huge_catalog_file_is_refused(
    catalog_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = catalog_copy / STANDS_IN_FOR
    target.write_text(target.read_text() + "# padding\n" * 500_000)
    before = state(catalog_copy)
    assert scrapers_main(["reconcile", "--catalog", str(catalog_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {target}: ") and "limit" in err
    assert state(catalog_copy) == before


@pytest.mark.parametrize(
    ("kind", "name"),
    [("page", "unit-suffix.md"), ("yaml", "billion-laughs.yaml"), ("yaml", "non-utf8.yaml")],
)
def test_no_traceback_in_a_subprocess(kind: str, name: str, root: Path, catalog_copy: Path) -> None:
    if kind == "page":
        path = CORPUS / name
        args = ["parse", str(path)]
    else:
        path = catalog_copy / STANDS_IN_FOR
        shutil.copy(CORPUS / name, path)
        args = ["reconcile", "--catalog", str(catalog_copy)]
    before = state(catalog_copy)
    proc = subprocess.run(
        [sys.executable, "-m", "scrapers", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_located_line(proc.stderr, path, expectation(path))
    assert state(catalog_copy) == before


def test_parse_text_checks_the_size_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse_file checks the bytes once; parse_text, called directly, still refuses."""
    import scrapers.parse

    text = "# Title\n\n" + "é" * 50
    monkeypatch.setattr(scrapers.parse, "MAX_PAGE_BYTES", len(text.encode()))
    scrapers.parse.parse_text(text, Path("page.md"))
    monkeypatch.setattr(scrapers.parse, "MAX_PAGE_BYTES", len(text.encode()) - 1)
    with pytest.raises(scrapers.parse.ScrapeError, match="page is larger than"):
        scrapers.parse.parse_text(text, Path("page.md"))
