"""Reading builds: `GET /v1/builds/{id}` and `GET /v1/builds` (get, list, pages, find).

Two numbers name a build, and Apple's names for them are easy to mix up:

- the build number, `CFBundleVersion`, is `Build.attributes.version` ("345");
- the marketing version, `CFBundleShortVersionString`, is the version of the build's
  pre-release version, `preReleaseVersion.attributes.version` ("2.1.0").

`BuildInfo` gives both under names that cannot be confused: `build_number` and
`marketing_version`. Request building and parsing live here as plain functions; the
sync and async surfaces (`BuildReads`, `AsyncBuildReads`) only send and iterate.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from asc_builds_generated.types import UNSET, Unset

from .._exceptions import AmbiguousBuildError, BuildNotFoundError, InvalidInputError
from .._ids import validate_id
from .._paging import (
    Page,
    async_iter_items,
    async_iter_pages,
    check_max_items,
    iter_items,
    iter_pages,
    page_size,
)
from ._common import (
    AsyncSend,
    SyncSend,
    check_filter_value,
    check_one_of,
    operation_with_query,
    parse_document,
)
from .apps import Apps, AsyncApps

# The generated operations and models are imported in the functions that use them:
# `import asc_builds` then loads none of them (start-up time of the command line).
if TYPE_CHECKING:
    from asc_builds_generated.models import AppEncryptionDeclaration, Build, PrereleaseVersion

__all__ = [
    "DEFAULT_INCLUDE",
    "INCLUDE_VALUES",
    "PROCESSING_STATES",
    "SORT_VALUES",
    "AsyncBuildReads",
    "BuildFilters",
    "BuildInfo",
    "BuildReads",
    "build_get_operation",
    "build_list_operation",
    "parse_build_info",
    "parse_builds_page",
]

# The values the pinned spec allows (a test keeps them equal to the generated enums).
# Spelled out so that importing the SDK does not load the generated operations.
PROCESSING_STATES = ("FAILED", "INVALID", "PROCESSING", "VALID")
SORT_VALUES = (
    "preReleaseVersion",
    "-preReleaseVersion",
    "uploadedDate",
    "-uploadedDate",
    "version",
    "-version",
)
INCLUDE_VALUES = (
    "app",
    "appEncryptionDeclaration",
    "appStoreVersion",
    "betaAppReviewSubmission",
    "betaBuildLocalizations",
    "betaGroups",
    "buildBetaDetail",
    "buildBundles",
    "buildUpload",
    "icons",
    "individualTesters",
    "preReleaseVersion",
)
# The marketing version lives on the pre-release version: include it by default, so that
# every build read says which "2.1.0" it belongs to.
DEFAULT_INCLUDE: tuple[str, ...] = ("preReleaseVersion",)
_PRE_RELEASE_VERSION = "preReleaseVersion"


def _set(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def _linked_id(relationship: Any) -> str | None:
    """The id in a to-one relationship's `data` (present when the request included it)."""
    data = _set(getattr(relationship, "data", None)) if relationship is not None else None
    linked = _set(getattr(data, "id", None)) if data is not None else None
    return linked if isinstance(linked, str) else None


@attrs.frozen
class BuildInfo:
    """A build as read, with the values people look builds up by under unambiguous names.

    `build` is the generated model with everything Apple sent; `pre_release_version` and
    `encryption_declaration` are the included resources, when the request included them.
    """

    build: Build
    pre_release_version: PrereleaseVersion | None = None
    encryption_declaration: AppEncryptionDeclaration | None = None

    @property
    def id(self) -> str:
        return self.build.id

    @property
    def _attributes(self) -> Any:
        return _set(self.build.attributes)

    def _attribute(self, name: str) -> Any:
        attributes = self._attributes
        return None if attributes is None else _set(getattr(attributes, name))

    @property
    def build_number(self) -> str | None:
        """The build number, `CFBundleVersion` ("345"): Apple's `Build.attributes.version`."""
        value = self._attribute("version")
        return value if isinstance(value, str) else None

    @property
    def marketing_version(self) -> str | None:
        """The marketing version, `CFBundleShortVersionString` ("2.1.0"): the version of the
        build's `preReleaseVersion`. None unless the request included `preReleaseVersion`."""
        if self.pre_release_version is None:
            return None
        attributes = _set(self.pre_release_version.attributes)
        value = None if attributes is None else _set(attributes.version)
        return value if isinstance(value, str) else None

    @property
    def uploaded_date(self) -> datetime.datetime | None:
        value = self._attribute("uploaded_date")
        return value if isinstance(value, datetime.datetime) else None

    @property
    def expiration_date(self) -> datetime.datetime | None:
        value = self._attribute("expiration_date")
        return value if isinstance(value, datetime.datetime) else None

    @property
    def expired(self) -> bool | None:
        value = self._attribute("expired")
        return value if isinstance(value, bool) else None

    @property
    def processing_state(self) -> str | None:
        """`PROCESSING`, `FAILED`, `INVALID`, `VALID`, or a value Apple added later."""
        value = self._attribute("processing_state")
        return None if value is None else str(value)

    @property
    def uses_non_exempt_encryption(self) -> bool | None:
        """The export compliance answer; None while unanswered."""
        value = self._attribute("uses_non_exempt_encryption")
        return value if isinstance(value, bool) else None

    @property
    def app_id(self) -> str | None:
        """The app's id, when the response carried the relationship's data."""
        return _linked_id(_set(getattr(_set(self.build.relationships), "app", None)))

    @property
    def encryption_declaration_id(self) -> str | None:
        """The assigned declaration's id, when the request included `appEncryptionDeclaration`."""
        relationships = _set(self.build.relationships)
        return _linked_id(_set(getattr(relationships, "app_encryption_declaration", None)))

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        """The unambiguous fields, JSON-ready; with `full`, the whole build under `build`."""
        uploaded, expires = self.uploaded_date, self.expiration_date
        summary = {
            "id": self.id,
            "marketing_version": self.marketing_version,
            "build_number": self.build_number,
            "uploaded_date": uploaded.isoformat() if uploaded else None,
            "expiration_date": expires.isoformat() if expires else None,
            "processing_state": self.processing_state,
            "expired": self.expired,
            "uses_non_exempt_encryption": self.uses_non_exempt_encryption,
            "encryption_declaration_id": self.encryption_declaration_id,
        }
        return {**summary, "build": self.build.to_dict()} if full else summary

    def __str__(self) -> str:
        version = self.marketing_version or "?"
        return f"{self.id} ({version} build {self.build_number or '?'})"


@attrs.frozen
class BuildFilters:
    """Checked criteria of a build listing, as `GET /v1/builds` query parameters.

    `app_id` is already resolved (a bundle id is resolved by the caller first).
    """

    app_id: str | None = None
    marketing_version: str | None = None
    build_number: str | None = None
    expired: bool | None = None
    processing_states: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE

    @classmethod
    def checked(
        cls,
        *,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str | None = None,
        expired: bool | None = None,
        processing_state: str | Iterable[str] | None = None,
        sort: str | Iterable[str] | None = None,
        include: Iterable[str] = DEFAULT_INCLUDE,
    ) -> BuildFilters:
        """Every value checked before anything is sent; InvalidInputError names the bad one."""
        if app_id is not None:
            validate_id(app_id, what="app id")
        if marketing_version is not None:
            check_filter_value(marketing_version, what="marketing version")
        if build_number is not None:
            check_filter_value(build_number, what="build number")
        if expired is not None and not isinstance(expired, bool):
            raise InvalidInputError(
                f"expired must be True, False or None, got {type(expired).__name__}"
            )
        states = (
            ()
            if processing_state is None
            else tuple(check_one_of(processing_state, PROCESSING_STATES, what="processing state"))
        )
        sorts = () if sort is None else tuple(check_one_of(sort, SORT_VALUES, what="sort"))
        includes = tuple(_checked_include(include))
        return cls(app_id, marketing_version, build_number, expired, states, sorts, includes)

    def criteria(self, **extra: object) -> dict[str, object]:
        """The criteria given, by their SDK names: for messages of `find`."""
        given: dict[str, object] = dict(extra)
        for name in ("app_id", "marketing_version", "build_number", "expired"):
            value = getattr(self, name)
            if value is not None:
                given[name] = value
        if self.processing_states:
            given["processing_state"] = ",".join(self.processing_states)
        return given


def _checked_include(include: Iterable[str]) -> list[str]:
    values = tuple(include)
    return check_one_of(values, INCLUDE_VALUES, what="include") if values else []


def build_get_operation(
    build_id: str,
    *,
    include: Iterable[str] = DEFAULT_INCLUDE,
    fields: str | Iterable[str] | None = None,
) -> dict[str, Any]:
    """`GET /v1/builds/{id}`, checked before anything is sent."""
    from asc_builds_generated.api.builds import builds_get_instance
    from asc_builds_generated.models import (
        BuildsGetInstanceFieldsbuildsItem,
        BuildsGetInstanceIncludeItem,
    )

    validate_id(build_id, what="build id")
    includes = [BuildsGetInstanceIncludeItem(value) for value in _checked_include(include)]
    build_fields: list[BuildsGetInstanceFieldsbuildsItem] | Unset = UNSET
    if fields is not None:
        # The spec's own list of a build's fields: the generated enum's declared members.
        known = [item.value for item in BuildsGetInstanceFieldsbuildsItem]
        build_fields = [
            BuildsGetInstanceFieldsbuildsItem(value)
            for value in check_one_of(fields, known, what="field")
        ]
    kwargs = builds_get_instance._get_kwargs(
        id=build_id, include=includes or UNSET, fieldsbuilds=build_fields
    )
    return operation_with_query(kwargs)


def build_list_operation(filters: BuildFilters, *, max_items: int | None = None) -> dict[str, Any]:
    """The first page of `GET /v1/builds` for `filters`, asking for the largest page needed."""
    from asc_builds_generated.api.builds import builds_get_collection
    from asc_builds_generated.models import (
        BuildsGetCollectionFilterprocessingStateItem,
        BuildsGetCollectionIncludeItem,
        BuildsGetCollectionSortItem,
    )

    options: dict[str, Any] = {"limit": page_size(max_items)}
    if filters.app_id is not None:
        options["filterapp"] = [filters.app_id]
    if filters.marketing_version is not None:
        options["filterpre_release_version_version"] = [filters.marketing_version]
    if filters.build_number is not None:
        options["filterversion"] = [filters.build_number]
    if filters.expired is not None:
        options["filterexpired"] = ["true" if filters.expired else "false"]
    if filters.processing_states:
        options["filterprocessing_state"] = [
            BuildsGetCollectionFilterprocessingStateItem(s) for s in filters.processing_states
        ]
    if filters.sort:
        options["sort"] = [BuildsGetCollectionSortItem(s) for s in filters.sort]
    if filters.include:
        options["include"] = [BuildsGetCollectionIncludeItem(i) for i in filters.include]
    return operation_with_query(builds_get_collection._get_kwargs(**options))


def _included_by_id(included: Any, model: type[Any]) -> dict[str, Any]:
    return {item.id: item for item in (_set(included) or ()) if isinstance(item, model)}


def _info(build: Build, versions: Mapping[str, Any], declarations: Mapping[str, Any]) -> BuildInfo:
    relationships = _set(build.relationships)
    version_id = _linked_id(_set(getattr(relationships, "pre_release_version", None)))
    declaration_id = _linked_id(_set(getattr(relationships, "app_encryption_declaration", None)))
    return BuildInfo(
        build,
        versions.get(version_id) if version_id else None,
        declarations.get(declaration_id) if declaration_id else None,
    )


def parse_build_info(response: httpx.Response) -> BuildInfo:
    """A `BuildResponse` as a `BuildInfo`, with its included pre-release version."""
    from asc_builds_generated.models import (
        AppEncryptionDeclaration,
        BuildResponse,
        PrereleaseVersion,
    )

    document = parse_document(response, BuildResponse.from_dict, "BuildResponse")
    return _info(
        document.data,
        _included_by_id(document.included, PrereleaseVersion),
        _included_by_id(document.included, AppEncryptionDeclaration),
    )


def parse_builds_page(response: httpx.Response) -> Page[BuildInfo]:
    """One page of `BuildsResponse`: each build paired with its included resources."""
    from asc_builds_generated.models import (
        AppEncryptionDeclaration,
        BuildsResponse,
        PrereleaseVersion,
    )

    document = parse_document(response, BuildsResponse.from_dict, "BuildsResponse")
    versions = _included_by_id(document.included, PrereleaseVersion)
    declarations = _included_by_id(document.included, AppEncryptionDeclaration)
    meta = _set(document.meta)
    total = _set(meta.paging.total) if meta is not None else None
    return Page(
        items=tuple(_info(build, versions, declarations) for build in document.data),
        total=total if isinstance(total, int) else None,
        next_url=_set(document.links.next_),
    )


def _pick_one(candidates: list[BuildInfo], criteria: dict[str, object]) -> BuildInfo:
    if not candidates:
        raise BuildNotFoundError(criteria)
    if len(candidates) > 1:
        raise AmbiguousBuildError(criteria, tuple(candidates))
    return candidates[0]


# `find` reads a few more than one build: enough to tell "exactly one" from "several"
# and list them, without paging through a whole app's history.
_FIND_CANDIDATES = 20


class BuildReads:
    """`get`, `list`, `pages` and `find` of `client.builds` on a synchronous client."""

    _send: SyncSend
    _apps: Apps

    def get(
        self,
        build_id: str,
        *,
        include: Iterable[str] = DEFAULT_INCLUDE,
        fields: str | Iterable[str] | None = None,
        max_retries: int | None = None,
    ) -> BuildInfo:
        """Read one build. `include` names related resources to include (by default its
        `preReleaseVersion`, which carries the marketing version). `fields` asks Apple for
        only these of the build's attributes and relationships (`fields[builds]`, e.g.
        `("processingState", "expired")`); the others then read as None."""
        operation = build_get_operation(build_id, include=include, fields=fields)
        return parse_build_info(self._send(operation, max_retries))

    def _filters(self, bundle_id: str | None, app_id: str | None, **given: Any) -> BuildFilters:
        if bundle_id is not None and app_id is not None:
            raise InvalidInputError("give bundle_id or app_id, not both")
        filters = BuildFilters.checked(app_id=app_id, **given)
        if bundle_id is not None:
            filters = attrs.evolve(filters, app_id=self._apps.find(bundle_id=bundle_id).id)
        return filters

    def pages(
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
        max_retries: int | None = None,
    ) -> Iterator[Page[BuildInfo]]:
        """The pages of `list`, each with Apple's `total` and `next_url`."""
        filters = self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            expired=expired,
            processing_state=processing_state,
            sort=sort,
            include=include,
        )
        return iter_pages(
            self._send, build_list_operation(filters), parse_builds_page, max_retries=max_retries
        )

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
        max_items: int | None = None,
        max_retries: int | None = None,
    ) -> Iterator[BuildInfo]:
        """Builds matching every criterion given, page after page as iteration goes on.

        `bundle_id` (resolved to the app once per client) or `app_id`; `marketing_version`
        is `CFBundleShortVersionString` ("2.1.0"), `build_number` is `CFBundleVersion`
        ("345"); `processing_state` is one of `PROCESSING_STATES` or several; `sort` is
        one of `SORT_VALUES` (e.g. "-uploadedDate", newest first). Everything is checked
        (InvalidInputError, a ValueError) before anything is sent; a bundle id is
        resolved here, the first page is requested when iteration starts.
        """
        check_max_items(max_items)
        filters = self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            expired=expired,
            processing_state=processing_state,
            sort=sort,
            include=include,
        )
        first = build_list_operation(filters, max_items=max_items)
        pages = iter_pages(self._send, first, parse_builds_page, max_retries=max_retries)
        return iter_items(pages, max_items)

    def find(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str,
        include: Iterable[str] = DEFAULT_INCLUDE,
        max_retries: int | None = None,
    ) -> BuildInfo:
        """The one build with this build number (`CFBundleVersion`) in this app, optionally
        within one marketing version (`CFBundleShortVersionString`).

        Raises BuildNotFoundError naming the criteria, or AmbiguousBuildError listing the
        candidates (the same build number under several marketing versions).
        """
        if bundle_id is None and app_id is None:
            raise InvalidInputError("find needs bundle_id or app_id")
        filters = self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            include=include,
        )
        first = build_list_operation(filters, max_items=_FIND_CANDIDATES)
        pages = iter_pages(self._send, first, parse_builds_page, max_retries=max_retries)
        candidates = list(iter_items(pages, _FIND_CANDIDATES))
        extra = {"bundle_id": bundle_id} if bundle_id is not None else {}
        return _pick_one(candidates, filters.criteria(**extra))


class AsyncBuildReads:
    """The asyncio twin of `BuildReads`: `get` and `find` are awaitable, `list` and
    `pages` are async iterators."""

    _send: AsyncSend
    _apps: AsyncApps

    async def get(
        self,
        build_id: str,
        *,
        include: Iterable[str] = DEFAULT_INCLUDE,
        fields: str | Iterable[str] | None = None,
        max_retries: int | None = None,
    ) -> BuildInfo:
        """Read one build; see `AppStoreConnect.builds.get`."""
        operation = build_get_operation(build_id, include=include, fields=fields)
        return parse_build_info(await self._send(operation, max_retries))

    async def _filters(
        self, bundle_id: str | None, app_id: str | None, **given: Any
    ) -> BuildFilters:
        if bundle_id is not None and app_id is not None:
            raise InvalidInputError("give bundle_id or app_id, not both")
        filters = BuildFilters.checked(app_id=app_id, **given)
        if bundle_id is not None:
            app = await self._apps.find(bundle_id=bundle_id)
            filters = attrs.evolve(filters, app_id=app.id)
        return filters

    async def pages(
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
        max_retries: int | None = None,
    ) -> AsyncIterator[Page[BuildInfo]]:
        """The pages of `list`; see `AppStoreConnect.builds.pages`."""
        filters = await self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            expired=expired,
            processing_state=processing_state,
            sort=sort,
            include=include,
        )
        pages = async_iter_pages(
            self._send, build_list_operation(filters), parse_builds_page, max_retries=max_retries
        )
        async for page in pages:
            yield page

    async def list(
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
        max_items: int | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[BuildInfo]:
        """Builds matching every criterion; see `AppStoreConnect.builds.list`.

        An async generator: the criteria are checked when iteration starts.
        """
        check_max_items(max_items)
        filters = await self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            expired=expired,
            processing_state=processing_state,
            sort=sort,
            include=include,
        )
        first = build_list_operation(filters, max_items=max_items)
        pages = async_iter_pages(self._send, first, parse_builds_page, max_retries=max_retries)
        async for build in async_iter_items(pages, max_items):
            yield build

    async def find(
        self,
        *,
        bundle_id: str | None = None,
        app_id: str | None = None,
        marketing_version: str | None = None,
        build_number: str,
        include: Iterable[str] = DEFAULT_INCLUDE,
        max_retries: int | None = None,
    ) -> BuildInfo:
        """The one matching build; see `AppStoreConnect.builds.find`."""
        if bundle_id is None and app_id is None:
            raise InvalidInputError("find needs bundle_id or app_id")
        filters = await self._filters(
            bundle_id,
            app_id,
            marketing_version=marketing_version,
            build_number=build_number,
            include=include,
        )
        first = build_list_operation(filters, max_items=_FIND_CANDIDATES)
        pages = async_iter_pages(self._send, first, parse_builds_page, max_retries=max_retries)
        candidates = [build async for build in async_iter_items(pages, _FIND_CANDIDATES)]
        extra = {"bundle_id": bundle_id} if bundle_id is not None else {}
        return _pick_one(candidates, filters.criteria(**extra))
