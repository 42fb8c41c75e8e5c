"""Which builds an expiry job expires, and why each of the others is kept.

`plan_expiry` only decides; applying the plan is a batch (`expire_many`). Expiry cannot be
undone, so the rules are few and each kept build says which one kept it:

1. Only builds of the chosen marketing version count, when one is given; the others are
   not listed at all.
2. A build already expired is kept ("already expired"): there is nothing to do.
   `builds.plan_expiry` does not even list them (`filter[expired]=false`): a re-run with
   nothing left to expire costs one page per 200 unexpired builds.
3. A build whose processing is not `VALID` is kept: it is not (or not yet) a build testers
   have, and Apple refuses to expire it.
4. The `keep_latest` most recently uploaded of the remaining builds are kept ("one of the
   N latest"), newest first; equal upload dates are ordered by build id so that the plan
   does not depend on the order Apple lists them in.
5. Of the rest, a build uploaded at or before `now - older_than` is expired; a newer one
   (or one without an upload date) is kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol

import attrs

from .._exceptions import InvalidInputError

__all__ = ["ExpiryPlan", "PlanBuild", "PlanRecord", "PlannedBuild", "plan_expiry"]


class PlanBuild(Protocol):
    """What planning reads of a build (`BuildInfo` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def marketing_version(self) -> str | None: ...
    @property
    def build_number(self) -> str | None: ...
    @property
    def uploaded_date(self) -> datetime.datetime | None: ...
    @property
    def expired(self) -> bool | None: ...
    @property
    def processing_state(self) -> str | None: ...


@attrs.frozen
class PlanRecord:
    """What a plan keeps of a build: a few hundred bytes, where the parsed build and its
    included resources take kilobytes, so that an app with 100,000 builds plans in
    bounded memory (pages are read one at a time and only these records stay)."""

    id: str
    marketing_version: str | None
    build_number: str | None
    uploaded_date: datetime.datetime | None
    expired: bool | None
    processing_state: str | None

    @classmethod
    def of(cls, build: PlanBuild) -> PlanRecord:
        return cls(
            build.id,
            build.marketing_version,
            build.build_number,
            build.uploaded_date,
            build.expired,
            build.processing_state,
        )


@attrs.frozen
class PlannedBuild:
    """One build of the plan and the reason it is expired or kept."""

    build: PlanBuild
    reason: str

    @property
    def id(self) -> str:
        return self.build.id


@attrs.frozen
class ExpiryPlan:
    """The builds to expire and the builds kept, each with its reason.

    `to_expire` is oldest first; `kept` lists the builds in the order the rules met them.
    """

    to_expire: tuple[PlannedBuild, ...]
    kept: tuple[PlannedBuild, ...]
    cutoff: datetime.datetime
    keep_latest: int
    marketing_version: str | None = None

    @property
    def ids(self) -> list[str]:
        """The ids to expire, oldest first."""
        return [planned.id for planned in self.to_expire]


def _age(moment: datetime.datetime, now: datetime.datetime) -> str:
    days = (now - moment).total_seconds() / 86_400
    return f"{days:.0f} days ago" if days >= 1 else "less than a day ago"


def _check_options(older_than: datetime.timedelta, keep_latest: int) -> None:
    if not isinstance(older_than, datetime.timedelta) or older_than < datetime.timedelta(0):
        raise InvalidInputError(f"older_than must be a non-negative timedelta; got {older_than!r}")
    if isinstance(keep_latest, bool) or not isinstance(keep_latest, int) or keep_latest < 0:
        raise InvalidInputError(f"keep_latest must be a non-negative int; got {keep_latest!r}")


def plan_expiry(
    builds: Iterable[PlanBuild],
    *,
    now: datetime.datetime,
    older_than: datetime.timedelta,
    keep_latest: int,
    marketing_version: str | None = None,
) -> ExpiryPlan:
    """The plan for `builds` at `now` (timezone-aware); see the module docstring for the rules."""
    _check_options(older_than, keep_latest)
    if now.tzinfo is None:
        raise InvalidInputError("now must be timezone-aware")
    cutoff = now - older_than
    kept: list[PlannedBuild] = []
    candidates: list[PlanBuild] = []
    seen: set[str] = set()
    for build in builds:
        if build.id in seen:
            # Paging can repeat an item when builds are uploaded mid-listing.
            continue
        seen.add(build.id)
        if marketing_version is not None and build.marketing_version != marketing_version:
            continue
        if build.expired:
            kept.append(PlannedBuild(build, "already expired"))
        elif build.processing_state != "VALID":
            kept.append(PlannedBuild(build, f"processing state is {build.processing_state}"))
        else:
            candidates.append(build)

    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    newest_first = sorted(
        candidates,
        key=lambda build: (build.uploaded_date or oldest, build.id),
        reverse=True,
    )
    for position, build in enumerate(newest_first[:keep_latest], start=1):
        latest = "the latest" if keep_latest == 1 else f"one of the {keep_latest} latest"
        kept.append(PlannedBuild(build, f"{latest} (#{position})"))
    to_expire: list[PlannedBuild] = []
    for build in reversed(newest_first[keep_latest:]):
        uploaded = build.uploaded_date
        if uploaded is None:
            kept.append(PlannedBuild(build, "no upload date"))
        elif uploaded <= cutoff:
            to_expire.append(PlannedBuild(build, f"uploaded {_age(uploaded, now)}"))
        else:
            kept.append(
                PlannedBuild(build, f"uploaded {_age(uploaded, now)}, newer than the cutoff")
            )
    return ExpiryPlan(
        to_expire=tuple(to_expire),
        kept=tuple(kept),
        cutoff=cutoff,
        keep_latest=keep_latest,
        marketing_version=marketing_version,
    )
