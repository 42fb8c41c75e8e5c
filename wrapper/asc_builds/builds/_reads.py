"""The requests that read builds, `GET /v1/builds/{id}` and `GET /v1/builds`, and their
answers as `BuildInfo`: checked criteria, request building and parsing, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from asc_builds_generated.types import UNSET, Unset

from .._documents import (
    check_filter_value,
    check_one_of,
    operation_with_query,
    parse_document,
    set_or_none,
)
from .._exceptions import InvalidInputError
from .._ids import validate_id
from .._paging import Page, page_size
from ._info import BuildInfo, linked_id

# The generated operations and models are imported in the functions that use them:
# `import asc_builds` then loads none of them (start-up time of the command line).
if TYPE_CHECKING:
    from asc_builds_generated.models import Build

__all__ = [
    "DEFAULT_INCLUDE",
    "INCLUDE_VALUES",
    "PROCESSING_STATES",
    "SORT_VALUES",
    "BuildFilters",
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
    def checked(cls, **given: Any) -> BuildFilters:
        """The criteria a caller gave (by the names of `builds.list`), each checked before
        anything is sent: InvalidInputError names the bad one. They come from users as
        they are, so they are typed `Any` here and checked one by one."""
        app_id = given.get("app_id")
        marketing_version = given.get("marketing_version")
        build_number = given.get("build_number")
        expired = given.get("expired")
        processing_state = given.get("processing_state")
        sort = given.get("sort")
        include = given.get("include", DEFAULT_INCLUDE)
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
    return {item.id: item for item in (set_or_none(included) or ()) if isinstance(item, model)}


def _info(build: Build, versions: Mapping[str, Any], declarations: Mapping[str, Any]) -> BuildInfo:
    relationships = set_or_none(build.relationships)
    version_id = linked_id(set_or_none(getattr(relationships, "pre_release_version", None)))
    declaration_id = linked_id(
        set_or_none(getattr(relationships, "app_encryption_declaration", None))
    )
    return BuildInfo(
        build,
        versions.get(version_id) if version_id else None,
        declarations.get(declaration_id) if declaration_id else None,
    )


def parse_build_info(response: httpx.Response, build_id: str) -> BuildInfo:
    """A `BuildResponse` as a `BuildInfo`, with its included pre-release version."""
    from asc_builds_generated.models import (
        AppEncryptionDeclaration,
        BuildResponse,
        PrereleaseVersion,
    )

    document = parse_document(
        response,
        BuildResponse.from_dict,
        "BuildResponse",
        resource_type="builds",
        resource_id=build_id,
    )
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

    document = parse_document(
        response, BuildsResponse.from_dict, "BuildsResponse", resource_type="builds"
    )
    versions = _included_by_id(document.included, PrereleaseVersion)
    declarations = _included_by_id(document.included, AppEncryptionDeclaration)
    meta = set_or_none(document.meta)
    total = set_or_none(meta.paging.total) if meta is not None else None
    return Page(
        items=tuple(_info(build, versions, declarations) for build in document.data),
        total=total if isinstance(total, int) else None,
        next_url=set_or_none(document.links.next_),
    )
