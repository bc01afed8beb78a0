"""generate killed (SIGKILL) at any write step leaves the old tree or the new one, never a mix.

After each kill the output folder must hold exactly the old tree or the new one (with the
exchange unavailable, between the journal's two renames: no tree, and the whole old one
aside); the recovery the next run starts with must leave one tree and no stray sibling; and
the next run must complete. A kill during that recovery is recovered by the run after. The
real CLI runs in a subprocess with the fault hook; the hook, the old and new trees and the
sampling of kill points are tests/codegen/generate_faults.py's. The slowest of the generate
tests (a subprocess per kill point), so kept apart from the in-process ones.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

from codegen.generate import read_tree
from tests.codegen.generate_faults import (
    Scene,
    call_number,
    fast_cli_fixture,  # noqa: F401 (a fixture, registered as `fast_cli`)
    recovers,
    reset,
    run_cli,
    sample,
    scene_fixture,  # noqa: F401 (a fixture, registered as `scene`)
    state,
    strays,
    subprocess_trace,
)


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
