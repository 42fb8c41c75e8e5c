"""The benchmark's output: one Markdown table per section, and the same data as JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .auth_cost import AuthResult
from .batch import BatchResult
from .budget import BudgetResult
from .imports import ImportResult
from .instructions import InstructionsResult
from .latency import LatencyResult
from .listing import ListingResult
from .machine import Machine
from .profile import ProfileResult
from .regeneration import RegenResult

__all__ = [
    "SECTION_TITLES",
    "markdown_table",
    "render_auth",
    "render_batch",
    "render_budget",
    "render_imports",
    "render_instructions",
    "render_latency",
    "render_listing",
    "render_profiles",
    "render_regeneration",
    "render_skipped",
    "write_json",
]

SECTION_TITLES = {
    "latency": "1. Per-call latency of one PATCH",
    "auth": "2. Auth cost",
    "batch": "3. Batch: expire many builds",
    "imports": "4. Import time, fresh interpreter",
    "regeneration": "5. Regeneration from Apple's whole spec",
    "profile": "6. Where the time goes (cProfile, own time per call)",
    "budget": "7. Staying inside the hourly request budget (simulated time)",
    "instructions": "8. Instructions per call (callgrind)",
    "listing": "9. Listing builds: links.next over the fake server",
    "requests": "10. Requests per job, beside the careful minimum",
}
_DASH = "-"


def _number(value: float | None, digits: int = 1) -> str:
    return _DASH if value is None else f"{value:,.{digits}f}"


def _times(value: float | None) -> str:
    return _DASH if value is None else f"{value:.2f}x"


def _spread(low: float | None, high: float | None) -> str:
    return _DASH if low is None or high is None else f"{low:.2f}-{high:.2f}x"


def _thousands(value: float | None) -> str:
    return _DASH if value is None else f"{value / 1000:,.0f}k"


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _section(key: str, body: str, notes: Sequence[str] = ()) -> str:
    text = f"### {SECTION_TITLES[key]}\n\n{body}\n"
    for note in notes:
        text += f"\n{note}\n"
    return text


def render_skipped(key: str, reason: str) -> str:
    return _section(key, f"Skipped: {reason}.")


def render_latency(result: LatencyResult) -> str:
    rows = [
        [
            row.name,
            _number(row.median_us),
            _number(row.p95_us),
            _times(row.median_ratio),
            _times(row.p95_ratio),
            _spread(row.round_ratio_min, row.round_ratio_max),
            _times(row.by_hand_ratio),
            _spread(row.by_hand_round_min, row.by_hand_round_max),
            str(row.calls) if row.calls else row.note,
        ]
        for row in result.rows
    ]
    headers = [
        "client",
        "median µs",
        "p95 µs",
        "median vs floor",
        "p95 vs floor",
        "per-round median vs floor, min-max",
        "median vs httpx by hand",
        "per-round median vs by hand, min-max",
        "calls",
    ]
    notes = [
        f"{result.rounds} rounds of {result.calls_per_round} calls per client, the order "
        f"rotated each round, after {result.warmup_calls} warm-up calls each. The last "
        "column is the spread of the ratio between rounds of this one run: on a shared "
        "machine, differences smaller than that are noise (section 8 counts instructions). "
        "Async clients are compared with httpx `AsyncClient` by hand, the others with sync "
        "httpx by hand."
    ]
    return _section("latency", markdown_table(headers, rows), notes)


def render_auth(result: AuthResult) -> str:
    count_rows = [
        [
            row.name,
            str(row.calls) if row.calls else row.note,
            str(row.signatures) if row.calls else _DASH,
            _number(row.per_1000_calls, 2) if row.calls else _DASH,
        ]
        for row in result.counts
    ]
    counts = markdown_table(
        ["client", "calls", "signatures seen by the server", "per 1,000 calls"], count_rows
    )
    cost_rows = [
        [
            row.name,
            row.operation,
            _number(row.median_us, 2),
            _number(row.p95_us, 2),
            _times(row.ratio_to_cached),
            _times(row.ratio_to_floor_call),
        ]
        for row in result.costs
    ]
    costs = markdown_table(
        ["client", "operation", "median µs", "p95 µs", "vs cached token", "vs one floor call"],
        cost_rows,
    )
    hour = (
        f"Simulated hour on an injected clock (asc-builds sync): "
        f"{result.simulated_hour_signatures} signatures for "
        f"{result.simulated_hour_expected} token lifetimes of {result.token_lifetime_s} s "
        "(less the 60 s iat backdate and the 60 s refresh margin)."
    )
    return _section("auth", counts + "\n\n" + costs, [hour])


def render_batch(result: BatchResult) -> str:
    rows = [
        [
            row.label,
            _number(row.builds_per_second, 0),
            _number(row.p95_seconds, 2),
            _times(row.vs_sequential),
            _percent(row.of_ideal),
            _number(row.peak_rss_mib, 1),
            _number(row.rss_growth_mib, 1),
            _percent(row.client_cpu_share),
            _percent(row.server_cpu_share),
        ]
        for row in result.rows
    ]
    headers = [
        "configuration",
        "builds/s (median)",
        "p95 batch s",
        "vs sequential",
        "of ideal",
        "peak RSS MiB",
        "RSS growth MiB",
        "client CPU",
        "server CPU",
    ]
    notes = [
        f"{result.builds} builds per run; the server waits {result.delay_ms:g} ms before each "
        "answer, so the ideal is concurrency / delay. Each run is a fresh process that keeps "
        "every returned build; memory is its peak resident set (Linux `VmHWM`), growth is "
        "how far the batch raised it. CPU is CPU seconds / wall seconds (100% = one core).",
        *result.skipped,
    ]
    return _section("batch", markdown_table(headers, rows), notes)


def render_budget(result: BudgetResult) -> str:
    rows = [
        [
            row.label,
            f"{row.builds:,} / {row.per_hour:,}",
            f"{row.requests:,}",
            f"{row.rate_limited:,}",
            f"{row.expired:,}",
            f"{row.not_attempted:,}",
            f"{row.failed:,}",
            _number(row.simulated_seconds, 0),
            _number(row.best_seconds, 0),
            _number(row.wall_seconds, 1),
        ]
        for row in result.rows
    ]
    headers = [
        "configuration",
        "builds / budget per hour",
        "requests sent",
        "429s seen",
        "expired",
        "not attempted",
        "failed",
        "simulated s",
        "best the budget allows, s",
        "wall s",
    ]
    notes = [
        "In-process against the fake App Store Connect, which enforces a rolling hour on a "
        "manual clock shared with the client, so the hour passes without waiting. The best "
        "time is one full budget at once and the next an hour later."
    ]
    return _section("budget", markdown_table(headers, rows), notes)


def render_listing(result: ListingResult) -> str:
    rows = [
        [
            row.label,
            _number(row.median_seconds, 2),
            _number(row.us_per_build, 0),
            _times(row.ratio_to_raw),
            _number(row.rss_growth_small_mib, 1),
            _number(row.rss_growth_full_mib, 1),
        ]
        for row in result.rows
    ]
    headers = [
        "client",
        f"{result.builds:,} builds, s (median)",
        "µs per build",
        "vs raw httpx",
        f"RSS growth MiB, {result.small:,} builds",
        f"RSS growth MiB, {result.builds:,} builds",
    ]
    notes = [
        "One app's builds from `asc-builds fake-server` (its own process, HTTP/1.1 on "
        "127.0.0.1), 200 per page, `include=preReleaseVersion`; the server's time is in "
        "every row. Each run is a fresh process that keeps no build; RSS growth is how far "
        "iterating raised its peak resident set (Linux `VmHWM`). Flat memory: the last two "
        "columns match."
    ]
    return _section("listing", markdown_table(headers, rows), notes)


def render_imports(result: ImportResult) -> str:
    rows = [
        [
            f"`{row.statement}`",
            _number(row.median_ms),
            _number(row.p95_ms),
            _times(row.ratio_to_httpx),
            str(row.runs) if row.runs else row.note,
        ]
        for row in result.rows
    ]
    headers = ["import", "median ms", "p95 ms", "vs httpx", "runs"]
    return _section("imports", markdown_table(headers, rows))


def render_regeneration(result: RegenResult) -> str:
    if result.skipped is not None:
        return _section("regeneration", f"Skipped: {result.skipped}.")
    rows = [
        [
            row.label,
            row.spec,
            _number(row.median_s, 2),
            _number(row.p95_s, 2),
            str(row.runs),
            _DASH if row.exit_code is None else str(row.exit_code),
            row.outcome.replace("|", "/"),
        ]
        for row in result.rows
    ]
    headers = ["run", "spec", "median s", "p95 s", "runs", "exit", "outcome"]
    return _section("regeneration", markdown_table(headers, rows))


def render_profiles(profiles: Sequence[ProfileResult]) -> str:
    if not profiles:
        return _section("profile", "Skipped.")
    areas: list[str] = []
    for profile in profiles:
        areas += [area for area in profile.areas if area not in areas]
    rows = [
        [area, *(_number(profile.areas.get(area), 0) for profile in profiles)] for area in areas
    ]
    rows.append(["**total**", *(_number(sum(profile.areas.values()), 0) for profile in profiles)])
    headers = ["area (µs per call, under cProfile)", *(profile.name for profile in profiles)]
    notes = [
        "cProfile charges every Python call, so many-small-call code is inflated: a ranking, "
        "not a budget."
    ]
    return _section("profile", markdown_table(headers, rows), notes)


# label, step, the floor it is measured over, the httpx by hand it is compared with
_CONTENDERS = [
    ("raw httpx, prepared request (the floor)", "floor", "floor", "httpx by hand"),
    ("httpx by hand (+ .json())", "httpx by hand", "floor", "httpx by hand"),
    ("asc-builds sync", "sync", "floor", "httpx by hand"),
    (
        "raw httpx `AsyncClient`, prepared request (the async floor)",
        "async floor",
        "async floor",
        "async httpx by hand",
    ),
    (
        "httpx `AsyncClient` by hand (+ .json())",
        "async httpx by hand",
        "async floor",
        "async httpx by hand",
    ),
    ("asc-builds async", "async", "async floor", "async httpx by hand"),
]
_PARTS = [
    ("typed parse (`BuildResponse.from_dict`)", "part/typed parse"),
    ("request building (`ClientCore.build_request`)", "part/request building"),
    ("`response.json()`", "part/response.json()"),
    (
        "request body: model, `to_dict`, `validate_id`",
        "part/request body: model, to_dict, validate_id",
    ),
    (
        "`read_answer`, budget settle, retry policy, auth flow",
        "part/read_answer, budget settle, retry policy, auth flow",
    ),
]


def render_instructions(result: InstructionsResult) -> str:
    if result.skipped is not None:
        return _section("instructions", f"Skipped: {result.skipped}.")
    per_call = result.per_call
    rows = []
    for label, step, floor, by_hand in _CONTENDERS:
        cells = [label]
        for kind in ("memory", "loopback"):
            value = per_call[f"{kind}/{step}"]
            cells += [
                _thousands(value),
                _thousands(value - per_call[f"{kind}/{floor}"]),
                _times(value / per_call[f"{kind}/{by_hand}"]),
            ]
        rows.append(cells)
    headers = [
        "client",
        "in memory: per call",
        "over the floor",
        "vs by hand",
        "loopback: per call",
        "over the floor",
        "vs by hand",
    ]
    contenders = markdown_table(headers, rows)
    parse = per_call["part/typed parse"]
    parts = [[label, _thousands(per_call[step])] for label, step in _PARTS]
    parts.insert(
        1,
        [
            "of which: model imports (once per model, on first use; running them on every "
            "parse, as the generator's own template does, would add)",
            "+" + _thousands(per_call["part/typed parse, model imports run every time"] - parse),
        ],
    )
    parts.insert(
        3,
        [
            "of which: URL and headers (httpx's `build_request` parsing `base + path` and "
            "merging the headers on every call would add)",
            "+"
            + _thousands(
                per_call["part/request building, httpx parsing the URL"]
                - per_call["part/request building"]
            ),
        ],
    )
    sync_extra = per_call["memory/sync"] - per_call["memory/floor"]
    summed = sum(per_call[step] for _, step in _PARTS)
    parts.append(["sum of the parts above", _thousands(summed)])
    parts.append(["asc-builds sync, over the floor (in memory)", _thousands(sync_extra)])
    breakdown = markdown_table(["part of a sync call, alone", "instructions per call"], parts)
    first, second = result.calls
    notes = [
        f"{result.valgrind}, callgrind; every step run {first} and {second} times after a "
        "warm-up, per call = the difference of the two counts over the difference in calls, "
        "so start-up and set-up cancel out. In memory: an httpx transport answering the "
        "benchmark server's bytes without a socket (the client's own work); loopback: the "
        "benchmark server on 127.0.0.1 (the client process only, sockets included). "
        "Each part runs alone in a loop, so the parts need not add up to the whole. "
        "Sync rows are measured over the sync floor and compared with sync httpx by hand; "
        "async rows over the async floor and with async httpx by hand.",
    ]
    return _section("instructions", contenders + "\n\n" + breakdown, notes)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _jsonable(item) for name, item in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, float) and value == float("inf"):
        return None
    return value


def write_json(
    path: Path, machine: Machine, settings: dict[str, Any], sections: dict[str, Any]
) -> None:
    document = {
        "machine": _jsonable(machine),
        "settings": settings,
        "sections": {key: _jsonable(value) for key, value in sections.items()},
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
