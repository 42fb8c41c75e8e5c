#!/usr/bin/env python3
"""Benchmark asc-builds against raw httpx and codemagic-cli-tools, side by side in one run.

    python scripts/benchmark.py [--calls N] [--batch N] [--rounds N] [--latency-rounds N]
                                [--json FILE] [--upstream PATH] [--delay-ms MS] [--quick]
                                [--only SECTION,...] [--no-instructions]

Sections: per-call latency of one PATCH (ratios to a prepared httpx request, the floor),
auth cost, batch throughput and memory, import time, regeneration time, a profile of
where each client's time goes, a batch larger than the hourly request budget (on the
fake's simulated clock), instructions per call counted by valgrind's callgrind
(deterministic, unlike the timings; skipped with a reason when valgrind is missing), and
listing an app's builds page by page (`--listing N`, 10,000 by default) against httpx
following the same links.
Every client talks to the same local server on 127.0.0.1, run in its own process.
Contenders alternate in rounds; medians, p95 and the spread between rounds are reported.
The results are also written as JSON (`--json`, default bench-results.json).

`--upstream` (or ASC_UPSTREAM_SPEC) names Apple's whole spec for the regeneration section;
without it that section is skipped. ASC_UPSTREAM_SPEC_OLD, when set, adds the generator's
run on that older spec. The peer needs the `bench` extra (`pip install -e '.[bench]'`);
without it its rows say "not installed".
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.auth_cost import measure_auth
from bench.batch import measure_batch
from bench.budget import measure_budget
from bench.contenders import AscAsync, AscSync, Contender, Peer, RawHttpx
from bench.imports import measure_imports
from bench.instructions import InstructionsResult, measure_instructions
from bench.keys import BenchKey, new_key
from bench.latency import measure_latency
from bench.listing import measure_listing
from bench.machine import describe_machine
from bench.peer import PEER_DISTRIBUTION, peer_log_folder, peer_version
from bench.profile import ProfileResult, profile_contender
from bench.regeneration import RegenResult, measure_regeneration
from bench.report import (
    render_auth,
    render_batch,
    render_budget,
    render_imports,
    render_instructions,
    render_latency,
    render_listing,
    render_profiles,
    render_regeneration,
    render_skipped,
    write_json,
)
from bench.requests import measure_requests, render_requests
from bench.server_process import running_server

# Signatures are counted over exactly this many calls, whatever --calls says.
AUTH_CALLS = 1000
# Every server and loop here is bounded; this is the outer bound for each server process.
SERVER_MAX_SECONDS = 3600.0
# Instructions: each step counted at these two call counts (per call is the difference).
INSTRUCTION_CALLS, INSTRUCTION_WARMUP = (20, 120), 20
QUICK_INSTRUCTION_CALLS, QUICK_INSTRUCTION_WARMUP = (2, 6), 3
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


OPTIONAL_SECTIONS = (
    "auth",
    "batch",
    "imports",
    "regeneration",
    "profile",
    "budget",
    "instructions",
    "listing",
    "requests",
)
_NOT_SELECTED = "not selected (--only)"


def _section_list(text: str) -> frozenset[str]:
    names = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(names - set(OPTIONAL_SECTIONS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(OPTIONAL_SECTIONS)}"
        )
    return names


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300, help="calls per client per round")
    parser.add_argument("--batch", type=int, default=1000, help="builds per batch run")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every measurement")
    parser.add_argument(
        "--latency-rounds",
        type=int,
        default=None,
        help="rounds of section 1 only (default: --rounds); more rounds show the spread better",
    )
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--upstream", type=Path, default=None, help="Apple's whole spec (.json)")
    parser.add_argument(
        "--delay-ms", type=float, default=10.0, help="server wait per answer in the batch section"
    )
    parser.add_argument(
        "--budget-builds", type=int, default=5000, help="builds in the rate-budget section"
    )
    parser.add_argument(
        "--budget-per-hour", type=int, default=3600, help="the fake's hourly request budget"
    )
    parser.add_argument(
        "--listing", type=int, default=10_000, help="builds of the app in the listing section"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny run that checks the benchmark works: 20 calls, 50 builds, 1 round, "
        "no regeneration, instructions counted over 4 calls",
    )
    parser.add_argument(
        "--only",
        type=_section_list,
        default=None,
        metavar="SECTION,...",
        help="run section 1 and only these of the others: " + ",".join(OPTIONAL_SECTIONS),
    )
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="skip section 8 (callgrind takes a few minutes at the default size)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.batch, args.rounds, args.delay_ms = 20, 50, 1, 1.0
        args.budget_builds, args.budget_per_hour = 60, 50
    if args.latency_rounds is None or args.quick:
        args.latency_rounds = args.rounds
    sizes = (args.calls, args.batch, args.rounds, args.latency_rounds)
    if min(*sizes, args.budget_builds, args.budget_per_hour) < 1 or args.delay_ms < 0:
        parser.error(
            "--calls, --batch, --rounds, --latency-rounds and the budget sizes must be at "
            "least 1, "
            "--delay-ms at least 0"
        )
    if args.upstream is None and os.environ.get("ASC_UPSTREAM_SPEC"):
        args.upstream = Path(os.environ["ASC_UPSTREAM_SPEC"])
    old = os.environ.get("ASC_UPSTREAM_SPEC_OLD")
    args.upstream_old = Path(old) if old else None
    return args


def _loopback_only() -> None:
    # requests and httpx both honour proxy variables; every byte here must stay on loopback.
    for name in list(os.environ):
        if name.lower() in _PROXY_VARIABLES:
            del os.environ[name]


def _profiles(base_url: str, key: BenchKey, calls: int, *, with_peer: bool) -> list[ProfileResult]:
    from asc_builds._auth import TokenSigner

    contenders: list[Contender] = [
        RawHttpx(base_url, TokenSigner(key.api_key()).token()),
        AscSync(base_url, key),
        AscAsync(base_url, key),
    ]
    if with_peer:
        contenders.append(Peer(base_url, key))
    try:
        return [profile_contender(contender, calls) for contender in contenders]
    finally:
        for contender in contenders:
            contender.close()


def _emit(text: str) -> None:
    print(text, flush=True)


def _wanted(args: argparse.Namespace, section: str) -> bool:
    return args.only is None or section in args.only


def _skip(section: str) -> dict[str, str]:
    _emit(render_skipped(section, _NOT_SELECTED))
    return {"skipped": _NOT_SELECTED}


def run(args: argparse.Namespace) -> int:
    _loopback_only()
    version = peer_version()
    with_peer = version is not None
    machine = describe_machine(extra=(PEER_DISTRIBUTION,))
    _emit(f"## asc-builds benchmark\n\nMachine: {machine.one_line()}.\n")
    if not with_peer:
        _emit(f"{PEER_DISTRIBUTION} is not installed: its rows say so.\n")
    sections: dict[str, Any] = {}
    peer_logs = peer_log_folder() if with_peer else contextlib.nullcontext()
    with peer_logs:
        key = new_key()
        with running_server(max_seconds=SERVER_MAX_SECONDS) as server:
            latency = measure_latency(
                server.base_url,
                key,
                calls=args.calls,
                rounds=args.latency_rounds,
                warmup=max(5, args.calls // 5),
                with_peer=with_peer,
            )
            sections["latency"] = latency
            _emit(render_latency(latency))
            floor = latency.row(RawHttpx.name).median_us
            assert floor is not None
            if _wanted(args, "auth"):
                auth = measure_auth(
                    server,
                    key,
                    calls=AUTH_CALLS,
                    rounds=args.rounds,
                    with_peer=with_peer,
                    floor_call_us=floor,
                )
                sections["auth"] = auth
                _emit(render_auth(auth))
            else:
                sections["auth"] = _skip("auth")
            profiles = (
                _profiles(server.base_url, key, args.calls * 2, with_peer=with_peer)
                if _wanted(args, "profile")
                else None
            )
            if args.no_instructions:
                instructions = InstructionsResult(skipped="--no-instructions")
            elif not _wanted(args, "instructions"):
                instructions = InstructionsResult(skipped=_NOT_SELECTED)
            else:
                instructions = measure_instructions(
                    server.base_url,
                    calls=QUICK_INSTRUCTION_CALLS if args.quick else INSTRUCTION_CALLS,
                    warmup=QUICK_INSTRUCTION_WARMUP if args.quick else INSTRUCTION_WARMUP,
                )
        if _wanted(args, "batch"):
            with running_server(delay_ms=args.delay_ms, max_seconds=SERVER_MAX_SECONDS) as server:
                batch = measure_batch(
                    server,
                    builds=args.batch,
                    rounds=args.rounds,
                    delay_ms=args.delay_ms,
                    with_peer=with_peer,
                )
            sections["batch"] = batch
            _emit(render_batch(batch))
        else:
            sections["batch"] = _skip("batch")
    if _wanted(args, "imports"):
        imports = measure_imports(runs=2 if args.quick else max(args.rounds, 10))
        sections["imports"] = imports
        _emit(render_imports(imports))
    else:
        sections["imports"] = _skip("imports")
    if args.quick:
        regeneration = RegenResult(skipped="--quick skips it")
    elif not _wanted(args, "regeneration"):
        regeneration = RegenResult(skipped=_NOT_SELECTED)
    else:
        regeneration = measure_regeneration(
            args.upstream, runs=min(args.rounds, 3), older_upstream=args.upstream_old
        )
    sections["regeneration"] = regeneration
    _emit(render_regeneration(regeneration))
    if profiles is not None:
        sections["profile"] = profiles
        _emit(render_profiles(profiles))
    else:
        sections["profile"] = _skip("profile")
    if _wanted(args, "budget"):
        budget = measure_budget(builds=args.budget_builds, per_hour=args.budget_per_hour)
        sections["budget"] = budget
        _emit(render_budget(budget))
    else:
        sections["budget"] = _skip("budget")
    sections["instructions"] = instructions
    _emit(render_instructions(instructions))
    if _wanted(args, "listing"):
        listing_builds = 450 if args.quick else max(1, args.listing)
        listing = measure_listing(builds=listing_builds, rounds=min(args.rounds, 3))
        sections["listing"] = listing
        _emit(render_listing(listing))
    else:
        sections["listing"] = _skip("listing")
    if _wanted(args, "requests"):
        requests = measure_requests(memory_ids=500 if args.quick else 5000)
        sections["requests"] = requests
        _emit(render_requests(requests))
    else:
        sections["requests"] = _skip("requests")
    settings = {
        "calls": args.calls,
        "batch": args.batch,
        "rounds": args.rounds,
        "latency_rounds": args.latency_rounds,
        "delay_ms": args.delay_ms,
        "quick": args.quick,
        "auth_calls": AUTH_CALLS,
        "budget_builds": args.budget_builds,
        "budget_per_hour": args.budget_per_hour,
        "listing": args.listing,
        "peer": version,
        "upstream": args.upstream.name if args.upstream else None,
        "instruction_calls": list(instructions.calls),
    }
    write_json(args.json, machine, settings, sections)
    _emit(f"JSON written to {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(_parse(argv))


if __name__ == "__main__":
    sys.exit(main())
