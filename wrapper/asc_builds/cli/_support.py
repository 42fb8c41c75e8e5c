"""What several commands share: credentials, the client, the summary, the exit statuses.

The commands' registry (`_commands`) and the commands in their own modules (`_reads`,
`_expire_stale`, `_wait_command`) all import from here, and this imports none of them.
"""

from __future__ import annotations

import argparse
import datetime
from collections import Counter
from collections.abc import Mapping

from .. import DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RETRIES, APIKey, AppStoreConnect, BuildOutcome
from ._credentials import load_key
from ._dry_run import DryRunTransport
from ._render import Renderer

__all__ = [
    "client_for",
    "key_from_args",
    "plural",
    "report_counts",
    "report_outcomes",
    "utc_minute",
]


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 build`, `2 builds`."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def utc_minute(moment: datetime.datetime | None) -> str:
    """A time as the command line prints it, in one zone throughout: `2026-01-05 14:03 UTC`
    (Apple sends its own offset, often -07:00)."""
    if moment is None:
        return "-"
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def key_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> APIKey:
    return load_key(
        key_file=args.key_file,
        key_id=args.key_id,
        issuer_id=args.issuer_id,
        individual=args.individual_key,
        environ=environ,
    )


def client_for(
    args: argparse.Namespace, key: APIKey, *, dry_run: bool | None = None
) -> AppStoreConnect:
    """The command's client; with `dry_run` (default: --dry-run) it sends nothing."""
    dry = args.dry_run if dry_run is None else dry_run
    return AppStoreConnect(
        key,
        base_url=args.base_url,
        max_retries=DEFAULT_MAX_RETRIES if args.max_retries is None else args.max_retries,
        transport=DryRunTransport() if dry else None,
        call_timeout=(
            DEFAULT_CALL_TIMEOUT if args.request_timeout is None else args.request_timeout
        ),
    )


def report_outcomes(render: Renderer, outcomes: list[BuildOutcome], *, verb: str) -> int:
    """The summary of builds changed, already so, failed and not attempted; the exit status
    (0 when every build ended in the requested state)."""
    return report_counts(render, Counter(outcome.status for outcome in outcomes), verb=verb)


def report_counts(render: Renderer, outcomes: Mapping[str, int], *, verb: str) -> int:
    """`report_outcomes` from the number of builds of each status."""
    counts = {status: 0 for status in ("changed", "already", "failed", "not attempted")}
    counts.update(outcomes)
    total = sum(counts.values())
    succeeded = counts["changed"] + counts["already"]
    failed = counts["failed"]
    already = f"already {verb}" if verb != "changed" else "already as asked"
    text = f"{counts['changed']} {verb}, {counts['already']} {already}, {counts['failed']} failed"
    if counts["not attempted"]:
        text += f", {counts['not attempted']} not attempted"
    render.summary(
        {
            "total": total,
            "succeeded": succeeded,
            "failed": failed,
            "changed": counts["changed"],
            "already": counts["already"],
            "not_attempted": counts["not attempted"],
        },
        text=text,
    )
    # A build not attempted did not end in the requested state either.
    return 0 if succeeded == total else 1
