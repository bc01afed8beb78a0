"""Calibrated timeit loops: enough calls per repeat that the timer's resolution is noise.

The statement is compiled into timeit's own loop (no extra Python call per iteration), so
the loop overhead is a few ns; it is measured and reported alongside, not subtracted.
"""

from __future__ import annotations

import time
import timeit
from typing import Any

from bench.stats import Sample

#: Each repeat runs for at least this long.
TARGET_NS = 20_000_000


def _number(timer: timeit.Timer, target_ns: int) -> int:
    number = 1
    while True:
        elapsed = int(timer.timeit(number))
        if elapsed >= target_ns:
            return number
        # Grow towards the target, at most 10x per step, at least 2x.
        scale = target_ns / max(elapsed, 1) * 1.1
        number = max(number * 2, min(number * 10, int(number * scale)))


def per_call(
    stmt: str, namespace: dict[str, Any], *, repeat: int, target_ns: int | None = None
) -> Sample:
    """Nanoseconds per execution of `stmt`, one value per repeat."""
    timer = timeit.Timer(stmt, globals=namespace, timer=time.perf_counter_ns)
    number = _number(timer, target_ns or TARGET_NS)
    return Sample(tuple(int(t) / number for t in timer.repeat(repeat=repeat, number=number)))


#: A fixed pure-Python workload: on a shared VM the host lends more or less CPU from minute
#: to minute (this varies about twofold here, in spells, with a load average near zero), so
#: results record how fast the machine was while they ran by timing it alongside.
SPEED_REFERENCE = "sum(range(1000))"


def speed_reference_ns() -> float:
    """The best of five timings of SPEED_REFERENCE, ns per call (lower is faster)."""
    return min(per_call(SPEED_REFERENCE, {}, repeat=5).values)


def loop_overhead(*, repeat: int) -> Sample:
    """The cost of timeit's empty loop body, for reading the smallest figures."""
    return per_call("pass", {}, repeat=repeat)
