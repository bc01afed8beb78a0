"""Summaries of repeated measurements: the median is the headline, min-max the spread."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """Repeated measurements of one quantity, in one unit (ns, bytes, ...)."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a sample needs at least one measurement")

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def n(self) -> int:
        return len(self.values)


def fmt_ns(ns: float) -> str:
    """A duration in the unit that keeps three significant figures readable.

    A difference of two medians can be negative when the machine is noisy; it keeps its sign.
    """
    if ns < 0:
        return "-" + fmt_ns(-ns)
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.2f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.1f} ms"
    return f"{ns / 1_000_000_000:.2f} s"


def fmt_spread(sample: Sample) -> str:
    return f"{fmt_ns(sample.low)} to {fmt_ns(sample.high)} (n={sample.n})"


def fmt_bytes(count: float) -> str:
    if count < 1024**2:
        return f"{count / 1024:.0f} KiB"
    if count < 1024**3:
        return f"{count / 1024**2:.1f} MiB"
    return f"{count / 1024**3:.2f} GiB"
