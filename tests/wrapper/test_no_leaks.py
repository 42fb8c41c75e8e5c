"""No secret leaks: with DEBUG logging on, neither the PEM nor any token appears anywhere."""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asc_builds import ApiKey, ApiKeyError, AppStoreConnect, AppStoreConnectError

from ._support import BUILD_ID, FakeClock, RecordedSleeps, ScriptedServer, error_body
from .conftest import KEY_ID

MakeClient = Callable[..., AppStoreConnect]


def _scenarios(example_response: dict[str, Any], clock: FakeClock) -> list[list[Any]]:
    ok = httpx.Response(200, json=example_response, headers={"x-request-id": "R-OK"})
    skewed = email.utils.formatdate(clock() - 600, usegmt=True)
    return [
        [ok],
        [httpx.Response(401, json=error_body(), headers={"Date": skewed})] * 2,
        [httpx.Response(401, json=error_body()), ok],
        [httpx.Response(429, headers={"Retry-After": "1"}), ok],
        [httpx.Response(502, text="<html>bad gateway</html>")] * 3,
        [httpx.ReadError("reset")] * 3,
        [httpx.ReadTimeout("slow")] * 3,
        # A 409, then the re-read that looks whether the build already holds the values.
        [
            httpx.Response(409, json=error_body({"code": "X", "detail": "d"})),
            httpx.Response(404, json=error_body({"code": "NOT_FOUND", "detail": "gone"})),
        ],
        [httpx.Response(200, json={"data": None})],
    ]


def test_no_pem_or_token_in_logs_or_errors(
    make_client: MakeClient,
    p256_pem: str,
    example_response: dict[str, Any],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Set on our logger too: a level left there by other code must not hide the lines.
    caplog.set_level(logging.DEBUG, logger="asc_builds")
    tokens: list[str] = []
    texts: list[str] = []
    for steps in _scenarios(example_response, clock):
        server = ScriptedServer(steps)
        client = make_client(server)
        texts.append(repr(client))
        try:
            client.builds.expire(BUILD_ID)
        except AppStoreConnectError as error:
            texts.extend([str(error), repr(error)])
            cause = error.__cause__
            if cause is not None:
                texts.extend([str(cause), repr(cause)])
        tokens.extend(server.tokens())
        clock.advance(1000)  # next scenario signs a fresh token
    texts.append(caplog.text)

    assert len(set(tokens)) >= 9
    # The scenarios did log: the check below is not vacuous.
    assert f"PATCH /v1/builds/{BUILD_ID} -> 200" in caplog.text
    assert "retrying" in caplog.text
    assert "(request id R-OK)" in caplog.text
    pem_body = [line for line in p256_pem.splitlines() if "-----" not in line]
    for text in texts:
        for token in tokens:
            assert token not in text
            # A signature alone is enough to replay the token.
            assert token.rsplit(".", 1)[1] not in text
        for line in pem_body:
            assert line not in text


def test_no_pem_in_key_errors_or_reprs(
    p256_pem: str, p384_pem: str, rsa_pem: str, encrypted_pem: str
) -> None:
    texts = [repr(ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_pem))]
    for bad in (p384_pem, rsa_pem, encrypted_pem, p256_pem[:200]):
        with pytest.raises(ApiKeyError) as caught:
            ApiKey(key_id=KEY_ID, issuer_id=None, private_key=bad)
        texts.extend([str(caught.value), repr(caught.value)])
        secret_lines = [line for line in bad.splitlines() if "-----" not in line]
        for text in texts:
            for line in secret_lines:
                assert line not in text


def test_retry_sleep_is_never_real(
    make_client: MakeClient, sleeps: RecordedSleeps, example_response: dict[str, Any]
) -> None:
    server = ScriptedServer(
        [httpx.Response(503)] * 2 + [httpx.Response(200, json=example_response)]
    )
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [0.5, 1.0]
