"""The SDK's version, and the User-Agent every request carries.

Apple support and proxies in front of App Store Connect see the User-Agent: naming the SDK
and its version there is how a request is traced back to this client. It names httpx's
version too, so it is made when first asked for: `asc-builds --version` and `--help` then
do not load httpx.
"""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

__all__ = ["USER_AGENT", "__version__"]

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"

if TYPE_CHECKING:
    USER_AGENT: str


def __getattr__(name: str) -> str:
    if name == "USER_AGENT":
        import httpx

        agent = (
            f"asc-builds/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
        )
        globals()["USER_AGENT"] = agent
        return agent
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
