"""A build named on the command line by id, or by bundle id and build number."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..jobs._selector import Selector

if TYPE_CHECKING:
    from .._client import AppStoreConnect
    from ..builds import BuildInfo

__all__ = ["CHANGE_INCLUDE", "read_selected", "resolve_build_id", "selector_from_args"]

# What a command that changes a build reads it with when it looks the build up: enough
# to see whether it already holds every value a PATCH can set (the declaration is only
# linked when included), so that such a build is sent nothing.
CHANGE_INCLUDE = ("preReleaseVersion", "appEncryptionDeclaration")


def selector_from_args(args: argparse.Namespace) -> Selector:
    """The build the arguments name; InvalidInputError (nothing sent) when they do not."""
    return Selector(
        build_id=getattr(args, "build_id", None),
        bundle_id=args.bundle_id,
        marketing_version=args.marketing_version,
        build_number=args.build_number,
    )


def read_selected(asc: AppStoreConnect, args: argparse.Namespace) -> BuildInfo | None:
    """The build as found by app and numbers, read with `CHANGE_INCLUDE` (it knows its app
    and its declaration); None when the build is named by id, which is not read here."""
    selector = selector_from_args(args)
    if selector.build_id is not None:
        return None
    return asc.builds.select(selector, include=CHANGE_INCLUDE)


def resolve_build_id(asc: AppStoreConnect, args: argparse.Namespace) -> str:
    """The build's id: as given, or found by app, marketing version and build number."""
    selector = selector_from_args(args)
    if selector.build_id is not None:
        return selector.build_id
    return asc.builds.select(selector).id
