"""Section 2: what authentication costs: signatures per 1,000 calls, and one signature's price.

Signatures are counted at the server, as distinct `Authorization` values (ES256 signatures
are randomised, so two signings never give the same token): nothing inside a client is
patched. The price of one signature is timed against one call that finds the token cached.
"""

from __future__ import annotations

import asyncio
import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asc_builds import AppStoreConnect, AsyncAppStoreConnect
from asc_builds._auth import DEFAULT_IAT_BACKDATE, DEFAULT_REFRESH_MARGIN, TokenSigner

from .contenders import BUILD_ID, AscAsync, AscSync, Peer
from .keys import BenchKey
from .peer import make_peer_client
from .server_process import ServerHandle
from .stats import ratio, summarize

__all__ = ["AuthResult", "SignatureCount", "TokenCost", "measure_auth"]

SIMULATED_SECONDS = 3600.0


@dataclass(frozen=True)
class SignatureCount:
    name: str
    calls: int
    signatures: int
    per_1000_calls: float
    note: str = ""


@dataclass(frozen=True)
class TokenCost:
    name: str
    operation: str
    median_us: float
    p95_us: float
    ratio_to_cached: float | None
    ratio_to_floor_call: float | None


@dataclass(frozen=True)
class AuthResult:
    counts: list[SignatureCount]
    simulated_hour_signatures: int
    simulated_hour_expected: int
    token_lifetime_s: int
    costs: list[TokenCost]


def _count(server: ServerHandle, name: str, calls: int, run: Callable[[], None]) -> SignatureCount:
    server.reset()
    run()
    stats = server.stats()
    requests, tokens = int(stats["requests"]), int(stats["distinct_tokens"])
    if requests != calls:
        raise RuntimeError(f"{name}: the server saw {requests} requests, not {calls}")
    return SignatureCount(name, calls, tokens, tokens * 1000 / calls)


def _count_signatures(
    server: ServerHandle, key: BenchKey, calls: int, *, with_peer: bool
) -> list[SignatureCount]:
    def sync() -> None:
        with AppStoreConnect(key.api_key(), base_url=server.base_url) as client:
            for _ in range(calls):
                client.builds.expire(BUILD_ID)

    async def run_async() -> None:
        async with AsyncAppStoreConnect(key.api_key(), base_url=server.base_url) as client:
            for _ in range(calls):
                await client.builds.expire(BUILD_ID)

    counts = [
        _count(server, AscSync.name, calls, sync),
        _count(server, AscAsync.name, calls, lambda: asyncio.run(run_async())),
    ]
    if with_peer:

        def peer() -> None:
            client = make_peer_client(key, server.base_url)
            try:
                for _ in range(calls):
                    client.builds.modify(BUILD_ID, expired=True)
            finally:
                client.session.close()

        counts.append(_count(server, Peer.name, calls, peer))
    else:
        counts.append(SignatureCount(Peer.name, 0, 0, 0.0, "not installed"))
    return counts


def _simulated_hour(server: ServerHandle, key: BenchKey, calls: int) -> tuple[int, int]:
    """Signatures over an hour of calls on an injected clock, and how many lifetimes fit."""
    api_key = key.api_key()
    clock = [time.time()]
    step = SIMULATED_SECONDS / calls
    server.reset()
    with AppStoreConnect(api_key, base_url=server.base_url, now=lambda: clock[0]) as client:
        for _ in range(calls):
            client.builds.expire(BUILD_ID)
            clock[0] += step
    signatures = int(server.stats()["distinct_tokens"])
    # A token is used until `refresh_margin` before its expiry; `iat` is backdated.
    usable = api_key.token_lifetime - DEFAULT_IAT_BACKDATE - DEFAULT_REFRESH_MARGIN
    return signatures, math.ceil(SIMULATED_SECONDS / usable)


def _per_op_us(operation: Callable[[], Any], block: int) -> float:
    started = time.perf_counter_ns()
    for _ in range(block):
        operation()
    return (time.perf_counter_ns() - started) / block / 1000


def _token_costs(
    key: BenchKey, *, rounds: int, blocks: int, with_peer: bool, floor_call_us: float
) -> list[TokenCost]:
    api_key = key.api_key()
    # An injected clock that jumps past expiry on every read forces a signature per call.
    jumps = [0.0]

    def jumping_clock() -> float:
        jumps[0] += 10 * api_key.token_lifetime
        return jumps[0]

    signing = TokenSigner(api_key, now=jumping_clock)
    cached = TokenSigner(api_key)
    cached.token()
    operations: list[tuple[str, str, Callable[[], Any], int]] = [
        ("asc-builds", "ES256 signature", signing.token, 20),
        ("asc-builds", "cached token", cached.token, 2000),
    ]
    if with_peer:
        manager = make_peer_client(key, "http://127.0.0.1:1")._jwt_manager
        manager.get_jwt()
        operations += [
            (Peer.name, "ES256 signature", manager._generate_jwt, 20),
            (Peer.name, "cached token", manager.get_jwt, 2000),
        ]
    samples: dict[tuple[str, str], list[float]] = {(n, o): [] for n, o, _, _ in operations}
    for _, _, operation, block in operations:
        _per_op_us(operation, block)  # warm-up
    for number in range(rounds):
        shift = number % len(operations)
        for name, op_name, operation, block in operations[shift:] + operations[:shift]:
            gc.collect()
            for _ in range(blocks):
                samples[(name, op_name)].append(_per_op_us(operation, block))
    costs = []
    for (name, op_name), values in samples.items():
        summary = summarize(values)
        cached_median = summarize(samples[(name, "cached token")]).median
        costs.append(
            TokenCost(
                name=name,
                operation=op_name,
                median_us=summary.median,
                p95_us=summary.p95,
                ratio_to_cached=ratio(summary.median, cached_median),
                ratio_to_floor_call=ratio(summary.median, floor_call_us),
            )
        )
    return costs


def measure_auth(
    server: ServerHandle,
    key: BenchKey,
    *,
    calls: int,
    rounds: int,
    with_peer: bool,
    floor_call_us: float,
) -> AuthResult:
    counts = _count_signatures(server, key, calls, with_peer=with_peer)
    signatures, expected = _simulated_hour(server, key, calls)
    costs = _token_costs(
        key, rounds=rounds, blocks=10, with_peer=with_peer, floor_call_us=floor_call_us
    )
    return AuthResult(counts, signatures, expected, key.api_key().token_lifetime, costs)
