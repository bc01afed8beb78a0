"""The fault injection the tests/codegen/test_generate_{kills,no_space,gate}.py modules
share: a hook that counts generate's write calls and fails one, the old and new trees it
switches between, and the sampling of kill points.

`python -m codegen generate` runs in a subprocess with a `sitecustomize` hook (HOOK) that
wraps every call that writes (`os.mkdir`, `os.makedirs`, `os.chmod`, `os.fsync`,
`os.rename`, `os.replace`, `os.unlink`, `os.rmdir`, `shutil.rmtree` and
`codegen.swap.renameat2`) and counts them; at call N it SIGKILLs its own process (or, in
this process through `faults`, raises ENOSPC). A first run only records the calls (the
trace, about 65). Killing at each would be as many runs of about a second, most of them
alike (one fsync per file), so `sample` picks every call of a run of up to three calls of
one kind, and the first and last of a longer run: each step kind at each position where the
state on disk changes shape.

The old tree is generated from the committed catalog plus one generated file the new tree
no longer has; the new tree from the same catalog with another snapshot date (of the
fine-tuning page), so both the contents and the file set differ (the `scene` fixture, one
per test module). In-process runs reuse the loaded catalog and its rendered files
(`fast_cli`): rendering is the same for every run, only writing differs. A test module
takes the two fixtures by importing `scene_fixture` and `fast_cli_fixture`; they register
as `scene` and `fast_cli`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalog.contents import Catalog
from catalog.load import ROOT, load_catalog
from codegen import swap
from codegen.__main__ import main
from codegen.generate import Files, read_tree, render_all, write_tree
from codegen.render import GENERATED_BY
from tests.conftest import copy_catalog_data
from tests.support.hooked import run_hooked

HOOK = '''
"""Fault hook of tests/codegen/generate_faults.py: count write calls, fail call N."""
import errno, os, shutil, signal, stat

NAMES = ["mkdir", "makedirs", "chmod", "fsync", "rename", "replace", "unlink", "rmdir"]


def describe(name, args):
    if name == "fsync":
        fd = args[0]
        kind = "fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file"
        return kind, os.readlink(f"/proc/self/fd/{fd}")
    paths = [os.fspath(a) for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
    return ("remove" if name in ("unlink", "rmdir") else name), " -> ".join(map(str, paths))


def wrappers(mode, target, trace, exchange=True):
    """(owner, name, wrapper) for every hooked call. mode: trace, kill or enospc at call
    `target`; `trace(kind, what)` records each call; without `exchange` renameat2 refuses
    RENAME_EXCHANGE as a filesystem without it does."""
    import codegen.swap as swap

    count = [0]

    def wrap(name, real):
        def hooked(*args, **kwargs):
            count[0] += 1
            kind, what = describe(name, args)
            trace(kind, what)
            if count[0] == target and mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if count[0] == target and mode == "enospc":
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            if name == "renameat2" and not exchange and args[2] & swap.RENAME_EXCHANGE:
                raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
            return real(*args, **kwargs)

        return hooked

    found = [(os, name, wrap(name, getattr(os, name))) for name in NAMES]
    found.append((shutil, "rmtree", wrap("rmtree", shutil.rmtree)))
    found.append((swap, "renameat2", wrap("renameat2", swap.renameat2)))
    return found


def install(spec, exchange, trace_path):
    mode, _, target = spec.partition(":")

    def trace(kind, what):
        if trace_path:
            with open(trace_path, "a", encoding="utf-8") as handle:
                handle.write(f"{kind}\\t{what}\\n")

    for owner, name, hooked in wrappers(mode, int(target or 0), trace, exchange):
        setattr(owner, name, hooked)


if os.environ.get("FAULT_HOOK"):
    install(
        os.environ["FAULT_HOOK"],
        os.environ.get("FAULT_EXCHANGE") != "no",
        os.environ.get("FAULT_TRACE"),
    )
'''

Step = tuple[str, str]  # (kind, what)


def hook_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(HOOK, "fault_hook", "exec"), namespace)  # the same code the subprocess runs
    return namespace


@dataclass(frozen=True)
class Scene:
    root: Path
    catalog: Path
    site: Path  # holds only `out` (and whatever a run leaves beside it)
    out: Path
    pristine: Path  # the old tree, copied to `out` before each run
    hook: Path
    loaded: Catalog  # the catalog at `catalog` (the new tree's)
    old: Files
    new: Files


RETIRED = "docs/retired.md"


@pytest.fixture(scope="module", name="scene")
def scene_fixture(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    root = tmp_path_factory.mktemp("atomic")
    catalog = copy_catalog_data(root / "catalog")
    old_files = render_all(load_catalog(catalog))
    old_files[RETIRED] = f"<!-- {GENERATED_BY} from an older template; do not edit. -->\n"
    write_tree(old_files, root / "pristine")
    for name in ("finetune-lora", "finetune-full", "finetune-lora-long-context"):  # one page
        # Each table a day later (a retired row's last_seen stays at or before its table's).
        path = catalog / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        (date,) = re.findall(r"^  snapshot: ([0-9]{4}-[0-9]{2}-[0-9]{2})$", text, flags=re.M)
        later = dt.date.fromisoformat(date) + dt.timedelta(days=1)
        path.write_text(text.replace(f"  snapshot: {date}\n", f"  snapshot: {later}\n"), "utf-8")
    loaded = load_catalog(catalog)
    new_files = render_all(loaded)
    assert new_files.keys() != old_files.keys()
    assert any(old_files.get(rel) != text for rel, text in new_files.items())
    hook = root / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    site = root / "site"
    return Scene(
        root,
        catalog,
        site,
        site / "out",
        root / "pristine",
        hook,
        loaded,
        read_tree(root / "pristine"),
        new_files,
    )


def reset(scene: Scene) -> None:
    if scene.site.exists():
        shutil.rmtree(scene.site)
    scene.site.mkdir()
    shutil.copytree(scene.pristine, scene.out)


def state(scene: Scene) -> str:
    if not os.path.lexists(scene.out):
        return "missing"
    found = read_tree(scene.out)
    return "old" if found == scene.old else "new" if found == scene.new else "mixed"


def strays(scene: Scene) -> list[str]:
    return sorted(name for name in os.listdir(scene.site) if name != "out")


def run_cli(scene: Scene, fault: str, *, exchange: bool = True) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess, with the hook; the trace (if any) in root/trace.tsv."""
    env = {
        "FAULT_HOOK": fault,
        "FAULT_EXCHANGE": "yes" if exchange else "no",
        "FAULT_TRACE": str(scene.root / "trace.tsv") if fault == "trace" else "",
    }
    argv = ["--catalog", str(scene.catalog), "generate", "--out", str(scene.out)]
    return run_hooked(scene.hook, "codegen", argv, env, cwd=ROOT, timeout=300)


_TRACES: dict[tuple[Path, bool], list[Step]] = {}


def subprocess_trace(scene: Scene, *, exchange: bool) -> list[Step]:
    """Every hooked call of one whole run from the old tree, in order (run once per scene)."""
    key = (scene.root, exchange)
    if key not in _TRACES:
        _TRACES[key] = _record_trace(scene, exchange=exchange)
    return _TRACES[key]


def _record_trace(scene: Scene, *, exchange: bool) -> list[Step]:
    reset(scene)
    (scene.root / "trace.tsv").unlink(missing_ok=True)
    done = run_cli(scene, "trace", exchange=exchange)
    assert done.returncode == 0, done.stderr
    assert (state(scene), strays(scene)) == ("new", [])
    lines = (scene.root / "trace.tsv").read_text(encoding="utf-8").splitlines()
    return [(kind, what) for kind, what in (line.split("\t", 1) for line in lines)]


def runs(trace: list[Step]) -> list[list[int]]:
    """1-based call numbers grouped into maximal runs of one kind."""
    grouped: list[list[int]] = []
    for number, (kind, _what) in enumerate(trace, start=1):
        if grouped and trace[grouped[-1][-1] - 1][0] == kind:
            grouped[-1].append(number)
        else:
            grouped.append([number])
    return grouped


def sample(trace: list[Step], kinds: Callable[[str], bool] = lambda kind: True) -> list[int]:
    """Every call of a run of up to three calls of one kind; the first and last of a longer
    one (the calls between are alike: one more file, one more folder)."""
    points: list[int] = []
    for run in runs(trace):
        if kinds(trace[run[0] - 1][0]):
            points += run if len(run) <= 3 else [run[0], run[-1]]
    return points


def call_number(trace: list[Step], scene: Scene, kind: str, src: str, dst: Path) -> int:
    """The call `kind` moving a sibling whose name starts with `src` to `dst`."""
    for number, (found, what) in enumerate(trace, start=1):
        source, _, target = what.partition(" -> ")
        if found == kind and Path(source).name.startswith(src) and target == str(dst):
            return number
    raise AssertionError(f"no {kind} {src}* -> {dst} in the trace")


@contextlib.contextmanager
def faults(
    monkeypatch: pytest.MonkeyPatch, mode: str, target: int, *, exchange: bool
) -> Iterator[list[Step]]:
    """The hook installed in this process for the block; yields the trace it records."""
    trace: list[Step] = []
    wrappers = hook_namespace()["wrappers"]
    with monkeypatch.context() as patch:
        for owner, name, hooked in wrappers(
            mode, target, lambda k, w: trace.append((k, w)), exchange
        ):
            patch.setattr(owner, name, hooked)
        yield trace


@pytest.fixture(name="fast_cli")
def fast_cli_fixture(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], tuple[int, str]]:
    """`python -m codegen generate` in this process, loading and rendering from the scene's
    cache (the writer lock, the rules gate and the write are the real ones)."""
    import codegen.__main__
    import codegen.generate
    import codegen.verify

    def load(path: Path) -> Catalog:
        assert path == scene.catalog
        return scene.loaded

    monkeypatch.setattr(codegen.__main__, "load_catalog", load)
    monkeypatch.setattr(codegen.generate, "render_all", lambda *a, **k: dict(scene.new))
    monkeypatch.setattr(codegen.verify, "verify", lambda *a, **k: None)

    def generate() -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["--catalog", str(scene.catalog), "generate", "--out", str(scene.out)])
        return code, err.getvalue()

    return generate


def recovers(scene: Scene, generate: Callable[[], tuple[int, str]], step: str) -> None:
    """What the next run does first leaves exactly one tree and no stray; then it completes."""
    swap.recover(scene.out)
    assert state(scene) in {"old", "new"}, step
    assert strays(scene) == [], step
    code, err = generate()
    assert code == 0, (step, err)
    assert (state(scene), strays(scene)) == ("new", []), step
