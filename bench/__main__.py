"""`python -m bench`: run every benchmark and write bench/RESULTS.md.

Sections: import (vs litellm and genai-prices), one lookup (vs litellm and genai-prices),
validating one fine-tuning request (vs jsonschema on the generated schema), and the
maintainer pipeline at the real size and on 10x / 100x synthetic catalogs. `--quick` keeps
to the real and 10x sizes with fewer repeats, for trying changes.

bench/RESULTS.md names the commit it measured, so it is written only from a clean tree
(checked before and after the run; `--force` writes anyway and says so); `--out FILE`
writes elsewhere from any tree. `--check` exits 1 when a measured target is missed.

Exit status: 0 done (with `--check`: every measured target met); 1 with `--check`, a target
missed; 2 the results may not be written (a tree with changes) or a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import child_env, imports, machine, micro, report, timing
from bench.imports import ImportResult
from bench.pipeline import CATALOG, ROOT, StageResult, Workspace, run_size
from bench.stats import fmt_ns
from bench.synthetic import row_counts

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
MICRO_GROUPS = ("together_catalog", "jsonschema", "litellm", "genai_prices")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    parser.add_argument(
        "--sizes", default="1,10,100", help="catalog sizes for the pipeline, comma-separated"
    )
    parser.add_argument("--quick", action="store_true", help="sizes 1,10 and fewer repeats")
    parser.add_argument(
        "--only",
        default="import,lookup,pipeline",
        help="sections to run: import, lookup (includes validation), pipeline",
    )
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a measured target is missed"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write bench/RESULTS.md from a tree with uncommitted changes (the file says so)",
    )
    return parser


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _micro(group: str, repeat: int) -> dict[str, Any]:
    env = child_env(imports.OFFLINE_ENV)
    done = subprocess.run(
        [sys.executable, "-m", "bench.micro", group, "--repeat", str(repeat)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return {"group": group, "unavailable": tail}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _repeats(factor: int, quick: bool) -> int:
    if factor <= 1:
        return 3 if quick else 5
    if factor <= 10:
        return 2 if quick else 3
    return 1


def _refused(args: argparse.Namespace, state: machine.TreeState) -> int | None:
    refusal = machine.write_refusal(args.out, RESULTS, state, args.force)
    if refusal is None:
        return None
    print(f"bench: {refusal}", file=sys.stderr)
    return 2


def _validation_text() -> str:
    ok, bad = micro.VALID_REQUEST, micro.INVALID_REQUEST
    return (
        f"A LoRA DPO job on `{micro.FINETUNE_MODEL}` (batch {ok['batch_size']}, "
        f"{ok['max_seq_length']} tokens: valid) and the same job at batch {bad['batch_size']} "
        f"and {bad['max_seq_length']:,} tokens (two violations). jsonschema validates the same "
        "request against generated/schema/finetune-request.schema.json."
    )


def exit_status(verdicts: list[report.Verdict], check: bool) -> int:
    """0, or 1 under `--check` when a measured target was missed (each is logged)."""
    missed = report.missed(verdicts)
    for v in missed:
        _log(f"missed: {v.target}: {v.measured}")
    return 1 if check and missed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state = machine.tree_state(ROOT, ignore=args.out)
    refused = _refused(args, state)  # before minutes of work, not after
    if refused is not None:
        return refused
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    sizes = [1, 10] if args.quick else sorted({int(s) for s in args.sizes.split(",")})
    started = time.perf_counter()
    described = machine.describe(state)
    real_rows = sum(row_counts(CATALOG).values())

    with tempfile.TemporaryDirectory(prefix="together-catalog-bench-") as tmp:
        work = args.work or Path(tmp)
        by_factor: dict[int, list[StageResult]] = {}
        workspaces: dict[int, Workspace] = {}
        if "pipeline" in sections or "import" in sections:
            for factor in sizes:
                # Import at Nx needs the package generated from the Nx catalog, so the
                # pipeline runs (at least once) whenever imports are measured.
                repeat = _repeats(factor, args.quick) if "pipeline" in sections else 1
                _log(f"pipeline at {factor}x ({real_rows * factor} rows), {repeat} run(s)")
                ws, results = run_size(factor, work, repeat)
                workspaces[factor] = ws
                if "pipeline" in sections:
                    by_factor[factor] = results
                for r in results:
                    wall = fmt_ns(r.wall_ns.median) if r.wall_ns else r.failure
                    _log(f"  {r.stage}: {wall}")

        import_results: dict[str, ImportResult] = {}
        baseline: ImportResult | None = None
        if "import" in sections:
            runs, slow = (5, 3) if args.quick else (11, 5)
            _log("import: bare interpreter")
            baseline = imports.measure("`python -c pass`", "", runs=runs, slow_runs=slow)
            for factor, ws in sorted(workspaces.items()):
                label = "together_catalog" + (" (real size)" if factor == 1 else f" ({factor}x)")
                _log(f"import: {label}")
                # The real size imports the installed package; a synthetic one its own copy.
                synthetic = factor != 1
                import_results[str(factor)] = imports.measure(
                    label,
                    "together_catalog",
                    runs=runs,
                    slow_runs=slow,
                    extra_env={"PYTHONPATH": str(ws.out)} if synthetic else None,
                    expect_under=str(ws.out) if synthetic else None,
                )
            if 1 in workspaces:
                stdlib = "typing, dataclasses, re, types, collections.abc"
                label = f"together_catalog, own cost (after `import {stdlib}`)"
                _log(f"import: {label}")
                import_results["own"] = imports.measure(
                    label, "together_catalog", runs=runs, slow_runs=slow, preamble=stdlib
                )
            for module in ("litellm", "genai_prices"):
                _log(f"import: {module}")
                import_results[module] = imports.measure(module, module, runs=runs, slow_runs=slow)

        groups: list[dict[str, Any]] = []
        if "lookup" in sections:
            for group in MICRO_GROUPS:
                _log(f"lookup/validate: {group}")
                groups.append(_micro(group, 5 if args.quick else 11))

    verdicts = report.targets(import_results, groups, by_factor)
    reference = f"speed reference at end (`{timing.SPEED_REFERENCE}`)"
    described.append((reference, machine.speed_reference()))
    elapsed = time.perf_counter() - started
    if machine.tree_state(ROOT, ignore=args.out) != state:
        # Committed or edited under the run: the figures belong to no one commit.
        changed = (*state.changes, "?? (the tree changed during the run)")
        state = machine.TreeState(state.commit, changed)
        refused = _refused(args, state)
        if refused is not None:
            return refused
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench` (`make bench`) on {when}, in {elapsed:.0f} s, "
        f"measuring commit {state.describe()}; "
        "do not edit, re-run. Every figure is a median over repeated runs, each in a fresh "
        "process; the spread is min to max over those runs. How to read and re-run them: "
        "bench/README.md.",
        "",
        *report.machine_section(described),
        *report.targets_section(verdicts),
    ]
    if "import" in sections:
        lines += report.import_section(list(import_results.values()), baseline)
    if "lookup" in sections:
        lines += report.micro_section(
            "One lookup",
            "Per call, in a process that has already imported the library (timeit loops, "
            "calibrated to at least 20 ms per repeat). together_catalog returns the published "
            f"row for `{micro.FINETUNE_MODEL}` / `{micro.SERVERLESS_MODEL}`; litellm and "
            "genai_prices look up the same serverless model under the Together provider.",
            "lookup",
            groups,
        )
        lines += report.micro_section(
            "Validating one fine-tuning request",
            _validation_text(),
            "validate",
            groups,
        )
    if "pipeline" in sections:
        rows_at = {f: real_rows * f for f in by_factor}
        lines += report.pipeline_section(by_factor, rows_at)
    args.out.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    _log(f"wrote {args.out} in {elapsed:.0f} s")
    for v in verdicts:
        _log(f"{report._verdict_cell(v.met):>12}  {v.target}: {v.measured}")
    return exit_status(verdicts, args.check)


if __name__ == "__main__":
    sys.exit(main())
