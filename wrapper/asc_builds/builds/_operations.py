"""Everything `client.builds` does, written once as sans-I/O operations (see `_steps`).

`BuildOperations` holds a client's state for builds (its app lookups, its declaration
reads, its clock) and each method is a generator: it yields the API calls and waits it
needs and returns its result. `Builds` and `AsyncBuilds` (in `builds/__init__`) run these
same generators with the client's driver. The decisions themselves are plain code in
`asc_builds.jobs` (convergence, declaration rules, waits, expiry plans).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, Unpack

import attrs

from .._exceptions import (
    AmbiguousBuildError,
    AppStoreConnectError,
    BuildNotFoundError,
    ConflictError,
    InvalidInputError,
    ResponseValidationError,
    UnverifiedChangeError,
)
from .._logging import logger
from .._paging import PageWalk, check_max_items
from .._steps import Call, Steps
from ..apps import AppOperations
from ..encryption_declarations import DeclarationOperations
from ..jobs._clock import JobClock
from ..jobs._converge import RequestedChange, UpdateResult
from ..jobs._expiry import ExpiryPlan, PlanRecord, plan_expiry
from ..jobs._selector import Selector
from ..jobs._wait import OnProgress, PollSchedule, ProcessingWait, poll_until_processed
from ._batch import DEFAULT_CONCURRENCY, Batch, OnOutcome, check_concurrency, checked_ids
from ._batch_reads import change_batch
from ._declaration_check import DeclarationCheck, build_for_check, checked_declaration
from ._info import BuildInfo
from ._reads import (
    DEFAULT_INCLUDE,
    BuildFilters,
    Fields,
    ReadOptions,
    RelatedFields,
    build_get_operation,
    build_list_operation,
    parse_build_info,
    parse_builds_page,
)
from ._update import build_update_request, parse_build, unreadable_change, update_operation

if TYPE_CHECKING:
    from asc_builds_generated.models import Build

__all__ = ["DEFAULT_WAIT_TIMEOUT", "BuildOperations", "DeclarationCheck"]

P = ParamSpec("P")

DEFAULT_WAIT_TIMEOUT = 30 * 60.0
# `find` reads a few more than one build: enough to tell "exactly one" from "several"
# and list them, without paging through a whole app's history.
_FIND_CANDIDATES = 20
_PLAN_FIELDS = ("version", "uploadedDate", "expired", "processingState")


def _the_build(apply: Callable[P, Steps[UpdateResult]], doc: str) -> Callable[P, Steps[Build]]:
    """`apply` returning the `Build` alone: the changes that do not say what changed."""

    @functools.wraps(apply)
    def change(*args: P.args, **kwargs: P.kwargs) -> Steps[Build]:
        result = yield from apply(*args, **kwargs)
        return result.build

    change.__name__ = change.__qualname__ = "update"
    change.__doc__ = doc
    return change


class BuildOperations:
    """The operations of `client.builds`; see the module docstring."""

    def __init__(
        self,
        apps: AppOperations,
        declarations: DeclarationOperations,
        clock: JobClock,
    ) -> None:
        self.apps = apps
        self.declarations = declarations
        self._clock = clock

    # -- reads -------------------------------------------------------------------------

    def get(
        self,
        build_id: str,
        *,
        include: Iterable[str] = DEFAULT_INCLUDE,
        fields: Fields = None,
        related_fields: RelatedFields = None,
        max_retries: int | None = None,
    ) -> Steps[BuildInfo]:
        """Read one build. `include` names related resources to include (by default its
        `preReleaseVersion`, which carries the marketing version). `fields` asks only for
        these of its attributes and relationships (`fields[builds]`, e.g. `("expired",)`;
        those in `include` are added), the others read as None; `related_fields` likewise
        for included resources: `{"preReleaseVersions": ["version"]}`."""
        fieldsets: dict[str, Any] = {"fields": fields, "related_fields": related_fields}
        operation = build_get_operation(build_id, include=include, **fieldsets)
        info = parse_build_info((yield Call(operation, max_retries)), build_id)
        return attrs.evolve(info, declaration_read="appEncryptionDeclaration" in include)

    def list(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str | None = None,
        expired: bool | None = None,
        processing_state: str | Iterable[str] | None = None,
        sort: str | Iterable[str] | None = None,
        include: Iterable[str] = DEFAULT_INCLUDE,
        fields: Fields = None,
        related_fields: RelatedFields = None,
        max_items: int | None = None,
        max_retries: int | None = None,
    ) -> Steps[PageWalk[BuildInfo]]:
        """Builds matching every criterion given, page after page as iteration goes on.

        `pages` takes the same criteria and yields the pages themselves, each with Apple's
        `total` (matches across all pages) and `next_url`.

        `bundle_id` (resolved to the app once per client) or `app_id`; `marketing_version`
        is `CFBundleShortVersionString` ("2.1.0"), `build_number` is `CFBundleVersion`
        ("345"); `processing_state` is one of `PROCESSING_STATES` or several; `sort` is
        one of `SORT_VALUES` (e.g. "-uploadedDate", newest first); `fields` and
        `related_fields` as in `get` (a build listed whole is about 3.4 KB). All is checked
        (InvalidInputError, a ValueError) before anything is sent. On the sync client a
        bundle id is resolved when `list` is called and the first page is requested when
        iteration starts; on the asyncio client both happen once iteration starts."""
        check_max_items(max_items)
        filters = yield from self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            expired=expired,
            processing_state=processing_state,
            sort=sort,
            include=include,
            fields=fields,
            related_fields=related_fields,
        )
        first = build_list_operation(filters, max_items=max_items)
        return PageWalk(first, parse_builds_page, max_retries=max_retries, max_items=max_items)

    def find(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str,
        include: Iterable[str] = DEFAULT_INCLUDE,
        fields: Fields = None,
        related_fields: RelatedFields = None,
        max_retries: int | None = None,
    ) -> Steps[BuildInfo]:
        """The one build with this build number (`CFBundleVersion`) in this app, optionally
        within one marketing version (`CFBundleShortVersionString`); `fields` and
        `related_fields` as in `get`. The build found knows its app (`app_id`). Raises
        BuildNotFoundError naming the criteria, or AmbiguousBuildError listing the
        candidates (the same build number under several marketing versions)."""
        if bundle_id is None and app_id is None:
            raise InvalidInputError("find needs bundle_id or app_id")
        filters = yield from self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            include=include,
            fields=fields,
            related_fields=related_fields,
        )
        first = build_list_operation(filters, max_items=_FIND_CANDIDATES)
        walk = PageWalk(
            first, parse_builds_page, max_retries=max_retries, max_items=_FIND_CANDIDATES
        )
        candidates = yield from walk.all_items()
        criteria = filters.criteria(**({} if bundle_id is None else {"bundle_id": bundle_id}))
        if not candidates:
            raise BuildNotFoundError(criteria)
        if len(candidates) > 1:
            raise AmbiguousBuildError(criteria, tuple(candidates))
        # Listed under `filter[app]`: the build is that app's.
        held = "appEncryptionDeclaration" in filters.include
        return attrs.evolve(candidates[0], listed_app_id=filters.app_id, declaration_read=held)

    def _filters(
        self, bundle_id: str | None, app_id: str | None, **given: Any
    ) -> Steps[BuildFilters]:
        if bundle_id is not None and app_id is not None:
            raise InvalidInputError("give bundle_id or app_id, not both")
        filters = BuildFilters.checked(app_id=app_id, **given)
        if bundle_id is not None:
            app = yield from self.apps.find(bundle_id=bundle_id)
            filters = attrs.evolve(filters, app_id=app.id)
        return filters

    # -- changes -----------------------------------------------------------------------

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
    ) -> Steps[UpdateResult]:
        """Change several things in one PATCH and say whether anything changed.

        Only the arguments given are sent. A declaration is checked first (the build with its
        app and declaration is read, then the declaration unless the build holds it) and
        refused (`DeclarationRefusedError`, nothing sent) unless it exists, is the build's app's
        and is CREATED, IN_REVIEW or APPROVED; `check_declaration=False` skips that.
        `current` is the build as the caller just read it (from `find`, `wait_until_processed`):
        when it holds every requested value nothing is sent, and when it knows its app (found
        by app, or with `include=("app", ...)`) and its declaration (`include` had
        `appEncryptionDeclaration`) the check does not read it again. On a
        409 the build is read again: when it holds every requested value the result has
        `changed=False`; otherwise the `ConflictError` is raised, Apple's entries in it.
        """
        body = build_update_request(
            build_id,
            expired=expired,
            uses_non_exempt_encryption=uses_non_exempt_encryption,
            encryption_declaration_id=encryption_declaration_id,
        )
        change = RequestedChange(expired, uses_non_exempt_encryption, encryption_declaration_id)
        if encryption_declaration_id is not None and check_declaration:
            current = yield from build_for_check(self.get, build_id, current, max_retries)
            if current.encryption_declaration_id != encryption_declaration_id:
                yield from checked_declaration(
                    self.declarations, current, encryption_declaration_id, max_retries
                )
        if current is not None and current.id == build_id and not change.differences(current):
            # Read just now and already as asked: nothing to send (as fastlane answers
            # export compliance only when unanswered).
            return UpdateResult(build_id, current.build, changed=False)
        try:
            response = yield Call(update_operation(build_id, body), max_retries)
        except UnverifiedChangeError:
            raise
        except ResponseValidationError as error:
            # A 2xx the send path could not read (too large, undecodable): the PATCH's.
            raise unreadable_change(error, build_id) from None
        except ConflictError as conflict:
            info = yield from self._converge_after_conflict(build_id, change, conflict, max_retries)
            return UpdateResult(build_id, info.build, changed=False)
        return UpdateResult(build_id, parse_build(response, build_id), changed=True)

    update = _the_build(
        apply,
        """Change several things in one PATCH; only the arguments given are sent.

        Converges like `apply`, and returns the `Build` instead of an `UpdateResult` (a
        build already holding the values is returned as it is).""",
    )

    def expire(self, build_id: str, *, max_retries: int | None = None) -> Steps[Build]:
        """Expire the build, ending its TestFlight testing. It cannot be undone."""
        return (yield from self.update(build_id, expired=True, max_retries=max_retries))

    def set_uses_non_exempt_encryption(
        self, build_id: str, value: bool, *, max_retries: int | None = None
    ) -> Steps[Build]:
        """Answer the export compliance question for this build."""
        change = self.update(build_id, uses_non_exempt_encryption=value, max_retries=max_retries)
        return (yield from change)

    def assign_encryption_declaration(
        self,
        build_id: str,
        declaration_id: str,
        *,
        check_declaration: bool = True,
        max_retries: int | None = None,
    ) -> Steps[Build]:
        """Attach an app encryption declaration to the build, after checking it (see
        `apply`)."""
        change = self.update(
            build_id,
            encryption_declaration_id=declaration_id,
            check_declaration=check_declaration,
            max_retries=max_retries,
        )
        return (yield from change)

    def _converge_after_conflict(
        self,
        build_id: str,
        change: RequestedChange,
        conflict: ConflictError,
        max_retries: int | None,
    ) -> Steps[BuildInfo]:
        """After a 409: the build when it already holds `change`, else raise `conflict`."""
        try:
            info = yield from self.get(
                build_id, include=change.read_include, max_retries=max_retries
            )
        except AppStoreConnectError as error:
            conflict.add_note(
                f"re-reading build {build_id} to see whether it already held the requested "
                f"values failed: {error}"
            )
            raise conflict from error
        differences = change.differences(info)
        if differences:
            conflict.add_note(
                f"build {build_id} does not hold the requested values: " + "; ".join(differences)
            )
            raise conflict
        logger.info("build %s already holds the requested values: nothing changed", build_id)
        return info

    def expire_many(
        self,
        build_ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_retries: int | None = None,
        on_outcome: OnOutcome | None = None,
        keep_builds: bool = False,
    ) -> Batch:
        """Expire each build; one outcome per id, in input order. Failures do not stop it.
        The builds are read first, 100 a request (`GET /v1/builds?filter[id]=...`): one
        already expired is "already", one not returned fails with `BuildNotFoundError`;
        only the others get a PATCH. Outcomes keep a compact `build` unless `keep_builds`.

        A malformed id, or a single string in place of a collection of ids, raises
        InvalidInputError before any request is sent. Up to `concurrency` requests run at
        once (threads on the sync client, tasks on the asyncio client). `on_outcome` is
        called with each outcome as it completes (on the calling thread: progress
        reporting).

        Sync client: Ctrl-C stops the batch: no request starts after it (no retry either),
        the ones in flight end their current attempt (within `attempt_timeout`; a second
        Ctrl-C stops waiting for them), `on_outcome` is called for every id that had no
        outcome yet, and `BatchInterrupted` (a KeyboardInterrupt) is raised with
        `outcomes`, one per id: "changed", "failed", or "not attempted".

        Asyncio client: cancelling the task stops everything at once and re-raises
        CancelledError; before that, `on_outcome` is called for every id that had no
        outcome yet: "not attempted" or, for a request cut off in flight, "failed" with
        RequestAbandonedError.
        """
        check_concurrency(concurrency)
        ids = checked_ids(build_ids)
        change, apply = RequestedChange(expired=True), self.apply
        return change_batch(ids, change, apply, concurrency, max_retries, on_outcome, keep_builds)

    # -- jobs --------------------------------------------------------------------------

    def check_declaration(
        self,
        build_id: str,
        declaration_id: str,
        *,
        current: BuildInfo | None = None,
        max_retries: int | None = None,
    ) -> Steps[DeclarationCheck]:
        """Read the build (unless `current` is it and knows its app) and the declaration:
        raise `DeclarationRefusedError` (nothing sent) unless the declaration exists, the
        answer is about it, it and the build name the same app, and its state is CREATED,
        IN_REVIEW or APPROVED (anything else, a state Apple has not documented or none, is
        refused). Returns its state and the build as read."""
        build = yield from build_for_check(self.get, build_id, current, max_retries)
        declarations = self.declarations
        state = yield from checked_declaration(declarations, build, declaration_id, max_retries)
        return DeclarationCheck(state, build)

    def select(self, selector: Selector, **read: Unpack[ReadOptions]) -> Steps[BuildInfo]:
        """The build `selector` names (`find` by app, or `get` by id), read as `get` reads."""
        if selector.build_id is not None:
            return (yield from self.get(selector.build_id, **read))
        return (
            yield from self.find(
                bundle_id=selector.bundle_id,
                app_id=selector.app_id,
                marketing_version=selector.marketing_version,
                build_number=selector.build_number or "",
                **read,
            )
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
        **read: Unpack[ReadOptions],
    ) -> Steps[BuildInfo]:
        """Poll until App Store Connect has processed the build; returns it when `VALID`.

        Name it by `build_id`, or by `bundle_id` (or `app_id`) and `build_number`
        (CFBundleVersion), optionally within `marketing_version` (CFBundleShortVersionString):
        a build just uploaded may not be listed yet, and is looked for until `timeout`
        (seconds), a hard bound: every poll's call, its retries and its waits for the
        hourly budget end within the time left. A poll that meets a 5xx, a 429 (its
        Retry-After honoured within the time left) or a dropped connection is missed, not
        the end of the wait; any other error (a 404 for a build named by id) ends it.
        Raises `ProcessingFailedError` (FAILED or INVALID, with the state) or
        `WaitTimeoutError` (with the last state seen and the time waited). Polls grow from
        15 s to a minute apart, within 10% (`schedule`), never faster than the hourly
        budget allows; `on_progress` gets a `WaitProgress` after every poll. `read`: as `get`.
        """
        selector = Selector(build_id, bundle_id, app_id, marketing_version, build_number)
        clock = self._clock
        budget = clock.budget
        wait = ProcessingWait(
            timeout=timeout,
            schedule=schedule or PollSchedule(),
            now=clock.now,
            random=clock.random,
            budget=None if budget is None else (lambda: budget.status(clock.now())),
            budget_window=3600.0 if budget is None else budget.window,
            on_progress=on_progress,
            describe=selector.describe(),
        )

        def lookup() -> Steps[BuildInfo | None]:
            try:
                return (yield from self.select(selector, **read))
            except BuildNotFoundError:
                return None

        return (yield from poll_until_processed(lookup, wait))

    def plan_expiry(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        older_than: datetime.timedelta,
        keep_latest: int,
        marketing_version: str | None = None,
        max_retries: int | None = None,
    ) -> Steps[ExpiryPlan]:
        """Which builds of the app to expire and why each other one is kept (see
        `asc_builds.jobs.plan_expiry` for the rules). Apply it with
        `expire_many(plan.ids)`."""
        now = self._clock.utcnow()
        if bundle_id is None and app_id is None:
            raise InvalidInputError("plan_expiry needs bundle_id or app_id")
        # Checked again below; here so that nothing is listed for bad options.
        plan_expiry([], now=now, older_than=older_than, keep_latest=keep_latest)
        walk = yield from self.list(
            bundle_id=bundle_id,
            app_id=app_id,
            marketing_version=marketing_version,
            expired=False,
            fields=_PLAN_FIELDS,
            related_fields={"preReleaseVersions": ("version",)},
            max_retries=max_retries,
        )
        records: list[PlanRecord] = []
        while (page := (yield from walk.next_page())) is not None:
            records.extend(map(PlanRecord.of, page.items))
        return plan_expiry(
            records,
            now=now,
            older_than=older_than,
            keep_latest=keep_latest,
            marketing_version=marketing_version,
        )
