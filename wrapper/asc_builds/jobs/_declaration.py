"""Checking an encryption declaration before assigning it to a build.

App Store Connect refuses the assignment later, or worse, accepts it while the declaration
cannot cover the build. Before the PATCH the declaration is read, and the check fails
closed: the answer must be about that declaration, name its app, and the build's app must
be the same; its state must be one known to be assignable (`CREATED`, `IN_REVIEW`,
`APPROVED`, compared exactly): a state Apple has not documented, or none, is refused like
`REJECTED`, `INVALID` or `EXPIRED`. Otherwise the assignment is refused with
`DeclarationRefusedError` and nothing is sent. `check_declaration=False` skips the read for
callers who know better.
"""

from __future__ import annotations

from typing import Any, Literal

from .._documents import set_or_none
from .._exceptions import AppStoreConnectError

__all__ = [
    "ASSIGNABLE_DECLARATION_STATES",
    "REFUSED_DECLARATION_STATES",
    "DeclarationRefusedError",
    "declaration_app_id",
    "declaration_state",
    "refusal",
]

ASSIGNABLE_DECLARATION_STATES = frozenset({"CREATED", "IN_REVIEW", "APPROVED"})
# The documented states that can never be assigned (every other state is refused as well).
REFUSED_DECLARATION_STATES = frozenset({"REJECTED", "INVALID", "EXPIRED"})

RefusalReason = Literal["not found", "other app", "state", "no app", "unreadable"]


class DeclarationRefusedError(AppStoreConnectError):
    """The declaration cannot be assigned to this build; no PATCH was sent.

    `reason` is "not found", "other app", "state" (not an assignable one, or none), "no
    app" (the declaration or the build does not say which app it belongs to) or
    "unreadable" (the answer was not about this declaration, or could not be read);
    `state` is the declaration's state when it was read.
    """

    def __init__(
        self,
        message: str,
        *,
        build_id: str,
        declaration_id: str,
        reason: RefusalReason,
        state: str | None = None,
        declaration_app_id: str | None = None,
        build_app_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.build_id = build_id
        self.declaration_id = declaration_id
        self.reason = reason
        self.state = state
        self.declaration_app_id = declaration_app_id
        self.build_app_id = build_app_id


def declaration_state(declaration: Any) -> str | None:
    """The declaration's `appEncryptionDeclarationState`, as text."""
    attributes = set_or_none(declaration.attributes)
    state = None if attributes is None else set_or_none(attributes.app_encryption_declaration_state)
    return None if state is None else str(state)


def declaration_app_id(declaration: Any) -> str | None:
    """The id of the declaration's app (it is read with `include=app`)."""
    relationships = set_or_none(declaration.relationships)
    app = None if relationships is None else set_or_none(relationships.app)
    data = None if app is None else set_or_none(app.data)
    linked = None if data is None else set_or_none(data.id)
    return linked if isinstance(linked, str) else None


def refusal(
    declaration: Any | None,
    *,
    build_id: str,
    declaration_id: str,
    build_app_id: str | None,
) -> DeclarationRefusedError | None:
    """Why `declaration` (None: it does not exist) cannot go on the build, or None."""
    if declaration is None:
        return DeclarationRefusedError(
            f"encryption declaration {declaration_id} does not exist (or this key cannot "
            f"see it): not assigned to build {build_id}, nothing was sent",
            build_id=build_id,
            declaration_id=declaration_id,
            reason="not found",
        )
    state = declaration_state(declaration)
    app_id = declaration_app_id(declaration)

    def refused(reason: RefusalReason, why: str) -> DeclarationRefusedError:
        return DeclarationRefusedError(
            f"encryption declaration {declaration_id} {why}, nothing was sent",
            build_id=build_id,
            declaration_id=declaration_id,
            reason=reason,
            state=state,
            declaration_app_id=app_id,
            build_app_id=build_app_id,
        )

    if declaration.id != declaration_id:
        return refused("unreadable", f"was answered with declaration {declaration.id!r}")
    if app_id is None:
        return refused("no app", "does not say which app it belongs to: not assigned")
    if build_app_id is None:
        return refused("no app", f"cannot be checked: build {build_id} does not say its app")
    if app_id != build_app_id:
        return refused(
            "other app",
            f"({state}) belongs to app {app_id}, build {build_id} to app {build_app_id}: "
            "not assigned",
        )
    if state in REFUSED_DECLARATION_STATES:
        return refused("state", f"is {state}: it cannot be assigned to build {build_id}")
    if state not in ASSIGNABLE_DECLARATION_STATES:
        shown = (
            "has no state, so it is not"
            if state is None
            else f"is {state}, a state not known to be"
        )
        assignable = ", ".join(sorted(ASSIGNABLE_DECLARATION_STATES))
        return refused(
            "state",
            f"{shown} assignable (only {assignable} can be assigned): not assigned to build "
            f"{build_id}",
        )
    return None
