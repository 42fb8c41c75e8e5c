"""A fast HTTP/1.1 keep-alive server on 127.0.0.1 that stands in for App Store Connect.

Every `PATCH /v1/builds/<id>` is answered 200 with Apple's example `BuildResponse` (the
fixture, with `<id>` substituted and `expired: true`), so the client, not the server, is
what gets measured; a batch's read (`GET /v1/builds?filter[id]=...`) lists its builds, not
expired yet. It does not verify the JWT: it only remembers each distinct
`Authorization` value, which counts the signatures a client made. An optional delay per
request gives batch concurrency something to overlap; with it, one connection serves at
most one request per delay and the server puts no cap on connections, so the ideal rate is
`concurrency / delay` until the server's one core (one asyncio loop) is busy.

Control endpoints: `GET /__stats` (requests, distinct tokens, the server's CPU seconds) and
`POST /__reset`. Run as a script; it prints `PORT <n>` and stops when its stdin closes or
after `--max-seconds`, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["FIXTURE_ID", "ServerState", "main", "response_body_template"]

FIXTURE_ID = "932eff64-a144-4350-8d10-9e54d5834aee"
LOOPBACK = "127.0.0.1"
_BUILD_PATH = re.compile(rb"^/v1/builds/([A-Za-z0-9-]{1,128})$")
_MAX_HEADER_BYTES = 64 * 1024
_MAX_BODY_BYTES = 1_000_000
# Apple sends both on every response; a client that reads them pays for it here too.
# Apple's hourly limit is 3,600 requests: a client that keeps to it (asc-builds does) would
# stop a long latency run to wait for the hour. The per-call sections measure cost, not
# pacing (section 7 does), so the server announces a limit no run reaches.
_COMMON_HEADERS = (
    b"Content-Type: application/json\r\n"
    b"X-Rate-Limit: user-hour-lim:10000000;user-hour-rem:9999999;\r\n"
    b"x-request-id: BENCH-REQUEST\r\n"
)


def response_body_template(fixture: Path) -> bytes:
    """The fixture as compact JSON with `expired: true`; FIXTURE_ID marks where ids go."""
    document = json.loads(fixture.read_text(encoding="utf-8"))
    document["data"]["attributes"]["expired"] = True
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _response(status: bytes, body: bytes, *, close: bool) -> bytes:
    head = b"HTTP/1.1 " + status + b"\r\n" + _COMMON_HEADERS
    if close:
        head += b"Connection: close\r\n"
    return head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def _listing(target: bytes) -> bytes:
    query = parse_qs(urlsplit(target.decode("latin-1")).query)
    ids = [i for value in query.get("filter[id]", []) for i in value.split(",") if i]
    data = [{"type": "builds", "id": i, "attributes": {"expired": False}} for i in ids]
    links = {"self": "https://api.appstoreconnect.apple.com/v1/builds"}
    return json.dumps({"data": data, "links": links}, separators=(",", ":")).encode()


class ServerState:
    """What the server counts, shared by every connection (one event loop, no locks)."""

    def __init__(self, template: bytes, delay: float) -> None:
        self.template = template
        self.delay = delay
        self.requests = 0
        self.tokens: set[bytes] = set()

    def reset(self) -> None:
        self.requests = 0
        self.tokens.clear()

    def stats(self) -> bytes:
        return json.dumps(
            {
                "requests": self.requests,
                "distinct_tokens": len(self.tokens),
                "cpu_seconds": time.process_time(),
            }
        ).encode()

    def answer(self, method: bytes, target: bytes, authorization: bytes | None) -> bytes:
        if method == b"PATCH":
            match = _BUILD_PATH.match(target)
            if match is None:
                return _response(b"404 Not Found", b'{"errors":[]}', close=False)
            self.requests += 1
            if authorization is not None:
                self.tokens.add(authorization)
            body = self.template.replace(FIXTURE_ID.encode(), match.group(1))
            return _response(b"200 OK", body, close=False)
        if method == b"GET" and target.startswith(b"/v1/builds?"):
            # A batch's read before it writes (`filter[id]=...`): the builds, not expired.
            self.requests += 1
            if authorization is not None:
                self.tokens.add(authorization)
            return _response(b"200 OK", _listing(target), close=False)
        if method == b"GET" and target == b"/__stats":
            return _response(b"200 OK", self.stats(), close=False)
        if method == b"POST" and target == b"/__reset":
            self.reset()
            return _response(b"200 OK", b"{}", close=False)
        return _response(b"404 Not Found", b'{"errors":[]}', close=False)


class _Connection(asyncio.Protocol):
    # Neither httpx nor requests pipelines, so one request is in flight per connection;
    # a delayed answer is written by a timer and the next request waits for it.

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._handle_one():
            pass

    def _handle_one(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > _MAX_HEADER_BYTES:
                self._close_with(_response(b"431 Too Large", b"{}", close=True))
            return False
        lines = self._buffer[:end].split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3:
            self._close_with(_response(b"400 Bad Request", b"{}", close=True))
            return False
        length = 0
        authorization: bytes | None = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                text = value.strip()
                if not text.isdigit():
                    self._close_with(_response(b"400 Bad Request", b"{}", close=True))
                    return False
                length = int(text)
            elif lowered == b"authorization":
                authorization = value.strip()
        if length > _MAX_BODY_BYTES:
            self._close_with(_response(b"413 Too Large", b"{}", close=True))
            return False
        total = end + 4 + length
        if len(self._buffer) < total:
            return False
        self._buffer = self._buffer[total:]
        answer = self._state.answer(parts[0], parts[1], authorization)
        if self._state.delay > 0:
            asyncio.get_running_loop().call_later(self._state.delay, self._write, answer)
        else:
            self._write(answer)
        return True

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def _close_with(self, data: bytes) -> None:
        self._write(data)
        if self._transport is not None:
            self._transport.close()


async def _serve(state: ServerState, port: int, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def wait_for_stdin_to_close() -> None:
        # The parent holds our stdin; when it closes it (or dies), we stop.
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_stdin_to_close, daemon=True).start()
    server = await loop.create_server(
        lambda: _Connection(state), LOOPBACK, port, reuse_address=True, backlog=256
    )
    async with server:
        bound = server.sockets[0].getsockname()[1]
        print(f"PORT {bound}", flush=True)
        try:
            await asyncio.wait_for(stop.wait(), timeout=max_seconds)
        except TimeoutError:
            print("bench server: --max-seconds reached, stopping", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixture", type=Path, required=True, help="a BuildResponse JSON file")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="wait before each answer")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this")
    args = parser.parse_args(argv)
    if args.delay_ms < 0 or args.max_seconds <= 0:
        parser.error("--delay-ms must be >= 0 and --max-seconds > 0")
    state = ServerState(response_body_template(args.fixture), args.delay_ms / 1000)
    asyncio.run(_serve(state, args.port, args.max_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
