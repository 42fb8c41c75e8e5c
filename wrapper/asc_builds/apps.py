"""Resolving a bundle id to its app: `GET /v1/apps?filter[bundleId]=...`.

The SDK reads apps for this one purpose, so the slice keeps only the query parameters
it sends (see `scripts/regen/slicer.py`). Apple's `filter[bundleId]` is reported to
match more than the exact id (`com.example.app.widget` for `com.example.app`): only
an exact match is accepted. A resolved app is cached per client: a bundle id names
the same app for the client's whole life.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

import httpx

from ._documents import check_filter_value, operation_with_query, parse_document, set_or_none
from ._exceptions import AmbiguousAppError, AppNotFoundError, InvalidInputError
from ._paging import MAX_PAGE_SIZE, Page, PageWalk
from ._steps import Steps
from ._surface import AsyncSurface, SyncSurface, async_call, sync_call

# The generated operations and models are imported in the functions that use them:
# `import asc_builds` then loads none of them (start-up time of the command line).
if TYPE_CHECKING:
    from asc_builds_generated.models import App

__all__ = [
    "AppOperations",
    "Apps",
    "AsyncApps",
    "app_find_operation",
    "check_bundle_id",
    "parse_apps_page",
]

# Apple: alphanumerics, hyphens and periods (a reverse-DNS string).
_BUNDLE_ID = re.compile(r"[A-Za-z0-9.-]+")


def check_bundle_id(bundle_id: object) -> str:
    value = check_filter_value(bundle_id, what="bundle id", max_length=155)
    if not _BUNDLE_ID.fullmatch(value):
        raise InvalidInputError(
            f"bundle id {value!r} has characters a bundle id cannot have "
            "(letters, digits, '-' and '.' only)"
        )
    return value


def app_find_operation(bundle_id: str) -> dict[str, Any]:
    from asc_builds_generated.api.apps import apps_get_collection
    from asc_builds_generated.models import AppsGetCollectionFieldsappsItem

    check_bundle_id(bundle_id)
    fields = [AppsGetCollectionFieldsappsItem.BUNDLEID, AppsGetCollectionFieldsappsItem.NAME]
    kwargs = apps_get_collection._get_kwargs(
        filterbundle_id=[bundle_id], fieldsapps=fields, limit=MAX_PAGE_SIZE
    )
    return operation_with_query(kwargs)


def _bundle_id(app: App) -> str | None:
    # Read leniently: Apple may send no attributes, or null ones.
    attributes = set_or_none(app.attributes)
    value = None if attributes is None else set_or_none(attributes.bundle_id)
    return value if isinstance(value, str) else None


def parse_apps_page(response: httpx.Response) -> Page[App]:
    from asc_builds_generated.models import AppsResponse

    document = parse_document(
        response, AppsResponse.from_dict, "AppsResponse", resource_type="apps"
    )
    next_url = set_or_none(document.links.next_)
    return Page(items=tuple(document.data), total=None, next_url=next_url)


# Near matches named in AppNotFoundError's message: enough to spot a typo.
_NEAR_MATCHES_SHOWN = 20


class AppOperations:
    """What `client.apps` does, written once: the apps resolved so far are the client's."""

    def __init__(self) -> None:
        self._cache: dict[str, App] = {}
        self._lock = threading.Lock()

    def find(self, *, bundle_id: str, max_retries: int | None = None) -> Steps[App]:
        """The app with exactly this bundle id (`CFBundleIdentifier`); read once per client.

        Apple's filter also matches other bundle ids (`com.example.app.widget`): pages are
        read until one holds the exact bundle id. Raises AppNotFoundError when no app
        visible to the key has it (naming some of the other bundle ids returned), and
        AmbiguousAppError when several apps have exactly this one.
        """
        check_bundle_id(bundle_id)
        with self._lock:
            cached = self._cache.get(bundle_id)
        if cached is not None:
            return cached
        walk = PageWalk(app_find_operation(bundle_id), parse_apps_page, max_retries=max_retries)
        others: set[str] = set()
        while (page := (yield from walk.next_page())) is not None:
            exact = [app for app in page.items if _bundle_id(app) == bundle_id]
            if len(exact) > 1:
                raise AmbiguousAppError(bundle_id, tuple(app.id for app in exact))
            if exact:
                with self._lock:
                    return self._cache.setdefault(bundle_id, exact[0])
            if len(others) < _NEAR_MATCHES_SHOWN:
                others.update(b for b in map(_bundle_id, page.items) if b is not None)
        near = tuple(sorted(others)[:_NEAR_MATCHES_SHOWN])
        raise AppNotFoundError(bundle_id, near_matches=near)


class Apps(SyncSurface[AppOperations]):
    """`client.apps` on a synchronous client."""

    find = sync_call(AppOperations.find)


class AsyncApps(AsyncSurface[AppOperations]):
    """`client.apps` on an asyncio client."""

    find = async_call(AppOperations.find)
