"""Server lifecycle, request records without secrets, keys, and the pytest plugin."""

from __future__ import annotations

import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from asc_builds.testing import (
    FakeAppStoreConnect,
    FakeBuild,
    ThrowawayKey,
    make_throwaway_key,
)

from ._support import BUILD_ID, Signer, bearer, update_body

ROOT = Path(__file__).resolve().parents[2]


def test_server_binds_loopback_on_a_free_port_and_stops(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    with fake.serve(port=0) as base_url:
        url = httpx.URL(base_url)
        assert url.host == "127.0.0.1" and url.port not in (None, 0)
        response = httpx.patch(
            f"{base_url}/v1/builds/{BUILD_ID}",
            json=update_body(attributes={"expired": True}),
            headers=bearer(sign()),
            timeout=5,
        )
        assert response.status_code == 200
        assert response.json()["data"]["links"]["self"] == f"{base_url}/v1/builds/{BUILD_ID}"
        assert response.headers["x-rate-limit"].startswith("user-hour-lim:3600;")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/v1/builds/{BUILD_ID}", timeout=2)


def test_two_servers_run_side_by_side(fake: FakeAppStoreConnect) -> None:
    with fake.serve() as first, fake.serve() as second:
        assert first != second
        for base_url in (first, second):
            assert httpx.get(f"{base_url}/v1/apps", timeout=5).status_code == 401


def test_records_keep_the_request_but_hide_the_token(
    client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    body = update_body(attributes={"expired": True})
    client.patch(f"/v1/builds/{BUILD_ID}?include=app", json=body)
    (record,) = fake.requests
    assert (record.method, record.path, record.query) == (
        "PATCH",
        f"/v1/builds/{BUILD_ID}",
        "include=app",
    )
    assert record.json == body and record.status == 200 and record.fault is None
    token = record.headers["Authorization"].removeprefix("Bearer ")
    assert token.count(".") == 2
    assert token not in repr(record)
    assert token not in str(record.headers)
    assert "<redacted>" in repr(record)


def test_throwaway_keys_never_show_the_private_key() -> None:
    key = make_throwaway_key()
    assert key.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    for text in (repr(key), str(key), f"{key}"):
        assert "PRIVATE KEY" not in text and key.private_key_pem[40:80] not in text
    assert len(key.key_id) == 10 and key.key_id.isalnum()
    assert key.issuer_id is not None and len(key.issuer_id) == 36
    assert make_throwaway_key(individual=True).issuer_id is None


def test_fixture_gives_a_fresh_fake(fake_app_store_connect: FakeAppStoreConnect) -> None:
    assert isinstance(fake_app_store_connect, FakeAppStoreConnect)
    assert fake_app_store_connect.requests == ()
    key = fake_app_store_connect.add_throwaway_key()
    assert isinstance(key, ThrowawayKey)


def test_importing_the_testing_package_does_not_import_pytest() -> None:
    code = "import sys, asc_builds.testing; print('pytest' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


def test_concurrent_requests_are_all_counted_once(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    headers = bearer(sign())
    with (
        fake.serve() as base_url,
        httpx.Client(base_url=base_url, headers=headers, timeout=10) as http,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        statuses = list(
            pool.map(
                lambda _: http.patch(f"/v1/builds/{BUILD_ID}", json=update_body()).status_code,
                range(40),
            )
        )
    assert statuses == [200] * 40
    assert len(fake.requests) == 40


def test_server_refuses_oversized_or_chunked_bodies(fake: FakeAppStoreConnect) -> None:
    with fake.serve() as base_url:
        chunks = iter([b"{", b"}"])
        chunked = httpx.patch(f"{base_url}/v1/builds/x", content=chunks, timeout=5)
        assert chunked.status_code == 411
        url = httpx.URL(base_url)
        assert url.port is not None
        with socket.create_connection((url.host, url.port), timeout=5) as raw:
            raw.sendall(
                b"PATCH /v1/builds/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9999999\r\n\r\n"
            )
            status_line = raw.recv(64).split(b"\r\n", 1)[0]
        assert status_line.split(b" ")[1] == b"413"
    assert fake.requests == ()
