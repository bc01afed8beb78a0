"""generated/: current, deterministic, free of environment, all-or-nothing, lint-clean."""

from __future__ import annotations

import getpass
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from catalog.contents import Catalog
from catalog.load import ROOT
from codegen.__main__ import main
from codegen.generate import (
    OUT_DIR,
    RUNTIME_DIR,
    GenerateError,
    _runtime_files,
    differences,
    read_tree,
    render_all,
    run_generate,
)
from codegen.render import TEMPLATES_DIR, environment


def test_committed_tree_is_current(generated_files: dict[str, str]) -> None:
    # The staleness gate: fails whenever catalog/, a template or codegen/runtime/ changed
    # without `make generate`.
    assert differences(generated_files, OUT_DIR) == []


def test_check_mode_exits_zero_on_the_current_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--check"]) == 0
    assert "is current" in capsys.readouterr().out


def test_two_runs_write_byte_identical_trees(tmp_path: Path) -> None:
    assert main(["generate", "--out", str(tmp_path / "a")]) == 0
    assert main(["generate", "--out", str(tmp_path / "b")]) == 0
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert a == b
    for rel in a:
        left, right = tmp_path / "a" / rel, tmp_path / "b" / rel
        if left.is_file():
            assert left.read_bytes() == right.read_bytes(), rel


def test_check_lists_changed_missing_and_extra_files(
    tmp_path: Path, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "generated"
    assert run_generate(catalog, check=False, out=out) == 0
    (out / "docs" / "anomalies.md").write_text("edited by hand\n", encoding="utf-8")
    (out / "schema" / "finetune-request.schema.json").unlink()
    (out / "docs" / "stray.md").write_text("not generated\n", encoding="utf-8")
    (out / "together_catalog" / "__pycache__").mkdir(exist_ok=True)
    (out / "together_catalog" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    capsys.readouterr()
    assert run_generate(catalog, check=True, out=out) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "changed docs/anomalies.md",
        "extra docs/stray.md",
        "missing schema/finetune-request.schema.json",
    ]


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # a container uid with no passwd entry and no $USER
        return None


def _home() -> str | None:
    try:
        return str(Path.home())
    except (RuntimeError, KeyError):
        return None


def _sources() -> str:
    """All text generation reads (catalog, templates, codegen and runtime code), lowercased:
    a word found there may appear in the output legitimately."""
    paths = [*(ROOT / "catalog").rglob("*"), *(ROOT / "codegen").rglob("*")]
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace").lower()
        for p in sorted(paths)
        if p.is_file() and "__pycache__" not in p.parts
    )


def environmental(
    names: Iterable[str | None], paths: Iterable[str | None], sources: str
) -> list[re.Pattern[str]]:
    """Patterns that would betray the machine that generated a file.

    A user or host name counts only when distinctive: six characters or more and found
    nowhere in the sources (CI runs as `root`; a user `chat` or `data` would match the
    catalog's words). An absolute path other than `/` counts wherever it appears as a path.
    """
    found = [
        re.compile(re.escape(n), re.IGNORECASE)
        for n in names
        if n and len(n) >= 6 and n.lower() not in sources
    ]
    found += [
        re.compile(r"(?<![\w.-])" + re.escape(p) + r"(?![\w.-])")
        for p in paths
        if p and Path(p).is_absolute() and len(Path(p).parts) > 1
    ]
    return found


def test_only_distinctive_environment_values_are_forbidden() -> None:
    sources = "rows: chat models, data tables, metadata"
    patterns = environmental(
        ["root", "chat", "data", "metadata", "ci-runner-7f3a", None, ""],
        ["/", "/root", "relative/path", None, "/tmp"],
        sources,
    )
    text = "built by CI-RUNNER-7f3a in /root/x and /tmp; org/rootless; /tmpfs"
    assert [p.pattern for p in patterns if p.search(text)] == [
        re.escape("ci-runner-7f3a"),
        r"(?<![\w.-])/root(?![\w.-])",
        r"(?<![\w.-])/tmp(?![\w.-])",
    ]
    assert not any(p.search("org/rootless, /tmpfs, a chat about data") for p in patterns)


def test_every_file_has_the_header_and_nothing_environmental(
    generated_files: dict[str, str],
) -> None:
    banned = environmental(
        [_user(), socket.gethostname()],
        [str(ROOT), _home(), tempfile.gettempdir()],
        _sources(),
    )
    assert banned, "at least the repository path is checked"
    import jinja2
    import pydantic

    versions = [f"{jinja2.__version__}", f"pydantic {pydantic.VERSION}", sys.version.split()[0]]
    timestamp = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
    for rel, text in generated_files.items():
        if rel.endswith("py.typed"):
            assert text == ""  # PEP 561 marker: content would be read as "partial"
            continue
        head = "\n".join(text.splitlines()[:3])
        assert "Generated by codegen" in head, rel
        assert "make generate" in head, rel
        for pattern in banned:
            assert pattern.search(text) is None, (rel, pattern.pattern)
        for version in versions:
            assert version not in text, (rel, version)
        assert timestamp.search(text) is None, rel


def test_user_lookup_failure_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert _user() is None


def _broken_templates(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    page = templates / "docs" / "anomalies.md.j2"  # rendered last: everything else succeeded
    page.write_text(page.read_text(encoding="utf-8") + "{{ no_such_value }}\n", encoding="utf-8")
    return templates


def test_a_failing_template_names_the_output(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(GenerateError, match=r"docs/anomalies\.md: UndefinedError"):
        render_all(catalog, _broken_templates(tmp_path))


def test_a_failing_template_leaves_the_tree_as_it_was(tmp_path: Path, catalog: Catalog) -> None:
    out = tmp_path / "generated"
    assert run_generate(catalog, check=False, out=out) == 0
    (out / "docs" / "anomalies.md").write_text("old content\n", encoding="utf-8")
    before = read_tree(out)
    code = run_generate(
        catalog, check=False, out=out, templates=_broken_templates(tmp_path), runtime=RUNTIME_DIR
    )
    assert code == 2
    assert read_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated", "templates"]


def test_a_failing_write_leaves_the_tree_as_it_was(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codegen import generate

    out = tmp_path / "generated"
    assert run_generate(catalog, check=False, out=out) == 0
    (out / "docs" / "anomalies.md").unlink()  # so the next run has something to write
    before = read_tree(out)
    calls = 0
    real_open = open

    def failing_open(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError("disk full")
        return real_open(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(generate, "open", failing_open, raising=False)
    with pytest.raises(OSError, match="disk full"):
        run_generate(catalog, check=False, out=out)
    assert read_tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]


def test_generated_python_passes_ruff(tmp_path: Path) -> None:
    # The committed tree is the one users import; ruff's check and format must accept it as
    # rendered (the generator writes in ruff's style rather than running a formatter).
    package = OUT_DIR / "together_catalog"
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run([*ruff, "check", str(package)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run([*ruff, "format", "--check", str(package)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_long_values_keep_the_python_ruff_clean(tmp_path: Path, catalog: Catalog) -> None:
    # Lines only a long value makes overlong get `noqa: E501`, exactly where ruff would
    # complain (a single word or a trailing URL is spared, wide characters count twice).
    values = {
        "model_name": "Very long model name " * 7 + "中文" * 20,
        "note": "see https://example.com/" + "p" * 120,
        "organization": "x" * 150,
    }
    tables = dict(catalog.tables)
    chat = tables["serverless-chat"]
    rows = list(chat.rows)
    rows[0] = rows[0].model_copy(update=values)
    rows[1] = rows[1].model_copy(update={"model": "org/" + "y" * 130})
    tables["serverless-chat"] = chat.model_copy(update={"rows": tuple(rows)})
    out = tmp_path / "generated"
    assert (
        run_generate(Catalog(tables, catalog.notes, catalog.aliases, catalog.waivers), False, out)
        == 0
    )
    package = out / "together_catalog"
    ruff = [sys.executable, "-m", "ruff", "--config", str(ROOT / "pyproject.toml")]
    check = subprocess.run([*ruff, "check", str(package)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run([*ruff, "format", "--check", str(package)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_a_long_runtime_module_name_keeps_the_package_ruff_clean(tmp_path: Path) -> None:
    """The header names the runtime module it was copied from; with a name of 15 characters
    or more its first line passed ruff's 100 columns (lora_serving.py did), and only a
    rename kept `ruff check` on the generated package passing."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    name = "a_runtime_module_with_a_long_name.py"
    (runtime / name).write_text('"""A module."""\n\nVALUE = 1\n', encoding="utf-8")
    (rel, text), *_ = _runtime_files(environment(TEMPLATES_DIR), runtime)
    assert rel == f"together_catalog/{name}"
    assert name in text.splitlines()[0]
    (tmp_path / name).write_text(text, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff", "--config", str(ROOT / "pyproject.toml")]
    check = subprocess.run([*ruff, "check", str(tmp_path / name)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
