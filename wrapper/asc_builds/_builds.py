"""The `builds` resource: the operations of `PATCH /v1/builds/{id}`.

Every method builds a `BuildUpdateRequest` in `build_update_request` and sends it through
the generated operation's `_get_kwargs`, so the generated model is the only serializer.

Methods return the updated `Build` (the response's `data`). The full `BuildResponse` adds
nothing for this operation: it takes no `include` parameter, so `included` stays empty,
and its `links.self` repeats `data.links.self`.

Every change converges (see `jobs._converge`): when App Store Connect answers 409 and a
re-read shows the build already holds every requested value, the call succeeds. `apply`
says whether anything changed (`UpdateResult.changed`); `update`, `expire` and the others
keep returning the `Build`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Literal

import attrs
import httpx
from asc_builds_generated.api.builds import builds_update_instance
from asc_builds_generated.models import (
    Build,
    BuildResponse,
    BuildUpdateRequest,
    BuildUpdateRequestData,
    BuildUpdateRequestDataAttributes,
    BuildUpdateRequestDataRelationships,
    BuildUpdateRequestDataRelationshipsAppEncryptionDeclaration,
    BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationData,
    BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationDataType,
    BuildUpdateRequestDataType,
)
from asc_builds_generated.types import UNSET, Unset

from ._body import decode_json
from ._exceptions import (
    AppStoreConnectError,
    BatchInterrupted,
    BudgetExhaustedError,
    ConflictError,
    InvalidInputError,
    NotAttemptedError,
    RequestAbandonedError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnverifiedChangeError,
)
from ._headers import request_id
from ._ids import validate_id
from ._interrupt import BATCH_STOP, NotSent
from .jobs._converge import RequestedChange, UpdateResult
from .jobs._resource import AsyncBuildJobs, BuildJobs, JobClock
from .resources.apps import Apps, AsyncApps
from .resources.builds import BuildInfo

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "AsyncBuilds",
    "BuildOutcome",
    "Builds",
    "OutcomeStatus",
    "build_update_request",
    "parse_build",
]

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64

OnOutcome = Callable[["BuildOutcome"], None]
SyncSend = Callable[[Mapping[str, Any], int | None], httpx.Response]
AsyncSend = Callable[[Mapping[str, Any], int | None], Awaitable[httpx.Response]]

OutcomeStatus = Literal["changed", "already", "failed", "not attempted"]


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


def build_update_request(
    build_id: str,
    *,
    expired: bool | None = None,
    uses_non_exempt_encryption: bool | None = None,
    encryption_declaration_id: str | None = None,
) -> BuildUpdateRequest:
    """The request body; only the arguments given (not None) are sent."""
    validate_id(build_id, what="build id")
    for name, value in (
        ("expired", expired),
        ("uses_non_exempt_encryption", uses_non_exempt_encryption),
    ):
        if value is not None and not isinstance(value, bool):
            raise InvalidInputError(f"{name} must be True or False, got {type(value).__name__}")
    if expired is False:
        raise InvalidInputError(
            "expired=False is not allowed: App Store Connect cannot un-expire a build"
        )
    if expired is None and uses_non_exempt_encryption is None and encryption_declaration_id is None:
        raise InvalidInputError(
            "nothing to update: give expired, uses_non_exempt_encryption or "
            "encryption_declaration_id"
        )

    attributes: BuildUpdateRequestDataAttributes | Unset = UNSET
    if expired is not None or uses_non_exempt_encryption is not None:
        attributes = BuildUpdateRequestDataAttributes(
            expired=UNSET if expired is None else expired,
            uses_non_exempt_encryption=(
                UNSET if uses_non_exempt_encryption is None else uses_non_exempt_encryption
            ),
        )
    relationships: BuildUpdateRequestDataRelationships | Unset = UNSET
    if encryption_declaration_id is not None:
        validate_id(encryption_declaration_id, what="encryption declaration id")
        relationships = BuildUpdateRequestDataRelationships(
            app_encryption_declaration=BuildUpdateRequestDataRelationshipsAppEncryptionDeclaration(
                data=BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationData(
                    type_=BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationDataType.APPENCRYPTIONDECLARATIONS,
                    id=encryption_declaration_id,
                )
            )
        )
    return BuildUpdateRequest(
        data=BuildUpdateRequestData(
            type_=BuildUpdateRequestDataType.BUILDS,
            id=build_id,
            attributes=attributes,
            relationships=relationships,
        )
    )


def _unverified(
    build_id: str, status_code: int, rid: str | None, problem: str, content: bytes | None
) -> UnverifiedChangeError:
    suffix = f" [request id {rid}]" if rid else ""
    return UnverifiedChangeError(
        f"App Store Connect answered {status_code} to the change of build {build_id}, so the "
        f"change was applied (or may have been), but {problem}; re-read the build to see its "
        f"state{suffix}",
        build_id=build_id,
        status_code=status_code,
        request_id=rid,
        body=content,
    )


def _identity_problem(document: object, build_id: str) -> str | None:
    # A 200 must be the answer to this request: the build asked for, not another resource.
    if not isinstance(document, dict):
        return f"its body is a JSON {type(document).__name__}, not an object"
    data = document.get("data")
    if not isinstance(data, dict):
        return "its body has no `data` object"
    if data.get("type") != "builds":
        return f"its data is of type {str(data.get('type'))[:40]!r}, not 'builds'"
    if data.get("id") != build_id:
        return f"its data is build {str(data.get('id'))[:140]!r}, not the one asked for"
    return None


def parse_build(response: httpx.Response, build_id: str) -> Build:
    """The `Build` from a 2xx answer to the PATCH of `build_id`.

    The generated models already read leniently (the read rule of scripts/regen/lenient.py),
    so a body that still fails here is not a BuildResponse at all, or (checked first) not
    the build asked for. Apple has applied the change by then: UnverifiedChangeError says
    so, with the raw body, instead of reporting the PATCH as failed.
    """
    rid = request_id(response.headers)
    content = response.content
    try:
        document = decode_json(content)
    except ValueError as error:
        raise _unverified(
            build_id,
            response.status_code,
            rid,
            f"its body is not JSON ({type(error).__name__}: {error})",
            content,
        ) from None
    problem = _identity_problem(document, build_id)
    if problem is not None:
        raise _unverified(build_id, response.status_code, rid, problem, content)
    try:
        return BuildResponse.from_dict(document).data
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise _unverified(
            build_id,
            response.status_code,
            rid,
            f"its body is not a BuildResponse ({type(error).__name__}: {error})",
            content,
        ) from error


def _unreadable_change(error: ResponseValidationError, build_id: str) -> UnverifiedChangeError:
    """A 2xx the send path could not read (too large, undecodable), said as a PATCH's."""
    status_code, reason = 200, str(error)
    if isinstance(error, ResponseTooLargeError):
        status_code, reason = error.status_code, f"its {error.reason}"
    return _unverified(build_id, status_code, error.request_id, reason, None)


def _operation(build_id: str, body: BuildUpdateRequest) -> dict[str, Any]:
    return builds_update_instance._get_kwargs(id=build_id, body=body)


def _checked_ids(build_ids: Iterable[str]) -> list[str]:
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


def _check_concurrency(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise InvalidInputError("concurrency must be an int")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInputError(
            f"concurrency must be between 1 and {MAX_CONCURRENCY}; got {concurrency}"
        )


# An API failure is reported in its outcome; anything else (a bug, KeyboardInterrupt)
# propagates. Bad ids never get here: they are refused before anything is sent.
_OUTCOME_ERRORS = (AppStoreConnectError,)


class Builds(BuildJobs):
    """Build operations on a synchronous client: `client.builds`.

    The reads (`get`, `list`, `pages`, `find`) come from `resources.builds`; `apps`
    resolves bundle ids, shared with `client.apps` so that its cache is the client's.
    """

    def __init__(
        self, send: SyncSend, apps: Apps | None = None, clock: JobClock | None = None
    ) -> None:
        self._send = send
        self._apps = apps or Apps(send)
        self._clock = clock or JobClock()

    def apply(
        self,
        build_id: str,
        *,
        expired: bool | None = None,
        uses_non_exempt_encryption: bool | None = None,
        encryption_declaration_id: str | None = None,
        check_declaration: bool = True,
        current: BuildInfo | None = None,
        max_retries: int | None = None,
    ) -> UpdateResult:
        """Change several things in one PATCH and say whether anything changed.

        Only the arguments given are sent. A declaration is read first and refused
        (`DeclarationRefusedError`, nothing sent) when it does not exist, is another app's,
        or is REJECTED, INVALID or EXPIRED; `check_declaration=False` skips that. When that
        read, or `current` (the build as the caller just read it, e.g. from
        `wait_until_processed`), shows every requested value already held, nothing is sent.
        On a 409 the build is read again: when it already holds every requested value the
        result has `changed=False`; otherwise the `ConflictError` is raised, Apple's
        entries in it.
        """
        body = build_update_request(
            build_id,
            expired=expired,
            uses_non_exempt_encryption=uses_non_exempt_encryption,
            encryption_declaration_id=encryption_declaration_id,
        )
        change = RequestedChange(expired, uses_non_exempt_encryption, encryption_declaration_id)
        if encryption_declaration_id is not None and check_declaration:
            check = self.check_declaration(
                build_id, encryption_declaration_id, max_retries=max_retries
            )
            current = check.build
        if current is not None and current.id == build_id and not change.differences(current):
            # Read just now and already as asked: nothing to send (as fastlane answers
            # export compliance only when unanswered).
            return UpdateResult(build_id, current.build, changed=False)
        try:
            response = self._send(_operation(build_id, body), max_retries)
        except UnverifiedChangeError:
            raise
        except ResponseValidationError as error:
            # A 2xx the send path could not read (too large, undecodable): the PATCH's.
            raise _unreadable_change(error, build_id) from None
        except ConflictError as conflict:
            info = self.converge_after_conflict(build_id, change, conflict, max_retries)
            return UpdateResult(build_id, info.build, changed=False)
        return UpdateResult(build_id, parse_build(response, build_id), changed=True)

    def update(
        self,
        build_id: str,
        *,
        expired: bool | None = None,
        uses_non_exempt_encryption: bool | None = None,
        encryption_declaration_id: str | None = None,
        check_declaration: bool = True,
        max_retries: int | None = None,
    ) -> Build:
        """Change several things in one PATCH; only the arguments given are sent.

        Converges like `apply` (a build already holding the values is returned as it is).
        """
        result = self.apply(
            build_id,
            expired=expired,
            uses_non_exempt_encryption=uses_non_exempt_encryption,
            encryption_declaration_id=encryption_declaration_id,
            check_declaration=check_declaration,
            max_retries=max_retries,
        )
        return result.build

    def expire(self, build_id: str, *, max_retries: int | None = None) -> Build:
        """Expire the build, ending its TestFlight testing. It cannot be undone."""
        return self.update(build_id, expired=True, max_retries=max_retries)

    def set_uses_non_exempt_encryption(
        self, build_id: str, value: bool, *, max_retries: int | None = None
    ) -> Build:
        """Answer the export compliance question for this build."""
        return self.update(build_id, uses_non_exempt_encryption=value, max_retries=max_retries)

    def assign_encryption_declaration(
        self,
        build_id: str,
        declaration_id: str,
        *,
        check_declaration: bool = True,
        max_retries: int | None = None,
    ) -> Build:
        """Attach an app encryption declaration to the build, after checking it (see
        `apply`)."""
        return self.update(
            build_id,
            encryption_declaration_id=declaration_id,
            check_declaration=check_declaration,
            max_retries=max_retries,
        )

    def expire_many(
        self,
        build_ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_retries: int | None = None,
        on_outcome: OnOutcome | None = None,
    ) -> list[BuildOutcome]:
        """Expire each build; one outcome per id, in input order. Failures do not stop it.

        A malformed id, or a single string in place of a collection of ids, raises
        InvalidInputError before any request is sent. Up to `concurrency`
        requests run at once, on threads. `on_outcome` is called with each outcome as it
        completes, on the calling thread (progress reporting).

        Ctrl-C stops the batch: no request starts after it (no retry either), the ones in
        flight end their current attempt (within `attempt_timeout`; a second Ctrl-C stops
        waiting for them), `on_outcome` is called for every id that had no outcome yet, and
        `BatchInterrupted` (a KeyboardInterrupt) is raised with `outcomes`, one per id:
        "changed", "failed", or "not attempted".
        """
        _check_concurrency(concurrency)
        ids = _checked_ids(build_ids)
        if not ids:
            return []
        stop = threading.Event()

        def expire_one(build_id: str) -> BuildOutcome:
            context = BATCH_STOP.set(stop)
            try:
                result = self.apply(build_id, expired=True, max_retries=max_retries)
            except NotSent:
                return _not_attempted(build_id)
            except _OUTCOME_ERRORS as error:
                return BuildOutcome(build_id, error=error)
            finally:
                BATCH_STOP.reset(context)
            return BuildOutcome(build_id, build=result.build, changed=result.changed)

        outcomes: list[BuildOutcome | None] = [None] * len(ids)
        # Not `with ThreadPoolExecutor`: its exit waits for every queued id, so Ctrl-C
        # would go on sending them all.
        pool = ThreadPoolExecutor(max_workers=min(concurrency, len(ids)))
        futures: dict[Future[BuildOutcome], int] = {}
        try:
            for index, build_id in enumerate(ids):
                futures[pool.submit(expire_one, build_id)] = index
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


def _not_attempted(build_id: str) -> BuildOutcome:
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
                _not_attempted(build_id)
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


class AsyncBuilds(AsyncBuildJobs):
    """Build operations on an asyncio client: `client.builds`, every method awaitable."""

    def __init__(
        self, send: AsyncSend, apps: AsyncApps | None = None, clock: JobClock | None = None
    ) -> None:
        self._send = send
        self._apps = apps or AsyncApps(send)
        self._clock = clock or JobClock(sleep=asyncio.sleep)

    async def apply(
        self,
        build_id: str,
        *,
        expired: bool | None = None,
        uses_non_exempt_encryption: bool | None = None,
        encryption_declaration_id: str | None = None,
        check_declaration: bool = True,
        current: BuildInfo | None = None,
        max_retries: int | None = None,
    ) -> UpdateResult:
        """Change several things in one PATCH and say whether anything changed.

        Only the arguments given are sent. A declaration is read first and refused
        (`DeclarationRefusedError`, nothing sent) when it does not exist, is another app's,
        or is REJECTED, INVALID or EXPIRED; `check_declaration=False` skips that. When that
        read, or `current` (the build as the caller just read it, e.g. from
        `wait_until_processed`), shows every requested value already held, nothing is sent.
        On a 409 the build is read again: when it already holds every requested value the
        result has `changed=False`; otherwise the `ConflictError` is raised, Apple's
        entries in it.
        """
        body = build_update_request(
            build_id,
            expired=expired,
            uses_non_exempt_encryption=uses_non_exempt_encryption,
            encryption_declaration_id=encryption_declaration_id,
        )
        change = RequestedChange(expired, uses_non_exempt_encryption, encryption_declaration_id)
        if encryption_declaration_id is not None and check_declaration:
            check = await self.check_declaration(
                build_id, encryption_declaration_id, max_retries=max_retries
            )
            current = check.build
        if current is not None and current.id == build_id and not change.differences(current):
            # Read just now and already as asked: nothing to send (as fastlane answers
            # export compliance only when unanswered).
            return UpdateResult(build_id, current.build, changed=False)
        try:
            response = await self._send(_operation(build_id, body), max_retries)
        except UnverifiedChangeError:
            raise
        except ResponseValidationError as error:
            # A 2xx the send path could not read (too large, undecodable): the PATCH's.
            raise _unreadable_change(error, build_id) from None
        except ConflictError as conflict:
            info = await self.converge_after_conflict(build_id, change, conflict, max_retries)
            return UpdateResult(build_id, info.build, changed=False)
        return UpdateResult(build_id, parse_build(response, build_id), changed=True)

    async def update(
        self,
        build_id: str,
        *,
        expired: bool | None = None,
        uses_non_exempt_encryption: bool | None = None,
        encryption_declaration_id: str | None = None,
        check_declaration: bool = True,
        max_retries: int | None = None,
    ) -> Build:
        """Change several things in one PATCH; only the arguments given are sent.

        Converges like `apply` (a build already holding the values is returned as it is).
        """
        result = await self.apply(
            build_id,
            expired=expired,
            uses_non_exempt_encryption=uses_non_exempt_encryption,
            encryption_declaration_id=encryption_declaration_id,
            check_declaration=check_declaration,
            max_retries=max_retries,
        )
        return result.build

    async def expire(self, build_id: str, *, max_retries: int | None = None) -> Build:
        """Expire the build, ending its TestFlight testing. It cannot be undone."""
        return await self.update(build_id, expired=True, max_retries=max_retries)

    async def set_uses_non_exempt_encryption(
        self, build_id: str, value: bool, *, max_retries: int | None = None
    ) -> Build:
        """Answer the export compliance question for this build."""
        return await self.update(
            build_id, uses_non_exempt_encryption=value, max_retries=max_retries
        )

    async def assign_encryption_declaration(
        self,
        build_id: str,
        declaration_id: str,
        *,
        check_declaration: bool = True,
        max_retries: int | None = None,
    ) -> Build:
        """Attach an app encryption declaration to the build, after checking it (see
        `apply`)."""
        return await self.update(
            build_id,
            encryption_declaration_id=declaration_id,
            check_declaration=check_declaration,
            max_retries=max_retries,
        )

    async def expire_many(
        self,
        build_ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_retries: int | None = None,
        on_outcome: OnOutcome | None = None,
    ) -> list[BuildOutcome]:
        """Expire each build; one outcome per id, in input order. Failures do not stop it.

        A malformed id, or a single string in place of a collection of ids, raises
        InvalidInputError before any request is sent. Up to `concurrency`
        requests run at once. `on_outcome` is called with each outcome as it completes
        (progress reporting).

        Cancelling the task stops everything at once and re-raises CancelledError; before
        that, `on_outcome` is called for every id that had no outcome yet: "not attempted"
        or, for a request cut off in flight, "failed" with RequestAbandonedError.
        """
        _check_concurrency(concurrency)
        ids = _checked_ids(build_ids)
        semaphore = asyncio.Semaphore(concurrency)
        outcomes: dict[int, BuildOutcome] = {}
        started: set[int] = set()

        async def expire_one(index: int, build_id: str) -> BuildOutcome:
            async with semaphore:
                started.add(index)
                try:
                    result = await self.apply(build_id, expired=True, max_retries=max_retries)
                except _OUTCOME_ERRORS as error:
                    outcome = BuildOutcome(build_id, error=error)
                else:
                    outcome = BuildOutcome(build_id, build=result.build, changed=result.changed)
            outcomes[index] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
            return outcome

        try:
            return list(
                await asyncio.gather(
                    *(expire_one(index, build_id) for index, build_id in enumerate(ids))
                )
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
                        on_outcome(_not_attempted(build_id))
            raise
