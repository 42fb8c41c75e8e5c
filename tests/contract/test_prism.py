"""The generated client against Stoplight Prism serving the slice on loopback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from asc_builds_generated.api.builds import builds_update_instance
from asc_builds_generated.models import BuildResponse, BuildUpdateRequest, ErrorResponse

from .exercised import Exercised
from .spec import apple_spec, error_statuses
from .transport import RecordingTransport, generated_client
from .validation import assert_response_matches_spec

DYNAMIC_CALLS = 50
VALID_BODY: dict[str, Any] = {
    "data": {"type": "builds", "id": "b-1", "attributes": {"expired": True}},
}


def _call(
    url: str, exercised: Exercised, headers: dict[str, str] | None = None
) -> tuple[Any, httpx.Response]:
    transport = RecordingTransport(httpx.HTTPTransport(), exercised)
    with generated_client(url, transport) as client:
        client.get_httpx_client().headers.update(headers or {})
        result = builds_update_instance.sync_detailed(
            id="b-1", client=client, body=BuildUpdateRequest.from_dict(VALID_BODY)
        )
    request, response = transport.exchanges[-1]
    assert_response_matches_spec(request, response)
    return result.parsed, response


def test_a_valid_patch_gets_200_without_violations(prism_url: str, exercised: Exercised) -> None:
    parsed, response = _call(prism_url, exercised)
    assert response.status_code == 200
    assert "sl-violations" not in response.headers
    assert isinstance(parsed, BuildResponse)


@pytest.mark.parametrize("status", error_statuses(apple_spec()))
def test_each_declared_error_status_parses(
    prism_url: str, exercised: Exercised, status: int
) -> None:
    parsed, response = _call(prism_url, exercised, {"Prefer": f"code={status}"})
    assert response.status_code == status
    assert isinstance(parsed, ErrorResponse)


def test_dynamic_responses_all_parse(prism_dynamic_url: str, exercised: Exercised) -> None:
    for _ in range(DYNAMIC_CALLS):
        parsed, response = _call(prism_dynamic_url, exercised)
        assert response.status_code == 200
        assert isinstance(parsed, BuildResponse)
        assert parsed.to_dict()["data"]["id"] == response.json()["data"]["id"]


def test_an_invalid_body_gets_prisms_422_with_violations(prism_url: str) -> None:
    invalid = {"data": {"type": "apps", "id": "b-1", "attributes": {"expired": "yes"}}}
    response = httpx.patch(
        f"{prism_url}/v1/builds/b-1",
        content=json.dumps(invalid).encode(),
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        timeout=10.0,
    )
    assert response.status_code == 422
    assert "sl-violations" in response.headers
    violations = json.loads(response.headers["sl-violations"])
    assert any("type" in json.dumps(v) for v in violations)
    assert any("expired" in json.dumps(v) for v in violations)
    ErrorResponse.from_dict(response.json())
