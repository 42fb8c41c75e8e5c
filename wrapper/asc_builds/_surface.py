"""The public methods of both clients, made from operations written once.

A resource's operations are generators (see `_steps`). Its sync surface and its asyncio
surface are classes whose methods are made here from those same functions: the signature
and the docstring are the operation's, the sync method runs it with the client's
`SyncDriver`, the async one awaits it on the `AsyncDriver` (see `_drivers`).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from ._paging import Identified, Page, PageWalk
from ._steps import AsyncRunner, Steps, SyncRunner

__all__ = [
    "AsyncSurface",
    "SyncSurface",
    "async_call",
    "async_items",
    "async_pages",
    "sync_call",
    "sync_items",
    "sync_pages",
]

Ops = TypeVar("Ops")
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", bound=Identified)


class SyncSurface(Generic[Ops]):
    """A resource on a synchronous client: its operations, run by the client's driver."""

    def __init__(self, driver: SyncRunner, operations: Ops) -> None:
        self._driver = driver
        self._operations = operations


class AsyncSurface(Generic[Ops]):
    """A resource on an asyncio client: its operations, awaited on the client's driver."""

    def __init__(self, driver: AsyncRunner, operations: Ops) -> None:
        self._driver = driver
        self._operations = operations


def sync_call(
    operation: Callable[Concatenate[Ops, P], Steps[R]],
) -> Callable[Concatenate[SyncSurface[Ops], P], R]:
    @functools.wraps(operation)
    def method(self: SyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._driver.run(operation(self._operations, *args, **kwargs))

    return method


def async_call(
    operation: Callable[Concatenate[Ops, P], Steps[R]],
) -> Callable[Concatenate[AsyncSurface[Ops], P], Coroutine[Any, Any, R]]:
    @functools.wraps(operation)
    async def method(self: AsyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._driver.run(operation(self._operations, *args, **kwargs))

    return method


# A listing's criteria are checked (and a bundle id resolved) when the sync method is
# called; the pages are read as iteration goes on. The async methods are async
# generators: everything happens once iteration starts.


def _sync_pages(driver: SyncRunner, walk: PageWalk[T]) -> Iterator[Page[T]]:
    while (page := driver.run(walk.next_page())) is not None:
        yield page


def _sync_items(driver: SyncRunner, walk: PageWalk[T]) -> Iterator[T]:
    for page in _sync_pages(driver, walk):
        yield from page.items


def sync_items(
    operation: Callable[Concatenate[Ops, P], Steps[PageWalk[T]]],
) -> Callable[Concatenate[SyncSurface[Ops], P], Iterator[T]]:
    @functools.wraps(operation)
    def method(self: SyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        walk = self._driver.run(operation(self._operations, *args, **kwargs))
        return _sync_items(self._driver, walk)

    return method


def sync_pages(
    operation: Callable[Concatenate[Ops, P], Steps[PageWalk[T]]],
) -> Callable[Concatenate[SyncSurface[Ops], P], Iterator[Page[T]]]:
    @functools.wraps(operation)
    def method(self: SyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs) -> Iterator[Page[T]]:
        walk = self._driver.run(operation(self._operations, *args, **kwargs))
        return _sync_pages(self._driver, walk)

    return method


def async_items(
    operation: Callable[Concatenate[Ops, P], Steps[PageWalk[T]]],
) -> Callable[Concatenate[AsyncSurface[Ops], P], AsyncIterator[T]]:
    @functools.wraps(operation)
    async def method(
        self: AsyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[T]:
        driver = self._driver
        walk = await driver.run(operation(self._operations, *args, **kwargs))
        while (page := await driver.run(walk.next_page())) is not None:
            for item in page.items:
                yield item

    return method


def async_pages(
    operation: Callable[Concatenate[Ops, P], Steps[PageWalk[T]]],
) -> Callable[Concatenate[AsyncSurface[Ops], P], AsyncIterator[Page[T]]]:
    @functools.wraps(operation)
    async def method(
        self: AsyncSurface[Ops], /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[Page[T]]:
        driver = self._driver
        walk = await driver.run(operation(self._operations, *args, **kwargs))
        while (page := await driver.run(walk.next_page())) is not None:
            yield page

    return method
