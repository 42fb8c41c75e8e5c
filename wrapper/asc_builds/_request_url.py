"""Request URLs built from the base URL parsed once, instead of parsing base + path per call.

httpx parses every URL string it is given (length and character checks, regular
expressions, host encoding, percent-encoding of each component): about a fifth of a
call's own cost here, for a base that never changes and a path the generated operation
has already percent-encoded. For a path that httpx would keep exactly as it is (only
unreserved characters, `/` and valid `%XX` escapes, no `.` or `..` segment), the URL is
the parsed base with that path appended.

Doing so uses two httpx private details: `URL._uri_reference`, the parsed form (a
named tuple with a `path` field), and creating a `URL` around one. Both are checked
once per base URL, by building a few URLs both ways and comparing every component with
httpx's own result; if anything differs or is missing (an httpx upgrade), every URL
goes through httpx's public parser, as before.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

__all__ = ["RequestUrls"]

# Paths httpx's parser returns unchanged: percent-encoding them changes nothing, and
# dot-segment removal has nothing to remove (checked separately).
_PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9\-._~/]|%[0-9A-Fa-f]{2})*")
# Ids the self-check builds both ways: escapes, dots inside a segment, every unreserved mark.
_PROBE_PATHS = ("/v1/builds/0", "/v1/builds/a%2Fb%20c.d~e_f-G", "/v1/builds/..x/.y")
_PRIVATE_FIELD = "_uri_reference"


def _has_dot_segment(path: str) -> bool:
    return "/./" in path or "/../" in path or path.endswith(("/.", "/.."))


class RequestUrls:
    """Absolute request URLs for paths under one base URL."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._base: Any = None
        self._base_path = ""
        self.fast = False
        try:
            self._base = getattr(httpx.URL(self._base_url), _PRIVATE_FIELD)
            self._base_path = self._base.path.rstrip("/")
            self.fast = all(self._same(path) for path in _PROBE_PATHS)
        except Exception:
            # Anything unexpected in httpx's internals means: use its public parser.
            self.fast = False

    def _fast(self, path: str) -> httpx.URL:
        url = httpx.URL.__new__(httpx.URL)
        setattr(url, _PRIVATE_FIELD, self._base._replace(path=self._base_path + path))
        return url

    def _same(self, path: str) -> bool:
        ours, theirs = self._fast(path), httpx.URL(self._base_url + path)
        # The whole instance state, then what a request and a transport read from a URL.
        return bool(
            vars(ours) == vars(theirs)
            and ours == theirs
            and str(ours) == str(theirs)
            and ours.raw_path == theirs.raw_path
            and ours.netloc == theirs.netloc
            and ours.scheme == theirs.scheme
            and ours.host == theirs.host
            and ours.port == theirs.port
        )

    def url(self, path: str) -> httpx.URL:
        """The URL of `path` (starting with `/`, already percent-encoded) under the base."""
        if (
            self.fast
            and path.startswith("/")
            and _PLAIN_PATH.fullmatch(path)
            and not _has_dot_segment(path)
        ):
            return self._fast(path)
        return httpx.URL(self._base_url + path)
