"""Batches: one change applied to many builds, one outcome per id.

`Batch` is the plan of a batch, checked before anything is sent (every id, the
concurrency), with the steps of each id's change. Every batch reads before it writes
(`triage`, written once): the ids are read `IDS_PER_READ` at a time with
`GET /v1/builds?filter[id]=...`, asking only for the fields the change decides on. An id
whose build already holds the change is "already", an id not returned is "failed" with
`BuildNotFoundError`; neither is sent. Only the others get their PATCH (whose 409 re-read
still covers a race). Re-running a batch of 1,000 expired builds costs 10 requests, not
2,000.

What differs between the clients is how the PATCHes run side by side: threads with a stop
event on the sync client (Ctrl-C reaches the main thread only), tasks on the asyncio client
(cancellation stops them at once). The reads run on the calling thread (task), one chunk
ahead of the PATCHes at most, so that memory stays flat however many ids there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, TypeVar

import attrs

from .._defaults import DEFAULT_CONCURRENCY, MAX_CONCURRENCY
from .._documents import set_or_none
from .._exceptions import (
    BatchInterrupted,
    BudgetExhaustedError,
    BuildNotFoundError,
    InvalidInputError,
    NotAttemptedError,
    RequestAbandonedError,
)
from .._ids import validate_id
from .._interrupt import BATCH_STOP, NotSent
from .._steps import AsyncRunner, Steps, SyncRunner
from .._surface import AsyncSurface, SyncSurface
from ..jobs._converge import RequestedChange, UpdateResult
from ._info import BuildInfo
from ._reads import IDS_PER_READ

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
    "compact_build",
    "sync_batch",
]

Ops = TypeVar("Ops")
P = ParamSpec("P")


OutcomeStatus = Literal["changed", "already", "failed", "not attempted"]

# Whatever one build meets (an API failure, a body that cannot be read, even a bug) is
# reported in its outcome, so that every id gets exactly one; only an interrupt
# (KeyboardInterrupt, cancellation) ends the batch. Bad ids never get here: they are
# refused before anything is sent.
_OUTCOME_ERRORS = (Exception,)


@attrs.frozen
class BuildOutcome:
    """The result for one id of a batch: the build as the change left it, or the error it
    met.

    `status` is "changed", "already" (the build already held the requested values; nothing
    was sent for it), "failed" (the error says why; a build App Store Connect did not return
    is a `BuildNotFoundError`), or "not attempted" (nothing was sent for it: the batch was
    interrupted before this id was sent, or the hourly budget needed a longer wait than
    allowed). `ok` is true for "changed" and "already": the build ended in the requested
    state.

    In a batch, `build` is compact unless the batch was asked to keep builds
    (`keep_builds=True`): a `Build` with the id, the build number (`version`) and only the
    values the change decides on (`expired`, `usesNonExemptEncryption`, the declaration), as
    App Store Connect last showed them. A batch of many ids then holds a few hundred bytes
    per id, not a whole parsed build.
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


def compact_build(build: Build) -> Build:
    """`build` with its id, its build number and only the values a change decides on:
    what a batch keeps."""
    from asc_builds_generated.models import (
        Build,
        BuildAttributes,
        BuildRelationships,
        BuildRelationshipsAppEncryptionDeclaration,
    )
    from asc_builds_generated.types import UNSET

    attributes = set_or_none(build.attributes)
    relationships = set_or_none(build.relationships)
    relationship = (
        None if relationships is None else set_or_none(relationships.app_encryption_declaration)
    )
    # The linkage alone (which declaration), not the relationship's links: an outcome is
    # kept for the whole batch.
    linkage = None if relationship is None else set_or_none(relationship.data)
    return Build(
        type_=build.type_,
        id=build.id,
        attributes=UNSET
        if attributes is None
        else BuildAttributes(
            version=attributes.version,
            expired=attributes.expired,
            uses_non_exempt_encryption=attributes.uses_non_exempt_encryption,
        ),
        relationships=UNSET
        if linkage is None
        else BuildRelationships(
            app_encryption_declaration=BuildRelationshipsAppEncryptionDeclaration(data=linkage)
        ),
    )


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


# Reads up to `IDS_PER_READ` builds by id: the builds returned, by id.
ReadBuilds = Callable[[Sequence[str]], Steps[Mapping[str, BuildInfo]]]
# The change of one build, given the build as the batch read it.
ApplyOne = Callable[[str, BuildInfo], Steps[UpdateResult]]


@attrs.frozen
class Batch:
    """A checked batch: the ids, how many run at once, the change, how to read a chunk of
    builds and how to apply the change to one build."""

    ids: list[str]
    concurrency: int
    change: RequestedChange
    read: ReadBuilds
    apply: ApplyOne
    on_outcome: OnOutcome | None = None
    keep_builds: bool = False

    def chunks(self) -> Iterator[tuple[int, list[str]]]:
        """(index of the first id, the ids) of each read, in input order."""
        for start in range(0, len(self.ids), IDS_PER_READ):
            yield start, self.ids[start : start + IDS_PER_READ]

    def triage(self, chunk: Sequence[str]) -> Steps[list[BuildOutcome | BuildInfo]]:
        """Read `chunk`; per id, its outcome when no PATCH is needed ("already", or not
        found), or the build as read, to be changed. A read that fails gives each id of
        the chunk that error: nothing is sent for them."""
        try:
            found = yield from self.read(chunk)
        except _OUTCOME_ERRORS as error:
            return [BuildOutcome(build_id, error=error) for build_id in chunk]
        triaged: list[BuildOutcome | BuildInfo] = []
        for build_id in chunk:
            info = found.get(build_id)
            if info is None:
                triaged.append(
                    BuildOutcome(build_id, error=BuildNotFoundError({"build_id": build_id}))
                )
            elif not self.change.differences(info):
                triaged.append(self.outcome(UpdateResult(build_id, info.build, changed=False)))
            else:
                triaged.append(info)
        return triaged

    def outcome(self, result: UpdateResult) -> BuildOutcome:
        build = result.build if self.keep_builds else compact_build(result.build)
        return BuildOutcome(result.build_id, build=build, changed=result.changed)


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


def _run_batch(driver: SyncRunner, batch: Batch) -> list[BuildOutcome]:
    """Run `batch` on threads; see `BuildOperations.expire_many` for what Ctrl-C does."""
    ids, on_outcome = batch.ids, batch.on_outcome
    if not ids:
        return []
    stop = threading.Event()

    def run_one(build_id: str, current: BuildInfo) -> BuildOutcome:
        context = BATCH_STOP.set(stop)
        try:
            result = driver.run(batch.apply(build_id, current))
        except NotSent:
            return not_attempted(build_id)
        except _OUTCOME_ERRORS as error:
            return BuildOutcome(build_id, error=error)
        finally:
            BATCH_STOP.reset(context)
        return batch.outcome(result)

    outcomes: list[BuildOutcome | None] = [None] * len(ids)
    # Which ids `on_outcome` has heard of: Ctrl-C can land between an outcome's arrival
    # and its report, and every id must be reported once all the same.
    heard = bytearray(len(ids))

    def record(index: int, outcome: BuildOutcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)
        heard[index] = 1

    # Not `with ThreadPoolExecutor`: its exit waits for every queued id, so Ctrl-C
    # would go on sending them all.
    pool = ThreadPoolExecutor(max_workers=min(batch.concurrency, len(ids)))
    # The PATCHes not finished yet (a done one leaves once its outcome is recorded).
    futures: dict[Future[BuildOutcome], int] = {}

    def settle_until(left: int) -> None:
        while len(futures) > left:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                record(futures.pop(future), future.result())

    try:
        for start, chunk in batch.chunks():
            for offset, item in enumerate(driver.run(batch.triage(chunk))):
                if isinstance(item, BuildOutcome):
                    record(start + offset, item)
                else:
                    futures[pool.submit(run_one, item.id, item)] = start + offset
            # The next read waits until fewer than a chunk of PATCHes are left.
            settle_until(IDS_PER_READ)
        settle_until(0)
    except KeyboardInterrupt:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        settled = _settle(ids, futures, outcomes)
        if on_outcome is not None:
            # As the async batch does: every id hears of its outcome before the raise.
            for index, outcome in enumerate(settled):
                if not heard[index]:
                    on_outcome(outcome)
        raise BatchInterrupted(settled) from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [outcome for outcome in outcomes if outcome is not None]


async def _run_batch_async(driver: AsyncRunner, batch: Batch) -> list[BuildOutcome]:
    """Run `batch` as tasks; see `BuildOperations.expire_many` for what cancelling does."""
    ids, on_outcome = batch.ids, batch.on_outcome
    outcomes: dict[int, BuildOutcome] = {}
    started: set[int] = set()
    # The builds read and still to change; bounded, so the reads stay a chunk ahead.
    queue: asyncio.Queue[tuple[int, BuildInfo] | None] = asyncio.Queue(IDS_PER_READ)
    workers = min(batch.concurrency, len(ids))

    def record(index: int, outcome: BuildOutcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    async def read_all() -> None:
        for start, chunk in batch.chunks():
            for offset, item in enumerate(await driver.run(batch.triage(chunk))):
                if isinstance(item, BuildOutcome):
                    record(start + offset, item)
                else:
                    await queue.put((start + offset, item))
        for _ in range(workers):
            await queue.put(None)

    async def change_each() -> None:
        while (taken := await queue.get()) is not None:
            index, current = taken
            started.add(index)
            try:
                result = await driver.run(batch.apply(current.id, current))
            except _OUTCOME_ERRORS as error:
                outcome = BuildOutcome(current.id, error=error)
            else:
                outcome = batch.outcome(result)
            record(index, outcome)

    # One `gather`: cancelling the batch cancels every task at once, before any of them
    # can start another request.
    tasks = [asyncio.ensure_future(read_all())]
    tasks += [asyncio.ensure_future(change_each()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
        return [outcomes[index] for index in range(len(ids))]
    except BaseException as error:
        # Cancellation (or a bug) stops everything at once.
        for task in tasks:
            task.cancel()
        if isinstance(error, asyncio.CancelledError) and on_outcome is not None:
            # `on_outcome` still hears of every id that had no outcome yet, so the caller
            # can tell what was sent.
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
