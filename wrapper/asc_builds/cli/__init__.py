"""The `asc-builds` command line.

    asc-builds expire ID [ID ...] | expire - < ids.txt | expire --ids-file ids.txt
    asc-builds set-encryption ID --uses-non-exempt-encryption false
    asc-builds assign-declaration ID DECLARATION_ID
    asc-builds update ID [--expire] [--uses-non-exempt-encryption B] [--declaration ID]
    asc-builds token [--scope "PATCH /v1/builds/ID"]
    asc-builds doctor | fake-server [--port N] | demo

`asc-builds --help` describes the credentials and global options; `_output` the one shape
of `--json` output. `--version`, `--help` and usage errors are answered without loading
httpx, PyJWT or cryptography: the SDK is imported once a command runs (`_dispatch`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TextIO

from .._exceptions import AppStoreConnectError, InvalidInputError
from ._durations import join_dash_values
from ._exit_status import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from ._parser import COMMANDS, GLOBAL_DEFAULTS, UsageError, build_parser
from ._render import OutputClosed, Renderer
from ._visible import visible
from ._wait_notices import showing_long_waits

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PIPE_CLOSED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "main",
    "run",
]


class _VisibleFormatter(logging.Formatter):
    # Retry lines quote the server's error text: show its control characters.
    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


@contextlib.contextmanager
def _logging_to(stream: TextIO, verbosity: int) -> Iterator[None]:
    """Send the SDK's log lines to `stream` for one command, then put things back.

    `run` also serves in-process callers (the demo, tests), so it must not leave the
    `asc_builds` logger changed behind it.
    """
    if verbosity <= 0:
        yield
        return
    logger = logging.getLogger("asc_builds")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_VisibleFormatter("%(levelname)s %(name)s: %(message)s"))
    previous = logger.level
    logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def run(
    argv: Sequence[str],
    *,
    environ: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None = None,
) -> int:
    """Run one command line; returns the exit status. Never raises for a user's mistake.

    `stdin` is where `expire -` reads ids (the process's stdin when None).
    """
    argv = join_dash_values(argv)
    parser = build_parser()
    try:
        # --help and --version print through sys.stdout; send them where this run writes.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except UsageError as error:
        # The options were not parsed, so --json is looked for by hand.
        command = next((word for word in argv if word in COMMANDS), None)
        render = Renderer(out=out, err=err, as_json="--json" in argv, command=command)
        if not render.as_json:
            err.write(error.usage)
        render.error(error, name="UsageError")
        return EXIT_USAGE
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    for name, default in GLOBAL_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    args.stdin = sys.stdin if stdin is None else stdin
    render = Renderer(out=out, err=err, as_json=args.json, command=args.command)
    with _logging_to(err, args.verbose), showing_long_waits(render, verbosity=args.verbose):
        try:
            status = _dispatch(args, environ, render, out)
        except OutputClosed:
            status = EXIT_PIPE_CLOSED
    # Whatever the command went on to do, its reader had gone: the closed-pipe status,
    # never one that says nothing was sent.
    return EXIT_PIPE_CLOSED if render.closed else status


def _dispatch(
    args: argparse.Namespace, environ: Mapping[str, str], render: Renderer, out: TextIO
) -> int:
    # The SDK (httpx, PyJWT, cryptography) is loaded here, once a command is to run.
    from .._base_client import validate_base_url
    from ._commands import API_COMMANDS
    from ._doctor import run_doctor
    from ._support import key_from_args

    try:
        _refuse_what_does_not_apply(args)
        if args.base_url is not None:
            validate_base_url(args.base_url)
        # The fake App Store Connect is imported only by the commands that run it,
        # so that the everyday commands start faster.
        if args.command == "demo":
            from ._demo import run_demo

            return run_demo(out=out, command_line=run)
        if args.command == "fake-server":
            from ._fake_server import run_fake_server

            return run_fake_server(args, render)
        if args.command == "doctor":
            return run_doctor(args, environ, render, lambda: key_from_args(args, environ))
        key = key_from_args(args, environ)
        return API_COMMANDS[args.command](args, key, render)
    except ValueError as error:
        # Bad ids, bad keys, bad option combinations: found before anything was sent.
        render.error(error)
        return EXIT_USAGE
    except AppStoreConnectError as error:
        render.error(error)
        return EXIT_FAILED
    except OSError as error:
        render.error(_without_file_name(error))
        return EXIT_USAGE


def _without_file_name(error: OSError) -> OSError:
    from .._keys import describe_key_path

    # str(OSError) repeats the file name, and a "file name" may be pasted key material.
    filename = error.filename
    if filename is None:
        return error
    if isinstance(filename, (str, bytes, os.PathLike)):
        filename = os.fsdecode(filename)
    reason = error.strerror or type(error).__name__
    return OSError(f"{reason}: {describe_key_path(str(filename))}")


# Options some commands cannot honour: refused, rather than silently ignored.
_NOT_APPLICABLE = {
    ("token", "dry_run"): (
        "--dry-run does not apply to token: it prints a live credential, which a dry run "
        "must not do (token sends nothing either way)"
    ),
    ("demo", "dry_run"): "--dry-run does not apply to demo: it only talks to its own fake",
    ("demo", "json"): "--json does not apply to demo: it is a walkthrough for people",
    ("fake-server", "dry_run"): "--dry-run does not apply to fake-server: it sends nothing",
}


def _refuse_what_does_not_apply(args: argparse.Namespace) -> None:
    for (command, option), message in _NOT_APPLICABLE.items():
        if args.command == command and getattr(args, option):
            raise InvalidInputError(message)


_terminated = threading.Event()


def _interrupt(signum: int, frame: object) -> None:
    _terminated.set()
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    # SIGTERM (a CI runner cancelling the job, `kill`) is handled as Ctrl-C is: a batch
    # stops sending and reports every id; the fake server removes its throwaway key.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        status = run(
            sys.argv[1:] if argv is None else argv,
            environ=os.environ,
            out=sys.stdout,
            err=sys.stderr,
            stdin=sys.stdin,
        )
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    if status == EXIT_INTERRUPTED and _terminated.is_set():
        # The batch stopped and reported as on Ctrl-C; the status says what stopped it.
        return EXIT_TERMINATED
    if status == EXIT_PIPE_CLOSED:
        # As Python's documentation on SIGPIPE advises: point stdout at devnull, so that
        # the interpreter's last flush does not fail on the closed pipe and print a traceback.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return status
