"""generate is all or nothing, durable before it switches, and publishes only a checked catalog.

Fault injection. `python -m codegen generate` runs in a subprocess with a `sitecustomize`
hook (HOOK) that wraps every call that writes (`os.mkdir`, `os.makedirs`, `os.chmod`,
`os.fsync`, `os.rename`, `os.replace`, `os.unlink`, `os.rmdir`, `shutil.rmtree` and
`codegen.swap.renameat2`) and counts them; at call N it SIGKILLs its own process (or, in
this process, raises ENOSPC). A first run only records the calls (the trace, about 65).
Killing at each would be as many runs of about a second, most of them alike (one fsync
per file), so the kill points are every call of a run of up to three calls of one kind,
and the first and last of a longer run: each step kind at each position where the state
on disk changes shape. After each kill the output folder must hold exactly the old tree or
the new one (with the exchange unavailable, between the journal's two renames: no tree,
and the whole old one aside); the recovery the next run starts with must leave one tree
and no stray sibling; and the next run must complete. ENOSPC at each write step before
the swap must exit 2 naming the folder and change nothing; after the swap, exit 0 with
the new tree, the next run cleaning up.

The old tree is generated from the committed catalog plus one generated file the new tree
no longer has; the new tree from the same catalog with another snapshot date (of the
fine-tuning page), so both the contents and the file set differ. In-process runs reuse the
loaded catalog and its rendered files (`fast_cli`): rendering is the same for every run,
only writing differs.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalog import lock
from catalog.contents import Catalog
from catalog.load import ROOT, load_catalog
from codegen import swap
from codegen.__main__ import main
from codegen.generate import Files, read_tree, render_all, write_tree
from codegen.render import GENERATED_BY
from tests.conftest import copy_catalog_data

HOOK = '''
"""Fault hook for tests/codegen/test_generate_atomic.py: count write calls, fail call N."""
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


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    root = tmp_path_factory.mktemp("atomic")
    catalog = copy_catalog_data(root / "catalog")
    old_files = render_all(load_catalog(catalog))
    old_files[RETIRED] = f"<!-- {GENERATED_BY} from an older template; do not edit. -->\n"
    write_tree(old_files, root / "pristine")
    for name in ("finetune-lora", "finetune-full", "finetune-lora-long-context"):  # one page
        path = catalog / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count("  snapshot: 2026-11-23\n") == 1, name
        path.write_text(text.replace("snapshot: 2026-11-23", "snapshot: 2026-11-22"), "utf-8")
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
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(scene.hook), str(ROOT)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "FAULT_HOOK": fault,
        "FAULT_EXCHANGE": "yes" if exchange else "no",
        "FAULT_TRACE": str(scene.root / "trace.tsv") if fault == "trace" else "",
    }
    argv = ["--catalog", str(scene.catalog), "generate", "--out", str(scene.out)]
    return subprocess.run(
        [sys.executable, "-m", "codegen", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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


@pytest.fixture
def fast_cli(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> Callable[[], tuple[int, str]]:
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


# --- SIGKILL at each write step ---------------------------------------------------------------


def test_a_kill_at_any_write_step_leaves_the_old_tree_or_the_new_one(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]]
) -> None:
    trace = subprocess_trace(scene, exchange=True)
    kinds = {kind for kind, _ in trace}
    assert {"mkdir", "fsync-file", "fsync-dir", "chmod", "renameat2", "rmtree"} <= kinds
    swapped = call_number(trace, scene, "renameat2", ".out.new-", scene.out)
    points = sample(trace)
    assert len(points) <= 16, points
    for number in points:
        step = f"killed before call {number}/{len(trace)}: {trace[number - 1]}"
        reset(scene)
        done = run_cli(scene, f"kill:{number}")
        assert done.returncode == -signal.SIGKILL, (step, done.stderr)
        # Nobody reading `out` at that instant sees a mix, or no tree at all.
        assert state(scene) == ("old" if number <= swapped else "new"), step
        recovers(scene, fast_cli, step)


def test_without_exchange_the_journal_recovers_at_any_kill(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]]
) -> None:
    trace = subprocess_trace(scene, exchange=False)
    aside = next(n for n, (k, w) in enumerate(trace, 1) if k == "rename" and ".out.old-" in w)
    swapped = call_number(trace, scene, "rename", ".out.new-", scene.out)
    assert aside < swapped
    refused = call_number(trace, scene, "renameat2", ".out.new-", scene.out)
    # Before the refused exchange, and after the first step past the swap, the calls are
    # those of the exchange path (tested above); the journal's own steps are in between.
    points = [n for n in sample(trace) if refused < n <= swapped + 2]
    assert [trace[n - 1][0] for n in points] == ["rename", "rename", "rename", "fsync-dir"]
    for number in points:
        step = f"killed before call {number}/{len(trace)}: {trace[number - 1]}"
        reset(scene)
        done = run_cli(scene, f"kill:{number}", exchange=False)
        assert done.returncode == -signal.SIGKILL, (step, done.stderr)
        if aside < number <= swapped:  # between the two renames: the old tree is aside, whole
            assert state(scene) == "missing", step
            journal = [scene.site / n for n in strays(scene) if n.startswith(".out.old-")]
            assert len(journal) == 1 and read_tree(journal[0]) == scene.old, step
        else:
            assert state(scene) == ("old" if number <= aside else "new"), step
        recovers(scene, fast_cli, step)


def test_a_kill_while_recovering_is_recovered_too(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]]
) -> None:
    trace = subprocess_trace(scene, exchange=True)
    swapped = call_number(trace, scene, "renameat2", ".out.new-", scene.out)
    reset(scene)
    assert run_cli(scene, f"kill:{swapped + 1}").returncode == -signal.SIGKILL
    (stray,) = strays(scene)
    assert state(scene) == "new" and read_tree(scene.site / stray) == scene.old
    # The next run starts by deleting it (call 1, rmtree): kill it after one file is gone.
    done = run_cli(scene, "kill:3")
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert state(scene) == "new" and len(strays(scene)) == 1
    code, err = fast_cli()
    assert code == 0 and "left by an interrupted run" in err
    assert (state(scene), strays(scene)) == ("new", [])


# --- ENOSPC at each write step ----------------------------------------------------------------


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_enospc_at_any_write_step_changes_nothing(
    scene: Scene,
    fast_cli: Callable[[], tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
    exchange: bool,
) -> None:
    reset(scene)
    with faults(monkeypatch, "trace", 0, exchange=exchange) as trace:
        assert fast_cli()[0] == 0
    swapped = call_number(
        trace, scene, "renameat2" if exchange else "rename", ".out.new-", scene.out
    )
    points = sample(trace, lambda kind: kind != "remove")  # inside rmtree, which we wrap whole
    assert swapped in points
    for number in points:
        step = f"ENOSPC at call {number}/{len(trace)}: {trace[number - 1]}"
        reset(scene)
        with faults(monkeypatch, "enospc", number, exchange=exchange):
            code, err = fast_cli()
        if number <= swapped:
            assert code == 2, (step, err)
            assert err.count("\n") == 1 and err.startswith("error: "), (step, err)
            assert "No space left on device" in err and f"{scene.out} was left as it was" in err
            assert (state(scene), strays(scene)) == ("old", []), step
        else:  # the new tree is in place; cleaning up after it is left to the next run
            assert code == 0, (step, err)
            assert state(scene) == "new", step
            assert fast_cli()[0] == 0
            assert (state(scene), strays(scene)) == ("new", []), step


# --- refusals: read-only, locked, unchecked ---------------------------------------------------


@pytest.fixture
def mode_bit_access(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root every folder is writable: judge write access by the mode bits instead."""
    if os.geteuid() != 0:
        return
    real = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and not os.stat(path).st_mode & stat.S_IWUSR:
            return False
        return real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("which", ["out", "out/docs", "site"])
@pytest.mark.usefixtures("mode_bit_access")
def test_a_read_only_target_is_refused(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]], which: str
) -> None:
    reset(scene)
    locked = {"out": scene.out, "out/docs": scene.out / "docs", "site": scene.site}[which]
    locked.chmod(0o555)
    try:
        code, err = fast_cli()
        assert state(scene) == "old" and strays(scene) == []
    finally:
        locked.chmod(0o755)
    assert code == 2
    assert err == (
        f"generate: error: refusing to write {scene.out}: {locked} is not writable; "
        "nothing changed\n"
    )


def test_a_held_lock_is_waited_for_then_refused(
    scene: Scene, fast_cli: Callable[[], tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    reset(scene)
    monkeypatch.setattr(lock, "DEFAULT_TIMEOUT", 0.2)
    with lock.writer_lock(scene.catalog, who="test"):
        code, err = fast_cli()
    assert code == 2 and "still holds the catalog lock" in err
    assert (state(scene), strays(scene)) == ("old", [])


def test_two_concurrent_generates_both_succeed(scene: Scene) -> None:
    reset(scene)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    argv = ["--catalog", str(scene.catalog), "generate", "--out", str(scene.out)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "codegen", *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in runs]
    assert [code for code, _ in results] == [0, 0], results
    assert (state(scene), strays(scene)) == ("new", [])


def test_an_unchecked_catalog_is_not_published(catalog_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    assert main(["--catalog", str(catalog_copy), "generate", "--out", str(out)]) == 0
    before = read_tree(out)
    lora = catalog_copy / "finetune-lora.yaml"
    text = lora.read_text(encoding="utf-8")
    lora.write_text(text.replace("\nmethod: lora\n", "\nmethod: full\n"), encoding="utf-8")
    for extra in ([], ["--check"]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            argv = ["--catalog", str(catalog_copy), "generate", "--out", str(out), *extra]
            assert main(argv) == 1, extra
        assert err.getvalue().startswith("generate: error: the catalog fails its consistency")
        assert "python -m codegen check" in err.getvalue() and err.getvalue().count("\n") == 1
        assert read_tree(out) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog", "generated"]


# --- the exchange itself ----------------------------------------------------------------------


def test_exchange_through_the_raw_system_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platform

    if platform.machine() not in swap.SYSCALL_RENAMEAT2 or not sys.platform.startswith("linux"):
        pytest.skip("renameat2 system call number unknown here")
    import ctypes

    real = ctypes.CDLL(None, use_errno=True)

    class OldLibc:  # a C library without the renameat2 wrapper (glibc < 2.28)
        syscall = real.syscall

    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: OldLibc())
    swap._renameat2_function.cache_clear()
    try:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        (tmp_path / "a" / "from-a").touch()
        swap.renameat2(tmp_path / "a", tmp_path / "b", swap.RENAME_EXCHANGE)
        assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
        assert list((tmp_path / "a").iterdir()) == []
        with pytest.raises(FileNotFoundError) as info:
            swap.renameat2(tmp_path / "a", tmp_path / "c", swap.RENAME_EXCHANGE)
        assert (info.value.filename, info.value.filename2) == (
            str(tmp_path / "a"),
            str(tmp_path / "c"),
        )
    finally:
        swap._renameat2_function.cache_clear()


def test_without_renameat2_the_journal_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(swap, "_renameat2_function", lambda: None)  # another OS
    out = tmp_path / "out"
    write_tree({"a.md": f"<!-- {GENERATED_BY} -->\n"}, out)
    write_tree({"b.md": f"<!-- {GENERATED_BY} -->\n"}, out)
    assert sorted(p.name for p in out.iterdir()) == ["b.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_strays_are_ignored_by_git(root: Path) -> None:
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    names = [".generated.new-abcd1234/x.py", ".generated.old-abcd1234/x.py"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=root, capture_output=True, text=True
    )
    assert done.stdout.splitlines() == names, done.stderr
