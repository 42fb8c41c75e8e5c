"""The one send loop, written once for both clients: pace, attempt, retry, replay, settle.

`send_steps` is what a `Call` effect runs: it builds the request, waits for the hourly
budget, yields one `Attempt` at a time to the driver (which alone touches the network),
reads each answer once (its rate limit, its status, its body's state) and decides: return
the response, replay once after a 401 with a fresh token, wait and retry (`RetryPolicy`,
within the call's deadline), or raise the mapped error.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx

from ._base_client import ClientCore
from ._budget import BudgetTicket, pace
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    AppStoreConnectError,
    AuthenticationError,
)
from ._interrupt import NotSent, stop_requested
from ._logging import log_retry
from ._steps import Answer, Attempt, Sleep, Steps

__all__ = ["send_steps"]


def _stop_if_asked(last_error: AppStoreConnectError | None) -> None:
    """In an interrupted batch, start nothing new: not the first attempt, not a retry."""
    if stop_requested():
        if last_error is not None:
            raise last_error
        raise NotSent


def send_steps(
    core: ClientCore,
    http: httpx.Client | httpx.AsyncClient,
    operation: Mapping[str, Any],
    max_retries: int | None,
    not_after: float | None = None,
) -> Steps[httpx.Response]:
    """One API call: the 2xx response, or the SDK's error once retries are spent.

    `not_after` (a `time.monotonic()` moment) is a hard end: waits for the hourly budget
    count against it, where they move the client's own `call_timeout` along.
    """
    policy = core.retry.with_max_retries(max_retries)
    call_deadline = core.call_deadline()
    hard_end = float("inf") if not_after is None else not_after
    retry_number = 0
    replayed_401 = False
    last_error: AppStoreConnectError | None = None
    while True:
        _stop_if_asked(last_error)
        request = core.build_request(http, operation)
        paced_from = time.monotonic()
        try:
            paced = pace(core.budget, core.now, limit=hard_end - paced_from)
            ticket = paced if isinstance(paced, BudgetTicket) else (yield paced)
        except NotSent:
            _stop_if_asked(last_error)
            raise
        # Waiting for the hourly budget is not the server's time: the deadline moves.
        call_deadline = min(call_deadline + time.monotonic() - paced_from, hard_end)
        failure: AppStoreConnectError | None
        try:
            _stop_if_asked(last_error)
            answer: Answer = yield Attempt(request, core.attempt_deadline(call_deadline))
        except APIConnectionError as error:
            core.settle(ticket, None)
            failure = error
        except BaseException:
            core.settle(ticket, None)
            raise
        else:
            failure = core.read_answer(answer, ticket)
            if failure is None:
                return answer.response
        if isinstance(failure, AuthenticationError) and not replayed_401:
            replayed_401, last_error = True, failure
            core.replay_after_401(request)
            continue
        if isinstance(failure, AuthenticationError) or not isinstance(
            failure, (APIStatusError, APIConnectionError)
        ):
            raise failure
        last_error = failure
        retry_number += 1
        delay = policy.delay_before_retry(failure, retry_number)
        if delay is None or time.monotonic() + delay >= call_deadline:
            raise failure
        log_retry(
            method=request.method,
            path=request.url.path,
            reason=str(failure),
            delay=delay,
            retry_number=retry_number,
            max_retries=policy.max_retries,
        )
        try:
            yield Sleep(delay)
        except NotSent:
            raise failure from None
