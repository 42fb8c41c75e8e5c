"""A hostile HTTP/1.1 server on 127.0.0.1, on plain sockets, that stops itself.

Each accepted connection gets a thread that reads requests (keep-alive) and hands each one
to a behaviour: a function writing whatever bytes it likes to the socket. Every loop here
is bounded in count and in time: the server lives at most `lifetime` seconds, and the
behaviours give up when the client goes away or the server stops.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "Behaviour",
    "HostileServer",
    "Seen",
    "build_document",
    "gzip_bomb",
    "respond",
    "self_signed_certificate",
    "trickle",
]

MAX_HEADER_BYTES = 64 * 1024
MAX_REQUESTS_PER_CONNECTION = 2000


@dataclass
class Seen:
    """One request as the server read it, with the monotonic time it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Context:
    """What a behaviour may use: the request, the connection and the server's stop flag."""

    request: Seen
    conn: socket.socket
    stop: threading.Event
    index: int
    extra: dict[str, Any] = field(default_factory=dict)

    def stopped(self) -> bool:
        return self.stop.is_set()


# Returns True to keep the connection open for the next request.
Behaviour = Callable[[Context], bool]


def build_document(build_id: str, *, type_: str = "builds", id_: object = None) -> bytes:
    document = {
        "data": {
            "type": type_,
            "id": build_id if id_ is None else id_,
            "attributes": {"version": "1", "expired": True},
            "links": {"self": f"https://api.appstoreconnect.apple.com/v1/builds/{build_id}"},
        },
        "links": {"self": f"https://api.appstoreconnect.apple.com/v1/builds/{build_id}"},
    }
    return json.dumps(document).encode()


def respond(
    conn: socket.socket,
    status: int,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    reason: str = "X",
) -> None:
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if not any(name.lower() == "content-type" for name in headers or {}):
        head.append("Content-Type: application/json")
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(inflated: int = 1024**3) -> bytes:
    """`inflated` zero bytes as gzip (1 GiB is about 1 MB); built once per process.

    Compressing 1 GiB takes long, so one MiB is compressed and its deflate blocks repeated:
    after a full flush, a block's output does not depend on what came before.
    """
    if inflated not in _BOMBS:
        block = bytes(1024 * 1024)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        final = compressor.flush(zlib.Z_FINISH)
        count = inflated // len(block)
        crc = 0
        for _ in range(count):
            crc = zlib.crc32(block, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        trailer = struct.pack("<II", crc, (count * len(block)) & 0xFFFFFFFF)
        _BOMBS[inflated] = b"".join([header, first, repeated * (count - 1), final, trailer])
    return _BOMBS[inflated]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files (for TLS on loopback)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class HostileServer:
    """`with HostileServer(behaviour) as server:` serves on `server.url` until the block ends."""

    def __init__(
        self,
        behaviour: Behaviour,
        *,
        tls: tuple[Path, Path] | None = None,
        lifetime: float = 120.0,
    ) -> None:
        self._behaviour = behaviour
        self._lifetime = lifetime
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._tls: ssl.SSLContext | None = None
        if tls is not None:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(str(tls[0]), str(tls[1]))
        self.requests: list[Seen] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        self._started = time.monotonic()
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def seen(self) -> list[Seen]:
        """The requests so far, in order (a copy)."""
        with self._lock:
            return list(self.requests)

    def _alive(self) -> bool:
        return not self._stop.is_set() and time.monotonic() - self._started < self._lifetime

    def _accept_loop(self) -> None:
        while self._alive():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            with self._lock:
                self._threads.append(thread)
        self._stop.set()

    def _serve(self, raw: socket.socket) -> None:
        conn = raw
        try:
            if self._tls is not None:
                raw.settimeout(5)
                conn = self._tls.wrap_socket(raw, server_side=True)
            conn.settimeout(0.2)
            buffer = b""
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                request, buffer = self._read_request(conn, buffer)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                    index = len(self.requests) - 1
                context = Context(request, conn, self._stop, index)
                if not self._behaviour(context):
                    return
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()

    def _read_request(self, conn: socket.socket, buffer: bytes) -> tuple[Seen | None, bytes]:
        while b"\r\n\r\n" not in buffer:
            if not self._alive() or len(buffer) > MAX_HEADER_BYTES:
                return None, b""
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return None, b""
            buffer += data
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            if not self._alive():
                return None, b""
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return None, b""
            rest += data
        seen = Seen(method, path, headers, rest[:length], time.monotonic())
        return seen, rest[length:]


def trickle(context: Context, data: Iterator[bytes], *, interval: float, limit: float) -> None:
    """Send each piece of `data` `interval` seconds apart, for at most `limit` seconds."""
    started = time.monotonic()
    for piece in data:
        if context.stopped() or time.monotonic() - started > limit:
            return
        try:
            context.conn.sendall(piece)
        except OSError:
            return
        context.stop.wait(interval)
