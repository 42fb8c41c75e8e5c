"""Summaries of repeated measurements: median, p95 (nearest rank), and ratios."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Summary", "percentile", "ratio", "summarize"]


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an interpolation."""
    if not values:
        raise ValueError("no values")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    median: float
    p95: float
    count: int


def summarize(values: Sequence[float]) -> Summary:
    return Summary(
        median=statistics.median(values), p95=percentile(values, 0.95), count=len(values)
    )


def ratio(value: float, reference: float) -> float:
    if reference <= 0:
        raise ValueError("the reference must be positive")
    return value / reference
