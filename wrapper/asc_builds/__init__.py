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

Every name is loaded when first used (PEP 562): `import asc_builds` itself loads nothing
more, so that the command line answers `--version`, `--help` and usage errors without
loading httpx, PyJWT or cryptography. `from asc_builds import X` works as always.
"""

import importlib as _importlib
import typing as _typing

# Plain text, imports nothing.
from ._version import __version__ as __version__

if _typing.TYPE_CHECKING:
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

# Each public name: (the module it is defined in, its name there).
_WHERE: dict[str, tuple[str, str]] = {
    "APP_STORE_CONNECT_AUDIENCE": ("._auth", "APP_STORE_CONNECT_AUDIENCE"),
    "ENTERPRISE_AUDIENCE": ("._auth", "ENTERPRISE_AUDIENCE"),
    "APP_STORE_CONNECT_BASE_URL": ("._base_client", "APP_STORE_CONNECT_BASE_URL"),
    "DEFAULT_ATTEMPT_TIMEOUT": ("._base_client", "DEFAULT_ATTEMPT_TIMEOUT"),
    "DEFAULT_CALL_TIMEOUT": ("._base_client", "DEFAULT_CALL_TIMEOUT"),
    "DEFAULT_MAX_RESPONSE_BYTES": ("._base_client", "DEFAULT_MAX_RESPONSE_BYTES"),
    "DEFAULT_TIMEOUT": ("._base_client", "DEFAULT_TIMEOUT"),
    "ENTERPRISE_BASE_URL": ("._base_client", "ENTERPRISE_BASE_URL"),
    "BudgetStatus": ("._budget", "BudgetStatus"),
    "RateBudget": ("._budget", "RateBudget"),
    "AppStoreConnect": ("._client", "AppStoreConnect"),
    "AsyncAppStoreConnect": ("._client", "AsyncAppStoreConnect"),
    "AmbiguousAppError": ("._exceptions", "AmbiguousAppError"),
    "AmbiguousBuildError": ("._exceptions", "AmbiguousBuildError"),
    "APIConnectionError": ("._exceptions", "APIConnectionError"),
    "APIKeyError": ("._exceptions", "APIKeyError"),
    "ApiKeyError": ("._exceptions", "ApiKeyError"),
    "APIStatusError": ("._exceptions", "APIStatusError"),
    "APITimeoutError": ("._exceptions", "APITimeoutError"),
    "AppNotFoundError": ("._exceptions", "AppNotFoundError"),
    "AppStoreConnectError": ("._exceptions", "AppStoreConnectError"),
    "AuthenticationError": ("._exceptions", "AuthenticationError"),
    "BadRequestError": ("._exceptions", "BadRequestError"),
    "BatchInterrupted": ("._exceptions", "BatchInterrupted"),
    "BudgetExhaustedError": ("._exceptions", "BudgetExhaustedError"),
    "BuildNotFoundError": ("._exceptions", "BuildNotFoundError"),
    "ConflictError": ("._exceptions", "ConflictError"),
    "ErrorEntry": ("._exceptions", "ErrorEntry"),
    "InvalidInputError": ("._exceptions", "InvalidInputError"),
    "NoMatchError": ("._exceptions", "NoMatchError"),
    "NotAttemptedError": ("._exceptions", "NotAttemptedError"),
    "NotFoundError": ("._exceptions", "NotFoundError"),
    "PermissionDeniedError": ("._exceptions", "PermissionDeniedError"),
    "RateLimitError": ("._exceptions", "RateLimitError"),
    "RequestAbandonedError": ("._exceptions", "RequestAbandonedError"),
    "ResponseTooLargeError": ("._exceptions", "ResponseTooLargeError"),
    "ResponseValidationError": ("._exceptions", "ResponseValidationError"),
    "ServerError": ("._exceptions", "ServerError"),
    "UnprocessableEntityError": ("._exceptions", "UnprocessableEntityError"),
    "UnverifiedChangeError": ("._exceptions", "UnverifiedChangeError"),
    "APIKey": ("._keys", "APIKey"),
    "ApiKey": ("._keys", "ApiKey"),
    "MAX_PAGE_SIZE": ("._paging", "MAX_PAGE_SIZE"),
    "Page": ("._paging", "Page"),
    "RateLimit": ("._rate_limit", "RateLimit"),
    "DEFAULT_MAX_RETRIES": ("._retry", "DEFAULT_MAX_RETRIES"),
    "USER_AGENT": ("._version", "USER_AGENT"),
    "Apps": (".apps", "Apps"),
    "AsyncApps": (".apps", "AsyncApps"),
    "PROCESSING_STATES": (".builds", "PROCESSING_STATES"),
    "SORT_VALUES": (".builds", "SORT_VALUES"),
    "AsyncBuilds": (".builds", "AsyncBuilds"),
    "BuildInfo": (".builds", "BuildInfo"),
    "BuildOutcome": (".builds", "BuildOutcome"),
    "Builds": (".builds", "Builds"),
    "AsyncEncryptionDeclarations": (".encryption_declarations", "AsyncEncryptionDeclarations"),
    "EncryptionDeclarations": (".encryption_declarations", "EncryptionDeclarations"),
    "DeclarationRefusedError": (".jobs", "DeclarationRefusedError"),
    "ExpiryPlan": (".jobs", "ExpiryPlan"),
    "PollSchedule": (".jobs", "PollSchedule"),
    "ProcessingFailedError": (".jobs", "ProcessingFailedError"),
    "UpdateResult": (".jobs", "UpdateResult"),
    "WaitProgress": (".jobs", "WaitProgress"),
    "WaitTimeoutError": (".jobs", "WaitTimeoutError"),
}
# The public subpackages, reachable as attributes as before (`asc_builds.builds`).
_SUBPACKAGES = frozenset({"apps", "builds", "encryption_declarations", "jobs"})


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is not None:
        value = getattr(_importlib.import_module(where[0], __name__), where[1])
    elif name in _SUBPACKAGES:
        value = _importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Cached: the next access is a plain attribute.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBPACKAGES})
