"""The reads: ``GET /v1/builds/{id}``, ``GET /v1/builds``, ``GET /v1/apps`` and
``GET /v1/appEncryptionDeclarations/{id}``, answered as App Store Connect does.

Collections page with an opaque ``cursor`` (here: the offset, encoded as Apple's cursors
look), ``links.next`` on every page but the last, and ``meta.paging`` with ``total`` and
``limit``; the default page is 50 items, the largest 200 (the spec's ``maximum``).
Apple's ``filter[bundleId]`` also matches longer bundle ids that start with the one asked
for (``com.example.app.widget`` for ``com.example.app``); the fake does the same, so
clients are tested against it.

A parameter the spec declares but the fake does not implement is refused (400) rather
than ignored: a fake that silently returned unfiltered results would pass wrong tests.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

import attrs

from ._apple_errors import AppleError, not_found
from ._query import Query, illegal, invalid, parse_query
from ._state import (
    FakeApp,
    FakeBuild,
    FakeEncryptionDeclaration,
    app_resource,
    build_resource,
    declaration_resource,
    pre_release_version_id,
    pre_release_version_resource,
)

__all__ = ["DEFAULT_PAGE_SIZE", "ReadAnswer", "Store", "answer_read"]

DEFAULT_PAGE_SIZE = 50
_BUILD_INCLUDES = frozenset({"preReleaseVersion", "app", "appEncryptionDeclaration"})
_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/v1/builds/(?P<id>[^/]+)"), "/v1/builds/{id}"),
    (re.compile(r"/v1/builds"), "/v1/builds"),
    (re.compile(r"/v1/apps"), "/v1/apps"),
    (
        re.compile(r"/v1/appEncryptionDeclarations/(?P<id>[^/]+)"),
        "/v1/appEncryptionDeclarations/{id}",
    ),
)


@attrs.frozen
class Store:
    """What the reads see of the fake's state (read-only views, under its lock)."""

    apps: Mapping[str, FakeApp]
    builds: Mapping[str, FakeBuild]
    declarations: Mapping[str, FakeEncryptionDeclaration]


@attrs.frozen
class ReadAnswer:
    status: int
    body: Any


def _errors(*errors: AppleError) -> ReadAnswer:
    return ReadAnswer(errors[0].status, {"errors": [error.to_json() for error in errors]})


def _not_implemented(name: str) -> AppleError:
    return illegal(name, f"The fake App Store Connect does not implement '{name}'")


def _unsupported(query: Query, supported: Iterable[str]) -> AppleError | None:
    allowed = set(supported) | {"cursor"}
    for name in query.values:
        if name not in allowed:
            return _not_implemented(name)
    return None


def _includes(query: Query, supported: frozenset[str]) -> tuple[str, ...] | AppleError:
    names = query.list("include") or ()
    for name in names:
        if name not in supported:
            return _not_implemented(f"include={name}")
    return names


def _version_key(text: str) -> tuple[tuple[int, int | str], ...]:
    # "1.10" after "1.9": numeric parts compare as numbers.
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in text.split("."))


_SORT_KEYS: dict[str, Callable[[FakeBuild], Any]] = {
    "version": lambda build: _version_key(build.version),
    "uploadedDate": lambda build: build.uploaded_at,
    "preReleaseVersion": lambda build: _version_key(build.marketing_version),
}


def _encode_cursor(offset: int) -> str:
    raw = json.dumps({"offset": str(offset)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = int(json.loads(raw)["offset"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return offset if offset >= 0 else None


def _page(
    items: Sequence[Any], query: Query, *, path: str, raw_query: str, base_url: str
) -> tuple[Sequence[Any], dict[str, Any], dict[str, Any]] | AppleError:
    """(the page's items, links, meta) for a collection."""
    limit = query.get("limit") or DEFAULT_PAGE_SIZE
    offset = 0
    cursor = query.get("cursor")
    if cursor is not None:
        decoded = _decode_cursor(cursor)
        if decoded is None:
            return invalid("cursor", f"'{cursor}' is not a valid cursor for this request")
        offset = decoded
    self_url = f"{base_url}{path}" + (f"?{raw_query}" if raw_query else "")
    links: dict[str, Any] = {"self": self_url}
    end = offset + limit
    if end < len(items):
        rest = [(k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True) if k != "cursor"]
        links["next"] = f"{base_url}{path}?" + urlencode([("cursor", _encode_cursor(end)), *rest])
    meta = {"paging": {"total": len(items), "limit": limit}}
    return items[offset:end], links, meta


# The sparse fieldsets of included resources the fake honours, as JSON:API does.
_RELATED_FIELDS = (
    "fields[preReleaseVersions]",
    "fields[apps]",
    "fields[appEncryptionDeclarations]",
)


def _sparse(resource: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """`resource` with only the attributes and relationships named in `fields`."""
    if fields is None:
        return resource
    for part in ("attributes", "relationships"):
        if part in resource:
            resource[part] = {k: v for k, v in resource[part].items() if k in fields}
    return resource


def _included_for_builds(
    builds: Iterable[FakeBuild], names: Sequence[str], store: Store, base_url: str, query: Query
) -> list[dict[str, Any]]:
    included: dict[tuple[str, str], dict[str, Any]] = {}
    version_fields = query.list("fields[preReleaseVersions]")
    app_fields = query.list("fields[apps]")
    declaration_fields = query.list("fields[appEncryptionDeclarations]")
    for build in builds:
        if "preReleaseVersion" in names:
            key = ("preReleaseVersions", pre_release_version_id(build))
            if key not in included:
                resource = pre_release_version_resource(build, base_url)
                included[key] = _sparse(resource, version_fields)
        if "app" in names:
            app = store.apps.get(build.app_id) or FakeApp(build.app_id, bundle_id="")
            included.setdefault(("apps", app.id), _sparse(app_resource(app, base_url), app_fields))
        declaration_id = build.encryption_declaration_id
        if "appEncryptionDeclaration" in names and declaration_id is not None:
            declaration = store.declarations.get(declaration_id)
            if declaration is not None:
                resource = declaration_resource(declaration, base_url, include_app=False)
                included.setdefault(
                    ("appEncryptionDeclarations", declaration_id),
                    _sparse(resource, declaration_fields),
                )
    return list(included.values())


def _get_build(build_id: str, query: Query, store: Store, base_url: str) -> ReadAnswer:
    problem = _unsupported(query, ("include", "fields[builds]", *_RELATED_FIELDS))
    if problem is not None:
        return _errors(problem)
    names = _includes(query, _BUILD_INCLUDES)
    if isinstance(names, AppleError):
        return _errors(names)
    build = store.builds.get(build_id)
    if build is None:
        return _errors(not_found("builds", build_id))
    body: dict[str, Any] = {
        "data": build_resource(build, base_url, names, fields=query.list("fields[builds]")),
        "links": {"self": f"{base_url}/v1/builds/{build_id}"},
    }
    if names:
        body["included"] = _included_for_builds([build], names, store, base_url, query)
    return ReadAnswer(200, body)


_BUILD_FILTERS: dict[str, Callable[[FakeBuild, tuple[str, ...]], bool]] = {
    "filter[app]": lambda build, values: build.app_id in values,
    "filter[id]": lambda build, values: build.id in values,
    "filter[version]": lambda build, values: build.version in values,
    "filter[preReleaseVersion.version]": lambda build, values: build.marketing_version in values,
    "filter[processingState]": lambda build, values: build.processing_state in values,
    "filter[expired]": lambda build, values: ("true" if build.expired else "false") in values,
}


def _list_builds(query: Query, raw_query: str, store: Store, base_url: str) -> ReadAnswer:
    problem = _unsupported(
        query, (*_BUILD_FILTERS, "sort", "limit", "include", "fields[builds]", *_RELATED_FIELDS)
    )
    if problem is not None:
        return _errors(problem)
    names = _includes(query, _BUILD_INCLUDES)
    if isinstance(names, AppleError):
        return _errors(names)
    for name in ("filter[expired]",):
        for value in query.list(name) or ():
            if value not in ("true", "false"):
                return _errors(invalid(name, f"'{value}' is not a valid value for '{name}'"))
    builds = list(store.builds.values())
    for name, matches in _BUILD_FILTERS.items():
        values = query.list(name)
        if values is not None:
            builds = [build for build in builds if matches(build, values)]
    for key in reversed(query.list("sort") or ()):
        # Stable sorts applied from the last key to the first give a multi-key order.
        field = key.removeprefix("-")
        builds.sort(key=_SORT_KEYS[field], reverse=key.startswith("-"))
    paged = _page(builds, query, path="/v1/builds", raw_query=raw_query, base_url=base_url)
    if isinstance(paged, AppleError):
        return _errors(paged)
    page, links, meta = paged
    fields = query.list("fields[builds]")
    body: dict[str, Any] = {
        "data": [build_resource(build, base_url, names, fields=fields) for build in page],
        "links": links,
        "meta": meta,
    }
    if names:
        body["included"] = _included_for_builds(page, names, store, base_url, query)
    return ReadAnswer(200, body)


def _list_apps(query: Query, raw_query: str, store: Store, base_url: str) -> ReadAnswer:
    problem = _unsupported(query, ("filter[bundleId]", "fields[apps]", "limit"))
    if problem is not None:
        return _errors(problem)
    apps = sorted(store.apps.values(), key=lambda app: app.bundle_id)
    wanted = query.list("filter[bundleId]")
    if wanted is not None:
        # Apple's filter is reported to match by prefix; so does the fake.
        apps = [app for app in apps if any(app.bundle_id.startswith(b) for b in wanted)]
    paged = _page(apps, query, path="/v1/apps", raw_query=raw_query, base_url=base_url)
    if isinstance(paged, AppleError):
        return _errors(paged)
    page, links, meta = paged
    fields = query.list("fields[apps]")
    return ReadAnswer(
        200,
        {
            "data": [app_resource(app, base_url, fields) for app in page],
            "links": links,
            "meta": meta,
        },
    )


def _get_declaration(declaration_id: str, query: Query, store: Store, base_url: str) -> ReadAnswer:
    problem = _unsupported(query, ("include",))
    if problem is not None:
        return _errors(problem)
    names = _includes(query, frozenset({"app"}))
    if isinstance(names, AppleError):
        return _errors(names)
    declaration = store.declarations.get(declaration_id)
    if declaration is None:
        return _errors(not_found("appEncryptionDeclarations", declaration_id))
    body: dict[str, Any] = {
        "data": declaration_resource(declaration, base_url, include_app="app" in names),
        "links": {"self": f"{base_url}/v1/appEncryptionDeclarations/{declaration_id}"},
    }
    if "app" in names:
        app = store.apps.get(declaration.app_id) or FakeApp(declaration.app_id, bundle_id="")
        body["included"] = [app_resource(app, base_url)]
    return ReadAnswer(200, body)


def answer_read(path: str, raw_query: str, store: Store, base_url: str) -> ReadAnswer | None:
    """The answer to ``GET path?raw_query``, or None when no read lives at ``path``."""
    from urllib.parse import unquote

    for pattern, template in _ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        query = parse_query(raw_query, path=template, method="get")
        if isinstance(query, AppleError):
            return _errors(query)
        resource_id = unquote(match["id"]) if "id" in pattern.groupindex else ""
        if template == "/v1/builds/{id}":
            return _get_build(resource_id, query, store, base_url)
        if template == "/v1/builds":
            return _list_builds(query, raw_query, store, base_url)
        if template == "/v1/apps":
            return _list_apps(query, raw_query, store, base_url)
        return _get_declaration(resource_id, query, store, base_url)
    return None
