"""generate out of space (ENOSPC) at any write step: before the swap, exit 2 naming the
folder and nothing changed; after it, exit 0 with the new tree, the next run cleaning up.

Runs in this process (`fast_cli`) with the fault hook of tests/codegen/generate_faults.py
installed for the block, for both ways of switching trees: the atomic exchange and the
journal's two renames. Apart from the SIGKILL tests (test_generate_kills.py) because an
error is a different promise from a kill: the run must report it and leave no trace.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.codegen.generate_faults import (
    Scene,
    call_number,
    fast_cli_fixture,  # noqa: F401 (a fixture, registered as `fast_cli`)
    faults,
    reset,
    sample,
    scene_fixture,  # noqa: F401 (a fixture, registered as `scene`)
    state,
    strays,
)


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
