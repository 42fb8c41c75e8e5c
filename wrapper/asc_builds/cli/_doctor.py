"""`asc-builds doctor`: is this machine ready to call App Store Connect?

The last check sends one authenticated read, so that an unregistered key id, a wrong
or missing issuer fail here rather than on the first real call.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from .._auth import TokenSigner
from .._base_client import APP_STORE_CONNECT_BASE_URL, ENTERPRISE_BASE_URL
from .._exceptions import AppStoreConnectError
from .._keys import APIKey
from .._version import USER_AGENT
from ._credentials import key_file_permissions_problem
from ._render import Renderer

__all__ = ["CLOCK_ALLOWANCE_SECONDS", "run_doctor"]

# Tokens are backdated by a minute; beyond this, Apple starts refusing them.
CLOCK_ALLOWANCE_SECONDS = 60.0


def _key_paths(args: argparse.Namespace, environ: Mapping[str, str]) -> list[Path]:
    names = [
        args.key_file,
        environ.get("ASC_PRIVATE_KEY_PATH"),
        environ.get("APP_STORE_CONNECT_API_KEY_PATH"),
    ]
    return [Path(name) for name in names if name]


def run_doctor(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    render: Renderer,
    load: Callable[[], APIKey],
    *,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], float] = time.time,
) -> int:
    statuses: list[str] = []

    def report(name: str, status: str, detail: str) -> None:
        statuses.append(status)
        render.check(name, status, detail)

    key: APIKey | None = None
    try:
        key = load()
    except (AppStoreConnectError, ValueError, OSError) as error:
        report("key", "FAIL", str(error))
    else:
        kind = "individual" if key.is_individual else f"team (issuer {key.issuer_id})"
        report("key", "ok", f"{key.key_id}, {kind} key, P-256")
        try:
            TokenSigner(key).token()
            report("token", "ok", f"signs ES256 tokens living {key.token_lifetime} s")
        except (AppStoreConnectError, ValueError) as error:
            report("token", "FAIL", str(error))
    for path in _key_paths(args, environ):
        if path.is_file():
            problem = key_file_permissions_problem(path)
            report("key file", "WARN" if problem else "ok", problem or f"{path.name} is private")

    default = (
        ENTERPRISE_BASE_URL if key is not None and key.enterprise else APP_STORE_CONNECT_BASE_URL
    )
    base_url = (args.base_url or default).rstrip("/")
    if args.dry_run:
        # Only this machine is checked: the key, its file, the token. Nothing is sent.
        for name in ("reachability", "clock"):
            report(name, "SKIP", f"--dry-run: no request sent to {base_url}")
        return _finish(render, statuses)
    try:
        # No credentials are sent: any answer proves reachability and carries a Date.
        with httpx.Client(transport=transport, timeout=10.0) as http:
            sent = now()
            response = http.get(f"{base_url}/v1/builds", headers={"User-Agent": USER_AGENT})
            received = now()
    except httpx.HTTPError as error:
        report("reachability", "FAIL", f"{base_url}: {type(error).__name__}: {error}")
    else:
        report("reachability", "ok", f"{base_url} answered HTTP {response.status_code}")
        date = response.headers.get("date")
        if date is None:
            report("clock", "WARN", "the server sent no Date header to compare with")
        else:
            server = parsedate_to_datetime(date).timestamp()
            skew = (sent + received) / 2 - server
            if abs(skew) > CLOCK_ALLOWANCE_SECONDS:
                side = "ahead of" if skew > 0 else "behind"
                report(
                    "clock",
                    "FAIL",
                    f"local clock is {abs(skew):.0f} s {side} the server's; "
                    "tokens will be refused: sync the clock (NTP)",
                )
            else:
                report("clock", "ok", f"within {abs(skew):.0f} s of the server's")
    if key is not None:
        from ._doctor_read import check_credentials

        report(*check_credentials(key, base_url, transport))
    return _finish(render, statuses)


def _finish(render: Renderer, statuses: list[str]) -> int:
    counts = {
        "total": len(statuses),
        "succeeded": statuses.count("ok"),
        "failed": statuses.count("FAIL"),
        "warned": statuses.count("WARN"),
        "skipped": statuses.count("SKIP"),
    }
    render.summary(counts)
    return 1 if counts["failed"] else 0
