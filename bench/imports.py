"""Import cost: whole-process wall time of a fresh interpreter, and `-X importtime`.

Wall time is what a CLI or a serverless cold start pays; `-X importtime`'s cumulative
figure for the top-level module is the import alone, without interpreter start-up.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bench import child_env
from bench.stats import Sample

#: Environment every import subprocess gets: nothing may reach the network.
OFFLINE_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    label: str
    module: str
    wall_ns: Sample | None = None
    importtime_us: Sample | None = None
    unavailable: str | None = None
    preamble: str = ""  # imported first, so its cost is not the module's


def _run(code: str, env: dict[str, str], *, importtime: bool) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)


def cumulative_us(stderr: str, module: str) -> int:
    """The cumulative microseconds `-X importtime` reports for `module` itself."""
    best: int | None = None
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3 or fields[2].strip() != module:
            continue
        try:
            value = int(fields[1].strip())
        except ValueError:
            continue
        best = value if best is None else max(best, value)
    if best is None:
        raise ValueError(f"-X importtime reports no line for {module!r}")
    return best


def measure(
    label: str,
    module: str,
    *,
    runs: int,
    slow_runs: int,
    extra_env: Mapping[str, str] | None = None,
    expect_under: str | None = None,
    preamble: str = "",
) -> ImportResult:
    """Median over fresh interpreters of `import module` (after one warm-up that fills .pyc).

    `expect_under`: a path the imported module must come from (guards against timing the
    installed package when a generated copy was meant). `preamble`: modules imported
    before `module`, whose cost `-X importtime` then leaves out of `module`'s figure.
    """
    env = child_env({**OFFLINE_ENV, **(extra_env or {})})
    first_import = f"import {preamble}; " if preamble else ""
    probe = f"{first_import}import {module}; print({module}.__file__)" if module else "pass"
    warm = _run(probe, env, importtime=False)
    if warm.returncode != 0:
        reason = (warm.stderr.strip().splitlines() or ["exit " + str(warm.returncode)])[-1]
        return ImportResult(label, module, unavailable=reason, preamble=preamble)
    if expect_under is not None and not warm.stdout.strip().startswith(expect_under):
        return ImportResult(
            label, module, unavailable=f"imported {warm.stdout.strip()}, not from {expect_under}"
        )
    code = f"{first_import}import {module}" if module else "pass"
    start = time.perf_counter_ns()
    _run(code, env, importtime=False)
    first = time.perf_counter_ns() - start
    count = runs if first < 1_000_000_000 else slow_runs
    walls = [first]
    for _ in range(count - 1):
        start = time.perf_counter_ns()
        done = _run(code, env, importtime=False)
        walls.append(time.perf_counter_ns() - start)
        if done.returncode != 0:
            return ImportResult(label, module, unavailable=done.stderr.strip()[-200:])
    cumulative: list[float] = []
    if module:
        for _ in range(count):
            done = _run(code, env, importtime=True)
            cumulative.append(cumulative_us(done.stderr, module.split(".")[0]))
    return ImportResult(
        label,
        module,
        wall_ns=Sample(tuple(float(w) for w in walls)),
        importtime_us=Sample(tuple(cumulative)) if cumulative else None,
        preamble=preamble,
    )
