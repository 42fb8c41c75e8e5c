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
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
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

from ._exceptions import (
    AppStoreConnectError,
    BudgetExhaustedError,
    ConflictError,
    InvalidInputError,
    UnverifiedChangeError,
)
from ._headers import request_id
from ._ids import validate_id
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
    changed), "failed", or "not attempted" (nothing was sent for it: the hourly budget
    needed a longer wait than allowed). `ok` is true for "changed" and "already": the build
    ended in the requested state.
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
        if isinstance(self.error, BudgetExhaustedError):
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


def parse_build(response: httpx.Response, build_id: str) -> Build:
    """The `Build` from a 2xx answer to the PATCH of `build_id`.

    The generated models already read leniently (the read rule of scripts/regen/lenient.py),
    so a body that still fails here is not a BuildResponse at all. Apple has applied the
    change by then: UnverifiedChangeError says so, with the raw body, instead of reporting
    the PATCH as failed.
    """
    try:
        document = response.json()
        if not isinstance(document, dict):
            raise TypeError(f"the body is a JSON {type(document).__name__}, not an object")
        return BuildResponse.from_dict(document).data
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        rid = request_id(response.headers)
        suffix = f" [request id {rid}]" if rid else ""
        raise UnverifiedChangeError(
            f"App Store Connect answered {response.status_code} to the change of build "
            f"{build_id}, so the change was applied, but the response is not a readable "
            f"BuildResponse ({type(error).__name__}: {error}); re-read the build to see its "
            f"state{suffix}",
            build_id=build_id,
            status_code=response.status_code,
            request_id=rid,
            body=response.content,
        ) from error


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
            build = parse_build(self._send(_operation(build_id, body), max_retries), build_id)
        except ConflictError as conflict:
            info = self.converge_after_conflict(build_id, change, conflict, max_retries)
            return UpdateResult(build_id, info.build, changed=False)
        return UpdateResult(build_id, build, changed=True)

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
        """
        _check_concurrency(concurrency)
        ids = _checked_ids(build_ids)

        def expire_one(build_id: str) -> BuildOutcome:
            try:
                result = self.apply(build_id, expired=True, max_retries=max_retries)
            except _OUTCOME_ERRORS as error:
                return BuildOutcome(build_id, error=error)
            return BuildOutcome(build_id, build=result.build, changed=result.changed)

        if not ids:
            return []
        outcomes: list[BuildOutcome | None] = [None] * len(ids)
        with ThreadPoolExecutor(max_workers=min(concurrency, len(ids))) as pool:
            futures = {
                pool.submit(expire_one, build_id): index for index, build_id in enumerate(ids)
            }
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[futures[future]] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
        return [outcome for outcome in outcomes if outcome is not None]


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
            build = parse_build(await self._send(_operation(build_id, body), max_retries), build_id)
        except ConflictError as conflict:
            info = await self.converge_after_conflict(build_id, change, conflict, max_retries)
            return UpdateResult(build_id, info.build, changed=False)
        return UpdateResult(build_id, build, changed=True)

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
        """
        _check_concurrency(concurrency)
        ids = _checked_ids(build_ids)
        semaphore = asyncio.Semaphore(concurrency)

        async def expire_one(build_id: str) -> BuildOutcome:
            async with semaphore:
                try:
                    result = await self.apply(build_id, expired=True, max_retries=max_retries)
                except _OUTCOME_ERRORS as error:
                    outcome = BuildOutcome(build_id, error=error)
                else:
                    outcome = BuildOutcome(build_id, build=result.build, changed=result.changed)
            if on_outcome is not None:
                on_outcome(outcome)
            return outcome

        return list(await asyncio.gather(*(expire_one(build_id) for build_id in ids)))
