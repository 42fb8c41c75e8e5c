"""The guards of the one send path: deadlines, body limits, redirects, chains without tokens."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from asc_builds import (
    APIConnectionError,
    ApiKey,
    APITimeoutError,
    AppStoreConnect,
    AsyncAppStoreConnect,
    UnprocessableEntityError,
    UnverifiedChangeError,
)
from asc_builds._body import (
    BodyReader,
    BodyTooLarge,
    BodyUndecodable,
    JSONTooDeep,
    decode_json,
)
from asc_builds._deadline_backend import install as install_deadline_backend

from ..hostile._server import build_document
from ._support import BUILD_ID, ScriptedServer, listing_first


def _reachable(error: BaseException) -> Iterator[object]:
    """Every object an error tracker could serialise from `error`: the chain, each
    exception's args and attributes, and what those hold one level down."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        item = pending.pop()
        if id(item) in seen or len(seen) > 10_000:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseException):
            pending += [item.__cause__, item.__context__, *item.args]
            pending += list(vars(item).values())
        elif isinstance(item, (httpx.Request, httpx.Response)):
            pending.append(item.headers)
            if isinstance(item, httpx.Response):
                pending.append(item.request)
        elif isinstance(item, (list, tuple, set)):
            pending += list(item)
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]


def _holds_token(error: BaseException, tokens: list[str]) -> bool:
    for item in _reachable(error):
        text = repr(dict(item)) if isinstance(item, httpx.Headers) else repr(item)
        if any(token in text or token.rsplit(".", 1)[1] in text for token in tokens):
            return True
    return False


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
def test_no_token_is_reachable_from_connection_errors(api_key: ApiKey, failure: Exception) -> None:
    server = ScriptedServer([failure])
    with (
        AppStoreConnect(api_key, transport=server.transport(), max_retries=0) as asc,
        pytest.raises(APIConnectionError) as caught,
    ):
        asc.builds.expire(BUILD_ID)
    tokens = server.tokens()
    assert tokens and failure.__class__.__name__ in str(caught.value)
    # httpx's own exception keeps the request with its Authorization header: the check
    # finds the token there, so it is able to fail below.
    assert _holds_token(failure, tokens)
    assert not _holds_token(caught.value, tokens)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


async def test_no_token_is_reachable_from_async_connection_errors(api_key: ApiKey) -> None:
    server = ScriptedServer([httpx.ConnectError("refused")])
    transport = httpx.MockTransport(server)
    async with AsyncAppStoreConnect(api_key, transport=transport, max_retries=0) as asc:
        with pytest.raises(APIConnectionError) as caught:
            await asc.builds.expire(BUILD_ID)
    assert not _holds_token(caught.value, server.tokens())
    assert caught.value.__context__ is None


def test_the_token_check_sees_a_token_in_a_chain(api_key: ApiKey) -> None:
    # The walker finds a token an exception chain keeps: what the old code did.
    request = httpx.Request("GET", "https://x", headers={"Authorization": "Bearer a.b.SIGNATURE"})
    inner = httpx.ConnectError("refused", request=request)
    outer = APIConnectionError("failed")
    outer.__cause__ = inner
    assert _holds_token(outer, ["a.b.SIGNATURE"])


def test_the_sdk_client_bounds_its_sockets() -> None:
    # Reaches into httpx and httpcore internals: this fails when an upgrade moves them.
    with httpx.Client() as http:
        assert install_deadline_backend(http)
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert type(pool._network_backend).__name__ == "_DeadlineBackend"
        assert install_deadline_backend(http)  # idempotent
        assert type(pool._network_backend._backend).__name__ == "SyncBackend"
    with httpx.Client(mounts={"https://": httpx.HTTPTransport()}) as http:
        assert install_deadline_backend(http)


def test_the_body_is_handed_to_the_response_as_read() -> None:
    # read_answer stores the body where Response.read() would (an httpx private).
    response = httpx.Response(200, content=b"x")
    assert response._content == b"x"


def _silent_server(stop: threading.Event) -> tuple[socket.socket, list[socket.socket]]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []

    def accept() -> None:
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(conn)
            # One header byte at a time, slower than any sane read timeout would notice.
            for byte in b"HTTP/1.1 200 OK\r\nX: " + b"y" * 100:
                if stop.wait(0.2):
                    break
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    break

    threading.Thread(target=accept, daemon=True).start()
    return listener, accepted


@pytest.mark.parametrize("own_client", [False, True])
def test_a_trickled_header_ends_at_the_attempt_deadline(api_key: ApiKey, own_client: bool) -> None:
    stop = threading.Event()
    listener, accepted = _silent_server(stop)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    http = httpx.Client(timeout=5.0) if own_client else None
    try:
        with AppStoreConnect(
            api_key, base_url=url, http_client=http, attempt_timeout=1.0, max_retries=0
        ) as asc:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match="deadline"):
                asc.builds.expire(BUILD_ID)
            assert time.monotonic() - started < 4.0
    finally:
        stop.set()
        listener.close()
        if http is not None:
            http.close()
    assert len(accepted) == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"attempt_timeout": 0},
        {"call_timeout": float("inf")},
        {"call_timeout": float("nan")},
        {"max_response_bytes": 0},
        {"max_response_bytes": 1.5},
    ],
)
def test_limits_are_checked(api_key: ApiKey, bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        AppStoreConnect(api_key, **bad)


def _read(encoding: str | None, chunks: list[bytes], limit: int = 1000) -> bytes:
    reader = BodyReader(encoding, limit)
    for chunk in chunks:
        reader.feed(chunk)
    return reader.content()


def test_body_reader_inflates_within_the_limit() -> None:
    data = b'{"a": 1}' * 100
    assert _read(None, [data[:10], data[10:]]) == data
    packed = gzip.compress(data)
    assert _read("gzip", [packed[:7], packed[7:]]) == data
    assert _read("deflate", [zlib.compress(data)]) == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert _read("deflate", [raw.compress(data) + raw.flush()]) == data
    assert _read("gzip", [packed], limit=len(data)) == data
    with pytest.raises(BodyTooLarge, match="limit"):
        _read("gzip", [packed], limit=len(data) - 1)


def test_body_reader_never_inflates_past_the_limit() -> None:
    bomb = gzip.compress(bytes(64 * 1024 * 1024))
    reader = BodyReader("gzip", 1024 * 1024)
    with pytest.raises(BodyTooLarge):
        reader.feed(bomb)
    assert len(reader.content()) == 0


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
def test_encodings_not_asked_for_are_refused(encoding: str) -> None:
    with pytest.raises(BodyUndecodable, match="not asked for"):
        BodyReader(encoding, 10)


def test_corrupt_gzip_is_undecodable() -> None:
    with pytest.raises(BodyUndecodable, match="corrupt"):
        _read("gzip", [b"not gzip at all"])


def test_deep_json_is_a_value_error() -> None:
    assert decode_json(b'{"a": [[[1]]]}') == {"a": [[[1]]]}
    shallow = b'{"a":' * 64 + b"1" + b"}" * 64
    assert decode_json(shallow)
    for deep in (b'{"a":' * 65 + b"1" + b"}" * 65, b"[" * 100_000 + b"]" * 100_000):
        with pytest.raises(JSONTooDeep):
            decode_json(deep)
    # Many brackets side by side are not depth.
    assert decode_json(b"[" + b",".join([b"[1]"] * 1000) + b"]")


def test_a_2xx_over_the_limit_may_have_been_applied(api_key: ApiKey) -> None:
    server = ScriptedServer([httpx.Response(200, content=b" " * 2000)])
    client = AppStoreConnect(api_key, transport=server.transport(), max_response_bytes=1000)
    with client as asc, pytest.raises(UnverifiedChangeError, match="1000 bytes limit") as caught:
        asc.builds.expire(BUILD_ID)
    assert "the change was applied (or may have been), but its body larger" in str(caught.value)
    assert caught.value.status_code == 200 and caught.value.build_id == BUILD_ID


def test_an_error_over_the_limit_keeps_its_status(api_key: ApiKey) -> None:
    server = ScriptedServer([httpx.Response(422, content=b" " * 2000)])
    client = AppStoreConnect(api_key, transport=server.transport(), max_response_bytes=1000)
    with client as asc, pytest.raises(UnprocessableEntityError, match="1000 bytes limit"):
        asc.builds.expire(BUILD_ID)


def test_a_batch_meeting_deep_json_still_has_one_outcome_per_id(api_key: ApiKey) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        build_id = request.url.path.rsplit("/", 1)[-1]
        if build_id == "deep":
            return httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000)
        return httpx.Response(200, content=build_document(build_id))

    ids = ["a", "deep", "b"]
    with AppStoreConnect(api_key, transport=httpx.MockTransport(listing_first(handler))) as asc:
        outcomes = asc.builds.expire_many(ids, concurrency=2)
    assert [outcome.build_id for outcome in outcomes] == ids
    assert [outcome.status for outcome in outcomes] == ["changed", "failed", "changed"]
    assert isinstance(outcomes[1].error, UnverifiedChangeError)
    assert "nested deeper than 64 levels" in str(outcomes[1].error)
