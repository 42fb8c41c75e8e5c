"""The doctor's proof that the credentials work: one authenticated read.

Signing a token proves the key file is a key; only App Store Connect can say whether it
knows the key id, the issuer and the key's role. One `GET /v1/builds?limit=1` (the
cheapest read of the slice) answers that, and spends one request of the hourly budget.
"""

from __future__ import annotations

import httpx

from .._client import AppStoreConnect
from .._exceptions import (
    AppStoreConnectError,
    AuthenticationError,
    PermissionDeniedError,
)
from .._keys import APIKey

__all__ = ["check_credentials"]


def check_credentials(
    key: APIKey, base_url: str, transport: httpx.BaseTransport | None
) -> tuple[str, str, str]:
    """(check name, status, detail) of one authenticated read."""
    name = "credentials"
    try:
        with AppStoreConnect(key, base_url=base_url, transport=transport, max_retries=0) as asc:
            list(asc.builds.list(max_items=1, include=()))
    except AuthenticationError as error:
        issuer = "no issuer (an individual key)" if key.issuer_id is None else "its issuer id"
        return (
            name,
            "FAIL",
            f"App Store Connect refused the key (401): check the key id {key.key_id}, "
            f"{issuer}, and that the key is not revoked ({error.request_id or 'no request id'})",
        )
    except PermissionDeniedError as error:
        return name, "WARN", f"the key is accepted but may not read builds (403): {error}"
    except AppStoreConnectError as error:
        return name, "FAIL", f"one authenticated read failed: {error}"
    return name, "ok", f"App Store Connect accepted key {key.key_id} (GET /v1/builds answered)"
