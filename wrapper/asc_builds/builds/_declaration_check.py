"""Checking a declaration before it is assigned, reading nothing already known.

The rules are `asc_builds.jobs._declaration`'s; here is what is read for them: the build
with its app and its current declaration (not read again when the caller's `current` is
the build and knows both), then the declaration, unless the build already holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from .._exceptions import NotFoundError, ResponseValidationError
from .._steps import Steps
from ..encryption_declarations import DeclarationOperations
from ..jobs._declaration import DeclarationRefusedError, declaration_state, refusal
from ._info import BuildInfo

__all__ = ["CHECK_INCLUDE", "DeclarationCheck", "build_for_check", "checked_declaration"]

CHECK_INCLUDE = ("app", "appEncryptionDeclaration")


@attrs.frozen
class DeclarationCheck:
    """A declaration found fit for a build: its state, and the build as read for the check
    (with its app and its current declaration)."""

    state: str | None
    build: BuildInfo


def build_for_check(
    get: Callable[..., Steps[BuildInfo]],
    build_id: str,
    current: BuildInfo | None,
    max_retries: int | None,
) -> Steps[BuildInfo]:
    """The build with its app and declaration: `current` when it is the build and knows
    both, else read with `get` (`builds.get`)."""
    if (
        current is not None
        and current.id == build_id
        and current.app_id is not None
        and current.declaration_read
    ):
        return current
    return (yield from get(build_id, include=CHECK_INCLUDE, max_retries=max_retries))


def checked_declaration(
    declarations: DeclarationOperations,
    build: BuildInfo,
    declaration_id: str,
    max_retries: int | None,
) -> Steps[str | None]:
    """The declaration's state, or `DeclarationRefusedError` when it cannot go on `build`."""
    declaration: Any
    try:
        declaration = yield from declarations.get(declaration_id, max_retries=max_retries)
    except NotFoundError:
        declaration = None
    except ResponseValidationError as error:
        # An answer about another declaration, or none that can be read: fail closed.
        raise DeclarationRefusedError(
            f"encryption declaration {declaration_id} could not be checked ({error}): "
            f"not assigned to build {build.id}, nothing was sent",
            build_id=build.id,
            declaration_id=declaration_id,
            reason="unreadable",
        ) from error
    problem = refusal(
        declaration,
        build_id=build.id,
        declaration_id=declaration_id,
        build_app_id=build.app_id,
    )
    if problem is not None:
        raise problem
    return None if declaration is None else declaration_state(declaration)
