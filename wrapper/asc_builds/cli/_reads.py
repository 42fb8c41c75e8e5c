"""`asc-builds get` and `asc-builds list`: builds as a readable table, or as JSON.

Columns: id, marketing version (CFBundleShortVersionString, the pre-release
version's `version`), build number (CFBundleVersion, Apple's `Build.version`), upload
time, processing state, expired, and the export compliance answer. Rows of `list` are
printed as pages arrive, in fixed-width columns, so a long listing starts at once and
is never held whole in memory.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from typing import TextIO

from .._client import AppStoreConnect
from .._keys import APIKey
from ..resources.builds import BuildInfo
from ._render import Renderer

__all__ = ["COLUMNS", "run_get", "run_list", "table_row"]

# (heading, width): wide enough for a UUID, "2.10.3", "12345", an upload minute.
COLUMNS = (
    ("ID", 36),
    ("MARKETING", 10),
    ("BUILD", 8),
    ("UPLOADED", 22),
    ("STATE", 10),
    ("EXPIRED", 7),
    ("ENCRYPTION", 0),
)


def _encryption(build: BuildInfo) -> str:
    uses = build.uses_non_exempt_encryption
    if uses is None:
        return "unanswered"
    if not uses:
        return "exempt"
    declaration = build.encryption_declaration_id
    return f"non-exempt ({declaration})" if declaration else "non-exempt"


def _line(cells: Iterable[str]) -> str:
    parts = [cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)]
    return "  ".join(parts).rstrip()


def table_row(build: BuildInfo) -> str:
    uploaded = build.uploaded_date
    expired = build.expired
    return _line(
        [
            build.id,
            build.marketing_version or "-",
            build.build_number or "-",
            uploaded.strftime("%Y-%m-%d %H:%M %z") if uploaded else "-",
            build.processing_state or "-",
            "-" if expired is None else "yes" if expired else "no",
            _encryption(build),
        ]
    )


def _heading(out: TextIO) -> None:
    out.write(_line(heading for heading, _ in COLUMNS) + "\n")


def _client(args: argparse.Namespace, key: APIKey) -> AppStoreConnect:
    from ._commands import _client

    return _client(args, key)


_INCLUDE = ("preReleaseVersion", "appEncryptionDeclaration")


def run_get(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    with _client(args, key) as asc:
        build = asc.builds.get(args.build_id, include=_INCLUDE)
    if render.as_json:
        render.json(build.to_dict())
    else:
        _heading(render.out)
        render.out.write(table_row(build) + "\n")
    return 0


def run_list(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    with _client(args, key) as asc:
        builds = asc.builds.list(
            bundle_id=args.bundle_id,
            app_id=args.app_id,
            marketing_version=args.marketing_version,
            build_number=args.build_number,
            expired=args.expired,
            processing_state=args.processing_state,
            sort=args.sort,
            include=_INCLUDE,
            max_items=args.limit,
        )
        if render.as_json:
            # One JSON array, written item by item: memory stays flat for long listings.
            out = render.out
            out.write("[")
            for index, build in enumerate(builds):
                data = build.to_dict(full=False)
                out.write(("," if index else "") + "\n  " + json.dumps(data, sort_keys=True))
            out.write("\n]\n")
            return 0
        _heading(render.out)
        count = 0
        for build in builds:
            render.out.write(table_row(build) + "\n")
            count += 1
    render.note(f"{count} build{'' if count == 1 else 's'}")
    return 0
