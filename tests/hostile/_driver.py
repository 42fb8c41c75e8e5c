"""Runs one call against a hostile server in a fresh process and reports how it went.

    python _driver.py '[{"mode": "sync", "base_url": ..., "build_id": ..., ...}, ...]'

`action` says what the library does (default "expire"): "get", "list", "find", "plan",
"wait", "assign", "expire" or "expire_many"; in "cli" mode `argv` is the
whole command line after `--base-url` (default: `expire` of the build). Prints one JSON
line per call: the outcome (the exception's class name, or "ok"), its message, the class
of its cause, what the call returned (`result`, for the library), the elapsed seconds,
and the peak resident memory during the call (VmHWM, KiB, reset before each call through
/proc/self/clear_refs; where that is refused, the caller runs each call in a fresh
process instead).
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import sys
import time
from typing import Any

import httpx
from asc_builds import ApiKey, AppStoreConnect, AsyncAppStoreConnect, PollSchedule, RateBudget
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


def _options(spec: dict[str, Any]) -> dict[str, Any]:
    options = _limits(spec)
    if "reserve" in spec:
        options["budget"] = RateBudget(reserve=spec["reserve"])
    return options


def _poll(spec: dict[str, Any]) -> PollSchedule:
    every = spec.get("poll", 0.2)
    return PollSchedule(initial=every, factor=1.0, maximum=every, jitter=0.0)


def _outcomes(outcomes: Any) -> list[list[str | None]]:
    return [
        [o.build_id, o.status, None if o.error is None else type(o.error).__name__]
        for o in outcomes
    ]


def _plan(plan: Any) -> dict[str, int]:
    return {"expire": len(plan.to_expire), "kept": len(plan.kept)}


OLDER_THAN = datetime.timedelta(days=1)


def _sync_action(asc: AppStoreConnect, spec: dict[str, Any]) -> Any:
    action, build_id, builds = spec.get("action", "expire"), spec["build_id"], asc.builds
    if action == "get":
        return builds.get(build_id).id
    if action == "list":
        return len(list(builds.list(app_id=spec["app_id"])))
    if action == "find":
        return asc.apps.find(bundle_id=spec["bundle_id"]).id
    if action == "plan":
        plan = builds.plan_expiry(app_id=spec["app_id"], older_than=OLDER_THAN, keep_latest=0)
        return _plan(plan)
    if action == "wait":
        timeout = spec.get("timeout", 30)
        return builds.wait_until_processed(build_id, timeout=timeout, schedule=_poll(spec)).id
    if action == "assign":
        return builds.assign_encryption_declaration(build_id, spec["declaration_id"]).id
    if action == "expire":
        return builds.expire(build_id).id
    if action == "expire_many":
        return _outcomes(builds.expire_many(spec["build_ids"]))
    raise ValueError(f"unknown action {action!r}")


async def _async_action(asc: AsyncAppStoreConnect, spec: dict[str, Any]) -> Any:
    action, build_id, builds = spec.get("action", "expire"), spec["build_id"], asc.builds
    if action == "get":
        return (await builds.get(build_id)).id
    if action == "list":
        return len([build async for build in builds.list(app_id=spec["app_id"])])
    if action == "find":
        return (await asc.apps.find(bundle_id=spec["bundle_id"])).id
    if action == "plan":
        plan = await builds.plan_expiry(app_id=spec["app_id"], older_than=OLDER_THAN, keep_latest=0)
        return _plan(plan)
    if action == "wait":
        timeout = spec.get("timeout", 30)
        wait = builds.wait_until_processed(build_id, timeout=timeout, schedule=_poll(spec))
        return (await wait).id
    if action == "assign":
        return (await builds.assign_encryption_declaration(build_id, spec["declaration_id"])).id
    if action == "expire":
        return (await builds.expire(build_id)).id
    if action == "expire_many":
        return _outcomes(await builds.expire_many(spec["build_ids"]))
    raise ValueError(f"unknown action {action!r}")


def _sync(spec: dict[str, Any], key: ApiKey) -> Any:
    http = None
    if spec.get("http_client"):
        http = httpx.Client(follow_redirects=True, verify=spec.get("verify", True))
    with AppStoreConnect(
        key,
        base_url=spec["base_url"],
        http_client=http,
        max_retries=spec.get("max_retries", 2),
        **_options(spec),
    ) as asc:
        return _sync_action(asc, spec)


async def _async(spec: dict[str, Any], key: ApiKey) -> Any:
    http = None
    if spec.get("http_client"):
        http = httpx.AsyncClient(follow_redirects=True, verify=spec.get("verify", True))
    async with AsyncAppStoreConnect(
        key,
        base_url=spec["base_url"],
        http_client=http,
        max_retries=spec.get("max_retries", 2),
        **_options(spec),
    ) as asc:
        return await _async_action(asc, spec)


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
            report["result"] = _sync(spec, key)
        elif spec["mode"] == "async":
            report["result"] = asyncio.run(_async(spec, key))
        else:
            out, err = io.StringIO(), io.StringIO()
            environ = {
                "ASC_KEY_ID": throwaway.key_id,
                "ASC_ISSUER_ID": throwaway.issuer_id or "",
                "ASC_PRIVATE_KEY": throwaway.private_key_pem,
            }
            argv = ["--base-url", spec["base_url"], *spec.get("cli_args", [])]
            argv += spec.get("argv", ["expire", spec["build_id"]])
            report["exit"] = run(argv, environ=environ, out=out, err=err)
            report["out"], report["err"] = out.getvalue(), err.getvalue()
    except Exception as error:
        cause = error.__cause__
        report = {
            "outcome": type(error).__name__,
            "message": str(error),
            "cause": None if cause is None else type(cause).__name__,
        }
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
