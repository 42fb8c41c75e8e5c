"""The jobs on `client.builds`: wait for processing, plan expiry, check a declaration.

`BuildJobs` and `AsyncBuildJobs` are thin shells: each method reads through the client's
reads (`get`, `find`, `list`) and leaves every decision to the plain code of this package
(`ProcessingWait`, `plan_expiry`, `refusal`, `RequestedChange`).
"""

from __future__ import annotations

import datetime
import random as _random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from .._budget import RateBudget
from .._exceptions import (
    AppStoreConnectError,
    BuildNotFoundError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from .._logging import logger
from ..resources.builds import AsyncBuildReads, BuildInfo, BuildReads
from ..resources.encryption_declarations import (
    AsyncEncryptionDeclarations,
    EncryptionDeclarations,
)
from ._converge import RequestedChange
from ._declaration import refusal
from ._expiry import ExpiryPlan, plan_expiry
from ._wait import OnProgress, PollSchedule, ProcessingWait, wait_async, wait_sync

__all__ = ["AsyncBuildJobs", "BuildJobs", "DeclarationCheck", "JobClock", "Selector"]

DEFAULT_WAIT_TIMEOUT = 30 * 60.0


@attrs.frozen
class JobClock:
    """The client's clock, sleep, jitter source and budget, for jobs that wait."""

    now: Callable[[], float] = time.time
    sleep: Callable[[float], Any] = time.sleep
    random: Callable[[], float] = _random.random
    budget: RateBudget | None = None

    def utcnow(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.now(), tz=datetime.UTC)


@attrs.frozen
class DeclarationCheck:
    """A declaration found fit for a build: its state, and the build as read for the check
    (with its app and its current declaration)."""

    state: str | None
    build: BuildInfo


_CHECK_INCLUDE = ("app", "appEncryptionDeclaration")


@attrs.frozen
class Selector:
    """A build named by id, or by app (bundle id or app id) and build number, optionally
    within a marketing version."""

    build_id: str | None = None
    bundle_id: str | None = None
    app_id: str | None = None
    marketing_version: str | None = None
    build_number: str | None = None

    def __attrs_post_init__(self) -> None:
        by_criteria = (self.bundle_id, self.app_id, self.marketing_version, self.build_number)
        if self.build_id is not None:
            if any(value is not None for value in by_criteria):
                raise InvalidInputError(
                    "name the build by its id or by bundle id, marketing version and build "
                    "number, not both"
                )
            return
        if self.bundle_id is None and self.app_id is None:
            raise InvalidInputError("name the build by its id, or give a bundle id or app id")
        if self.build_number is None:
            raise InvalidInputError(
                "a build number (CFBundleVersion) is needed to name a build by its app"
            )

    def describe(self) -> str:
        if self.build_id is not None:
            return f"build {self.build_id}"
        app = self.bundle_id or f"app {self.app_id}"
        version = f" {self.marketing_version}" if self.marketing_version else ""
        return f"build {self.build_number} of {app}{version}"


def _log_already(build_id: str) -> None:
    logger.info("build %s already holds the requested values: nothing changed", build_id)


def _unresolved(conflict: ConflictError, build_id: str, differences: list[str]) -> None:
    conflict.add_note(
        f"build {build_id} does not hold the requested values: " + "; ".join(differences)
    )


def _reread_failed(conflict: ConflictError, build_id: str, error: BaseException) -> None:
    conflict.add_note(
        f"re-reading build {build_id} to see whether it already held the requested values "
        f"failed: {error}"
    )


class BuildJobs(BuildReads):
    """Jobs of `client.builds` on a synchronous client."""

    _clock: JobClock

    def converge_after_conflict(
        self,
        build_id: str,
        change: RequestedChange,
        conflict: ConflictError,
        max_retries: int | None,
    ) -> BuildInfo:
        """After a 409: the build when it already holds `change`, else raise `conflict`."""
        try:
            info = self.get(build_id, include=change.read_include, max_retries=max_retries)
        except AppStoreConnectError as error:
            _reread_failed(conflict, build_id, error)
            raise conflict from error
        differences = change.differences(info)
        if differences:
            _unresolved(conflict, build_id, differences)
            raise conflict
        _log_already(build_id)
        return info

    def check_declaration(
        self, build_id: str, declaration_id: str, *, max_retries: int | None = None
    ) -> DeclarationCheck:
        """Read the declaration and the build: raise `DeclarationRefusedError` (nothing
        sent) unless the declaration exists, is the build's app's, and is not REJECTED,
        INVALID or EXPIRED. Returns its state and the build as read."""
        try:
            declaration = EncryptionDeclarations(self._send).get(
                declaration_id, max_retries=max_retries
            )
        except NotFoundError:
            declaration = None
        build = self.get(build_id, include=_CHECK_INCLUDE, max_retries=max_retries)
        problem = refusal(
            declaration,
            build_id=build_id,
            declaration_id=declaration_id,
            build_app_id=build.app_id,
        )
        if problem is not None:
            raise problem
        return DeclarationCheck(None if declaration is None else _state(declaration), build)

    def select(self, selector: Selector, *, max_retries: int | None = None) -> BuildInfo:
        """The build `selector` names (`find` by app, or `get` by id)."""
        if selector.build_id is not None:
            return self.get(selector.build_id, max_retries=max_retries)
        return self.find(
            bundle_id=selector.bundle_id,
            app_id=selector.app_id,
            marketing_version=selector.marketing_version,
            build_number=selector.build_number or "",
            max_retries=max_retries,
        )

    def wait_until_processed(
        self,
        build_id: str | None = None,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        schedule: PollSchedule | None = None,
        on_progress: OnProgress | None = None,
        max_retries: int | None = None,
    ) -> BuildInfo:
        """Poll until App Store Connect has processed the build; returns it when `VALID`.

        Name it by `build_id`, or by `bundle_id` (or `app_id`) and `build_number`
        (CFBundleVersion), optionally within `marketing_version` (CFBundleShortVersionString):
        a build just uploaded may not be listed yet, and is looked for until `timeout`
        (seconds). Raises `ProcessingFailedError` (FAILED or INVALID, with the state) or
        `WaitTimeoutError` (with the last state seen and the time waited). Polls grow from
        5 s to a minute apart with jitter (`schedule`), never faster than the hourly
        budget allows; `on_progress` gets a `WaitProgress` after every poll.
        """
        selector = Selector(build_id, bundle_id, app_id, marketing_version, build_number)
        clock = self._clock
        wait = _processing_wait(clock, selector, timeout, schedule, on_progress)

        def lookup() -> BuildInfo | None:
            try:
                return self.select(selector, max_retries=max_retries)
            except BuildNotFoundError:
                return None

        return wait_sync(lookup, wait, clock.sleep)

    def plan_expiry(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        older_than: datetime.timedelta,
        keep_latest: int,
        marketing_version: str | None = None,
        max_retries: int | None = None,
    ) -> ExpiryPlan:
        """Which builds of the app to expire and why each other one is kept (see
        `asc_builds.jobs.plan_expiry` for the rules). Apply it with
        `expire_many(plan.ids)`."""
        now = self._clock.utcnow()
        _check_plan_options(bundle_id, app_id, older_than, keep_latest)
        builds = self.list(
            bundle_id=bundle_id,
            app_id=app_id,
            marketing_version=marketing_version,
            max_retries=max_retries,
        )
        return plan_expiry(
            builds,
            now=now,
            older_than=older_than,
            keep_latest=keep_latest,
            marketing_version=marketing_version,
        )


class AsyncBuildJobs(AsyncBuildReads):
    """The asyncio twin of `BuildJobs`."""

    _clock: JobClock

    async def converge_after_conflict(
        self,
        build_id: str,
        change: RequestedChange,
        conflict: ConflictError,
        max_retries: int | None,
    ) -> BuildInfo:
        try:
            info = await self.get(build_id, include=change.read_include, max_retries=max_retries)
        except AppStoreConnectError as error:
            _reread_failed(conflict, build_id, error)
            raise conflict from error
        differences = change.differences(info)
        if differences:
            _unresolved(conflict, build_id, differences)
            raise conflict
        _log_already(build_id)
        return info

    async def check_declaration(
        self, build_id: str, declaration_id: str, *, max_retries: int | None = None
    ) -> DeclarationCheck:
        """See `AppStoreConnect.builds.check_declaration`."""
        try:
            declaration = await AsyncEncryptionDeclarations(self._send).get(
                declaration_id, max_retries=max_retries
            )
        except NotFoundError:
            declaration = None
        build = await self.get(build_id, include=_CHECK_INCLUDE, max_retries=max_retries)
        problem = refusal(
            declaration,
            build_id=build_id,
            declaration_id=declaration_id,
            build_app_id=build.app_id,
        )
        if problem is not None:
            raise problem
        return DeclarationCheck(None if declaration is None else _state(declaration), build)

    async def select(self, selector: Selector, *, max_retries: int | None = None) -> BuildInfo:
        if selector.build_id is not None:
            return await self.get(selector.build_id, max_retries=max_retries)
        return await self.find(
            bundle_id=selector.bundle_id,
            app_id=selector.app_id,
            marketing_version=selector.marketing_version,
            build_number=selector.build_number or "",
            max_retries=max_retries,
        )

    async def wait_until_processed(
        self,
        build_id: str | None = None,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        schedule: PollSchedule | None = None,
        on_progress: OnProgress | None = None,
        max_retries: int | None = None,
    ) -> BuildInfo:
        """See `AppStoreConnect.builds.wait_until_processed`."""
        selector = Selector(build_id, bundle_id, app_id, marketing_version, build_number)
        clock = self._clock
        wait = _processing_wait(clock, selector, timeout, schedule, on_progress)

        async def lookup() -> BuildInfo | None:
            try:
                return await self.select(selector, max_retries=max_retries)
            except BuildNotFoundError:
                return None

        sleep: Callable[[float], Awaitable[None]] = clock.sleep
        return await wait_async(lookup, wait, sleep)

    async def plan_expiry(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        older_than: datetime.timedelta,
        keep_latest: int,
        marketing_version: str | None = None,
        max_retries: int | None = None,
    ) -> ExpiryPlan:
        """See `AppStoreConnect.builds.plan_expiry`."""
        now = self._clock.utcnow()
        _check_plan_options(bundle_id, app_id, older_than, keep_latest)
        builds = [
            build
            async for build in self.list(
                bundle_id=bundle_id,
                app_id=app_id,
                marketing_version=marketing_version,
                max_retries=max_retries,
            )
        ]
        return plan_expiry(
            builds,
            now=now,
            older_than=older_than,
            keep_latest=keep_latest,
            marketing_version=marketing_version,
        )


def _state(declaration: Any) -> str | None:
    from ._declaration import declaration_state

    return declaration_state(declaration)


def _check_plan_options(
    bundle_id: str | None, app_id: str | None, older_than: object, keep_latest: object
) -> None:
    if bundle_id is None and app_id is None:
        raise InvalidInputError("plan_expiry needs bundle_id or app_id")
    # Checked again by plan_expiry; here so that nothing is listed for bad options.
    plan_expiry(
        [],
        now=datetime.datetime.now(datetime.UTC),
        older_than=older_than,  # type: ignore[arg-type]
        keep_latest=keep_latest,  # type: ignore[arg-type]
    )


def _processing_wait(
    clock: JobClock,
    selector: Selector,
    timeout: float,
    schedule: PollSchedule | None,
    on_progress: OnProgress | None,
) -> ProcessingWait:
    budget = clock.budget
    return ProcessingWait(
        timeout=timeout,
        schedule=schedule or PollSchedule(),
        now=clock.now,
        random=clock.random,
        budget=None if budget is None else (lambda: budget.status(clock.now())),
        budget_window=3600.0 if budget is None else budget.window,
        on_progress=on_progress,
        describe=selector.describe(),
    )
