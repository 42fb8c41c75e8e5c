"""Every request body the slice allows goes out of the generated client as the spec declares."""

from __future__ import annotations

import json
from typing import Any

from asc_builds_generated.api.builds import builds_update_instance
from asc_builds_generated.models import BuildUpdateRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from .compare import assert_same_json
from .drift import response_schema
from .exercised import Exercised
from .schema_walk import minimal_instance
from .strategies import update_requests
from .transport import RecordingTransport, generated_client, serving
from .validation import assert_request_matches_spec

BASE_URL = "http://127.0.0.1:9"
# A path segment: never empty, may hold characters the client must percent-encode.
path_ids = st.text(min_size=1, max_size=40)


@settings(max_examples=100)
@given(body=update_requests(), build_id=path_ids)
def test_every_valid_request_body_is_sent_as_declared(
    body: dict[str, Any], build_id: str, exercised: Exercised
) -> None:
    served = serving(200, minimal_instance(response_schema(200)), assert_request_matches_spec)
    transport = RecordingTransport(served, exercised)
    with generated_client(BASE_URL, transport) as client:
        builds_update_instance.sync_detailed(
            id=build_id, client=client, body=BuildUpdateRequest.from_dict(body)
        )
    ((request, _),) = transport.exchanges
    assert request.method == "PATCH"
    assert_same_json(body, json.loads(request.read()))
