"""The requests that read builds, `GET /v1/builds/{id}` and `GET /v1/builds`, and their
answers as `BuildInfo`: checked criteria, request building and parsing, no I/O."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

import attrs
import httpx
from asc_builds_generated.types import UNSET

from .._defaults import PROCESSING_STATES, SORT_VALUES
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
    "IDS_PER_READ",
    "INCLUDE_VALUES",
    "PROCESSING_STATES",
    "RELATED_FIELD_TYPES",
    "SORT_VALUES",
    "BuildFilters",
    "build_get_operation",
    "build_ids_operation",
    "build_list_operation",
    "parse_build_info",
    "parse_builds_page",
]

# The values the pinned spec allows, spelled out (see `_defaults`).
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
# `filter[id]` reads at most this many builds per request. 100 of Apple's ids (36
# characters, a UUID) make a URL of about 4 KB: far below the limits servers and proxies
# put on a request line (8 KB and more), and half a page of the largest size (200).
IDS_PER_READ = 100
# The included resources whose fields can be asked for (`fields[<type>]`), by JSON:API
# type, with the name of the generated parameter.
RELATED_FIELD_TYPES = ("appEncryptionDeclarations", "preReleaseVersions")
_RELATED_FIELD_PARAMETERS = {
    "appEncryptionDeclarations": "fieldsapp_encryption_declarations",
    "preReleaseVersions": "fieldspre_release_versions",
}

Fields = str | Iterable[str] | None
RelatedFields = Mapping[str, str | Iterable[str]] | None


class ReadOptions(TypedDict, total=False):
    """How one build is read, as `get` takes it: `include`, `fields`, `related_fields`,
    `max_retries`."""

    include: Iterable[str]
    fields: Fields
    related_fields: RelatedFields
    max_retries: int | None


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
    ids: tuple[str, ...] = ()
    fields: tuple[str, ...] | None = None
    related_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
        ids = tuple(given.get("ids") or ())
        for build_id in ids:
            validate_id(build_id, what="build id")
        fields = given.get("fields")
        related = given.get("related_fields")
        return cls(
            app_id,
            marketing_version,
            build_number,
            expired,
            states,
            sorts,
            includes,
            ids,
            None if fields is None else tuple(_checked_fields(fields, "collection", includes)),
            _checked_related_fields(related, "collection"),
        )

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


@functools.cache
def _fieldset_enums(kind: str) -> dict[str, tuple[Any, tuple[str, ...]]]:
    """Each fieldset of `GET /v1/builds` (`kind` "collection") or `GET /v1/builds/{id}`
    ("instance"), by resource type: its generated enum and the spec's values (the enum's
    declared members). Named one by one, so that what the SDK offers can be read from its
    code (the regeneration report does)."""
    from asc_builds_generated.models import (
        BuildsGetCollectionFieldsappEncryptionDeclarationsItem as CollectionDeclarations,
    )
    from asc_builds_generated.models import (
        BuildsGetCollectionFieldsbuildsItem as CollectionBuilds,
    )
    from asc_builds_generated.models import (
        BuildsGetCollectionFieldspreReleaseVersionsItem as CollectionVersions,
    )
    from asc_builds_generated.models import (
        BuildsGetInstanceFieldsappEncryptionDeclarationsItem as InstanceDeclarations,
    )
    from asc_builds_generated.models import BuildsGetInstanceFieldsbuildsItem as InstanceBuilds
    from asc_builds_generated.models import (
        BuildsGetInstanceFieldspreReleaseVersionsItem as InstanceVersions,
    )

    if kind == "collection":
        return {
            "builds": (CollectionBuilds, tuple(v.value for v in CollectionBuilds)),
            "appEncryptionDeclarations": (
                CollectionDeclarations,
                tuple(v.value for v in CollectionDeclarations),
            ),
            "preReleaseVersions": (CollectionVersions, tuple(v.value for v in CollectionVersions)),
        }
    return {
        "builds": (InstanceBuilds, tuple(v.value for v in InstanceBuilds)),
        "appEncryptionDeclarations": (
            InstanceDeclarations,
            tuple(v.value for v in InstanceDeclarations),
        ),
        "preReleaseVersions": (InstanceVersions, tuple(v.value for v in InstanceVersions)),
    }


def _checked_fields(fields: str | Iterable[str], kind: str, include: Iterable[str]) -> list[str]:
    """`fields[builds]`, checked; a relationship named in `include` is added, so that the
    included resources stay linked to their build (JSON:API leaves out the linkage of a
    relationship outside the fieldset)."""
    wanted = check_one_of(fields, _fieldset_enums(kind)["builds"][1], what="field")
    return list(dict.fromkeys([*wanted, *include]))


def _checked_related_fields(
    related: RelatedFields, kind: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`fields[<type>]` of included resources, checked against the spec's lists."""
    if related is None:
        return ()
    if not isinstance(related, Mapping):
        raise InvalidInputError(
            "related_fields must be a mapping of a resource type to its fields, e.g. "
            "{'preReleaseVersions': ['version']}"
        )
    checked: list[tuple[str, tuple[str, ...]]] = []
    for kind_name, fields in related.items():
        if kind_name not in _RELATED_FIELD_PARAMETERS:
            raise InvalidInputError(
                f"unknown related resource type {kind_name!r}; expected one of "
                f"{', '.join(RELATED_FIELD_TYPES)}"
            )
        values = check_one_of(
            fields, _fieldset_enums(kind)[kind_name][1], what=f"{kind_name} field"
        )
        checked.append((kind_name, tuple(values)))
    return tuple(checked)


def _fieldsets(
    kind: str, fields: Iterable[str] | None, related: Iterable[tuple[str, tuple[str, ...]]]
) -> dict[str, Any]:
    """The generated operation's keyword arguments for already checked fieldsets."""
    options: dict[str, Any] = {}
    enums = _fieldset_enums(kind)
    if fields is not None:
        enum = enums["builds"][0]
        options["fieldsbuilds"] = [enum(value) for value in fields]
    for kind_name, values in related:
        enum = enums[kind_name][0]
        options[_RELATED_FIELD_PARAMETERS[kind_name]] = [enum(value) for value in values]
    return options


def build_get_operation(
    build_id: str,
    *,
    include: Iterable[str] = DEFAULT_INCLUDE,
    fields: Fields = None,
    related_fields: RelatedFields = None,
) -> dict[str, Any]:
    """`GET /v1/builds/{id}`, checked before anything is sent."""
    from asc_builds_generated.api.builds import builds_get_instance
    from asc_builds_generated.models import BuildsGetInstanceIncludeItem

    validate_id(build_id, what="build id")
    names = _checked_include(include)
    includes = [BuildsGetInstanceIncludeItem(value) for value in names]
    fieldsets = _fieldsets(
        "instance",
        None if fields is None else _checked_fields(fields, "instance", names),
        _checked_related_fields(related_fields, "instance"),
    )
    kwargs = builds_get_instance._get_kwargs(id=build_id, include=includes or UNSET, **fieldsets)
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
    if filters.ids:
        options["filterid"] = list(filters.ids)
    options.update(_fieldsets("collection", filters.fields, filters.related_fields))
    return operation_with_query(builds_get_collection._get_kwargs(**options))


def build_ids_operation(
    build_ids: Iterable[str], fields: Iterable[str], include: Iterable[str] = ()
) -> dict[str, Any]:
    """`GET /v1/builds?filter[id]=...` for at most `IDS_PER_READ` ids (checked), with only
    `fields` of each build: what a batch reads before it writes."""
    ids = tuple(build_ids)
    if not 1 <= len(ids) <= IDS_PER_READ:
        raise InvalidInputError(f"read 1 to {IDS_PER_READ} builds by id at once; got {len(ids)}")
    filters = BuildFilters.checked(ids=ids, fields=tuple(fields), include=tuple(include))
    return build_list_operation(filters, max_items=len(ids))


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
