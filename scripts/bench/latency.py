"""Section 1: the latency of one PATCH, each contender in turn, rounds interleaved."""

from __future__ import annotations

import gc
import statistics
from dataclasses import dataclass, field

from asc_builds._auth import TokenSigner

from .contenders import (
    AscAsync,
    AscSync,
    AsyncHttpxByHand,
    Contender,
    HttpxByHand,
    Peer,
    RawHttpx,
)
from .keys import BenchKey
from .stats import ratio, summarize

__all__ = ["LatencyResult", "LatencyRow", "measure_latency"]

NOT_INSTALLED = "not installed"


@dataclass(frozen=True)
class LatencyRow:
    name: str
    median_us: float | None
    p95_us: float | None
    median_ratio: float | None
    p95_ratio: float | None
    calls: int
    note: str = ""
    # Each round's median over the floor's median in that same round: the spread of these
    # is how far one run's ratio can be trusted on this machine.
    round_ratio_min: float | None = None
    round_ratio_max: float | None = None
    # The same against httpx by hand of the same kind (sync or async), round by round.
    by_hand_ratio: float | None = None
    by_hand_round_min: float | None = None
    by_hand_round_max: float | None = None


@dataclass(frozen=True)
class LatencyResult:
    rows: list[LatencyRow]
    rounds: int
    calls_per_round: int
    warmup_calls: int
    round_medians_us: dict[str, list[float]] = field(default_factory=dict)

    def row(self, name: str) -> LatencyRow:
        return next(row for row in self.rows if row.name == name)


# Async contenders are compared with async httpx by hand; the others with sync.
_BY_HAND_OF = {
    AscAsync.name: AsyncHttpxByHand.name,
    AsyncHttpxByHand.name: AsyncHttpxByHand.name,
}


def _round_ratios(ours: list[float], theirs: list[float]) -> list[float]:
    return [mine / other for mine, other in zip(ours, theirs, strict=True)]


def _contenders(base_url: str, key: BenchKey, *, with_peer: bool) -> list[Contender]:
    token = TokenSigner(key.api_key()).token()
    contenders: list[Contender] = [
        RawHttpx(base_url, token),
        HttpxByHand(base_url, token),
        AscSync(base_url, key),
        AsyncHttpxByHand(base_url, token),
        AscAsync(base_url, key),
    ]
    if with_peer:
        contenders.append(Peer(base_url, key))
    return contenders


def measure_latency(
    base_url: str, key: BenchKey, *, calls: int, rounds: int, warmup: int, with_peer: bool
) -> LatencyResult:
    contenders = _contenders(base_url, key, with_peer=with_peer)
    samples: dict[str, list[int]] = {contender.name: [] for contender in contenders}
    round_medians: dict[str, list[float]] = {contender.name: [] for contender in contenders}
    try:
        for contender in contenders:
            contender.run(warmup)  # connections open, caches filled, the token signed
        for number in range(rounds):
            # Rotate who goes first so that a noisy moment does not always hit the same one.
            shift = number % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                gc.collect()
                durations = contender.run(calls)
                samples[contender.name].extend(durations)
                round_medians[contender.name].append(statistics.median(durations) / 1000)
    finally:
        for contender in contenders:
            contender.close()

    floor = summarize(samples[RawHttpx.name])
    rows = []
    for name, durations in samples.items():
        summary = summarize(durations)
        by_hand = _BY_HAND_OF.get(name, HttpxByHand.name)
        round_ratios = _round_ratios(round_medians[name], round_medians[RawHttpx.name])
        by_hand_ratios = _round_ratios(round_medians[name], round_medians[by_hand])
        rows.append(
            LatencyRow(
                name=name,
                median_us=summary.median / 1000,
                p95_us=summary.p95 / 1000,
                median_ratio=ratio(summary.median, floor.median),
                p95_ratio=ratio(summary.p95, floor.p95),
                calls=summary.count,
                round_ratio_min=min(round_ratios),
                round_ratio_max=max(round_ratios),
                by_hand_ratio=ratio(summary.median, statistics.median(samples[by_hand])),
                by_hand_round_min=min(by_hand_ratios),
                by_hand_round_max=max(by_hand_ratios),
            )
        )
    if not with_peer:
        rows.append(LatencyRow(Peer.name, None, None, None, None, 0, NOT_INSTALLED))
    return LatencyResult(rows, rounds, calls, warmup, round_medians)
