"""Following `links.next` through a collection, one page in memory at a time.

App Store Connect pages collections with an opaque cursor: each page's `links.next`
is the URL of the next one, absent on the last. A `PageWalk` reads one page at a time: a
driver asks for the next page only when the caller wants an item beyond the previous one,
and nothing keeps a page once its items are handed out, so a caller who does not keep the
items iterates in flat memory. Each request goes through the client's send loop: a 429 or
5xx in the middle is retried on the same page (the same cursor), and counts against
the same rate budget. `links.next` is only followed on the client's own base URL (see
`ClientCore.build_request`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs
import httpx

from ._exceptions import InvalidInputError, ResponseValidationError
from ._steps import Call, Steps

__all__ = [
    "MAX_PAGE_SIZE",
    "Page",
    "PageWalk",
    "check_max_items",
    "page_size",
]

# The largest `limit` App Store Connect allows on a collection (the spec's `maximum`;
# a contract test keeps the two in step). Fewer, larger pages spend less of the hourly
# request budget.
MAX_PAGE_SIZE = 200

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a collection.

    `total` is Apple's `meta.paging.total`: how many items match across all pages (None
    when not sent). `next_url` is `links.next`, None on the last page.
    """

    items: tuple[T, ...]
    total: int | None
    next_url: str | None


ParsePage = Callable[[httpx.Response], Page[T]]


def check_max_items(max_items: int | None) -> None:
    if max_items is None:
        return
    if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0:
        raise InvalidInputError(f"max_items must be a non-negative int or None; got {max_items!r}")


def page_size(max_items: int | None) -> int:
    """The `limit` to ask for: the largest page, or fewer when fewer items are wanted."""
    return MAX_PAGE_SIZE if max_items is None else max(1, min(MAX_PAGE_SIZE, max_items))


def _next_operation(page: Page[Any], fetched: Mapping[str, Any]) -> dict[str, Any] | None:
    if page.next_url is None:
        return None
    if page.next_url == fetched.get("url"):
        # The same cursor again would loop forever.
        raise ResponseValidationError(
            f"links.next repeats the page just read ({page.next_url}); stopping", request_id=None
        )
    return {"method": "get", "url": page.next_url}


class PageWalk(Generic[T]):
    """A walk through a collection from its first page: `next_page` is the steps that read
    the next page (None once the walk is over), stopping after `max_items` items without
    asking for another page."""

    def __init__(
        self,
        first: Mapping[str, Any],
        parse: ParsePage[T],
        *,
        max_retries: int | None = None,
        max_items: int | None = None,
    ) -> None:
        self._operation: Mapping[str, Any] | None = None if max_items == 0 else first
        self._parse = parse
        self._max_retries = max_retries
        self._left = max_items

    def next_page(self) -> Steps[Page[T] | None]:
        operation = self._operation
        if operation is None:
            return None
        page = self._parse((yield Call(operation, self._max_retries)))
        self._operation = _next_operation(page, operation)
        if self._left is not None:
            if len(page.items) >= self._left:
                page = attrs.evolve(page, items=page.items[: self._left])
                self._operation = None
            self._left -= len(page.items)
        return page

    def all_items(self) -> Steps[list[T]]:
        """Every item of the walk, in one list."""
        items: list[T] = []
        while (page := (yield from self.next_page())) is not None:
            items.extend(page.items)
        return items
