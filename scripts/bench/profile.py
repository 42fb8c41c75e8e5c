"""Where a client's time goes: cProfile over a run of calls, own time summed by area.

cProfile adds a cost to every Python function call, so code made of many small calls
(the generated models, h11) looks heavier than it is: read the shares as a ranking, and
the per-call microseconds as inflated. Socket calls are C functions and cost the same.
"""

from __future__ import annotations

import cProfile
import pstats
from dataclasses import dataclass

from .contenders import Contender

__all__ = ["AREAS", "ProfileResult", "profile_contender"]

# (area, marker in the file name); the first match wins, so the order matters.
AREAS: list[tuple[str, str]] = [
    ("asc_builds wrapper", "/asc_builds/"),
    ("generated models", "/asc_builds_generated/"),
    ("httpx", "/httpx/"),
    ("httpcore", "/httpcore/"),
    ("h11", "/h11/"),
    ("anyio", "/anyio/"),
    ("requests + urllib3", "/requests/"),
    ("requests + urllib3", "/urllib3/"),
    ("codemagic", "/codemagic/"),
    ("import statements run at call time", "importlib._bootstrap"),
    ("json", "/json/"),
    ("logging", "/logging/"),
    ("asyncio", "/asyncio/"),
]


@dataclass(frozen=True)
class ProfileResult:
    name: str
    calls: int
    areas: dict[str, float]  # area -> microseconds of own time per call, under cProfile


def _area(filename: str, function: str) -> str:
    if filename == "~":
        # A built-in: socket calls are the kernel's loopback work, the rest is C helpers.
        if "socket" in function or "select" in function or "poll" in function:
            return "socket and poll (kernel)"
        return "built-ins"
    for area, marker in AREAS:
        if marker in filename:
            return area
    return "other Python"


def profile_contender(contender: Contender, calls: int) -> ProfileResult:
    contender.run(min(calls, 50))  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    contender.run(calls)
    profiler.disable()
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    raw_stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw_stats = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, own_seconds, _, _) in raw_stats.items():
        area = _area(filename, function)
        totals[area] = totals.get(area, 0.0) + own_seconds
    per_call = {
        area: seconds / calls * 1e6
        for area, seconds in sorted(totals.items(), key=lambda item: -item[1])
    }
    return ProfileResult(contender.name, calls, per_call)
