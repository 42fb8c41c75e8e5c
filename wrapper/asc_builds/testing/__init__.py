"""A fake App Store Connect for ``PATCH /v1/builds/{id}`` and its reads, for tests and demos.

    fake = FakeAppStoreConnect()
    key = fake.add_throwaway_key()
    build = fake.add_build(expired=False)
    app, builds = fake.add_app_with_builds("com.example.app", builds=500)
    with httpx.Client(transport=fake.transport(), base_url=API_BASE_URL) as client:
        ...                                   # or: with fake.serve() as base_url: ...

It verifies ES256 tokens against registered keys, validates bodies against the pinned
slice, answers with Apple's response and error shapes, injects faults on demand
(``fake.inject(RateLimited(retry_after=3), times=2)``) and records every request.
The pytest fixture ``fake_app_store_connect`` comes from
``asc_builds.testing.pytest_plugin``, registered as a pytest plugin on install.
"""

from ._clock import ManualClock
from ._fake import REQUEST_ID_HEADER, FakeAppStoreConnect
from ._faults import (
    MAX_DELAY_SECONDS,
    Delay,
    DropConnection,
    Fault,
    MalformedBody,
    RateLimited,
    ServerError,
)
from ._keys import ThrowawayKey, make_throwaway_key
from ._records import RecordedRequest, RequestHeaders
from ._state import FakeApp, FakeBuild, FakeEncryptionDeclaration
from ._token_check import AUDIENCE, MAX_LIFETIME_SECONDS

__all__ = [
    "API_BASE_URL",
    "AUDIENCE",
    "MAX_DELAY_SECONDS",
    "MAX_LIFETIME_SECONDS",
    "REQUEST_ID_HEADER",
    "Delay",
    "DropConnection",
    "FakeApp",
    "FakeAppStoreConnect",
    "FakeBuild",
    "FakeEncryptionDeclaration",
    "Fault",
    "MalformedBody",
    "ManualClock",
    "RateLimited",
    "RecordedRequest",
    "RequestHeaders",
    "ServerError",
    "ThrowawayKey",
    "make_throwaway_key",
]

API_BASE_URL = "https://api.appstoreconnect.apple.com"
