"""The registry of the commands that talk to App Store Connect: name to function.

The small commands are written here; the larger ones live in their own modules. What
they share is in `_support`, which imports none of them.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TextIO

from .. import (
    APIKey,
    AppStoreConnect,
    BatchInterrupted,
    BuildInfo,
    BuildOutcome,
    InvalidInputError,
    NotAttemptedError,
    UpdateResult,
)
from .._auth import TokenSigner
from .._ids import validate_id
from ._dry_run import RequestNotSent, describe_request
from ._exit_status import EXIT_INTERRUPTED
from ._expire_stale import run_expire_stale
from ._reads import run_get, run_list
from ._render import Renderer
from ._selector import read_selected, resolve_build_id
from ._support import client_for, report_counts, report_outcomes
from ._wait_command import run_wait

__all__ = ["API_COMMANDS", "Command", "run_token"]

Command = Callable[[argparse.Namespace, APIKey, Renderer], int]


# One build's change: the client, the arguments, the build's id and, when the command
# looked the build up, the build as read (sent nothing when it already holds the values).
OneChange = Callable[[AppStoreConnect, argparse.Namespace, str, BuildInfo | None], UpdateResult]


def _one_build(call: OneChange) -> Command:
    """A command that sends one PATCH and prints the build, changed or already so."""

    def command(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
        # A build named by app and numbers is looked up for real even in a dry run: the
        # dry run describes the PATCH, the one request that would change something. It
        # was just read, so a build already holding the values is sent nothing ("already").
        with client_for(args, key, dry_run=False) as reader:
            current = read_selected(reader, args)
        build_id = args.build_id if current is None else current.id
        with client_for(args, key) as asc:
            try:
                result = call(asc, args, build_id, current)
            except RequestNotSent as dry:
                render.request(describe_request(dry.request), id=build_id)
                return 0
        outcome = BuildOutcome(build_id, build=result.build, changed=result.changed)
        render.outcome(outcome)
        return report_outcomes(render, [outcome], verb="changed")

    return command


def _strict_text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{where} is not UTF-8 text (byte {error.start} cannot be read): no build id "
            "was read, nothing was sent"
        ) from None


def _read_stdin(stream: TextIO) -> Iterator[str]:
    """The ids on stdin, line by line (a million ids are never held twice, as text and as
    ids). Read as bytes and decoded strictly: a text stream would turn a bad byte into a
    lone surrogate that fails only once requests are going out."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        for line in stream:
            yield from line.split()
        return
    for number, line in enumerate(buffer, start=1):
        yield from _strict_text(line, f"stdin (line {number})").split()


def _build_ids(args: argparse.Namespace) -> list[str]:
    """The ids named on the command line, with those read from stdin ('-') and --ids-file."""
    ids: list[str] = []
    for word in args.build_ids:
        if word == "-":
            ids.extend(_read_stdin(args.stdin))
        else:
            ids.append(word)
    if args.ids_file is not None:
        ids += _strict_text(args.ids_file.read_bytes(), str(args.ids_file)).split()
    if not ids:
        where = "stdin" if "-" in args.build_ids else str(args.ids_file or "the command line")
        raise InvalidInputError(
            f"no build ids given (none on {where}): name them, pass '-' to read them from "
            "stdin, or --ids-file FILE"
        )
    return ids


def _expire(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    if args.older_than is not None or args.keep_latest is not None:
        return run_expire_stale(args, key, render)
    if args.yes:
        raise InvalidInputError("--yes goes with --older-than (expiring an app's stale builds)")
    # A malformed id refuses the whole batch before anything is sent: expire_many checks
    # every id first, and the dry run checks them all before describing any.
    if args.bundle_id is not None or args.build_number is not None:
        with client_for(args, key, dry_run=False) as reader:
            args.build_ids = [*args.build_ids, resolve_build_id(reader, args)]
    build_ids = _build_ids(args)
    with client_for(args, key) as asc:
        if args.dry_run:
            for build_id in build_ids:
                validate_id(build_id, what="build id")
            # One request description per id; nothing leaves the machine.
            for build_id in build_ids:
                try:
                    asc.builds.expire(build_id)
                except RequestNotSent as dry:
                    render.request(describe_request(dry.request), id=build_id)
            return 0
        return _expire_in_batches(asc, build_ids, args.concurrency, render)


# Ids expired per call of `expire_many`: each outcome is printed and counted as it arrives,
# then dropped, so that a million ids on stdin keep only their ids in memory.
_BATCH_SIZE = 1_000


def _expire_in_batches(
    asc: AppStoreConnect, build_ids: list[str], concurrency: int, render: Renderer
) -> int:
    # Every id is checked before the first request: bad input sends nothing at all.
    for build_id in build_ids:
        validate_id(build_id, what="build id")
    counts: Counter[str] = Counter()

    def show(outcome: BuildOutcome) -> None:
        # Each outcome is printed as it arrives: a long batch shows progress when piped.
        render.outcome(outcome)
        counts[outcome.status] += 1

    for start in range(0, len(build_ids), _BATCH_SIZE):
        batch = build_ids[start : start + _BATCH_SIZE]
        try:
            asc.builds.expire_many(batch, concurrency=concurrency, on_outcome=show)
        except BatchInterrupted:
            # Ctrl-C or SIGTERM: nothing new was sent after it; this batch reported every
            # id (expire_many does before raising), the later ones are not attempted.
            for build_id in build_ids[start + len(batch) :]:
                reason = f"build {build_id} was not sent: the batch was interrupted"
                show(BuildOutcome(build_id, error=NotAttemptedError(reason)))
            report_counts(render, counts, verb="expired")
            return EXIT_INTERRUPTED
    return report_counts(render, counts, verb="expired")


def _check_declaration(args: argparse.Namespace) -> bool:
    # A dry run describes the PATCH alone, so the reads of the check are not made.
    return not (args.no_declaration_check or args.dry_run)


def _set_encryption(
    asc: AppStoreConnect, args: argparse.Namespace, build_id: str, current: BuildInfo | None
) -> UpdateResult:
    return asc.builds.apply(
        build_id, uses_non_exempt_encryption=args.uses_non_exempt_encryption, current=current
    )


def _assign_declaration(
    asc: AppStoreConnect, args: argparse.Namespace, build_id: str, current: BuildInfo | None
) -> UpdateResult:
    return asc.builds.apply(
        build_id,
        encryption_declaration_id=args.declaration_id,
        check_declaration=_check_declaration(args),
        current=current,
    )


def _update(
    asc: AppStoreConnect, args: argparse.Namespace, build_id: str, current: BuildInfo | None
) -> UpdateResult:
    if not args.expire and args.uses_non_exempt_encryption is None and args.declaration is None:
        raise InvalidInputError(
            "nothing to update: give --expire, --uses-non-exempt-encryption true|false or "
            "--declaration DECLARATION_ID"
        )
    return asc.builds.apply(
        build_id,
        expired=True if args.expire else None,
        uses_non_exempt_encryption=args.uses_non_exempt_encryption,
        encryption_declaration_id=args.declaration,
        check_declaration=_check_declaration(args),
        current=current,
    )


def run_token(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    token = TokenSigner(key, scope=args.scope).token()
    if render.as_json:
        render.line("token", {"token": token, "key_id": key.key_id, "scope": args.scope}, ok=True)
    else:
        # The one place a token is printed: the user asked for it, on stdout only.
        render.text(token)
    return 0


def _reads(run: Command) -> Command:
    def command(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
        try:
            return run(args, key, render)
        except RequestNotSent as dry:
            render.request(describe_request(dry.request), id=getattr(args, "build_id", None))
            return 0

    return command


API_COMMANDS: dict[str, Command] = {
    "get": _reads(run_get),
    "list": _reads(run_list),
    "expire": _expire,
    "set-encryption": _one_build(_set_encryption),
    "assign-declaration": _one_build(_assign_declaration),
    "update": _one_build(_update),
    "wait": run_wait,
    "token": run_token,
}
