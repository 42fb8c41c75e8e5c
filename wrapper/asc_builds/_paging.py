"""Following `links.next` through a collection, one page in memory at a time.

App Store Connect pages collections with an opaque cursor: each page's `links.next`
is the URL of the next one, absent on the last. A `PageWalk` reads one page at a time: a
driver asks for the next page only when the caller wants an item beyond the previous one,
and nothing keeps a page once its items are handed out, so a caller who does not keep the
items iterates in flat memory. Each request goes through the client's send loop: a 429 or
5xx in the middle is retried on the same page (the same cursor), and counts against
the same rate budget. `links.next` is only followed on the client's own base URL (see
`ClientCore.build_request`) and the path of the listing, never back to a page already
read, and for at most `MAX_PAGES` pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs
import httpx

from ._exceptions import InvalidInputError, ResponseValidationError
from ._steps import Call, Steps

__all__ = [
    "MAX_PAGES",
    "MAX_PAGE_SIZE",
    "Identified",
    "Page",
    "PageWalk",
    "check_max_items",
    "page_size",
]

# The largest `limit` App Store Connect allows on a collection (the spec's `maximum`;
# a contract test keeps the two in step). Fewer, larger pages spend less of the hourly
# request budget.
MAX_PAGE_SIZE = 200
# The most pages one listing reads: 200,000 builds at the largest page size, far more than
# an app has, and a bound on what a server that keeps sending pages can cost.
MAX_PAGES = 1000

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


class Identified(Protocol):
    @property
    def id(self) -> str: ...


ItemT = TypeVar("ItemT", bound=Identified)


def _invalid(message: str) -> ResponseValidationError:
    return ResponseValidationError(f"{message}; the listing stopped", request_id=None)


class PageWalk(Generic[ItemT]):
    """A walk through a collection from its first page: `next_page` is the steps that read
    the next page (None once the walk is over), stopping after `max_items` items without
    asking for another page.

    Bounded whatever the server sends: `links.next` must be a text URL on the host and
    the path of the first request (and the client's base URL, checked again when the
    request is built), a page seen
    before (a cycle of any length) is refused, and so is a walk of more than `MAX_PAGES`
    pages (ResponseValidationError, each). An item listed twice is handed out once.
    """

    def __init__(
        self,
        first: Mapping[str, Any],
        parse: ParsePage[ItemT],
        *,
        max_retries: int | None = None,
        max_items: int | None = None,
    ) -> None:
        self._operation: Mapping[str, Any] | None = None if max_items == 0 else first
        self._path = httpx.URL(first["url"]).path
        self._parse = parse
        self._max_retries = max_retries
        self._left = max_items
        self._pages = 0
        self._seen_pages: set[str] = set()
        self._seen_items: set[str] = set()

    def next_page(self) -> Steps[Page[ItemT] | None]:
        operation = self._operation
        if operation is None:
            return None
        if self._pages >= MAX_PAGES:
            raise _invalid(f"App Store Connect sent more than {MAX_PAGES:,} pages of {self._path}")
        self._pages += 1
        response = yield Call(operation, self._max_retries)
        page = self._parse(response)
        self._operation = self._follow(page.next_url, response.request.url)
        items = tuple(self._first_sightings(page.items))
        if self._left is not None:
            if len(items) >= self._left:
                items = items[: self._left]
                self._operation = None
            self._left -= len(items)
        return page if len(items) == len(page.items) else attrs.evolve(page, items=items)

    def _first_sightings(self, items: tuple[ItemT, ...]) -> Iterator[ItemT]:
        for item in items:
            if item.id not in self._seen_items:
                self._seen_items.add(item.id)
                yield item

    def _follow(self, next_url: object, read: httpx.URL) -> dict[str, Any] | None:
        """The request for `next_url`, checked against `read`, the URL of the page read."""
        if next_url is None:
            return None
        if not isinstance(next_url, str):
            raise _invalid(f"links.next is a JSON {type(next_url).__name__}, not a URL")
        try:
            url = httpx.URL(next_url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise _invalid(f"links.next {next_url[:200]!r} is not a URL") from None
        origin = f"{read.scheme}://{read.netloc.decode('ascii', 'replace')}"
        if (url.scheme, url.netloc) != (read.scheme, read.netloc):
            # The token must never go to a host a response named.
            raise _invalid(f"refusing to follow a link outside {origin}: {next_url[:200]!r}")
        path = url.path
        if path != self._path:
            raise _invalid(
                f"links.next leads to {path[:200]!r}, not to {self._path!r}, the listing read"
            )
        if next_url in self._seen_pages:
            # A cycle, of any length, would be read forever.
            raise _invalid(f"links.next leads back to a page already read ({next_url[:200]})")
        self._seen_pages.add(next_url)
        return {"method": "get", "url": next_url}

    def all_items(self) -> Steps[list[ItemT]]:
        """Every item of the walk, in one list."""
        items: list[ItemT] = []
        while (page := (yield from self.next_page())) is not None:
            items.extend(page.items)
        return items
