"""The `asc-builds` command line's arguments.

It imports nothing of the SDK that loads httpx, PyJWT or cryptography: `--help`, `--version`
and usage errors are answered before any of them is needed (the commands import them).
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .._defaults import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    PROCESSING_STATES,
    SORT_VALUES,
)
from .._retry import DEFAULT_MAX_RETRIES
from .._version import __version__
from ._durations import parse_duration

__all__ = ["COMMANDS", "FAKE_PROCESSING_SECONDS", "GLOBAL_DEFAULTS", "UsageError", "build_parser"]

# How long `fake-server`'s newest build stays PROCESSING.
FAKE_PROCESSING_SECONDS = 30

COMMANDS = (
    "expire",
    "set-encryption",
    "assign-declaration",
    "update",
    "wait",
    "get",
    "list",
    "token",
    "doctor",
    "fake-server",
    "demo",
)

_DESCRIPTION = """\
Modify App Store Connect builds (PATCH /v1/builds/{id}): expire them, set their
encryption exemption, assign an encryption declaration; and look builds up first
(get, list). A build has two version numbers: the build number (CFBundleVersion,
Apple's Build.version, e.g. 345) and the marketing version
(CFBundleShortVersionString, its preReleaseVersion's version, e.g. 2.1.0).

Credentials come from --key-file, or from the environment conventions CI tools
already use: ASC_KEY_ID, ASC_ISSUER_ID and ASC_PRIVATE_KEY_PATH / ASC_PRIVATE_KEY /
ASC_PRIVATE_KEY_B64; codemagic's APP_STORE_CONNECT_KEY_IDENTIFIER,
APP_STORE_CONNECT_ISSUER_ID, APP_STORE_CONNECT_PRIVATE_KEY (each also as codemagic's
@env:NAME or @file:PATH); or fastlane's JSON key file named by
APP_STORE_CONNECT_API_KEY_PATH.

A key without an issuer id is refused unless --individual-key (or
ASC_KEY_KIND=individual) says it is an individual key.

--json prints JSON Lines: one object per line, the same members on every line
(kind, command, ok, id, and the payload named by kind); a batch prints one line
per build as it finishes, then a summary line. docs/cli.md describes each kind.

Exit status: 0 success, 1 App Store Connect refused or could not be reached,
2 a usage or configuration error (nothing was sent), 130 interrupted by Ctrl-C and
143 by SIGTERM (expire then prints what happened to each id: expired, failed or not
attempted), 141 stdout was closed (as by `| head`).
"""


class _Version(argparse.Action):
    """`--version`: the versions of asc-builds, httpx and Python, httpx's read from its
    installed metadata rather than by importing it."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        from importlib.metadata import version

        # On stdout, as argparse's own version action prints.
        sys.stdout.write(
            f"asc-builds {__version__} (httpx {version('httpx')}, "
            f"Python {platform.python_version()})\n"
        )
        parser.exit()


class UsageError(Exception):
    """The command line could not be parsed; `usage` is the command's usage line."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    # argparse prints and exits on a usage error; `run` renders it (as JSON with --json).
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` up to `high` (inclusive, if given)."""
    wanted = f"{low} or more" if high is None else f"from {low} to {high}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number {wanted}, got {text!r}"
            ) from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {value}")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {text!r}")
    return value


def _global_options() -> _Parser:
    # A parent parser, so global options work before or after the command name.
    options = _Parser(add_help=False)
    group = options.add_argument_group("global options")
    group.add_argument(
        "--key-file",
        type=Path,
        default=argparse.SUPPRESS,
        help="a .p8 private key or a fastlane JSON key file",
    )
    group.add_argument(
        "--key-id", default=argparse.SUPPRESS, help="the key id for a .p8 --key-file"
    )
    group.add_argument(
        "--issuer-id",
        default=argparse.SUPPRESS,
        help="the issuer id for a .p8 --key-file (or ASC_ISSUER_ID)",
    )
    group.add_argument(
        "--individual-key",
        action="store_true",
        default=argparse.SUPPRESS,
        help="the key is an individual key, which has no issuer id (or ASC_KEY_KIND=individual)",
    )
    group.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        help="App Store Connect's address (https, or http on loopback)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print JSON Lines: one object per line, one shape for every command",
    )
    group.add_argument(
        "--dry-run",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print the exact request (auth redacted) and send nothing; doctor checks "
        "only this machine; token and demo refuse it",
    )
    group.add_argument(
        "--max-retries",
        type=_whole_number(0),
        default=argparse.SUPPRESS,
        help=(
            f"retries on 429, 5xx and connection errors, 0 or more (default {DEFAULT_MAX_RETRIES})"
        ),
    )
    group.add_argument(
        "--request-timeout",
        type=_seconds,
        default=argparse.SUPPRESS,
        metavar="SECONDS",
        help=f"total time for each request with its retries (default {DEFAULT_CALL_TIMEOUT:g})",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log retries (-v) and every request (-vv) to stderr",
    )
    return options


GLOBAL_DEFAULTS: dict[str, object] = {
    "key_file": None,
    "key_id": None,
    "issuer_id": None,
    "individual_key": False,
    "base_url": None,
    "json": False,
    "dry_run": False,
    "max_retries": None,
    "request_timeout": None,
    "verbose": 0,
}


def build_parser() -> _Parser:
    common = _global_options()
    parser = _Parser(
        prog="asc-builds",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument(
        "--version", action=_Version, help="print the versions of asc-builds, httpx and Python"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text, parents=[common])

    def selector(parser: argparse.ArgumentParser, *, positional: bool = True) -> None:
        # Every command taking a build id also takes the names people know a build by.
        if positional:
            parser.add_argument("build_id", nargs="?", metavar="ID", help="the build's id")
        group = parser.add_argument_group("or name the build by app and numbers (instead of ID)")
        group.add_argument("--bundle-id", help="the app's bundle id (CFBundleIdentifier)")
        group.add_argument(
            "--marketing-version",
            metavar="VERSION",
            help="CFBundleShortVersionString, e.g. 2.1.0 (the pre-release version's version)",
        )
        group.add_argument(
            "--build-number",
            metavar="NUMBER",
            help="CFBundleVersion, e.g. 345 (Apple's Build.version)",
        )

    expire = command(
        "expire",
        "expire builds: by id (a result per id), or the stale builds of an app "
        "(--bundle-id B --older-than 90d --keep-latest 5: prints the plan, then asks)",
    )
    expire.add_argument(
        "build_ids",
        nargs="*",
        metavar="ID",
        help="a build id; '-' reads ids from stdin (separated by whitespace or newlines)",
    )
    selector(expire, positional=False)
    stale = expire.add_argument_group("expire an app's stale builds (with --bundle-id)")
    stale.add_argument(
        "--older-than",
        type=parse_duration,
        metavar="AGE",
        help="expire builds uploaded at least this long ago, with its unit: 90d, 12h, 30m, 45s "
        "(a bare number is refused)",
    )
    stale.add_argument(
        "--keep-latest",
        type=_whole_number(0),
        metavar="N",
        help="always keep the N most recently uploaded builds (default 0)",
    )
    stale.add_argument(
        "--yes",
        action="store_true",
        help="expire without asking (needed when not on a terminal); --dry-run sends nothing",
    )
    expire.add_argument(
        "--ids-file",
        type=Path,
        metavar="FILE",
        help="read build ids from FILE as well (separated by whitespace or newlines)",
    )
    expire.add_argument(
        "--concurrency",
        type=_whole_number(1, MAX_CONCURRENCY),
        default=DEFAULT_CONCURRENCY,
        help=f"requests in flight at once, 1 to {MAX_CONCURRENCY} (default {DEFAULT_CONCURRENCY})",
    )

    encryption = command("set-encryption", "set a build's usesNonExemptEncryption")
    selector(encryption)
    encryption.add_argument(
        "--uses-non-exempt-encryption", type=_bool, required=True, metavar="true|false"
    )

    declaration = command(
        "assign-declaration",
        "assign an app encryption declaration (checked first: it must exist, be the build's "
        "app's, and not be REJECTED, INVALID or EXPIRED)",
    )
    declaration.add_argument("build_id", nargs="?", metavar="ID", help="the build's id")
    declaration.add_argument("declaration_id", metavar="DECLARATION_ID")
    selector(declaration, positional=False)
    declaration.add_argument(
        "--no-declaration-check",
        action="store_true",
        help="assign without reading the declaration first",
    )

    update = command("update", "change several things of one build in one request")
    selector(update)
    update.add_argument("--expire", action="store_true", help="expire the build")
    update.add_argument("--uses-non-exempt-encryption", type=_bool, metavar="true|false")
    update.add_argument(
        "--declaration", metavar="DECLARATION_ID", help="assign this app encryption declaration"
    )
    update.add_argument(
        "--no-declaration-check",
        action="store_true",
        help="assign without reading the declaration first",
    )

    wait = command(
        "wait",
        "wait until App Store Connect has processed a build (VALID), then optionally answer "
        "export compliance and assign a declaration; exit 1 if processing fails or time runs out",
    )
    selector(wait)
    wait.add_argument(
        "--timeout",
        type=parse_duration,
        default=parse_duration("30m"),
        metavar="DURATION",
        help="how long to wait, with its unit: 30m (default), 1h, 90s (a bare number is refused)",
    )
    wait.add_argument(
        "--uses-non-exempt-encryption",
        type=_bool,
        metavar="true|false",
        help="then answer export compliance",
    )
    wait.add_argument(
        "--declaration", metavar="DECLARATION_ID", help="then assign this encryption declaration"
    )
    wait.add_argument(
        "--no-declaration-check",
        action="store_true",
        help="assign without reading the declaration first",
    )

    get = command("get", "show one build: versions, upload, processing state, expiry, encryption")
    selector(get)

    listing = command(
        "list",
        "list an app's builds as a table (id, marketing version, build number, uploaded, "
        "processing state, expired, encryption), newest pages first asked",
    )
    app = listing.add_mutually_exclusive_group(required=True)
    app.add_argument("--bundle-id", help="the app's bundle id (CFBundleIdentifier), exactly")
    app.add_argument("--app-id", help="the app's App Store Connect id")
    listing.add_argument(
        "--marketing-version",
        metavar="VERSION",
        help="CFBundleShortVersionString, e.g. 2.1.0 (the pre-release version's version)",
    )
    listing.add_argument(
        "--build-number",
        metavar="NUMBER",
        help="CFBundleVersion, e.g. 345 (Apple's Build.version)",
    )
    listing.add_argument("--expired", type=_bool, metavar="true|false")
    listing.add_argument(
        "--processing-state",
        action="append",
        choices=PROCESSING_STATES,
        help="repeatable: any of the states given",
    )
    listing.add_argument(
        "--sort",
        choices=SORT_VALUES,
        help="--sort=-uploadedDate lists the newest first (a leading - means descending)",
    )
    listing.add_argument(
        "--limit", type=_whole_number(1), metavar="N", help="stop after N builds (default: all)"
    )

    token = command("token", "print a bearer token (JWT) for use with curl")
    token.add_argument(
        "--scope",
        action="append",
        metavar='"METHOD /path"',
        help='limit the token to an operation, e.g. "PATCH /v1/builds/ID" (repeatable)',
    )

    command(
        "doctor",
        "check the key, the clock against App Store Connect's, reachability, and that "
        "App Store Connect accepts the credentials (one authenticated read)",
    )

    fake = command("fake-server", "run a fake App Store Connect on 127.0.0.1 for local testing")
    fake.add_argument(
        "--port", type=_whole_number(0, 65535), default=0, help="0 to 65535; 0 picks a free port"
    )
    fake.add_argument(
        "--builds",
        # Up to an app with a long history: the listing benchmark seeds 10,000.
        type=_whole_number(0, 100_000),
        default=3,
        help="how many builds to seed in one app (com.example.app), 0 to 100000 (default 3)",
    )
    fake.add_argument(
        "--processing-seconds",
        type=_whole_number(0, 3600),
        default=FAKE_PROCESSING_SECONDS,
        metavar="N",
        help="the newest build is PROCESSING and becomes VALID after N seconds, 0 to 3600 "
        f"(default {FAKE_PROCESSING_SECONDS}), so that `wait` can succeed against it",
    )
    fake.add_argument(
        "--hourly-limit",
        type=_whole_number(1, 1_000_000),
        default=3600,
        metavar="N",
        help="requests per rolling hour it allows, as Apple's X-Rate-Limit announces "
        "(default 3600); a small N shows the client pacing itself",
    )

    command("demo", "run every command against a fake App Store Connect on loopback")
    return parser
