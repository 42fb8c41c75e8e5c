"""What a batch reads before it writes: its builds, 100 a request, only the fields needed.

`GET /v1/builds?filter[id]=a,b,...` returns the builds among the ids that exist and that the
key can see; a batch (`_batch.Batch.triage`) then knows, without a PATCH, which builds
already hold its change and which are not there. The read asks only for the values the
change decides on (`fields[builds]`): about 200 bytes a build instead of 3.4 KB.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .._paging import PageWalk
from .._steps import Steps
from ..jobs._converge import RequestedChange, UpdateResult
from ._batch import Batch, OnOutcome
from ._info import BuildInfo
from ._reads import build_ids_operation, parse_builds_page

__all__ = ["batch_read", "change_batch", "read_by_ids", "read_needs"]


def read_needs(change: RequestedChange) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(`fields[builds]`, `include`) a batch's read asks for to see whether each build
    already holds `change`: the values asked for, and the build number that names the
    build in reports, nothing else."""
    fields: list[str] = ["version"]
    include: tuple[str, ...] = ()
    if change.expired is not None:
        fields.append("expired")
    if change.uses_non_exempt_encryption is not None:
        fields.append("usesNonExemptEncryption")
    if change.encryption_declaration_id is not None:
        # A relationship's linkage is only sent when it is included.
        fields.append("appEncryptionDeclaration")
        include = ("appEncryptionDeclaration",)
    return tuple(fields), include


def read_by_ids(
    build_ids: Sequence[str],
    fields: Sequence[str],
    include: Sequence[str] = (),
    max_retries: int | None = None,
) -> Steps[dict[str, BuildInfo]]:
    """The builds among `build_ids` (at most `IDS_PER_READ`) that App Store Connect
    returns, by id; a build it returns that was not asked for is ignored.

    One page holds them all (its `limit` is the number of ids), so no `links.next` is
    followed: a request spent on a second page could only read what was not asked for.
    """
    wanted = list(dict.fromkeys(build_ids))
    first = build_ids_operation(wanted, fields, include)
    walk = PageWalk(first, parse_builds_page, max_retries=max_retries, max_items=len(wanted))
    page = yield from walk.next_page()
    asked = set(wanted)
    found: dict[str, BuildInfo] = {}
    for info in () if page is None else page.items:
        if info.id in asked:
            found.setdefault(info.id, info)
    return found


def batch_read(
    change: RequestedChange, max_retries: int | None
) -> Callable[[Sequence[str]], Steps[Mapping[str, BuildInfo]]]:
    """How a batch of `change` reads a chunk of its ids."""
    fields, include = read_needs(change)

    def read(chunk: Sequence[str]) -> Steps[Mapping[str, BuildInfo]]:
        return read_by_ids(chunk, fields, include, max_retries)

    return read


def change_batch(
    ids: list[str],
    change: RequestedChange,
    apply: Callable[..., Steps[UpdateResult]],
    concurrency: int,
    max_retries: int | None,
    on_outcome: OnOutcome | None,
    keep_builds: bool,
) -> Batch:
    """A batch of `change` over (checked) `ids`, each PATCH made by `apply`
    (`builds.apply`) given the build as read: the one path of every batched change."""

    def apply_one(build_id: str, current: BuildInfo) -> Steps[UpdateResult]:
        return apply(
            build_id,
            expired=change.expired,
            uses_non_exempt_encryption=change.uses_non_exempt_encryption,
            encryption_declaration_id=change.encryption_declaration_id,
            current=current,
            max_retries=max_retries,
        )

    read = batch_read(change, max_retries)
    return Batch(ids, concurrency, change, read, apply_one, on_outcome, keep_builds)
