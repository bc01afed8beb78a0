"""The read-only fast loader gives exactly what the round-trip loader gives, and refuses alike."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from catalog import changelog_text, yamlio
from catalog.changelog import CHANGELOG_FILE
from catalog.load import CATALOG_DIR, CatalogError, changelog_plain, load_catalog


@pytest.mark.parametrize("path", sorted(CATALOG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_fast_load_equals_round_trip(path: Path) -> None:
    assert yamlio.load_plain(path) == yamlio.to_plain(yamlio.load(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: &x 2025-01-01\nb: *x\n", "anchors and aliases"),  # loads as a plain date
        ("a: !foo 1\n", "unsupported YAML value"),
        ("a: [<<]\n", "unsupported YAML value"),  # a plain << resolves to the merge tag
        ("a:\n  - <<\n", "unsupported YAML value"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("? [1]\n: 2\n", "keys must be strings"),
        ("a: 1\n1: 2\n", "keys must be strings"),
    ],
)
def test_fast_load_refuses_like_round_trip(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yamlio.YamlError, match=message) as info:
        yamlio.load_plain(path)
    assert str(info.value).startswith(f"{path}:")


def test_shared_values_are_dumped_in_full() -> None:
    day = dt.date(2025, 12, 1)  # one object, as when a run retires several rows
    text = yamlio.dumps(
        {"retired": [{"model": "a", "last_seen": day}, {"model": "b", "last_seen": day}]}
    )
    assert "&" not in text and "*" not in text
    assert yamlio.loads_plain(text) == {
        "retired": [
            {"model": "a", "last_seen": "2025-12-01"},
            {"model": "b", "last_seen": "2025-12-01"},
        ]
    }


def test_validation_error_from_fast_path_is_located(catalog_copy: Path) -> None:
    path = catalog_copy / "serverless-chat.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "context_length: 131072" in line)
    lines[index] = lines[index].replace("131072", "'131072'")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert f"{path}:{index + 1}:" in str(info.value)
    assert "context_length" in str(info.value)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.dates().map(str)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_fast_and_round_trip_agree_on_any_document(
    tmp_path_factory: pytest.TempPathFactory, doc: object
) -> None:
    path = tmp_path_factory.mktemp("doc") / "d.yaml"
    path.write_text(yamlio.dumps({"root": doc}), encoding="utf-8")
    try:
        slow = yamlio.to_plain(yamlio.load(path))
    except yamlio.YamlError:
        with pytest.raises(yamlio.YamlError):
            yamlio.load_plain(path)
        return
    assert yamlio.load_plain(path) == slow


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: !!int 3\n", 2, "explicit tags (!!int)"),
        ("a: 1\nb: !!str 3\n", 2, "explicit tags (!!str)"),
        ("a: !!float 3\n", 1, "explicit tags (!!float)"),
        ("a: !!bool yes\n", 1, "explicit tags (!!bool)"),
        ("a: !!null ''\n", 1, "explicit tags (!!null)"),
        ("a: !!timestamp 2025-01-01\n", 1, "explicit tags (!!timestamp)"),
        ("a:\n  b: !!map {x: 1}\n", 2, "explicit tags (!!map)"),
        ("a: !!seq [1]\n", 1, "explicit tags (!!seq)"),
        ("a: 1\n!!str b: 2\n", 2, "explicit tags (!!str)"),
        ("a: ! 3\n", 1, "explicit tags (!)"),
        ("a: !foo 3\n", 1, "explicit tags (!foo)"),
        ("a:\n  <<: {x: 1}\n  y: 2\n", 2, "merge keys (<<)"),
        ("a: {y: 2, <<: {x: 1}}\n", 1, "merge keys (<<)"),
        ("a:\n  - <<: {x: 1}\n", 2, "merge keys (<<)"),
        ("a: 1\n<<: {x: 1}\n", 2, "merge keys (<<)"),  # the fast loader would merge it
        ("a:\n  y: 1\n  <<: [{x: 1}, {z: 2}]\n", 3, "merge keys (<<)"),
    ],
)
def test_tags_and_merge_keys_are_refused_with_their_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    """A core tag changes a value's type and a merge key copies keys in, and neither shows in
    the loaded data; both loaders refuse them, at the same line."""
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    for load in (yamlio.load, yamlio.load_plain):
        with pytest.raises(yamlio.YamlError) as info:
            load(path)
        assert str(info.value).startswith(f"{path}:{line}: "), (load, str(info.value))
        assert message in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "'<<': 1\n",
        'a: {"<<": 1}\n',
        "a: x << y\n",
        "a: 'it is ! and <<'\n",
        "note: bang! at the end\n",
    ],
)
def test_lookalikes_of_tags_and_merge_keys_load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert yamlio.load_plain(path) == yamlio.to_plain(yamlio.load(path))


def nested(depth: int, *, flow: bool) -> str:
    """A document `depth` collections deep, the top-level mapping included."""
    if flow:
        return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    lines = ["a:"] + [" " * (2 * i) + "- " for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("flow", "newline"),
    [(True, "\n"), (False, "\n"), (False, "\r")],
    ids=["flow", "block", "block-cr"],
)
def test_depth_limit_is_exact(tmp_path: Path, flow: bool, newline: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(nested(yamlio.MAX_DEPTH, flow=flow).replace("\n", newline).encode())
    assert yamlio.load_plain(path) == yamlio.to_plain(yamlio.load(path))
    path.write_bytes(nested(yamlio.MAX_DEPTH + 1, flow=flow).replace("\n", newline).encode())
    line = 1 if flow else yamlio.MAX_DEPTH + 1
    for load in (yamlio.load, yamlio.load_plain):
        with pytest.raises(yamlio.YamlError) as info:
            load(path)
        assert str(info.value).startswith(f"{path}:{line}: collections nested more than 64")


@pytest.mark.parametrize(
    "depth", [1_000, 100_000, 1_000_000], ids=["1k (a 2 KB note)", "100k", "1M"]
)
def test_deep_documents_are_refused_quickly_with_their_line(tmp_path: Path, depth: int) -> None:
    """Without the check: RecursionError from the round-trip loader, and at 100,000 levels a
    segfault of the C loader on the fast path."""
    import time

    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nnote: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    for load in (yamlio.load, yamlio.load_plain):
        start = time.perf_counter()
        with pytest.raises(yamlio.YamlError, match=rf"^{path}:2: collections nested"):
            load(path)
        assert time.perf_counter() - start < 5


def test_deep_note_gives_a_located_error_from_codegen_check(catalog_copy: Path) -> None:
    import subprocess
    import sys

    path = catalog_copy / "serverless-audio.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append("    note: " + "[" * 1000 + "]" * 1000 + "\n")  # the last row's note
    path.write_text("".join(lines), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "codegen", "--catalog", str(catalog_copy), "check"],
        cwd=CATALOG_DIR.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        f"error: {path}:{len(lines)}: collections nested more than 64 levels deep "
        "(catalog files need a few)\n"
    )


def actual_depth(text: str) -> int:
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = deepest = 0
    for event in yamlio._yaml().parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return deepest


def depth_bound(text: str) -> int:
    """The bound `yamlio._bound_exceeds` compares, computed the slow, obvious way."""
    starts = re.split("[\n\r\x85\u2028\u2029]", text)
    prefix = max(len(re.match(r"[ \t?:-]*", line).group()) for line in starts)  # type: ignore[union-attr]
    return text.count("[") + text.count("{") + 2 * prefix + 2


deep_documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(st.text(max_size=4), inner, min_size=1, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(
    deep_documents,
    st.sampled_from([None, True, False]),
    st.integers(1, 4),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_depth_bound_is_an_upper_bound(
    doc: object, flow: bool | None, offset: int, newline: str
) -> None:
    """The cheap bound that lets real files skip the event scan never under-counts."""
    from io import StringIO

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.indent(mapping=2, sequence=offset + 1, offset=offset - 1 if offset > 1 else 0)
    stream = StringIO()
    yaml.dump({"root": doc}, stream)
    text = stream.getvalue().replace("\n", newline)
    try:
        depth = actual_depth(text)
    except Exception:  # the dumper writes a few keys (":0") it cannot read back
        assume(False)
    bound = depth_bound(text)
    assert bound >= depth, text
    for limit in range(max(0, bound - 3), bound + 3):
        assert yamlio._bound_exceeds(text, limit) == (bound > limit)


#: Read by its own line reader (catalog/changelog_text.py), never by the YAML loader's fast
#: path: each of its thousands of changes is a flow mapping, so the "{" count alone puts its
#: bound over the limit.
CHANGELOG = CATALOG_DIR / CHANGELOG_FILE


@pytest.mark.parametrize(
    "path",
    sorted(p for p in CATALOG_DIR.glob("*.yaml") if p != CHANGELOG),
    ids=lambda p: p.name,
)
def test_real_files_skip_the_event_scan(path: Path) -> None:
    assert not yamlio._bound_exceeds(path.read_text(encoding="utf-8"), yamlio.MAX_DEPTH)


def test_the_changelog_is_read_line_by_line_as_the_yaml_loader_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The changelog skips YAML parsing altogether: it is in the shape reconcile writes, and
    the line reader gives what the YAML loader gives (which, over its flow mappings, scans the
    events for depth first)."""
    text = CHANGELOG.read_text(encoding="utf-8")
    assert yamlio._bound_exceeds(text, yamlio.MAX_DEPTH)  # why it is left out above
    slow = yamlio.load_plain(CHANGELOG)
    assert changelog_text.fast_plain(text) == slow

    def no_yaml(*args: object) -> None:
        raise AssertionError("the committed changelog went to the YAML loader")

    monkeypatch.setattr(yamlio, "loads_plain", no_yaml)
    assert changelog_plain(text, CHANGELOG) == slow  # what load_catalog reads it with
