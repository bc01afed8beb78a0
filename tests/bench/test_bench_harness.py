"""The benchmark harness itself: parsing, summaries, verdicts and the unavailable paths
(fast; no timing assertions)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import imports, micro, report
from bench.pipeline import RUN_STAGES, TOTAL_STAGES, StageResult, Workspace, command, run_once
from bench.stats import Sample, fmt_ns

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:      4832 |      19748 |     typing
import time:       412 |       9001 |   together_catalog._data
import time:       506 |      36050 | together_catalog
"""


def test_importtime_takes_the_top_level_module_line() -> None:
    assert imports.cumulative_us(IMPORTTIME, "together_catalog") == 36050
    assert imports.cumulative_us(IMPORTTIME, "typing") == 19748


def test_importtime_without_the_module_is_an_error() -> None:
    with pytest.raises(ValueError, match="litellm"):
        imports.cumulative_us(IMPORTTIME, "litellm")


def test_a_module_that_does_not_import_is_reported_unavailable() -> None:
    result = imports.measure("missing", "no_such_module_for_bench", runs=1, slow_runs=1)
    assert result.wall_ns is None
    assert result.unavailable is not None
    assert "no_such_module_for_bench" in result.unavailable


def test_a_group_that_fails_to_set_up_is_reported_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> list[micro.Case]:
        raise ImportError("no module named 'litellm'")

    monkeypatch.setitem(micro.GROUPS, "litellm", broken)
    result = micro.run("litellm", repeat=1)
    assert result == {"group": "litellm", "unavailable": "ImportError: no module named 'litellm'"}


def test_a_group_times_each_case_and_the_loop_overhead(monkeypatch: pytest.MonkeyPatch) -> None:
    def tiny() -> list[micro.Case]:
        return [micro.Case("lookup", "dict", "`d[k]`", "d[k]", {"d": {"k": 1}, "k": "k"})]

    monkeypatch.setitem(micro.GROUPS, "together_catalog", tiny)
    monkeypatch.setattr("bench.timing.TARGET_NS", 1_000_000)
    result = micro.run("together_catalog", repeat=2)
    (case,) = result["results"]
    assert case["name"] == "`d[k]`"
    assert len(case["ns"]) == 2
    assert all(ns > 0 for ns in case["ns"])
    assert len(result["loop_overhead_ns"]) == 2


def test_a_child_process_gets_the_pipeline_cache_it_is_given(tmp_path: Path) -> None:
    probe = (
        "import os, sys; "
        "sys.exit(7 if os.environ.get('TOGETHER_CATALOG_CACHE') == sys.argv[1] else 5)"
    )
    for cache in ("", str(tmp_path)):
        code, *_ = run_once([sys.executable, "-c", probe, cache], cache)
        assert code == 7, cache


def test_a_child_process_reports_exit_code_and_peak_memory() -> None:
    code, wall, peak, err = run_once(
        [sys.executable, "-c", "import sys; b = bytearray(64 << 20); sys.exit(3)"]
    )
    assert code == 3
    assert wall > 0
    assert peak >= 64 << 20
    assert err == ""


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1e12, allow_nan=False), min_size=1, max_size=20))
def test_sample_median_lies_within_its_spread(values: list[float]) -> None:
    sample = Sample(tuple(values))
    assert sample.low <= sample.median <= sample.high
    assert sample.n == len(values)


def test_durations_are_shown_in_a_readable_unit() -> None:
    assert fmt_ns(76) == "76 ns"
    assert fmt_ns(7_760) == "7.76 µs"
    assert fmt_ns(-2_295_216) == "-2.3 ms"  # a noisy "over bare" difference
    assert fmt_ns(32_200_000) == "32.2 ms"
    assert fmt_ns(167_690_000_000) == "167.69 s"


def _stage(stage: str, factor: int, wall_s: float) -> StageResult:
    ns = wall_s * 1e9
    return StageResult(
        stage,
        factor,
        wall_ns=Sample((ns,)),
        peak_rss=Sample((1e8,)),
        cold_ns=Sample((2 * ns,)),
        exit_codes=[0],
    )


def _sizes(cost: Any) -> dict[int, list[StageResult]]:
    return {
        f: [_stage(s, f, cost(s, f)) for s in ("reconcile", "check", "generate")]
        for f in (1, 10, 100)
    }


def test_growth_slope_is_one_for_linear_and_two_for_quadratic_stages() -> None:
    slopes = report.growth_slopes(
        _sizes(lambda s, f: 0.01 * f * f if s == "check" else 0.3 + 0.01 * f)
    )
    assert slopes["check"] == pytest.approx(2.0)
    assert slopes["reconcile"] < 1.0


def test_targets_flag_a_superlinear_stage_and_a_slow_pipeline() -> None:
    by_factor = _sizes(lambda s, f: 0.01 * f * f if s == "check" else 0.1 * f)
    verdicts = {v.target: v for v in report.targets({}, [], by_factor)}
    assert verdicts["near-linear growth"].met is False
    assert "check" in verdicts["near-linear growth"].measured
    assert verdicts["pipeline <= 2 s at real size"].met is True  # 0.1 + 0.01 + 0.1
    assert verdicts["pipeline <= 2 s at real size"].measured == "210.0 ms warm, 420.0 ms cold"
    assert verdicts["pipeline <= 60 s at 100x"].met is False
    assert verdicts["import <= 20 ms at real size"].met is None


def test_every_stage_runs_a_module_that_exists(tmp_path: Path) -> None:
    """The stages measured are the maintainer's own commands (no stand-in modules, such as
    the retired safe-loader what-if, whose fix shipped as catalog.yamlio.load_plain)."""
    ws = Workspace(1, tmp_path / "catalog", (tmp_path / "page.md",), tmp_path / "out")
    modules = []
    for stage in RUN_STAGES:
        args = command(stage, ws)
        module = args[args.index("-m") + 1]
        assert importlib.util.find_spec(module) is not None, (stage, module)
        modules.append(module)
    assert set(modules) == {"scrapers", "codegen"}
    assert set(TOTAL_STAGES) <= set(RUN_STAGES)


def test_the_pipeline_table_has_one_total_per_size() -> None:
    lines = report.pipeline_section(_sizes(lambda s, f: 0.1 * f), {1: 10, 10: 100, 100: 1000})
    totals = [line for line in lines if "**total**" in line]
    assert len(totals) == 3
    assert all("(reconcile + check + generate)" in line for line in totals)
    assert not any("what-if" in line for line in lines)


def test_lookup_and_validation_verdicts_use_the_worst_public_call() -> None:
    groups = [
        {
            "group": "together_catalog",
            "results": [
                {"kind": "lookup", "subject": "t", "name": "a", "ns": [100.0, 120.0]},
                {"kind": "lookup", "subject": "t", "name": "raw mapping", "ns": [5000.0]},
                {"kind": "validate", "subject": "t", "name": "v", "ns": [6000.0]},
            ],
        }
    ]
    verdicts = {v.target: v for v in report.targets({}, groups, {})}
    assert verdicts["lookup <= 1 µs"].met is True  # the raw mapping is not the API
    assert verdicts["validation <= 5 µs"].met is False


def test_our_library_failing_its_benchmark_is_a_miss() -> None:
    broken = [{"group": "together_catalog", "unavailable": "AssertionError: the valid request"}]
    verdicts = {v.target: v for v in report.targets({}, broken, {})}
    for target in ("lookup <= 1 µs", "validation <= 5 µs"):
        assert verdicts[target].met is False
        assert "AssertionError: the valid request" in verdicts[target].measured
    partly = [
        {
            "group": "together_catalog",
            "results": [
                {"kind": "lookup", "subject": "t", "name": "a", "ns": [80.0]},
                {"kind": "lookup", "subject": "t", "name": "b", "unavailable": "RetiredModelError"},
            ],
        }
    ]
    verdicts = {v.target: v for v in report.targets({}, partly, {})}
    assert verdicts["lookup <= 1 µs"].met is False  # one call of ours failed, one was timed
    assert "RetiredModelError" in verdicts["lookup <= 1 µs"].measured
    others = [{"group": "litellm", "unavailable": "ModuleNotFoundError: litellm"}]
    verdicts = {v.target: v for v in report.targets({}, others, {})}
    assert verdicts["lookup <= 1 µs"].met is None  # another library missing is not ours


def test_the_benchmarked_calls_hold_on_the_current_catalog() -> None:
    # A subject the catalog retires would make the benchmark time an error path instead.
    import together_catalog as tc

    assert tc.check_finetune_request(**micro.VALID_REQUEST) == ()
    assert len(tc.check_finetune_request(**micro.INVALID_REQUEST)) == 2
    assert tc.finetune_limits(micro.FINETUNE_MODEL).model == micro.FINETUNE_MODEL
    assert tc.serverless_model(micro.SERVERLESS_MODEL).model == micro.SERVERLESS_MODEL
