"""The maintainer pipeline, stage by stage, at the real size and on synthetic catalogs.

Each stage is the maintainer's own command (`python -m scrapers parse|reconcile`,
`python -m codegen check|generate`) run in a fresh process on a private copy of the
catalog, so wall time is what the maintainer waits and peak memory (the child's
`ru_maxrss`, from `os.wait4`) is that stage's alone. Reconcile runs on pages that match
the catalog, as on a day the docs did not change: it reads, merges and validates
everything and writes nothing, so repeats measure the same work.

Every stage is timed twice over. Warm: with the pipeline's cache (catalog/plain_cache.py,
one folder per workspace, never the checkout's own) after one untimed run has filled it, as
imports are timed after one run that writes the .pyc files; the targets and growth slopes
use these. Cold: with that cache turned off, what the first run after a change to every
file costs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import child_env
from bench.stats import Sample
from bench.synthetic import derive_catalog, render_pages
from catalog.plain_cache import CACHE_ENV
from scrapers.inputs import newest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalog"
SNAPSHOTS = ROOT / "scrapers" / "snapshots"
#: Stages in pipeline order. `scrape` is timed on its own, but `reconcile` scrapes again
#: (it is the command a maintainer runs), so the pipeline total counts it once.
STAGES = ("scrape", "reconcile", "check", "generate")
TOTAL_STAGES = ("reconcile", "check", "generate")
#: Reconcile's other case: every row new (a first run, or a new page), into an empty
#: catalog, with --dry-run so repeats do the same work. Reported, not in the totals.
FRESH_STAGE = "reconcile into an empty catalog"
#: Every stage `run_size` measures, in order.
RUN_STAGES = (*STAGES, FRESH_STAGE)


@dataclass(frozen=True, slots=True)
class Workspace:
    factor: int
    catalog: Path
    pages: tuple[Path, ...]
    out: Path


@dataclass
class StageResult:
    stage: str
    factor: int
    wall_ns: Sample | None = None  # warm: the pipeline cache filled by an untimed run
    peak_rss: Sample | None = None  # bytes, the highest over warm and cold runs
    cold_ns: Sample | None = None  # the pipeline cache turned off
    exit_codes: list[int] = field(default_factory=list)
    failure: str | None = None


def prepare(factor: int, work: Path) -> Workspace:
    """A private catalog and pages of `factor` times the real size under `work`."""
    base = work / f"x{factor}"
    if base.exists():
        shutil.rmtree(base)
    catalog = base / "catalog"
    if factor == 1:
        shutil.copytree(CATALOG, catalog)
        pages = tuple(newest(SNAPSHOTS))  # each page's current snapshot
    else:
        derive_catalog(CATALOG, catalog, factor)
        pages = tuple(render_pages(CATALOG, SNAPSHOTS, base / "pages", factor))
    return Workspace(factor, catalog, pages, base / "generated")


def command(stage: str, ws: Workspace) -> list[str]:
    py = sys.executable
    pages = [str(p) for p in ws.pages]
    if stage == "scrape":
        return [py, "-m", "scrapers", "parse", *pages]
    if stage == "reconcile":
        return [py, "-m", "scrapers", "reconcile", "--catalog", str(ws.catalog), *pages]
    if stage == "check":
        return [py, "-m", "codegen", "--catalog", str(ws.catalog), "check"]
    if stage == "generate":
        return [py, "-m", "codegen", "--catalog", str(ws.catalog), "generate", "--out", str(ws.out)]
    if stage == FRESH_STAGE:
        empty = ws.catalog.with_name("empty-catalog")
        empty.mkdir(exist_ok=True)
        return [py, "-m", "scrapers", "reconcile", "--dry-run", "--catalog", str(empty), *pages]
    raise ValueError(f"unknown stage {stage!r}")


def run_once(args: list[str], cache: str | None = None) -> tuple[int, int, int, str]:
    """(exit code, wall ns, peak RSS bytes, stderr tail) of one child process; `cache` is
    its pipeline cache folder ("" turns the cache off; None leaves the environment's)."""
    start = time.perf_counter_ns()
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=child_env(None if cache is None else {CACHE_ENV: cache}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()  # drains the pipe; the child exits after closing it
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter_ns() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_maxrss * 1024, err.strip()[-300:]


def run_stage(stage: str, ws: Workspace, repeat: int) -> StageResult:
    """`repeat` cold runs, one untimed warm-up, then `repeat` warm runs of one stage."""
    result = StageResult(stage, ws.factor)
    cache = str(ws.catalog.parent / "pipeline-cache")
    shutil.rmtree(cache, ignore_errors=True)
    runs: dict[str, list[float]] = {"cold": [], "warm-up": [], "warm": []}
    peaks: list[float] = []
    for kind, times in (("cold", repeat), ("warm-up", 1), ("warm", repeat)):
        for _ in range(times):
            code, wall, peak, err = run_once(command(stage, ws), "" if kind == "cold" else cache)
            result.exit_codes.append(code)
            if code >= 2:  # 1 is a finding (check); 2 and up mean the stage did not run
                result.failure = f"exit {code}: {err.splitlines()[-1] if err else ''}"
                return result
            runs[kind].append(float(wall))
            peaks.append(float(peak))
    result.cold_ns = Sample(tuple(runs["cold"]))
    result.wall_ns = Sample(tuple(runs["warm"]))
    result.peak_rss = Sample(tuple(peaks))
    return result


def run_size(factor: int, work: Path, repeat: int) -> tuple[Workspace, list[StageResult]]:
    ws = prepare(factor, work)
    return ws, [run_stage(stage, ws, repeat) for stage in RUN_STAGES]
