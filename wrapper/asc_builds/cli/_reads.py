"""`asc-builds get` and `asc-builds list`: builds as a readable table, or as JSON.

Columns: id, marketing version (CFBundleShortVersionString, the pre-release
version's `version`), build number (CFBundleVersion, Apple's `Build.version`), upload
time, processing state, expired, and the export compliance answer. Rows of `list` are
printed as pages arrive, in fixed-width columns, so a long listing starts at once and
is never held whole in memory.

The table asks App Store Connect only for what it shows (sparse fieldsets:
`fields[builds]`, `fields[preReleaseVersions]`, `fields[appEncryptionDeclarations]`), about
a third of the bytes of a whole build. `--json` is for scripts, which may read any of
Apple's attributes: it asks for every field, as before.

With `--json`, the one documented shape (see `_output`): exactly one `resource` line per
build as App Store Connect returned it, with its `included` member holding what was
included for that build (its pre-release version, whose `attributes.version` is the
marketing version, and its encryption declaration), and for `list` a closing `summary`
line.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._render import Renderer
from ._selector import selector_from_args
from ._support import client_for, plural, utc_minute

if TYPE_CHECKING:
    from .._keys import APIKey
    from ..builds import BuildInfo

__all__ = ["COLUMNS", "TABLE_FIELDS", "run_get", "run_list", "table_row"]

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
    expired = build.expired
    return _line(
        [
            build.id,
            build.marketing_version or "-",
            build.build_number or "-",
            utc_minute(build.uploaded_date),
            build.processing_state or "-",
            "-" if expired is None else "yes" if expired else "no",
            _encryption(build),
        ]
    )


def _heading(render: Renderer) -> None:
    render.text(_line(heading for heading, _ in COLUMNS))


_INCLUDE = ("preReleaseVersion", "appEncryptionDeclaration")
# What the table shows of a build (the marketing version and the declaration come from
# what is included, whose linkage `fields[builds]` keeps).
TABLE_FIELDS = ("version", "uploadedDate", "processingState", "expired", "usesNonExemptEncryption")
# Of the included resources: the marketing version; of a declaration only its id is shown,
# and JSON:API needs at least one field, so the shortest useful one.
_TABLE_RELATED_FIELDS = {
    "preReleaseVersions": ("version",),
    "appEncryptionDeclarations": ("appEncryptionDeclarationState",),
}


def _read_options(render: Renderer) -> dict[str, Any]:
    """How `get` and `list` read: only the table's fields, or everything with --json."""
    if render.as_json:
        return {"include": _INCLUDE}
    return {
        "include": _INCLUDE,
        "fields": TABLE_FIELDS,
        "related_fields": _TABLE_RELATED_FIELDS,
    }


def _resource_line(render: Renderer, build: BuildInfo) -> None:
    included = [
        resource.to_dict()
        for resource in (build.pre_release_version, build.encryption_declaration)
        if resource is not None
    ]
    render.resource(build.build.to_dict(), id=build.id, included=included)


def run_get(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    with client_for(args, key) as asc:
        build = asc.builds.select(selector_from_args(args), **_read_options(render))
    if render.as_json:
        _resource_line(render, build)
    else:
        _heading(render)
        render.text(table_row(build))
    return 0


def run_list(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    count = 0
    with client_for(args, key) as asc:
        builds = asc.builds.list(
            bundle_id=args.bundle_id,
            app_id=args.app_id,
            marketing_version=args.marketing_version,
            build_number=args.build_number,
            expired=args.expired,
            processing_state=args.processing_state,
            sort=args.sort,
            max_items=args.limit,
            **_read_options(render),
        )
        if not render.as_json:
            _heading(render)
        for build in builds:
            if render.as_json:
                _resource_line(render, build)
            else:
                render.text(table_row(build))
            count += 1
    render.summary(
        {"total": count, "succeeded": count, "failed": 0},
        text=None,
    )
    if not render.as_json:
        render.note(plural(count, "build"))
    return 0
