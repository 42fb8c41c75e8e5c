"""The `asc_builds` logger: one DEBUG line per response, one INFO line per retry.

Only the method, path, status, timing and request id are logged; headers never are, so the
Authorization header cannot reach a log. A wait's record carries `wait_seconds` and
`wait_for` ("retry" or "budget"), by which the command line shows long waits without -v.
"""

from __future__ import annotations

import logging

import httpx

from ._headers import request_id

__all__ = ["LONG_WAIT_SECONDS", "log_budget_wait", "log_response", "log_retry", "logger"]

logger = logging.getLogger("asc_builds")


def log_response(response: httpx.Response, *, elapsed: float) -> None:
    # Checked first: looking up the request id is most of this function's cost.
    if not logger.isEnabledFor(logging.DEBUG):
        return
    request = response.request
    logger.debug(
        "%s %s -> %d in %.0f ms (request id %s)",
        request.method,
        request.url.raw_path.decode("ascii", errors="replace"),
        response.status_code,
        elapsed * 1000,
        request_id(response.headers) or "none",
    )


# A wait this long or longer is a WARNING: a job that seems to hang says why.
LONG_WAIT_SECONDS = 5.0


def _wait_level(delay: float) -> int:
    return logging.WARNING if delay >= LONG_WAIT_SECONDS else logging.INFO


def log_retry(
    *, method: str, path: str, reason: str, delay: float, retry_number: int, max_retries: int
) -> None:
    logger.log(
        _wait_level(delay),
        "retrying %s %s in %.2f s (retry %d of %d): %s",
        method,
        path,
        delay,
        retry_number,
        max_retries,
        reason,
        extra={"wait_seconds": delay, "wait_for": "retry"},
    )


def log_budget_wait(delay: float) -> None:
    logger.log(
        _wait_level(delay),
        "waiting %.1f s for App Store Connect's hourly request budget",
        delay,
        extra={"wait_seconds": delay, "wait_for": "budget"},
    )
