"""A build named on the command line by id, or by bundle id and build number."""

from __future__ import annotations

import argparse

from .._client import AppStoreConnect
from ..jobs import Selector

__all__ = ["resolve_build_id", "selector_from_args"]


def selector_from_args(args: argparse.Namespace) -> Selector:
    """The build the arguments name; InvalidInputError (nothing sent) when they do not."""
    return Selector(
        build_id=getattr(args, "build_id", None),
        bundle_id=args.bundle_id,
        marketing_version=args.marketing_version,
        build_number=args.build_number,
    )


def resolve_build_id(asc: AppStoreConnect, args: argparse.Namespace) -> str:
    """The build's id: as given, or found by app, marketing version and build number."""
    selector = selector_from_args(args)
    if selector.build_id is not None:
        return selector.build_id
    return asc.builds.select(selector).id
