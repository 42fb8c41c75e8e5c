"""asc-builds: a typed client for App Store Connect's `PATCH /v1/builds/{id}`.

```python
from asc_builds import APIKey, AppStoreConnect

with AppStoreConnect(APIKey.from_env()) as asc:
    build = asc.builds.expire(build_id)
```

Methods return the generated `Build` model; errors are subclasses of `AppStoreConnectError`.
`ApiKey` and `ApiKeyError` are the former names of `APIKey` and `APIKeyError`.
"""

from ._auth import APP_STORE_CONNECT_AUDIENCE, ENTERPRISE_AUDIENCE
from ._base_client import APP_STORE_CONNECT_BASE_URL, DEFAULT_TIMEOUT, ENTERPRISE_BASE_URL
from ._budget import BudgetStatus, RateBudget
from ._builds import AsyncBuilds, BuildOutcome, Builds
from ._client import AppStoreConnect, AsyncAppStoreConnect
from ._exceptions import (
    APIConnectionError,
    APIKeyError,
    ApiKeyError,
    APIStatusError,
    APITimeoutError,
    AppStoreConnectError,
    AuthenticationError,
    BadRequestError,
    BudgetExhaustedError,
    ConflictError,
    ErrorEntry,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnprocessableEntityError,
    UnverifiedChangeError,
)
from ._keys import APIKey, ApiKey
from ._rate_limit import RateLimit
from ._retry import DEFAULT_MAX_RETRIES
from ._version import USER_AGENT
from ._version import __version__ as __version__

__all__ = [
    "APP_STORE_CONNECT_AUDIENCE",
    "APP_STORE_CONNECT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENTERPRISE_AUDIENCE",
    "ENTERPRISE_BASE_URL",
    "USER_AGENT",
    "APIConnectionError",
    "APIKey",
    "APIKeyError",
    "APIStatusError",
    "APITimeoutError",
    "ApiKey",
    "ApiKeyError",
    "AppStoreConnect",
    "AppStoreConnectError",
    "AsyncAppStoreConnect",
    "AsyncBuilds",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExhaustedError",
    "BudgetStatus",
    "BuildOutcome",
    "Builds",
    "ConflictError",
    "ErrorEntry",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateBudget",
    "RateLimit",
    "RateLimitError",
    "ResponseValidationError",
    "ServerError",
    "UnprocessableEntityError",
    "UnverifiedChangeError",
]
