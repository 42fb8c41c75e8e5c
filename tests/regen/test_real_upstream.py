"""The whole path on Apple's real specs; skipped with a reason when they are not provided.

ASC_UPSTREAM_SPEC names Apple's 4.4.1 spec and ASC_UPSTREAM_SPEC_OLD the 3.7.0 one
(.ci/run sets both). The fixture-slice tests cover the same path without them.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from regen.diff import diff_slices
from regen.sdk_impact import operation_keys
from regen.slicer import dump_json, load_upstream, slice_spec

from ..checkouts import run_regenerate
from .conftest import NEW_SLICE, OLD_SLICE, load, snapshot
from .report_reading import (
    FIRST,
    GENERATED,
    change_is_named,
    row_count,
    row_with,
    rows,
    section,
    summary_total,
)
from .test_upstream_run import _round_trip

pytestmark = pytest.mark.upstream


@pytest.mark.parametrize(
    ("fixture_name", "fixture"),
    [("upstream_spec", NEW_SLICE), ("old_upstream_spec", OLD_SLICE)],
)
def test_fixture_slices_are_the_slicer_output_of_apples_files(
    fixture_name: str, fixture: Path, request: pytest.FixtureRequest
) -> None:
    upstream: Path = request.getfixturevalue(fixture_name)
    assert dump_json(slice_spec(load_upstream(upstream))) == fixture.read_text("utf-8")


def test_old_then_new_release_end_to_end(
    upstream_spec: Path, old_upstream_spec: Path, checkout: Path, tmp_path: Path
) -> None:
    backward, forward = tmp_path / "backward.md", tmp_path / "forward.md"

    result = run_regenerate(
        checkout, "--upstream", str(old_upstream_spec), "--report", str(backward)
    )
    assert result.returncode == 3, result.stderr
    text = backward.read_text("utf-8")
    assert "4.4.1 -> 3.7.0 (changed)" in text
    _check_report(text, NEW_SLICE, OLD_SLICE, "removed")
    old_sha256 = hashlib.sha256(old_upstream_spec.read_bytes()).hexdigest()
    assert (checkout / "openapi" / "lock.json").read_text("utf-8").count(old_sha256) == 1
    assert _round_trip(checkout).returncode == 0

    result = run_regenerate(checkout, "--upstream", str(upstream_spec), "--report", str(forward))
    assert result.returncode == 3, result.stderr
    text = forward.read_text("utf-8")
    _check_report(text, OLD_SLICE, NEW_SLICE, "added")
    assert (checkout / "openapi" / "slice.json").read_bytes() == NEW_SLICE.read_bytes()
    assert _round_trip(checkout).returncode == 0


_NOT_THE_SDKS = re.compile(r"`App\.|AppsResponse|AgeRating|BetaGroup|GameCenter|fields\[apps\]")


def _check_report(text: str, pinned: Path, upstream: Path, verb: str) -> None:
    """The report a maintainer acts on: what the SDK uses first, the rest grouped, all named."""
    first, generated = section(text, FIRST), section(text, GENERATED)
    for name in ("expired", "usesNonExemptEncryption"):
        row = row_with(first, f"nullable {verb}", f"`BuildUpdateRequest.data.attributes.{name}`")
        assert "request body the SDK sends" in row
    assert not _NOT_THE_SDKS.search(first), _NOT_THE_SDKS.findall(first)
    assert len([r for r in rows(text) if "AppStoreAgeRating" in r]) <= 3
    assert len([r for r in rows(text) if "fields[apps]" in r]) <= 8
    changes = diff_slices(load(pinned), load(upstream))
    operations = operation_keys(load(pinned)) | operation_keys(load(upstream))
    unnamed = [c for c in changes if not change_is_named(text, c, operations)]
    assert not unnamed, unnamed[:5]
    # The counts add up: the summary, the rows' counts, the changes.
    breaking, additive = summary_total(text)
    assert breaking + additive == len(changes) == sum(map(row_count, rows(first + generated)))
    assert len(rows(first + generated)) < len(changes) / 3


def test_apples_zip_of_the_pinned_release_is_no_change(
    upstream_spec: Path, checkout: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "app-store-connect-openapi-specification.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("openapi.oas.json", load_bytes(upstream_spec))
    before = snapshot(checkout)
    result = run_regenerate(checkout, "--upstream", str(archive))
    assert result.returncode == 0, result.stderr
    assert "no change" in result.stdout
    assert snapshot(checkout) == before


def load_bytes(path: Path) -> bytes:
    """Apple's .json, also when ASC_UPSTREAM_SPEC names Apple's zip."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = next(n for n in archive.namelist() if n.endswith("openapi.oas.json"))
            return archive.read(name)
    return data
