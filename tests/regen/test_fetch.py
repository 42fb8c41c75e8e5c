"""Downloading Apple's spec: https only, bounded, and tested against 127.0.0.1 only."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from regen.fetch import FetchError, fetch_upstream

from ..checkouts import run_regenerate
from .conftest import NEW_SLICE, snapshot


def _zip_of(document: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app-store-connect-openapi-specification/openapi.oas.json", document)
    return buffer.getvalue()


class _Server:
    """A loopback HTTP server serving fixed routes: path -> (status, headers, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self) -> None:
        self.httpd.serve_forever(poll_interval=0.05)


@pytest.fixture
def server() -> Iterator[_Server]:
    instance = _Server()
    thread = threading.Thread(target=instance.serve, daemon=True)
    thread.start()
    try:
        yield instance
    finally:
        instance.httpd.shutdown()
        instance.httpd.server_close()
        thread.join(timeout=5)


def test_downloads_a_zip_from_loopback_when_allowed(server: _Server) -> None:
    body = _zip_of(NEW_SLICE.read_bytes())
    server.routes["/spec.zip"] = (200, {"Content-Type": "application/zip"}, body)
    name, data = fetch_upstream(f"{server.url}/spec.zip", allow_loopback_http=True, timeout=5)
    assert (name, data) == ("spec.zip", body)


def test_plain_http_is_refused_by_default(server: _Server) -> None:
    server.routes["/spec.zip"] = (200, {}, b"PK")
    with pytest.raises(FetchError, match="only https"):
        fetch_upstream(f"{server.url}/spec.zip", timeout=5)


def test_a_redirect_off_loopback_http_is_refused_before_connecting(server: _Server) -> None:
    # The target is never contacted: the scheme rule rejects it first.
    server.routes["/moved"] = (302, {"Location": "http://example.com/spec.zip"}, b"")
    with pytest.raises(FetchError, match="only https"):
        fetch_upstream(f"{server.url}/moved", allow_loopback_http=True, timeout=5)


def test_the_size_cap_stops_the_download(server: _Server) -> None:
    server.routes["/big"] = (200, {}, b"x" * 4096)
    with pytest.raises(FetchError, match="cap"):
        fetch_upstream(f"{server.url}/big", allow_loopback_http=True, timeout=5, max_bytes=1024)


def test_http_errors_are_reported(server: _Server) -> None:
    with pytest.raises(FetchError, match="404"):
        fetch_upstream(f"{server.url}/nothing-here", allow_loopback_http=True, timeout=5)


def test_a_missing_file_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"missing\.json"):
        fetch_upstream(str(tmp_path / "missing.json"))


def test_the_script_reads_a_zip_by_url(server: _Server, checkout: Path, tmp_path: Path) -> None:
    server.routes["/app-store-connect-openapi-specification.zip"] = (
        200, {}, _zip_of(NEW_SLICE.read_bytes()),
    )  # fmt: skip
    url = f"{server.url}/app-store-connect-openapi-specification.zip"
    report = tmp_path / "report.md"
    before = snapshot(checkout)
    refused = run_regenerate(checkout, "--upstream", url)
    assert refused.returncode == 2 and "only https" in refused.stderr
    result = run_regenerate(
        checkout, "--upstream", url, "--report", str(report), "--allow-loopback-http"
    )
    assert result.returncode == 0, result.stderr
    assert "(no change)" in report.read_text("utf-8")
    assert "`app-store-connect-openapi-specification.zip`" in report.read_text("utf-8")
    assert snapshot(checkout) == before
