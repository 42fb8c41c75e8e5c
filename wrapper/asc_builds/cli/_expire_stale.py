"""`asc-builds expire --bundle-id B --older-than 90d --keep-latest 5`: print the plan, ask,
expire. Expiry cannot be undone: the plan lists every build it would touch and every
build it keeps, each with its reason, before anything is sent."""

from __future__ import annotations

import argparse
import datetime
import re
from collections import Counter

from .. import BatchInterrupted, InvalidInputError
from .._keys import APIKey
from ..jobs import ExpiryPlan, PlannedBuild
from ._exit_status import EXIT_INTERRUPTED
from ._render import Renderer
from ._support import client_for, plural, report_outcomes, utc_minute

__all__ = ["run_expire_stale"]


def _check(args: argparse.Namespace) -> None:
    if args.bundle_id is None:
        raise InvalidInputError("--older-than and --keep-latest need --bundle-id (the app)")
    if args.older_than is None:
        raise InvalidInputError("give --older-than (e.g. 90d): builds newer than that are kept")
    if args.build_ids or args.ids_file is not None or args.build_number is not None:
        raise InvalidInputError(
            "--older-than plans over the app's builds: give no ids and no --build-number"
        )


def _date(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _show(render: Renderer, planned: PlannedBuild, action: str) -> None:
    build = planned.build
    payload = {
        "action": action,
        "reason": planned.reason,
        "marketing_version": build.marketing_version,
        "build_number": build.build_number,
        "uploaded_date": _date(build.uploaded_date),
    }
    uploaded = utc_minute(build.uploaded_date)
    text = (
        f"{action:<7} {build.id}  {build.marketing_version or '-':<10} "
        f"{build.build_number or '-':<8} {uploaded}  {planned.reason}"
    )
    render.planned(payload, text, id=build.id)


def _kept_reason(reason: str) -> str:
    """The reason without what differs from build to build: "uploaded 3 days ago, newer
    than the cutoff" as "newer than the cutoff", "one of the 5 latest (#2)" as "one of the
    5 latest"."""
    return re.sub(r" \(#\d+\)$", "", reason.rsplit(", ", 1)[-1])


def _show_plan(render: Renderer, plan: ExpiryPlan, *, every_kept: bool) -> None:
    for planned in plan.to_expire:
        _show(render, planned, "expire")
    # A long history keeps thousands of builds: in text they are counted by reason
    # unless -v asks for each; JSON, read by programs, has a line for each.
    if render.as_json or every_kept:
        for planned in plan.kept:
            _show(render, planned, "keep")
    else:
        reasons = Counter(_kept_reason(planned.reason) for planned in plan.kept)
        for reason, count in reasons.most_common():
            render.text(f"keep    {plural(count, 'build')}: {reason}")
    if not render.as_json:
        render.text(
            f"plan: expire {plural(len(plan.to_expire), 'build')} uploaded before "
            f"{plan.cutoff.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
            f"keep {len(plan.kept)}"
        )


def _confirmed(args: argparse.Namespace, render: Renderer, count: int) -> bool:
    if args.yes:
        return True
    stdin = args.stdin
    if not (stdin.isatty() and render.err.isatty()):
        raise InvalidInputError(
            f"not on a terminal: pass --yes to expire these {plural(count, 'build')} (it cannot be "
            "undone), or --dry-run to only print the plan"
        )
    render.err.write(f"Expire {plural(count, 'build')}? This cannot be undone. [y/N] ")
    render.err.flush()
    return stdin.readline().strip().lower() in ("y", "yes")


def run_expire_stale(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    _check(args)
    # The plan is read for real even with --dry-run, which then sends no PATCH.
    with client_for(args, key, dry_run=False) as asc:
        plan = asc.builds.plan_expiry(
            bundle_id=args.bundle_id,
            older_than=args.older_than,
            keep_latest=args.keep_latest or 0,
            marketing_version=args.marketing_version,
        )
        _show_plan(render, plan, every_kept=args.verbose > 0)
        if args.dry_run or not plan.ids:
            return report_outcomes(render, [], verb="expired")
        if not _confirmed(args, render, len(plan.ids)):
            render.note("nothing expired")
            return 1
        try:
            outcomes = asc.builds.expire_many(
                plan.ids, concurrency=args.concurrency, on_outcome=render.outcome
            )
        except BatchInterrupted as interrupted:
            # Ctrl-C (or stdout closed): nothing new was sent after it.
            report_outcomes(render, interrupted.outcomes, verb="expired")
            return EXIT_INTERRUPTED
    return report_outcomes(render, outcomes, verb="expired")
