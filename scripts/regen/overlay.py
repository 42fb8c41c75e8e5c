"""Apply OpenAPI Overlay 1.0 documents whose actions are grouped into named patches.

Each action carries `x-patch` (the patch's name) and `description` (the
upstream defect it works around). Overlay targets are RFC 9535 JSONPath
expressions, evaluated with python-jsonpath.

A patch must bite: an action whose target matches nothing, or a patch that
leaves the document unchanged (upstream fixed the defect), is an error that
names the patch. Nothing is ever applied silently to nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpath

__all__ = ["Patch", "PatchError", "apply_overlay", "load_patches"]


class PatchError(Exception):
    """A named patch could not be applied as written."""


@dataclass(frozen=True)
class Patch:
    name: str
    reason: str
    actions: tuple[dict[str, Any], ...]


def load_patches(path: Path) -> list[Patch]:
    """Read an overlay file and group its actions by `x-patch`, in file order."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if not str(document.get("overlay", "")).startswith("1."):
        raise PatchError(f"{path.name}: not an OpenAPI Overlay 1.x document")
    grouped: dict[str, list[dict[str, Any]]] = {}
    for index, action in enumerate(document.get("actions", [])):
        name = action.get("x-patch")
        if not name or not action.get("description") or "target" not in action:
            raise PatchError(
                f"{path.name}: action {index} needs 'x-patch', 'target' and "
                "'description' (the reason)"
            )
        if ("update" in action) == bool(action.get("remove")):
            raise PatchError(
                f"patch {name!r}: action {index} needs exactly one of update or remove"
            )
        grouped.setdefault(name, []).append(action)
    return [
        Patch(name=name, reason=actions[0]["description"], actions=tuple(actions))
        for name, actions in grouped.items()
    ]


def _merge(target: Any, update: Any) -> None:
    """Overlay 1.0 update: objects merge recursively, arrays get the value appended."""
    if isinstance(target, list):
        target.extend(
            copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)]
        )
        return
    if not isinstance(target, dict) or not isinstance(update, dict):
        raise TypeError("an update applies to an object or an array")
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _apply_action(document: dict[str, Any], patch: Patch, action: dict[str, Any]) -> None:
    target = action["target"]
    try:
        matches = list(jsonpath.finditer(target, document))
    except jsonpath.JSONPathError as exc:
        raise PatchError(f"patch {patch.name!r}: invalid target {target!r}: {exc}") from None
    if not matches:
        raise PatchError(
            f"patch {patch.name!r}: target {target} matches nothing; upstream removed or "
            f"renamed what it patches. Reason it was written: {patch.reason}"
        )
    if action.get("remove"):
        # Delete from the end so earlier list indices stay valid.
        for match in sorted(matches, key=lambda m: m.parts, reverse=True):
            if match.parent is None:
                raise PatchError(f"patch {patch.name!r}: cannot remove the document root")
            container: Any = match.parent.obj  # a dict or a list: both support del
            del container[match.parts[-1]]
        return
    for match in matches:
        try:
            _merge(match.obj, action["update"])
        except TypeError as exc:
            raise PatchError(f"patch {patch.name!r}: target {target}: {exc}") from None


def apply_overlay(document: dict[str, Any], patches: list[Patch]) -> dict[str, Any]:
    """Return a patched deep copy of `document`; the input is never modified."""
    patched = copy.deepcopy(document)
    for patch in patches:
        before = copy.deepcopy(patched)
        for action in patch.actions:
            _apply_action(patched, patch, action)
        if patched == before:
            raise PatchError(
                f"patch {patch.name!r} no longer changes anything: upstream seems to have fixed "
                f"the defect ({patch.reason}). Remove the patch from openapi/overlay.json."
            )
    return patched
