"""The SDK's version, and the User-Agent every request carries.

Apple support and proxies in front of App Store Connect see the User-Agent: naming the SDK
and its version there is how a request is traced back to this client.
"""

from __future__ import annotations

import platform

import httpx

__all__ = ["USER_AGENT", "__version__"]

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"
USER_AGENT = (
    f"asc-builds/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)
