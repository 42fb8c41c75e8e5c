"""What each `asc-builds` command does, given parsed arguments."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

from asc_builds_generated.models import Build

from .._auth import TokenSigner
from .._client import AppStoreConnect
from .._exceptions import InvalidInputError
from .._ids import validate_id
from .._keys import APIKey
from .._retry import DEFAULT_MAX_RETRIES
from ._credentials import load_key
from ._dry_run import DryRunTransport, RequestNotSent, describe_request
from ._render import Renderer

__all__ = ["API_COMMANDS", "key_from_args", "run_token"]


def key_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> APIKey:
    return load_key(
        key_file=args.key_file,
        key_id=args.key_id,
        issuer_id=args.issuer_id,
        individual=args.individual_key,
        environ=environ,
    )


def _client(args: argparse.Namespace, key: APIKey) -> AppStoreConnect:
    return AppStoreConnect(
        key,
        base_url=args.base_url,
        max_retries=DEFAULT_MAX_RETRIES if args.max_retries is None else args.max_retries,
        transport=DryRunTransport() if args.dry_run else None,
    )


Command = Callable[[argparse.Namespace, APIKey, Renderer], int]


def _one_build(call: Callable[[AppStoreConnect, argparse.Namespace], Build]) -> Command:
    """A command that sends one PATCH and prints the updated build."""

    def command(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
        with _client(args, key) as asc:
            try:
                build = call(asc, args)
            except RequestNotSent as dry:
                render.request(describe_request(dry.request), id=args.build_id)
                return 0
        render.build(build)
        return 0

    return command


def _build_ids(args: argparse.Namespace) -> list[str]:
    """The ids named on the command line, with those read from stdin ('-') and --ids-file."""
    ids: list[str] = []
    for word in args.build_ids:
        if word == "-":
            ids += args.stdin.read().split()
        else:
            ids.append(word)
    if args.ids_file is not None:
        ids += args.ids_file.read_text(encoding="utf-8").split()
    if not ids:
        where = "stdin" if "-" in args.build_ids else str(args.ids_file or "the command line")
        raise InvalidInputError(
            f"no build ids given (none on {where}): name them, pass '-' to read them from "
            "stdin, or --ids-file FILE"
        )
    return ids


def _expire(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    # A malformed id refuses the whole batch before anything is sent: expire_many checks
    # every id first, and the dry run checks them all before describing any.
    build_ids = _build_ids(args)
    with _client(args, key) as asc:
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
        # Each outcome is printed as it arrives: a long batch shows progress even when piped.
        outcomes = asc.builds.expire_many(
            build_ids, concurrency=args.concurrency, on_outcome=render.outcome
        )
    failed = sum(1 for outcome in outcomes if not outcome.ok)
    render.summary(
        {"total": len(outcomes), "succeeded": len(outcomes) - failed, "failed": failed},
        text=f"{len(outcomes) - failed} expired, {failed} failed",
    )
    return 0 if failed == 0 else 1


def _set_encryption(asc: AppStoreConnect, args: argparse.Namespace) -> Build:
    return asc.builds.set_uses_non_exempt_encryption(args.build_id, args.uses_non_exempt_encryption)


def _assign_declaration(asc: AppStoreConnect, args: argparse.Namespace) -> Build:
    return asc.builds.assign_encryption_declaration(args.build_id, args.declaration_id)


def _update(asc: AppStoreConnect, args: argparse.Namespace) -> Build:
    if not args.expire and args.uses_non_exempt_encryption is None and args.declaration is None:
        raise InvalidInputError(
            "nothing to update: give --expire, --uses-non-exempt-encryption true|false or "
            "--declaration DECLARATION_ID"
        )
    return asc.builds.update(
        args.build_id,
        expired=True if args.expire else None,
        uses_non_exempt_encryption=args.uses_non_exempt_encryption,
        encryption_declaration_id=args.declaration,
    )


def run_token(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    token = TokenSigner(key, scope=args.scope).token()
    if render.as_json:
        render.line("token", {"token": token, "key_id": key.key_id, "scope": args.scope}, ok=True)
    else:
        # The one place a token is printed: the user asked for it, on stdout only.
        render.out.write(token + "\n")
    return 0


def _reads(name: str) -> Command:
    # The read commands live in their own module; imported when one runs.
    def command(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
        from . import _reads as reads

        run: Command = reads.run_get if name == "get" else reads.run_list
        try:
            return run(args, key, render)
        except RequestNotSent as dry:
            render.request(describe_request(dry.request), id=getattr(args, "build_id", None))
            return 0

    return command


API_COMMANDS: dict[str, Command] = {
    "get": _reads("get"),
    "list": _reads("list"),
    "expire": _expire,
    "set-encryption": _one_build(_set_encryption),
    "assign-declaration": _one_build(_assign_declaration),
    "update": _one_build(_update),
    "token": run_token,
}
