"""Reading a response body within a size limit, and decoding its JSON within a depth limit.

The body is streamed and inflated here, not by httpx: httpx inflates each network chunk
whole (64 KiB of a gzip bomb become 64 MiB) and reads 401 bodies itself. Here every
`decompress` call is capped at the bytes still allowed, so memory stays near the limit
whatever the server sends. The limit counts inflated bytes: that is what memory holds.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_JSON_DEPTH",
    "BodyReader",
    "BodyTooLarge",
    "BodyUndecodable",
    "JSONTooDeep",
    "decode_json",
    "describe_size",
]

# Apple's PATCH and single-resource bodies are a few KB; list pages a few hundred KB.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
# Apple's documents nest about 8 levels; far deeper is hostile (and recursion trouble for
# every consumer that walks the result, json.dumps(indent=...) included).
MAX_JSON_DEPTH = 64
# Only what BodyReader inflates with a bounded output; sent on every request so that a
# well-behaved server never picks br or zstd.
ACCEPT_ENCODING = "gzip, deflate"

_GZIP_WBITS = zlib.MAX_WBITS | 16
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS


def describe_size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


class BodyTooLarge(Exception):
    """The inflated body passed the limit; reading stopped there."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"body larger than the {describe_size(limit)} limit (max_response_bytes="
            f"{limit}, counted after decompression); not read further"
        )
        self.limit = limit


class BodyUndecodable(Exception):
    """The body's Content-Encoding is unknown or its compressed data is corrupt."""


class BodyReader:
    """Collects a body from raw network chunks, inflating gzip or deflate with a cap.

    `feed` takes each chunk as it arrives (one network read, up to 64 KiB: no per-byte
    work), `content` joins them at the end. Raises BodyTooLarge once more than `limit`
    inflated bytes arrived, BodyUndecodable for an encoding it cannot inflate safely.
    """

    __slots__ = ("_chunks", "_inflater", "_limit", "_size", "_wbits")

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._chunks: list[bytes] = []
        encoding = (content_encoding or "identity").strip().lower()
        self._wbits: int | None
        if encoding in ("identity", ""):
            self._wbits = None
        elif encoding in ("gzip", "x-gzip"):
            self._wbits = _GZIP_WBITS
        elif encoding == "deflate":
            self._wbits = _ZLIB_WBITS
        else:
            # br, zstd, or a stack of encodings: never asked for (see ACCEPT_ENCODING) and
            # not inflated here with a bound, so not inflated at all.
            raise BodyUndecodable(f"Content-Encoding {encoding[:40]!r} was not asked for")
        self._inflater = None if self._wbits is None else zlib.decompressobj(self._wbits)

    def feed(self, chunk: bytes) -> None:
        if self._inflater is not None:
            chunk = self._inflate(chunk)
        self._size += len(chunk)
        if self._size > self._limit:
            raise BodyTooLarge(self._limit)
        if chunk:
            self._chunks.append(chunk)

    def _inflate(self, data: bytes) -> bytes:
        assert self._inflater is not None
        # One byte more than allowed is enough to know the limit is passed.
        allowed = self._limit - self._size + 1
        try:
            out = self._inflater.decompress(data, allowed)
        except zlib.error as error:
            if self._wbits == _ZLIB_WBITS and self._size == 0 and not self._chunks:
                # "deflate" is often raw deflate without the zlib header (as httpx allows).
                self._wbits = _RAW_DEFLATE_WBITS
                self._inflater = zlib.decompressobj(self._wbits)
                return self._inflate(data)
            raise BodyUndecodable(f"compressed body is corrupt ({error})") from None
        return out

    def content(self) -> bytes:
        return b"".join(self._chunks)


class JSONTooDeep(ValueError):
    """The JSON document nests deeper than MAX_JSON_DEPTH."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"JSON nested deeper than {max_depth} levels")


def _too_deep(document: Any, limit: int) -> bool:
    # Iterative, so that checking a deep document cannot itself run out of stack.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def decode_json(content: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON document in `content`; ValueError when it is not JSON or nests too deep."""
    try:
        document = json.loads(content)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    # Each level needs an opening bracket: few brackets means shallow, no walk needed.
    if (
        isinstance(document, (dict, list))
        and content.count(b"{") + content.count(b"[") > max_depth
        and _too_deep(document, max_depth)
    ):
        raise JSONTooDeep(max_depth)
    return document
