"""bench/RESULTS.md: the measured figures as markdown tables, with targets and verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bench.imports import ImportResult
from bench.pipeline import TOTAL_STAGES, StageResult
from bench.stats import Sample, fmt_bytes, fmt_ns, fmt_spread
from bench.timing import SPEED_REFERENCE

MS = 1_000_000
GIB = 1024**3
#: Slope of log(time) against log(size) between the two largest sizes above which a stage
#: is called superlinear (1.0 is linear; a little over allows for noise and caches).
SUPERLINEAR_SLOPE = 1.2


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    measured: str
    met: bool | None  # None: not measured


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def _verdict_cell(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def import_section(results: list[ImportResult], baseline: ImportResult | None) -> list[str]:
    base = baseline.wall_ns.median if baseline and baseline.wall_ns else None
    rows: list[list[str]] = []
    for r in [*([baseline] if baseline else []), *results]:
        if r.unavailable is not None or r.wall_ns is None:
            rows.append([r.label, f"unavailable: {r.unavailable}", "", "", ""])
            continue
        over = "—"
        if base is not None and r.module and not r.preamble:
            over = fmt_ns(r.wall_ns.median - base)
        imp = fmt_ns(r.importtime_us.median * 1000) if r.importtime_us else "—"
        imp_spread = fmt_spread(_scaled(r.importtime_us, 1000)) if r.importtime_us else "—"
        rows.append([r.label, fmt_ns(r.wall_ns.median), over, imp, imp_spread])
    return [
        "## Import",
        "",
        "A fresh interpreter per run (after one warm-up run that writes the `.pyc` files). "
        "*Wall* is the whole process (`python -c 'import X'`); *over bare* subtracts the "
        "median of `python -c pass`; *importtime* is the cumulative time `-X importtime` "
        "reports for the top-level module, the import alone. litellm runs with "
        "`LITELLM_LOCAL_MODEL_COST_MAP=True`, so it reads its bundled cost map instead of "
        "fetching one. The 10x and 100x rows import a package generated from the synthetic "
        "catalogs (`PYTHONPATH` pointing at it; the bench checks which copy was imported). "
        "The *own cost* row imports the standard-library modules the package needs first "
        "(most applications already have them loaded), so its importtime is the package's "
        "own share.",
        "",
        *_table(
            ["subject", "wall (median)", "over bare", "importtime (median)", "importtime spread"],
            rows,
        ),
        "",
    ]


def _scaled(sample: Sample, factor: float) -> Sample:
    return Sample(tuple(v * factor for v in sample.values))


def micro_section(title: str, intro: str, kind: str, groups: list[dict[str, Any]]) -> list[str]:
    rows: list[list[str]] = []
    overheads: list[float] = []
    speeds: list[str] = []
    for group in groups:
        if "unavailable" in group:
            if any(group["group"] in k for k in _GROUP_KINDS.get(kind, ())):
                rows.append([group["group"], "—", f"unavailable: {group['unavailable']}", ""])
            continue
        overheads += group.get("loop_overhead_ns", [])
        if any(r["kind"] == kind for r in group["results"]) and "reference_ns" in group:
            start, end = group["reference_ns"]
            speeds.append(f"{group['group']} {start / 1000:.1f} to {end / 1000:.1f} µs")
        for r in group["results"]:
            if r["kind"] != kind:
                continue
            if "unavailable" in r:
                rows.append([r["subject"], r["name"], f"unavailable: {r['unavailable']}", ""])
                continue
            sample = Sample(tuple(r["ns"]))
            rows.append([r["subject"], r["name"], fmt_ns(sample.median), fmt_spread(sample)])
    note = ""
    if overheads:
        overhead = fmt_ns(Sample(tuple(overheads)).median)
        note = (
            f"Figures include timeit's loop overhead (median {overhead} per iteration on "
            "this machine), not subtracted."
        )
    if speeds:
        note += (
            f" Speed reference (`{SPEED_REFERENCE}`, as in the machine table) at the start "
            f"and end of each library's timings: {'; '.join(speeds)}."
        )
    return [
        f"## {title}",
        "",
        intro,
        "",
        *_table(["subject", "call", "median per call", "spread (min to max)"], rows),
        "",
        note,
        "",
    ]


#: Which micro-benchmark groups belong to which section (for reporting unavailable ones).
_GROUP_KINDS = {
    "lookup": ("together_catalog", "litellm", "genai_prices"),
    "validate": ("together_catalog", "jsonschema"),
}


def pipeline_section(by_factor: dict[int, list[StageResult]], rows_at: dict[int, int]) -> list[str]:
    rows: list[list[str]] = []
    for factor, results in sorted(by_factor.items()):
        for r in results:
            size = f"{factor}x ({rows_at[factor]} rows)"
            if r.failure is not None or r.wall_ns is None or r.peak_rss is None:
                rows.append([r.stage, size, f"failed: {r.failure}", "", "", "", ""])
                continue
            codes = sorted(set(r.exit_codes))
            rows.append(
                [
                    r.stage,
                    size,
                    fmt_ns(r.wall_ns.median),
                    fmt_spread(r.wall_ns),
                    fmt_ns(r.cold_ns.median) if r.cold_ns is not None else "—",
                    fmt_bytes(r.peak_rss.high),
                    ", ".join(str(c) for c in codes),
                ]
            )
        total = pipeline_total(results)
        if total is not None:
            peak = max(
                r.peak_rss.high
                for r in results
                if r.peak_rss is not None and r.stage in TOTAL_STAGES
            )
            label = "**total** (" + " + ".join(TOTAL_STAGES) + ")"
            cold = pipeline_total(results, cold=True)
            cold_cell = fmt_ns(cold) if cold is not None else "—"
            rows.append([label, size, fmt_ns(total), "", cold_cell, fmt_bytes(peak), ""])
    return [
        "## Maintainer pipeline",
        "",
        "Each stage is the maintainer's command in a fresh process, on a private copy of the "
        "catalog: `python -m scrapers parse` (scrape), `python -m scrapers reconcile` "
        "(which scrapes again, then merges; the pages match the catalog, so it writes "
        "nothing), `python -m codegen check`, `python -m codegen generate --out TMP`. "
        "Peak memory is the child's peak RSS (`ru_maxrss`), the highest over the runs. "
        "Synthetic sizes repeat every real row with its id suffixed `-x{k}` "
        "(bench/synthetic.py); exit 1 from `check` would be a finding, not a crash. *Warm* "
        "runs have the pipeline's cache (catalog/plain_cache.py and model_cache.py: parsed "
        "and validated catalog files; compiled templates) filled by one untimed run, as "
        "imports are timed with their .pyc files written; the targets and the growth slopes "
        "use them. *Cold* runs have that cache turned off: the cost of a run after every "
        "catalog file changed.",
        "",
        *_table(
            ["stage", "size", "warm (median)", "spread", "cold (median)", "peak RSS", "exit"],
            rows,
        ),
        "",
        *growth_section(by_factor),
    ]


def pipeline_total(results: list[StageResult], *, cold: bool = False) -> float | None:
    """The pipeline's median wall time, warm (or cold), or None when a stage has none."""
    parts = [r.cold_ns if cold else r.wall_ns for r in results if r.stage in TOTAL_STAGES]
    if len(parts) != len(TOTAL_STAGES) or any(s is None for s in parts):
        return None
    return sum(s.median for s in parts if s is not None)


def growth_slopes(by_factor: dict[int, list[StageResult]]) -> dict[str, float]:
    """log-log slope of each stage's median wall time between the two largest sizes."""
    factors = sorted(by_factor)
    if len(factors) < 2:
        return {}
    small, large = factors[-2], factors[-1]
    walls = {
        f: {r.stage: r.wall_ns.median for r in by_factor[f] if r.wall_ns is not None}
        for f in (small, large)
    }
    return {
        stage: math.log(walls[large][stage] / walls[small][stage]) / math.log(large / small)
        for stage in walls[large]
        if stage in walls[small]
    }


def growth_section(by_factor: dict[int, list[StageResult]]) -> list[str]:
    factors = sorted(by_factor)
    slopes = growth_slopes(by_factor)
    if not slopes:
        return []
    walls = {
        f: {r.stage: r.wall_ns.median for r in by_factor[f] if r.wall_ns is not None}
        for f in factors
    }
    rows = []
    for stage, slope in slopes.items():
        cells = [stage] + [fmt_ns(walls[f][stage]) if stage in walls[f] else "—" for f in factors]
        verdict = "near-linear" if slope <= SUPERLINEAR_SLOPE else "**superlinear**"
        rows.append([*cells, f"{slope:.2f}", verdict])
    return [
        "### Growth",
        "",
        f"Slope of log(wall) against log(size) between {factors[-2]}x and {factors[-1]}x, the "
        f"two largest sizes: 1.0 is linear; above {SUPERLINEAR_SLOPE} is flagged. At the "
        "real size interpreter start-up and imports dominate, which flattens any slope "
        "measured from it.",
        "",
        *_table(["stage", *[f"{f}x" for f in factors], "slope", "growth"], rows),
        "",
    ]


def targets(
    imports: dict[str, ImportResult],
    groups: list[dict[str, Any]],
    by_factor: dict[int, list[StageResult]],
) -> list[Verdict]:
    out: list[Verdict] = []

    def import_verdict(key: str, limit_ms: float, label: str) -> None:
        r = imports.get(key)
        if r is None or r.importtime_us is None:
            out.append(Verdict(label, "not measured", None))
            return
        ns = r.importtime_us.median * 1000
        out.append(Verdict(label, f"{fmt_ns(ns)} (importtime)", ns <= limit_ms * MS))

    import_verdict("1", 20, "import <= 20 ms at real size")
    import_verdict("100", 150, "import <= 150 ms at 100x")
    tc = [g for g in groups if g.get("group") == "together_catalog" and "results" in g]
    for kind, limit, label in (
        ("lookup", 1_000, "lookup <= 1 µs"),
        ("validate", 5_000, "validation <= 5 µs"),
    ):
        medians = [
            (r["name"], Sample(tuple(r["ns"])).median)
            for g in tc
            for r in g["results"]
            if r["kind"] == kind and "ns" in r and "raw mapping" not in r["name"]
        ]
        # Our own library failing any of its calls is a miss, not a target left unmeasured.
        failed = [reason for g in groups for reason in _our_failures(g, kind)]
        if failed:
            out.append(Verdict(label, f"failed: {failed[0]}", False))
            continue
        if not medians:
            out.append(Verdict(label, "not measured", None))
            continue
        worst = max(medians, key=lambda m: m[1])
        out.append(Verdict(label, f"worst {fmt_ns(worst[1])} ({worst[0]})", worst[1] <= limit))
    for factor, limit_s in ((1, 2), (100, 60)):
        results = by_factor.get(factor)
        label = f"pipeline <= {limit_s} s at {'real size' if factor == 1 else f'{factor}x'}"
        total = pipeline_total(results) if results else None
        cold = pipeline_total(results, cold=True) if results else None
        if total is None:
            out.append(Verdict(label, "not measured", None))
        else:
            shown = f"{fmt_ns(total)} warm" + (f", {fmt_ns(cold)} cold" if cold else "")
            out.append(Verdict(label, shown, total <= limit_s * 1_000_000_000))
    peaks = [r.peak_rss.high for rs in by_factor.values() for r in rs if r.peak_rss is not None]
    if peaks:
        out.append(Verdict("peak memory < 1 GiB", fmt_bytes(max(peaks)), max(peaks) < GIB))
    slopes = growth_slopes(by_factor)
    if slopes:
        worst_stage = max(slopes, key=lambda s: slopes[s])
        out.append(
            Verdict(
                "near-linear growth",
                f"largest slope {slopes[worst_stage]:.2f} ({worst_stage})",
                slopes[worst_stage] <= SUPERLINEAR_SLOPE,
            )
        )
    return out


def _our_failures(group: dict[str, Any], kind: str) -> list[str]:
    """Why together_catalog's `group` could not time its `kind` of call ([] if it could)."""
    if group.get("group") != "together_catalog":
        return []
    if "unavailable" in group:
        return [str(group["unavailable"])]
    results = group.get("results", ())
    return [str(r["unavailable"]) for r in results if r["kind"] == kind and "unavailable" in r]


def missed(verdicts: list[Verdict]) -> list[Verdict]:
    """The targets measured and not met (`python -m bench --check` exits 1 on any); a target
    not measured in this run is not a miss."""
    return [v for v in verdicts if v.met is False]


def targets_section(verdicts: list[Verdict]) -> list[str]:
    return [
        "## Targets",
        "",
        *_table(
            ["target", "measured", "verdict"],
            [[v.target, v.measured, _verdict_cell(v.met)] for v in verdicts],
        ),
        "",
    ]


def machine_section(rows: list[tuple[str, str]]) -> list[str]:
    return ["## Machine", "", *_table(["", ""], [[k, v] for k, v in rows]), ""]
