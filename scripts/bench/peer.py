"""The peer a Python user would pick instead: codemagic-cli-tools' App Store Connect client.

It is optional (the `bench` extra). It is loaded through importlib so that the benchmark runs,
and type-checks, without it; its objects are therefore typed `Any` here.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import tempfile
from collections.abc import Iterator
from typing import Any

from .keys import BenchKey

__all__ = ["PEER_DISTRIBUTION", "make_peer_client", "peer_log_folder", "peer_version"]

PEER_DISTRIBUTION = "codemagic-cli-tools"
_CLIENT_MODULE = "codemagic.apple.app_store_connect"
_LOOPBACK_PREFIX = "http://127.0.0.1:"


def peer_version() -> str | None:
    """The installed version, or None when the peer cannot be imported."""
    try:
        importlib.import_module(_CLIENT_MODULE)
    except ImportError:
        return None
    return importlib.metadata.version(PEER_DISTRIBUTION)


def make_peer_client(key: BenchKey, base_url: str) -> Any:
    """codemagic's client, aimed at the local server instead of Apple."""
    if not base_url.startswith(_LOOPBACK_PREFIX):
        raise ValueError(f"the peer may only be pointed at loopback, not {base_url!r}")
    module = importlib.import_module(_CLIENT_MODULE)
    client = module.AppStoreConnectApiClient(key.key_id, key.issuer_id, key.private_key_pem)
    # API_URL is a class attribute naming Apple's host; the instance attribute shadows it.
    client.API_URL = f"{base_url}/v1"
    return client


@contextlib.contextmanager
def peer_log_folder() -> Iterator[None]:
    """Send codemagic's log file to a private folder, deleted afterwards.

    As shipped, codemagic appends a DEBUG line for every request and every response to a
    file in the temporary folder; that cost stays in the measurement (users pay it), but
    the file must not pile up in the machine's /tmp. Its handler is created with the first
    client, so the folder is swapped in for the whole block.
    """
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="bench-codemagic-log-") as folder:
        tempfile.tempdir = folder
        try:
            yield
        finally:
            tempfile.tempdir = previous
            _close_peer_log_file()


def _close_peer_log_file() -> None:
    try:
        log = importlib.import_module("codemagic.utilities.log")
    except ImportError:
        return
    handler = log.LogHandlers._file_handler
    if handler is not None:
        handler.close()
        log.LogHandlers._file_handler = None
