"""The builds resource: `client.builds`, for `PATCH /v1/builds/{id}` and the reads around it.

Every method is written once, in `BuildOperations` (`_operations`); `Builds` runs it on a
synchronous client and `AsyncBuilds` awaits it on an asyncio client. Requests and
answers: `_reads` (GET), `_update` (PATCH); `BuildInfo` in `_info`; batches in `_batch`.
"""

from .._surface import (
    AsyncSurface,
    SyncSurface,
    async_call,
    async_items,
    async_pages,
    sync_call,
    sync_items,
    sync_pages,
)
from ..jobs._clock import JobClock
from ._batch import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    BuildOutcome,
    OutcomeStatus,
    async_batch,
    sync_batch,
)
from ._info import BuildInfo
from ._operations import BuildOperations, DeclarationCheck
from ._reads import DEFAULT_INCLUDE, INCLUDE_VALUES, PROCESSING_STATES, SORT_VALUES

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_INCLUDE",
    "INCLUDE_VALUES",
    "MAX_CONCURRENCY",
    "PROCESSING_STATES",
    "SORT_VALUES",
    "AsyncBuilds",
    "BuildInfo",
    "BuildOperations",
    "BuildOutcome",
    "Builds",
    "DeclarationCheck",
    "JobClock",
    "OutcomeStatus",
]


class Builds(SyncSurface[BuildOperations]):
    """Build operations on a synchronous client: `client.builds`.

    Reads: `get`, `list`, `pages`, `find`. Changes: `apply`, `update`, `expire`,
    `set_uses_non_exempt_encryption`, `assign_encryption_declaration`, `expire_many`.
    Jobs: `wait_until_processed`, `plan_expiry`, `check_declaration`, `select`.
    """

    get = sync_call(BuildOperations.get)
    list = sync_items(BuildOperations.list)
    pages = sync_pages(BuildOperations.list)
    find = sync_call(BuildOperations.find)
    apply = sync_call(BuildOperations.apply)
    update = sync_call(BuildOperations.update)
    expire = sync_call(BuildOperations.expire)
    set_uses_non_exempt_encryption = sync_call(BuildOperations.set_uses_non_exempt_encryption)
    assign_encryption_declaration = sync_call(BuildOperations.assign_encryption_declaration)
    expire_many = sync_batch(BuildOperations.expire_many)
    check_declaration = sync_call(BuildOperations.check_declaration)
    select = sync_call(BuildOperations.select)
    wait_until_processed = sync_call(BuildOperations.wait_until_processed)
    plan_expiry = sync_call(BuildOperations.plan_expiry)


class AsyncBuilds(AsyncSurface[BuildOperations]):
    """Build operations on an asyncio client: `client.builds`, the same methods as `Builds`,
    awaitable (`list` and `pages` are async iterators)."""

    get = async_call(BuildOperations.get)
    list = async_items(BuildOperations.list)
    pages = async_pages(BuildOperations.list)
    find = async_call(BuildOperations.find)
    apply = async_call(BuildOperations.apply)
    update = async_call(BuildOperations.update)
    expire = async_call(BuildOperations.expire)
    set_uses_non_exempt_encryption = async_call(BuildOperations.set_uses_non_exempt_encryption)
    assign_encryption_declaration = async_call(BuildOperations.assign_encryption_declaration)
    expire_many = async_batch(BuildOperations.expire_many)
    check_declaration = async_call(BuildOperations.check_declaration)
    select = async_call(BuildOperations.select)
    wait_until_processed = async_call(BuildOperations.wait_until_processed)
    plan_expiry = async_call(BuildOperations.plan_expiry)
