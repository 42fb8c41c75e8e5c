"""Read Apple's spec from a local path or download it from an https URL.

Downloads use only the standard library: https is required (every redirect is
checked too), the read is bounded by a timeout and a size cap, and plain http
is accepted only for a loopback host and only when the caller says so, which
the tests do to serve a file from 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["MAX_BYTES", "TIMEOUT_SECONDS", "FetchError", "fetch_upstream", "is_url"]

# Apple's zip is about 1 MB and its JSON about 7 MB; 64 MiB leaves room to grow
# while refusing to fill a disk with whatever a misconfigured URL returns.
MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 60.0
_CHUNK = 1024 * 1024


class FetchError(Exception):
    """The upstream spec could not be read or downloaded."""


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str, allow_loopback_http: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and allow_loopback_http and _is_loopback(parts.hostname):
        return
    raise FetchError(f"refusing {url!r}: only https URLs are downloaded")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Apply the same scheme rule to every redirect target (no https -> http downgrade)."""

    def __init__(self, allow_loopback_http: bool) -> None:
        self._allow_loopback_http = allow_loopback_http

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        _check_url(newurl, self._allow_loopback_http)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, *, timeout: float, max_bytes: int, allow_loopback_http: bool) -> bytes:
    _check_url(url, allow_loopback_http)
    handlers: list[urllib.request.BaseHandler] = [_CheckedRedirects(allow_loopback_http)]
    if _is_loopback(urlsplit(url).hostname):
        # A loopback URL must never go through an http_proxy from the environment.
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": "asc-builds-regenerate"})
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: {declared} bytes is over the {max_bytes}-byte cap")
            chunks: list[bytes] = []
            size = 0
            # Bounded read: stop as soon as the cap is passed, whatever the headers said.
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: more than the {max_bytes}-byte cap")
                chunks.append(chunk)
    except FetchError:
        raise
    except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are OSErrors
        raise FetchError(f"{url}: download failed: {exc}") from exc
    return b"".join(chunks)


def fetch_upstream(
    source: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    allow_loopback_http: bool = False,
) -> tuple[str, bytes]:
    """Return (a name for the lock, the raw bytes) of a path or an https URL."""
    if is_url(source):
        data = _download(
            source, timeout=timeout, max_bytes=max_bytes, allow_loopback_http=allow_loopback_http
        )
        name = Path(urlsplit(source).path).name or urlsplit(source).hostname or source
        return name, data
    path = Path(source)
    try:
        return path.name, path.read_bytes()
    except OSError as exc:
        raise FetchError(f"{source}: {exc.strerror or exc}") from exc
