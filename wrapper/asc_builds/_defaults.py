"""Defaults and allowed values that the command line's parser shows, in a module that
imports nothing: `asc-builds --help` and `--version` then load no HTTP stack, no JWT and
no cryptography. The modules that use them (`_base_client`, `builds`) import them from
here, so each is written once."""

from __future__ import annotations

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "PROCESSING_STATES",
    "SORT_VALUES",
]

# A call: every attempt and every wait between retries, in seconds.
DEFAULT_CALL_TIMEOUT = 180.0

# Requests of a batch in flight at once.
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64

# The values the pinned spec allows (a test keeps them equal to the generated enums).
# Spelled out so that importing the SDK does not load the generated operations.
PROCESSING_STATES = ("FAILED", "INVALID", "PROCESSING", "VALID")
SORT_VALUES = (
    "preReleaseVersion",
    "-preReleaseVersion",
    "uploadedDate",
    "-uploadedDate",
    "version",
    "-version",
)
