"""The fake over real HTTP on 127.0.0.1, for clients that cannot take a transport."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ._exchange import FakeCore

__all__ = ["MAX_BODY_BYTES", "running_server"]

MAX_BODY_BYTES = 1_000_000
_LOOPBACK = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Bounds how long an idle keep-alive connection holds a thread.
    timeout = 30
    fake: FakeCore
    base_url: str

    def log_message(self, format: str, *args: object) -> None:
        # Quiet: tests own their output.
        pass

    def _dispatch(self) -> None:
        if self.headers.get("Transfer-Encoding"):
            # Unread chunks would corrupt the next request on this connection.
            self.close_connection = True
            self.send_error(411)
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
            self.send_error(400 if length < 0 else 413)
            return
        body = self.rfile.read(length)
        outcome = self.fake.handle(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            base_url=self.base_url,
        )
        if outcome.delay:
            time.sleep(outcome.delay)
        if outcome.response is None:
            self.close_connection = True
            return
        response = outcome.response
        # send_response_only: the fake writes its own (possibly skewed) Date header.
        self.send_response_only(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up (Ctrl-C, `| head`, a timeout) is routine, not a fault of
        # the server: the stdlib would print a traceback for each one.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextlib.contextmanager
def running_server(fake: FakeCore, port: int) -> Iterator[str]:
    # A handler class per server: the stdlib server instantiates it per request.
    class Handler(_Handler):
        pass

    Handler.fake = fake
    server = _QuietServer((_LOOPBACK, port), Handler)
    base_url = f"http://{_LOOPBACK}:{server.server_address[1]}"
    Handler.base_url = base_url
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="fake-app-store-connect",
        daemon=True,
    )
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
