"""The command line's exit statuses, in a module that imports nothing (see `_parser`)."""

from __future__ import annotations

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PIPE_CLOSED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# What a shell reports for a command stopped by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130
# What a shell reports for a command stopped by SIGTERM (128 + 15), which is how CI
# systems cancel a job: handled as Ctrl-C is, with its own status.
EXIT_TERMINATED = 143
# What a shell reports for a command killed by SIGPIPE (128 + 13), as `head` leaves `yes`.
EXIT_PIPE_CLOSED = 141
