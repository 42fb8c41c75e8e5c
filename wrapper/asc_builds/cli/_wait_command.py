"""`asc-builds wait`: wait for processing, then answer export compliance and/or assign a
declaration, in one command (as fastlane pilot does before distributing)."""

from __future__ import annotations

import argparse
from typing import Any

from .._keys import APIKey
from ..builds import BuildOutcome
from ._dry_run import RequestNotSent, describe_request
from ._render import Renderer
from ._selector import selector_from_args
from ._support import client_for, report_outcomes
from ._wait_report import WaitReporter

__all__ = ["WAIT_FIELDS", "run_wait"]

# What `wait` shows of a build (its line, see `_render.build_text`) and decides on (the
# processing state; the answer, the declaration), when it prints text.
WAIT_FIELDS = ("version", "expired", "usesNonExemptEncryption", "processingState")
# What the declaration's check needs of the build: its app and its current declaration.
# Read with every poll, so that the check does not read the build again.
_CHECK_INCLUDE = ("app", "appEncryptionDeclaration")


def _read_options(args: argparse.Namespace, as_json: bool) -> dict[str, Any]:
    """How each poll reads the build: only what is shown and decided on, or (--json) the
    whole build with its pre-release version, as before; with what a declaration's check
    and the "already assigned" test need."""
    checked = args.declaration is not None and not (args.no_declaration_check or args.dry_run)
    include: tuple[str, ...] = () if not as_json else ("preReleaseVersion",)
    if args.declaration is not None:
        include += _CHECK_INCLUDE if checked else ("appEncryptionDeclaration",)
    if as_json:
        return {"include": include}
    # The included app comes whole: the SDK offers no fieldset of apps (it reads only
    # their linkage), and an app is a few hundred bytes.
    related = {
        "appEncryptionDeclaration": ("appEncryptionDeclarations", "appEncryptionDeclarationState")
    }
    return {
        "include": include,
        "fields": WAIT_FIELDS,
        "related_fields": {
            related[name][0]: (related[name][1],) for name in include if name in related
        },
    }


def run_wait(args: argparse.Namespace, key: APIKey, render: Renderer) -> int:
    selector = selector_from_args(args)
    describe = selector.describe()
    reporter = WaitReporter(
        lambda payload, text, build_id: render.progress(payload, text, id=build_id),
        describe=describe,
        heartbeat=not render.err.isatty(),
    )
    # The polls are reads: sent even with --dry-run, which describes the final PATCH.
    with client_for(args, key, dry_run=False) as asc:
        build = asc.builds.wait_until_processed(
            selector.build_id,
            bundle_id=selector.bundle_id,
            marketing_version=selector.marketing_version,
            build_number=selector.build_number,
            timeout=args.timeout.total_seconds(),
            on_progress=reporter,
            **_read_options(args, render.as_json),
        )
    if args.uses_non_exempt_encryption is None and args.declaration is None:
        render.build(build.build)
        return 0
    with client_for(args, key) as asc:
        try:
            result = asc.builds.apply(
                build.id,
                uses_non_exempt_encryption=args.uses_non_exempt_encryption,
                encryption_declaration_id=args.declaration,
                check_declaration=not (args.no_declaration_check or args.dry_run),
                # Answered already as asked: nothing is sent (asked only when unanswered).
                current=build,
            )
        except RequestNotSent as dry:
            render.request(describe_request(dry.request), id=build.id)
            return 0
    outcome = BuildOutcome(build.id, build=result.build, changed=result.changed)
    render.outcome(outcome)
    return report_outcomes(render, [outcome], verb="changed")
