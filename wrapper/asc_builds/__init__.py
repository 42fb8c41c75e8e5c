"""asc-builds: a typed client for App Store Connect's `PATCH /v1/builds/{id}` and the
reads around it.

```python
from asc_builds import APIKey, AppStoreConnect

with AppStoreConnect(APIKey.from_env()) as asc:
    build = asc.builds.find(bundle_id="com.example.app", build_number="345")
    asc.builds.expire(build.id)
```

Changes return the generated `Build` model, reads a `BuildInfo` (with the build number
and the marketing version under names that cannot be confused); errors are subclasses of
`AppStoreConnectError`. `ApiKey` and `ApiKeyError` are the former names of `APIKey` and
`APIKeyError`.
"""

from ._auth import APP_STORE_CONNECT_AUDIENCE, ENTERPRISE_AUDIENCE
from ._base_client import (
    APP_STORE_CONNECT_BASE_URL,
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    ENTERPRISE_BASE_URL,
)
from ._budget import BudgetStatus, RateBudget
from ._client import AppStoreConnect, AsyncAppStoreConnect
from ._exceptions import (
    AmbiguousAppError,
    AmbiguousBuildError,
    APIConnectionError,
    APIKeyError,
    ApiKeyError,
    APIStatusError,
    APITimeoutError,
    AppNotFoundError,
    AppStoreConnectError,
    AuthenticationError,
    BadRequestError,
    BatchInterrupted,
    BudgetExhaustedError,
    BuildNotFoundError,
    ConflictError,
    ErrorEntry,
    InvalidInputError,
    NoMatchError,
    NotAttemptedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestAbandonedError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    UnprocessableEntityError,
    UnverifiedChangeError,
)
from ._keys import APIKey, ApiKey
from ._paging import MAX_PAGE_SIZE, Page
from ._rate_limit import RateLimit
from ._retry import DEFAULT_MAX_RETRIES
from ._version import USER_AGENT
from ._version import __version__ as __version__
from .apps import Apps, AsyncApps
from .builds import PROCESSING_STATES, SORT_VALUES, AsyncBuilds, BuildInfo, BuildOutcome, Builds
from .encryption_declarations import AsyncEncryptionDeclarations, EncryptionDeclarations
from .jobs import (
    DeclarationRefusedError,
    ExpiryPlan,
    PollSchedule,
    ProcessingFailedError,
    UpdateResult,
    WaitProgress,
    WaitTimeoutError,
)

__all__ = [
    "APP_STORE_CONNECT_AUDIENCE",
    "APP_STORE_CONNECT_BASE_URL",
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENTERPRISE_AUDIENCE",
    "ENTERPRISE_BASE_URL",
    "MAX_PAGE_SIZE",
    "PROCESSING_STATES",
    "SORT_VALUES",
    "USER_AGENT",
    "APIConnectionError",
    "APIKey",
    "APIKeyError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousAppError",
    "AmbiguousBuildError",
    "ApiKey",
    "ApiKeyError",
    "AppNotFoundError",
    "AppStoreConnect",
    "AppStoreConnectError",
    "Apps",
    "AsyncAppStoreConnect",
    "AsyncApps",
    "AsyncBuilds",
    "AsyncEncryptionDeclarations",
    "AuthenticationError",
    "BadRequestError",
    "BatchInterrupted",
    "BudgetExhaustedError",
    "BudgetStatus",
    "BuildInfo",
    "BuildNotFoundError",
    "BuildOutcome",
    "Builds",
    "ConflictError",
    "DeclarationRefusedError",
    "EncryptionDeclarations",
    "ErrorEntry",
    "ExpiryPlan",
    "InvalidInputError",
    "NoMatchError",
    "NotAttemptedError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "PollSchedule",
    "ProcessingFailedError",
    "RateBudget",
    "RateLimit",
    "RateLimitError",
    "RequestAbandonedError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "UnprocessableEntityError",
    "UnverifiedChangeError",
    "UpdateResult",
    "WaitProgress",
    "WaitTimeoutError",
]
