"""The generator templates asc-builds overrides, and which upstream template each came from.

Each file in openapi/templates/ replaces the generator's template of the same relative path
and was derived from it. openapi/templates/origins.json records, per override, the
generator version it was taken from and the sha256 of that upstream file. When the pinned
generator's own template differs from the recorded one (a new generator version, a patched
install), the override may no longer fit what the generator feeds it, silently: the
regeneration stops until someone re-derives the override and records the new hash.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

__all__ = [
    "GENERATOR",
    "ORIGINS_FILE",
    "TemplateDriftError",
    "check_installed",
    "check_template_origins",
    "upstream_templates",
]

GENERATOR = "openapi-python-client"
# Lives among the overrides; the generator's template loader ignores non-template files.
ORIGINS_FILE = "origins.json"


class TemplateDriftError(Exception):
    """An override no longer matches the generator's template it was derived from."""


def upstream_templates() -> Path:
    """The installed generator's own template folder."""
    import openapi_python_client

    return Path(openapi_python_client.__file__).resolve().parent / "templates"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _overrides(templates: Path) -> list[str]:
    return sorted(
        path.relative_to(templates).as_posix()
        for path in templates.rglob("*")
        if path.is_file() and path.name != ORIGINS_FILE and "__pycache__" not in path.parts
    )


def check_template_origins(templates: Path, upstream: Path, installed_version: str) -> None:
    """Raise TemplateDriftError unless every override's upstream template is as recorded."""
    origins_path = templates / ORIGINS_FILE
    try:
        origins = json.loads(origins_path.read_text(encoding="utf-8"))["templates"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TemplateDriftError(
            f"{origins_path.name} in the templates folder is missing or unreadable ({error}); "
            "it records which generator template each override was derived from"
        ) from None
    problems = []
    overrides = _overrides(templates)
    for name in overrides:
        if name not in origins:
            problems.append(
                f"{name}: no entry in {ORIGINS_FILE}; record the {GENERATOR} version and "
                "the sha256 of the upstream template it was derived from"
            )
    for name in sorted(origins):
        entry = origins[name]
        if name not in overrides:
            problems.append(f"{name}: recorded in {ORIGINS_FILE} but no such override")
            continue
        source = upstream / name
        if not source.is_file():
            problems.append(
                f"{name}: {GENERATOR} {installed_version} has no template {name} any more "
                f"(the override was taken from {entry.get('taken_from')})"
            )
            continue
        actual = _sha256(source)
        if actual != entry.get("upstream_sha256"):
            problems.append(
                f"{name}: {GENERATOR} {installed_version}'s own template changed since the "
                f"override was taken from {entry.get('taken_from')} (recorded sha256 "
                f"{entry.get('upstream_sha256')}, installed {actual}); re-derive "
                f"openapi/templates/{name} from the new upstream template, then record "
                f"the new version and sha256 in {ORIGINS_FILE}"
            )
    if problems:
        raise TemplateDriftError(
            "the template overrides no longer match the pinned generator:\n  "
            + "\n  ".join(problems)
        )


def check_installed(templates: Path) -> None:
    """check_template_origins against the generator this interpreter would run."""
    check_template_origins(templates, upstream_templates(), version(GENERATOR))
