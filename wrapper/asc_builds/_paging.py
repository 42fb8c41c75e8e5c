"""Following `links.next` through a collection, one page in memory at a time.

App Store Connect pages collections with an opaque cursor: each page's `links.next`
is the URL of the next one, absent on the last. The iterators here are lazy: a page is
requested only when the caller asks for an item beyond the previous one, and nothing
keeps a page once its items are handed out, so a caller who does not keep the items
iterates in flat memory. Each request goes through the client's send loop: a 429 or
5xx in the middle is retried on the same page (the same cursor), and counts against
the same rate budget. `links.next` is only followed on the client's own base URL (see
`ClientCore.build_request`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import attrs
import httpx

from ._exceptions import InvalidInputError, ResponseValidationError
from .resources._common import AsyncSend, SyncSend

__all__ = [
    "MAX_PAGE_SIZE",
    "Page",
    "async_iter_items",
    "async_iter_pages",
    "check_max_items",
    "iter_items",
    "iter_pages",
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


def iter_pages(
    send: SyncSend,
    first: Mapping[str, Any],
    parse: ParsePage[T],
    *,
    max_retries: int | None = None,
) -> Iterator[Page[T]]:
    """Every page from `first` on, each requested when the previous one is done."""
    operation: Mapping[str, Any] | None = first
    while operation is not None:
        page = parse(send(operation, max_retries))
        yield page
        operation = _next_operation(page, operation)


async def async_iter_pages(
    send: AsyncSend,
    first: Mapping[str, Any],
    parse: ParsePage[T],
    *,
    max_retries: int | None = None,
) -> AsyncGenerator[Page[T], None]:
    operation: Mapping[str, Any] | None = first
    while operation is not None:
        page = parse(await send(operation, max_retries))
        yield page
        operation = _next_operation(page, operation)


def iter_items(pages: Iterator[Page[T]], max_items: int | None) -> Iterator[T]:
    """The items of `pages`, stopping after `max_items` without asking for another page."""
    if max_items == 0:
        return
    count = 0
    for page in pages:
        for item in page.items:
            yield item
            count += 1
            if max_items is not None and count >= max_items:
                return


async def async_iter_items(
    pages: AsyncGenerator[Page[T], None], max_items: int | None
) -> AsyncIterator[T]:
    try:
        if max_items == 0:
            return
        count = 0
        async for page in pages:
            for item in page.items:
                yield item
                count += 1
                if max_items is not None and count >= max_items:
                    return
    finally:
        # An async generator left open is only closed by the event loop later.
        await pages.aclose()
