"""The SDK's version, and the User-Agent every request carries.

Apple support and proxies in front of App Store Connect see the User-Agent: naming the SDK
and its version there is how a request is traced back to this client.
"""

from __future__ import annotations

import platform
from importlib import metadata

import httpx

__all__ = ["USER_AGENT", "__version__"]


def _installed_version() -> str:
    try:
        return metadata.version("asc-builds")
    except metadata.PackageNotFoundError:
        # Running from a source tree that was never installed.
        return "0+unknown"


__version__ = _installed_version()
USER_AGENT = (
    f"asc-builds/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)
