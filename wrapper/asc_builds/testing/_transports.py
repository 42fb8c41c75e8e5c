"""httpx transports that answer from the fake without any network."""

from __future__ import annotations

import httpx

from ._exchange import FakeCore, Outcome

__all__ = ["FakeAsyncTransport", "FakeTransport"]


def _ask(fake: FakeCore, request: httpx.Request, body: bytes) -> Outcome:
    url = request.url
    return fake.handle(
        method=request.method,
        target=url.raw_path.decode("ascii"),
        headers=request.headers.multi_items(),
        body=body,
        base_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
    )


def _reply(outcome: Outcome, request: httpx.Request) -> httpx.Response:
    if outcome.drop == "connect":
        raise httpx.ConnectError("fake: connection refused", request=request)
    if outcome.response is None:
        raise httpx.RemoteProtocolError(
            "fake: server disconnected without sending a response", request=request
        )
    response = outcome.response
    return httpx.Response(
        response.status, headers=list(response.headers), content=response.body, request=request
    )


class FakeTransport(httpx.BaseTransport):
    def __init__(self, fake: FakeCore) -> None:
        self._fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        outcome = _ask(self._fake, request, request.read())
        if outcome.delay:
            self._fake.sleep(outcome.delay)
        return _reply(outcome, request)


class FakeAsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, fake: FakeCore) -> None:
        self._fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        outcome = _ask(self._fake, request, await request.aread())
        if outcome.delay:
            await self._fake.async_sleep(outcome.delay)
        return _reply(outcome, request)
