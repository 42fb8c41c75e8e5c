"""Runs one call against a hostile server in a fresh process and reports how it went.

    python _driver.py '[{"mode": "sync", "base_url": ..., "build_id": ..., ...}, ...]'

Prints one JSON line per call: the outcome (the exception's class name, or "ok"), its
message, the elapsed seconds, and the peak resident memory during the call (VmHWM, KiB,
reset before each call through /proc/self/clear_refs; where that is refused, the caller
runs each call in a fresh process instead).
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import time
from typing import Any

import httpx
from asc_builds import ApiKey, AppStoreConnect, AsyncAppStoreConnect
from asc_builds.cli import run
from asc_builds.testing import make_throwaway_key


def peak_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def _limits(spec: dict[str, Any]) -> dict[str, Any]:
    return {name: spec[name] for name in ("attempt_timeout", "call_timeout") if name in spec}


def _sync(spec: dict[str, Any], key: ApiKey) -> None:
    http = None
    if spec.get("http_client"):
        http = httpx.Client(follow_redirects=True, verify=spec.get("verify", True))
    with AppStoreConnect(
        key,
        base_url=spec["base_url"],
        http_client=http,
        max_retries=spec.get("max_retries", 2),
        **_limits(spec),
    ) as asc:
        asc.builds.expire(spec["build_id"])


async def _async(spec: dict[str, Any], key: ApiKey) -> None:
    http = None
    if spec.get("http_client"):
        http = httpx.AsyncClient(follow_redirects=True, verify=spec.get("verify", True))
    async with AsyncAppStoreConnect(
        key,
        base_url=spec["base_url"],
        http_client=http,
        max_retries=spec.get("max_retries", 2),
        **_limits(spec),
    ) as asc:
        await asc.builds.expire(spec["build_id"])


def reset_peak() -> bool:
    """Start a new VmHWM from the current resident size (Linux's clear_refs "5")."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    throwaway = make_throwaway_key()
    key = ApiKey(
        key_id=throwaway.key_id,
        issuer_id=throwaway.issuer_id,
        private_key=throwaway.private_key_pem,
    )
    report: dict[str, Any] = {"outcome": "ok", "message": ""}
    peak_was_reset = reset_peak()
    started = time.monotonic()
    try:
        if spec["mode"] == "sync":
            _sync(spec, key)
        elif spec["mode"] == "async":
            asyncio.run(_async(spec, key))
        else:
            out, err = io.StringIO(), io.StringIO()
            environ = {
                "ASC_KEY_ID": throwaway.key_id,
                "ASC_ISSUER_ID": throwaway.issuer_id or "",
                "ASC_PRIVATE_KEY": throwaway.private_key_pem,
            }
            argv = ["--base-url", spec["base_url"], *spec.get("cli_args", [])]
            argv += ["expire", spec["build_id"]]
            report["exit"] = run(argv, environ=environ, out=out, err=err)
            report["out"], report["err"] = out.getvalue(), err.getvalue()
    except Exception as error:
        report = {"outcome": type(error).__name__, "message": str(error)}
    report["elapsed"] = time.monotonic() - started
    report["peak_kib"] = peak_kib()
    report["peak_was_reset"] = peak_was_reset
    return report


def main() -> None:
    """One spec, or a list run one after the other (each with its own peak, if resettable)."""
    specs = json.loads(sys.argv[1])
    for spec in specs if isinstance(specs, list) else [specs]:
        print(json.dumps(drive(spec)), flush=True)


if __name__ == "__main__":
    main()
