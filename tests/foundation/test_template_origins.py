"""The template overrides record their upstream template; a changed upstream stops regeneration."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest
from regen.lock import tree_sha256
from regen.templates import (
    GENERATOR,
    ORIGINS_FILE,
    TemplateDriftError,
    check_template_origins,
    upstream_templates,
)

from ..checkouts import ROOT, copy_checkout, run_regenerate

TEMPLATES = ROOT / "openapi" / "templates"
PACKAGE = Path("generated") / "asc_builds_generated"


@pytest.fixture
def upstream_copy(tmp_path: Path) -> Path:
    """The installed generator's templates, copied so that a test can change them."""
    return Path(shutil.copytree(upstream_templates(), tmp_path / "upstream"))


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))


def test_every_override_records_the_upstream_template_it_came_from() -> None:
    origins = json.loads((TEMPLATES / ORIGINS_FILE).read_text("utf-8"))
    assert origins["generator"] == GENERATOR
    overrides = sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*")
        if p.is_file() and p.name != ORIGINS_FILE
    )
    assert "model.py.jinja" in overrides
    assert sorted(origins["templates"]) == overrides
    for name, entry in origins["templates"].items():
        upstream = upstream_templates() / name
        assert entry["upstream_sha256"] == hashlib.sha256(upstream.read_bytes()).hexdigest()
        assert entry["taken_from"] == version(GENERATOR)
    check_template_origins(TEMPLATES, upstream_templates(), version(GENERATOR))


def test_a_changed_upstream_template_is_refused_naming_it(
    templates_copy: Path, upstream_copy: Path
) -> None:
    model = upstream_copy / "model.py.jinja"
    model.write_text(model.read_text("utf-8") + "{# a new generator release #}\n", "utf-8")
    with pytest.raises(TemplateDriftError) as caught:
        check_template_origins(templates_copy, upstream_copy, "9.9.9")
    message = str(caught.value)
    assert "model.py.jinja" in message
    assert f"{GENERATOR} 9.9.9's own template changed" in message
    assert hashlib.sha256(model.read_bytes()).hexdigest() in message
    assert "str_enum.py.jinja" not in message  # only the one that changed


def test_an_upstream_template_that_disappeared_is_refused(
    templates_copy: Path, upstream_copy: Path
) -> None:
    (upstream_copy / "str_enum.py.jinja").unlink()
    with pytest.raises(TemplateDriftError, match=r"str_enum\.py\.jinja: .* has no template"):
        check_template_origins(templates_copy, upstream_copy, "9.9.9")


def test_an_override_without_a_recorded_origin_is_refused(
    templates_copy: Path, upstream_copy: Path
) -> None:
    (templates_copy / "int_enum.py.jinja").write_text("copied without a record\n", "utf-8")
    with pytest.raises(TemplateDriftError, match=r"int_enum\.py\.jinja: no entry"):
        check_template_origins(templates_copy, upstream_copy, version(GENERATOR))


def test_a_missing_origins_file_is_refused(templates_copy: Path, upstream_copy: Path) -> None:
    (templates_copy / ORIGINS_FILE).unlink()
    with pytest.raises(TemplateDriftError, match="missing or unreadable"):
        check_template_origins(templates_copy, upstream_copy, version(GENERATOR))


def test_regeneration_fails_loudly_and_touches_nothing_when_upstream_moved(
    tmp_path: Path,
) -> None:
    # The installed generator cannot be changed from a test; recording another hash is
    # the same mismatch seen from the other side.
    project = copy_checkout(tmp_path)
    origins_path = project / "openapi" / "templates" / ORIGINS_FILE
    origins = json.loads(origins_path.read_text("utf-8"))
    origins["templates"]["model.py.jinja"]["upstream_sha256"] = "0" * 64
    origins_path.write_text(json.dumps(origins, indent=2) + "\n", "utf-8")
    before = tree_sha256(project / PACKAGE)
    for args in ((), ("--check",)):
        result = run_regenerate(project, *args)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "model.py.jinja" in result.stderr
        assert "own template changed" in result.stderr
        assert "Traceback" not in result.stderr
    assert tree_sha256(project / PACKAGE) == before
