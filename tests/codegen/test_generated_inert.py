"""Generated code is inert: a catalog full of hostile strings renders to a package that runs
none of them, and hands every string back exactly.

The strings try each way a value could escape into code (Python quoting, docstrings, Jinja
delimiters, shell metacharacters, HTML and JavaScript); if any escaped, importing the
generated package would import the `tripwire` module planted on its path, which leaves a
marker file behind, and the catalog browser (generated/site/) would call `tripwire()`, which
the browser test plants as a function that records the call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import atomic, yamlio
from catalog.load import load_catalog
from codegen.generate import run_generate
from tests.conftest import copy_catalog_data

HOSTILE = [
    '"""; import tripwire; """',
    "'''; import tripwire; '''",
    "'); import tripwire  #",
    '"); __import__("tripwire")  #',
    "\\'; import tripwire  #",
    "{{ __import__('tripwire') }}",
    "{% import 'tripwire' as t %}",
    "$(python -c 'import tripwire')",
    "`python -c 'import tripwire'`; touch TRIPPED &",
    "</script><script>tripwire()</script>",
    "a | b \\| c",
    "# noqa: tripwire",
    "é😀中文 tripwire",
    "<img src=x onerror=tripwire()>",
    "<!-- ${tripwire()} --> `${tripwire()}`",
    "');tripwire();//",
]
HOSTILE_ID = 'evil/x"""; import tripwire; """'
#: Strings only the site shows (a row's note, a waiver's reason), where the scraper's reading
#: back of the docs does not apply: line and paragraph separators (U+2028, U+2029), which
#: JavaScript once read as line ends inside strings, beside a script element to break out of.
NOTE_ONLY = "line\u2028next\u2029</script><script>tripwire()</script><!--"
REASON = "Kept: </SCRIPT ><svg onload=tripwire()>\u2028{{ 7 * 7 }} ${7*7}"


def _plant(catalog: Path) -> dict[str, str]:
    """Write hostile strings into a copy of the catalog; returns model id -> model_name planted."""
    planted: dict[str, str] = {}
    path = catalog / "finetune-lora.yaml"
    doc = yamlio.load(path)
    rows = doc["rows"]
    for row, value in zip(rows, HOSTILE, strict=False):
        row["model_name"] = value
        row["note"] = value
        planted[str(row["model"])] = value
    rows[len(HOSTILE)]["note"] = NOTE_ONLY
    first = rows[0]
    first["model"] = HOSTILE_ID
    planted[HOSTILE_ID] = planted.pop(next(iter(planted)))
    atomic.atomic_write(path, yamlio.dumps(doc))
    waivers = yamlio.load(catalog / "waivers.yaml")
    # A new mapping, not an edit: ruamel keeps a `>-` folded style on an edited key and
    # writes U+2028 raw inside it, where it reads back as a line break.
    waivers["waivers"][0] = {**waivers["waivers"][0], "reason": REASON}
    atomic.atomic_write(catalog / "waivers.yaml", yamlio.dumps(waivers))
    return planted


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("inert")
    catalog = copy_catalog_data(root / "catalog")
    planted = _plant(catalog)
    out = root / "generated"
    assert run_generate(load_catalog(catalog), check=False, out=out) == 0
    return root, planted


def test_importing_the_hostile_package_runs_nothing(
    hostile_build: tuple[Path, dict[str, str]],
) -> None:
    root, planted = hostile_build
    trap = root / "trap"
    trap.mkdir(exist_ok=True)
    marker = root / "TRIPPED"
    (trap / "tripwire.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\n", encoding="utf-8"
    )
    probe = (
        "import json, sys\n"
        "import together_catalog as tc\n"
        "from together_catalog import _data\n"
        "out = {m: r.model_name for m, r in _data.LORA.items()}\n"
        "notes = {m: r.note for m, r in _data.LORA.items()}\n"
        "print(json.dumps({'names': out, 'notes': notes, "
        "'tripwire': 'tripwire' in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "generated"), str(trap)])}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=root
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert not marker.exists(), "a hostile string ran as code"
    assert seen["tripwire"] is False
    for model, value in planted.items():
        assert seen["names"][model] == value
        assert seen["notes"][model] == value


def test_hostile_strings_survive_every_output(hostile_build: tuple[Path, dict[str, str]]) -> None:
    root, planted = hostile_build
    data = json.loads((root / "generated" / "data" / "catalog.json").read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    for value in planted.values():
        assert json.dumps(value, ensure_ascii=False) in text
    from scrapers.parse import parse_file

    page = parse_file(root / "generated" / "docs" / "fine-tuning-models.md")
    lora = next(t for t in page.tables if t.spec.table == "finetune-lora")
    names = {row["model"]: row["model_name"] for row in lora.rows}
    for model, value in planted.items():
        assert names[model] == value


def test_an_invisible_character_stops_generation_loudly(
    tmp_path: Path, catalog_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalog_copy / "finetune-lora.yaml"
    doc = yamlio.load(path)
    doc["rows"][0]["model_name"] = "looks fine \u202e enif skool"
    atomic.atomic_write(path, yamlio.dumps(doc))
    out = tmp_path / "generated"
    out.mkdir()
    (out / "keep.txt").write_text("previous tree", encoding="utf-8")
    assert run_generate(load_catalog(catalog_copy), check=False, out=out) == 2
    assert "U+202E" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


#: Planted before the page's own scripts: `tripwire()` records a call, and the page's CSP
#: reports (rather than silently blocks) anything it refuses.
TRAP = """
window.tripwire = () => { window.__tripped = (window.__tripped || 0) + 1; };
document.addEventListener("securitypolicyviolation", (e) => {
  window.__refused = (window.__refused || []).concat([e.violatedDirective]);
});
"""

_SHOWN = """ids => ids.map(id => {
  const rows = [...document.querySelectorAll("#model-table tbody tr")];
  const row = rows.find(r => r.dataset.model === id);
  const name = row ? row.querySelector(".model-name") : null;
  window.togetherCatalog.openModel(id);
  const shown = {
    row: row ? row.querySelector("a.model-link").textContent : null,
    name: name ? name.textContent : null,
    title: document.getElementById("model-title").textContent,
    detail: document.getElementById("model-detail").textContent,
  };
  document.getElementById("model-dialog").close();
  return shown;
})"""

_FOREIGN = """() => ({
  scripts: [...document.scripts].map(s => s.getAttribute("src") || s.type),
  elements: document.querySelectorAll(
    "img, svg, iframe, object, embed, style, link:not([rel=stylesheet])"
  ).length,
  handlers: [...document.querySelectorAll("*")]
    .filter(e => [...e.attributes].some(a => a.name.startsWith("on"))).length,
  tripped: window.__tripped || 0,
  refused: window.__refused || [],
})"""


@pytest.mark.parametrize("bypass_csp", [True, False], ids=["without-csp", "with-csp"])
def test_the_hostile_catalog_page_runs_nothing_and_shows_every_string(
    hostile_build: tuple[Path, dict[str, str]], bypass_csp: bool
) -> None:
    # Without its CSP the page would run whatever escaped; with it, a refusal would be
    # reported. Either way nothing may run, and every string must be there as text.
    from tests.site.browser import open_page, shared_browser

    root, planted = hostile_build
    index = root / "generated" / "site" / "index.html"
    hostile = load_catalog(root / "catalog")
    noted = next(r.model for r in hostile.tables["finetune-lora"].rows if r.note == NOTE_ONLY)
    with open_page(shared_browser(), index, bypass_csp=bypass_csp, init_script=TRAP) as opened:
        page = opened.page
        ids = [*planted, noted]
        shown = dict(zip(ids, page.evaluate(_SHOWN, ids), strict=True))
        for model, value in planted.items():
            assert shown[model]["row"] == model
            assert shown[model]["name"] == value
            assert shown[model]["title"] == model
            assert f"Name: {value}" in shown[model]["detail"]
            assert f"Note: {value}" in shown[model]["detail"]
        assert f"Note: {NOTE_ONLY}" in shown[noted]["detail"]
        assert REASON in (page.text_content("#waiver-list") or "")
        page.fill("#job-model", HOSTILE_ID)
        page.fill("#job-batch", "0")
        page.fill("#job-rank", "${tripwire()}")
        page.click("#job-form button[type=submit]")
        assert HOSTILE_ID in (page.text_content("#job-result") or "")
        foreign = page.evaluate(_FOREIGN)
        assert foreign == {
            "scripts": ["application/json", "checker.js", "app.js"],
            "elements": 0,
            "handlers": 0,
            "tripped": 0,
            "refused": [],
        }
        assert opened.errors == [] and opened.offline == []
