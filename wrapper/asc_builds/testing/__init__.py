"""A fake App Store Connect for ``PATCH /v1/builds/{id}`` and its reads, for tests and demos.

    fake = FakeAppStoreConnect()
    build = fake.add_build(expired=False)
    app, builds = fake.add_app_with_builds("com.example.app", builds=500)
    with fake.client() as asc:                # an AppStoreConnect signing with a throwaway key
        asc.builds.expire(build.id)
    assert fake.build(build.id).expired
    # async with fake.async_client() as asc: ...; or over HTTP: with fake.serve() as base_url:

It verifies ES256 tokens against registered keys, validates bodies against the pinned
slice, answers with Apple's response and error shapes, injects faults on demand
(``fake.inject(RateLimited(retry_after=3), times=2)``) and records every request.
Installing the package registers a pytest plugin with the fixtures
``fake_app_store_connect`` (a fresh fake) and ``app_store_connect_client`` (a client bound
to it); the plugin imports none of this until a test uses one.
"""

import warnings

from ._clock import ManualClock
from ._fake import REQUEST_ID_HEADER, FakeAppStoreConnect
from ._faults import (
    MAX_DELAY_SECONDS,
    Delay,
    DropConnection,
    Fault,
    MalformedBody,
    RateLimited,
    ServerErrorFault,
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
    "ServerErrorFault",
    "ThrowawayKey",
    "make_throwaway_key",
]

API_BASE_URL = "https://api.appstoreconnect.apple.com"


def __getattr__(name: str) -> object:
    # `ServerError` was this fault's name, the same as the exception `asc_builds.ServerError`
    # that it makes the client raise; the old name still works for a while, with a warning.
    if name == "ServerError":
        warnings.warn(
            "asc_builds.testing.ServerError is deprecated: use ServerErrorFault "
            "(asc_builds.ServerError is the exception the client raises)",
            DeprecationWarning,
            stacklevel=2,
        )
        return ServerErrorFault
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
