"""Batches: one change applied to many builds, one outcome per id.

`Batch` is the plan of a batch, checked before anything is sent (every id, the
concurrency), with the steps of each id's change. What differs between the clients is how
the ids run side by side: threads with a stop event on the sync client (Ctrl-C reaches
the main thread only), tasks on the asyncio client (cancellation stops them at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, TypeVar

import attrs

from .._exceptions import (
    BatchInterrupted,
    BudgetExhaustedError,
    InvalidInputError,
    NotAttemptedError,
    RequestAbandonedError,
)
from .._ids import validate_id
from .._interrupt import BATCH_STOP, NotSent
from .._steps import AsyncRunner, Steps, SyncRunner
from .._surface import AsyncSurface, SyncSurface
from ..jobs._converge import UpdateResult

if TYPE_CHECKING:
    from asc_builds_generated.models import Build

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "Batch",
    "BuildOutcome",
    "OnOutcome",
    "OutcomeStatus",
    "async_batch",
    "check_concurrency",
    "checked_ids",
    "sync_batch",
]

Ops = TypeVar("Ops")
P = ParamSpec("P")

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64

OutcomeStatus = Literal["changed", "already", "failed", "not attempted"]

# Whatever one build meets (an API failure, a body that cannot be read, even a bug) is
# reported in its outcome, so that every id gets exactly one; only an interrupt
# (KeyboardInterrupt, cancellation) ends the batch. Bad ids never get here: they are
# refused before anything is sent.
_OUTCOME_ERRORS = (Exception,)


@attrs.frozen
class BuildOutcome:
    """The result for one id of a batch: the updated build, or the error it met.

    `status` is "changed", "already" (the build already held the requested values; nothing
    changed), "failed", or "not attempted" (nothing was sent for it: the batch was
    interrupted before this id was sent, or the hourly budget needed a longer wait than
    allowed). `ok` is true for "changed" and "already": the build ended in the requested
    state.
    """

    build_id: str
    build: Build | None = None
    error: Exception | None = None
    changed: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> OutcomeStatus:
        if self.error is None:
            return "changed" if self.changed else "already"
        if isinstance(self.error, (NotAttemptedError, BudgetExhaustedError)):
            return "not attempted"
        return "failed"

    def unwrap(self) -> Build:
        """The build, or raise the error this id met."""
        if self.error is not None:
            raise self.error
        assert self.build is not None
        return self.build


OnOutcome = Callable[[BuildOutcome], None]


def checked_ids(build_ids: Iterable[str]) -> list[str]:
    # Every id is checked before the first request: bad input sends nothing at all.
    if isinstance(build_ids, (str, bytes, bytearray)):
        # Iterating a string yields its characters: one PATCH per character otherwise.
        raise InvalidInputError(
            f"build_ids must be a collection of ids, not a {type(build_ids).__name__}; "
            "for one build pass [build_id]"
        )
    ids = list(build_ids)
    for build_id in ids:
        validate_id(build_id, what="build id")
    return ids


def check_concurrency(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise InvalidInputError("concurrency must be an int")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInputError(
            f"concurrency must be between 1 and {MAX_CONCURRENCY}; got {concurrency}"
        )


@attrs.frozen
class Batch:
    """A checked batch: the ids, how many run at once, and the steps of one id's change."""

    ids: list[str]
    concurrency: int
    change: Callable[[str], Steps[UpdateResult]]
    on_outcome: OnOutcome | None = None


def not_attempted(build_id: str) -> BuildOutcome:
    return BuildOutcome(
        build_id,
        error=NotAttemptedError(f"build {build_id} was not sent: the batch was interrupted"),
    )


def _settle(
    ids: list[str],
    futures: Mapping[Future[BuildOutcome], int],
    outcomes: list[BuildOutcome | None],
) -> list[BuildOutcome]:
    """Every id's outcome after an interrupt; the requests in flight end their attempt."""
    running = [future for future in futures if not future.done()]
    # The stop event keeps them from retrying, and each attempt has its deadline.
    with contextlib.suppress(KeyboardInterrupt):
        wait(running)
    settled: list[BuildOutcome] = []
    by_index = {index: future for future, index in futures.items()}
    for index, build_id in enumerate(ids):
        outcome = outcomes[index]
        future = by_index.get(index)
        if outcome is None and future is not None and future.done() and not future.cancelled():
            error = future.exception()
            if error is None:
                outcome = future.result()
            elif isinstance(error, Exception):
                outcome = BuildOutcome(build_id, error=error)
        if outcome is None:
            outcome = (
                not_attempted(build_id)
                if future is None or future.cancelled()
                else BuildOutcome(
                    build_id,
                    error=RequestAbandonedError(
                        f"build {build_id}: interrupted while its request was in flight; "
                        "it may have been applied"
                    ),
                )
            )
        settled.append(outcome)
    return settled


def _outcome(build_id: str, result: UpdateResult) -> BuildOutcome:
    return BuildOutcome(build_id, build=result.build, changed=result.changed)


def _run_batch(driver: SyncRunner, batch: Batch) -> list[BuildOutcome]:
    """Run `batch` on threads; see `BuildOperations.expire_many` for what Ctrl-C does."""
    ids, on_outcome = batch.ids, batch.on_outcome
    if not ids:
        return []
    stop = threading.Event()

    def run_one(build_id: str) -> BuildOutcome:
        context = BATCH_STOP.set(stop)
        try:
            result = driver.run(batch.change(build_id))
        except NotSent:
            return not_attempted(build_id)
        except _OUTCOME_ERRORS as error:
            return BuildOutcome(build_id, error=error)
        finally:
            BATCH_STOP.reset(context)
        return _outcome(build_id, result)

    outcomes: list[BuildOutcome | None] = [None] * len(ids)
    # Not `with ThreadPoolExecutor`: its exit waits for every queued id, so Ctrl-C
    # would go on sending them all.
    pool = ThreadPoolExecutor(max_workers=min(batch.concurrency, len(ids)))
    futures: dict[Future[BuildOutcome], int] = {}
    try:
        for index, build_id in enumerate(ids):
            futures[pool.submit(run_one, build_id)] = index
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                outcomes[futures[future]] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
    except KeyboardInterrupt:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        settled = _settle(ids, futures, outcomes)
        if on_outcome is not None:
            # As the async batch does: every id hears of its outcome before the raise.
            for index, outcome in enumerate(settled):
                if outcomes[index] is None:
                    on_outcome(outcome)
        raise BatchInterrupted(settled) from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [outcome for outcome in outcomes if outcome is not None]


async def _run_batch_async(driver: AsyncRunner, batch: Batch) -> list[BuildOutcome]:
    """Run `batch` as tasks; see `BuildOperations.expire_many` for what cancelling does."""
    ids, on_outcome = batch.ids, batch.on_outcome
    semaphore = asyncio.Semaphore(batch.concurrency)
    outcomes: dict[int, BuildOutcome] = {}
    started: set[int] = set()

    async def run_one(index: int, build_id: str) -> BuildOutcome:
        async with semaphore:
            started.add(index)
            try:
                result = await driver.run(batch.change(build_id))
            except _OUTCOME_ERRORS as error:
                outcome = BuildOutcome(build_id, error=error)
            else:
                outcome = _outcome(build_id, result)
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    try:
        return list(
            await asyncio.gather(*(run_one(index, build_id) for index, build_id in enumerate(ids)))
        )
    except asyncio.CancelledError:
        # Cancellation stops everything at once; `on_outcome` still hears of every id
        # that had no outcome yet, so the caller can tell what was sent.
        if on_outcome is not None:
            for index, build_id in enumerate(ids):
                if index in outcomes:
                    continue
                if index in started:
                    on_outcome(
                        BuildOutcome(
                            build_id,
                            error=RequestAbandonedError(
                                f"build {build_id}: cancelled while its request was in "
                                "flight; it may have been applied"
                            ),
                        )
                    )
                else:
                    on_outcome(not_attempted(build_id))
        raise


def sync_batch(
    operation: Callable[Concatenate[Ops, P], Batch],
) -> Callable[Concatenate[SyncSurface[Ops], P], list[BuildOutcome]]:
    """A sync surface's batch method: `operation` checks it, threads run it."""

    @functools.wraps(operation)
    def method(self: SyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs) -> list[BuildOutcome]:
        return _run_batch(self._driver, operation(self._operations, *args, **kwargs))

    return method


def async_batch(
    operation: Callable[Concatenate[Ops, P], Batch],
) -> Callable[Concatenate[AsyncSurface[Ops], P], Coroutine[Any, Any, list[BuildOutcome]]]:
    """An asyncio surface's batch method: `operation` checks it, tasks run it."""

    @functools.wraps(operation)
    async def method(
        self: AsyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs
    ) -> list[BuildOutcome]:
        return await _run_batch_async(self._driver, operation(self._operations, *args, **kwargs))

    return method
