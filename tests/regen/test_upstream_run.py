"""`regenerate.py --upstream ... --report ...` end to end, on copies of a checkout.

The upstream inputs are the committed fixture slices (a slice re-slices to
itself), so these tests need no copy of Apple's spec and always run.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..checkouts import ROOT, run_regenerate
from .conftest import OLD_SLICE, load, snapshot
from .report_reading import FIRST, GENERATED, row_with, section

Json = dict[str, Any]
WriteUpstream = Callable[[Json, str], Path]
EXIT_OK, EXIT_FAILED, EXIT_CHANGED = 0, 2, 3

# Parses Apple's example response and serializes Apple's example request with the
# package generated in the checkout given as argv[1], in a fresh interpreter.
_ROUND_TRIP = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from asc_builds_generated.models import BuildResponse, BuildUpdateRequest
    response = json.loads(open(sys.argv[2], encoding="utf-8").read())
    request = json.loads(open(sys.argv[3], encoding="utf-8").read())
    parsed = BuildResponse.from_dict(response)
    assert parsed.data.id == response["data"]["id"], parsed.data.id
    assert parsed.data.attributes.version == response["data"]["attributes"]["version"]
    assert parsed.data.attributes.uploaded_date.utcoffset() is not None
    assert parsed.to_dict() == response
    assert BuildUpdateRequest.from_dict(request).to_dict() == request
    print("ok", parsed.data.type_)
    """
)


def _round_trip(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-c", _ROUND_TRIP, str(root / "generated"),
            str(ROOT / "tests" / "fixtures" / "example-response.json"),
            str(ROOT / "tests" / "fixtures" / "example-request.json"),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_old_spec_is_reported_applied_and_generates_a_working_client(
    checkout: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    result = run_regenerate(checkout, "--upstream", str(OLD_SLICE), "--report", str(report))
    assert result.returncode == EXIT_CHANGED, result.stderr
    text = report.read_text("utf-8")
    assert text.startswith("# App Store Connect spec: 4.4.1 -> 3.7.0 (changed)")
    first, generated = section(text, FIRST), section(text, GENERATED)
    # The body the SDK sends comes first, with its effect; the rest follows, grouped.
    for name in ("expired", "usesNonExemptEncryption"):
        row = row_with(first, "nullable removed", f"BuildUpdateRequest.data.attributes.{name}")
        assert "request body the SDK sends" in row and "can no longer be null" in row
    row_with(generated, "response removed (5)", "`PATCH /v1/builds/{id}`", "`429`")
    row_with(generated, "property removed", "`Build.attributes`", "`computedMinVisionOsVersion`")
    row_with(generated, "property removed", "`Build.relationships`", "`buildUpload`")
    row_with(generated, "variant removed (2)", "`BuildResponse.included[]`", "oneOf BuildUpload")
    row_with(generated, "schema removed", "`BuildUpload`")
    row_with(generated, "enum value removed", "`ExternalBetaState`", "'NOT_APPLICABLE'")
    assert "## Legend" in text
    assert "## Additive" not in text and "added" not in first
    lock = load(checkout / "openapi" / "lock.json")
    assert lock["upstream"]["version"] == "3.7.0"
    assert lock["slice"]["schemas"] == 68
    assert load(checkout / "openapi" / "slice.json") == load(OLD_SLICE)
    assert f"`{lock['upstream']['content_sha256']}`" in text

    round_trip = _round_trip(checkout)
    assert round_trip.returncode == 0, round_trip.stderr
    assert round_trip.stdout.strip() == "ok builds"

    check = run_regenerate(checkout, "--check")
    assert check.returncode == EXIT_OK, check.stderr

    before = snapshot(checkout)
    again = run_regenerate(checkout, "--upstream", str(OLD_SLICE), "--report", str(report))
    assert again.returncode == EXIT_OK, again.stderr
    assert "(no change)" in report.read_text("utf-8")
    assert snapshot(checkout) == before


def test_the_pinned_client_passes_the_same_round_trip(pinned_checkout: Path) -> None:
    result = _round_trip(pinned_checkout)
    assert result.returncode == 0, result.stderr


def test_version_bump_alone_is_no_change_and_touches_nothing(
    checkout: Path, new_slice: Json, write_upstream: WriteUpstream, tmp_path: Path
) -> None:
    bumped = copy.deepcopy(new_slice)
    bumped["info"]["version"] = "4.4.2"
    report = tmp_path / "report.md"
    before = snapshot(checkout)
    upstream = write_upstream(bumped, "bumped.json")
    result = run_regenerate(checkout, "--upstream", str(upstream), "--report", str(report))
    assert result.returncode == EXIT_OK, result.stderr
    assert snapshot(checkout) == before
    text = report.read_text("utf-8")
    assert "(no change)" in text and "although `info.version` moved" in text
    assert "| `info.version` | `4.4.1` | `4.4.2` |" in text


def test_content_change_without_a_version_bump_is_detected(
    checkout: Path, new_slice: Json, write_upstream: WriteUpstream, tmp_path: Path
) -> None:
    changed = copy.deepcopy(new_slice)
    changed["components"]["schemas"]["ExternalBetaState"]["enum"].append("ON_HOLD")
    report = tmp_path / "report.md"
    upstream = write_upstream(changed, "same-version.json")
    result = run_regenerate(checkout, "--upstream", str(upstream), "--report", str(report))
    assert result.returncode == EXIT_CHANGED, result.stderr
    text = report.read_text("utf-8")
    assert "4.4.1 -> 4.4.1 (changed)" in text
    row_with(section(text, GENERATED), "enum value added", "`ExternalBetaState`", "'ON_HOLD'")
    assert "**0 breaking, 1 additive**" in text
    assert "Nothing the hand-written SDK uses changes." in section(text, FIRST)
    enum_module = (
        checkout / "generated" / "asc_builds_generated" / "models" / "external_beta_state.py"
    )
    assert "ON_HOLD" in enum_module.read_text("utf-8")


def _fails_loudly(
    checkout: Path, document: Json, write_upstream: WriteUpstream, tmp_path: Path
) -> tuple[str, str]:
    report = tmp_path / "report.md"
    before = snapshot(checkout)
    upstream = write_upstream(document, "upstream.json")
    result = run_regenerate(checkout, "--upstream", str(upstream), "--report", str(report))
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    assert snapshot(checkout) == before
    text = report.read_text("utf-8")
    assert "(failed)" in text and "nothing was touched" in text
    return result.stderr, text


def _error_object(document: Json) -> Json:
    errors: Json = document["components"]["schemas"]["ErrorResponse"]["properties"]["errors"]
    item: Json = errors["items"]
    return item


def test_a_patch_whose_target_disappeared_fails_naming_it(
    checkout: Path, new_slice: Json, write_upstream: WriteUpstream, tmp_path: Path
) -> None:
    gone = copy.deepcopy(new_slice)
    del _error_object(gone)["required"]
    stderr, report = _fails_loudly(checkout, gone, write_upstream, tmp_path)
    assert "patch 'error-object-fields-optional'" in stderr
    assert "matches nothing" in stderr
    # The report says what changed upstream next to the failure.
    assert "ErrorResponse.errors[].code" in report


def test_a_patch_whose_defect_upstream_fixed_fails_naming_it(
    checkout: Path, new_slice: Json, write_upstream: WriteUpstream, tmp_path: Path
) -> None:
    # A patch that updates a value, as a maintainer would add one for a defect.
    overlay_path = checkout / "openapi" / "overlay.json"
    overlay = json.loads(overlay_path.read_text("utf-8"))
    overlay["actions"].append(
        {
            "x-patch": "error-title-described",
            "target": "$.components.schemas.ErrorResponse.properties.errors.items.properties.title",
            "description": "Apple's error title has no description.",
            "update": {"description": "A short summary of the problem."},
        }
    )
    overlay_path.write_text(json.dumps(overlay, indent=2) + "\n", "utf-8")
    fixed = copy.deepcopy(new_slice)
    _error_object(fixed)["properties"]["title"]["description"] = "A short summary of the problem."
    stderr, _ = _fails_loudly(checkout, fixed, write_upstream, tmp_path)
    assert "patch 'error-title-described' no longer changes anything" in stderr


def test_an_unreadable_upstream_fails_without_touching_anything(
    checkout: Path, tmp_path: Path
) -> None:
    before = snapshot(checkout)
    report = tmp_path / "report.md"
    missing = str(tmp_path / "missing.zip")
    result = run_regenerate(checkout, "--upstream", missing, "--report", str(report))
    assert result.returncode == EXIT_FAILED
    assert "missing.zip" in result.stderr
    assert snapshot(checkout) == before
    text = report.read_text("utf-8")
    assert (
        "(failed)" in text and "missing.zip" in text and "| `info.version` | `4.4.1` | — |" in text
    )
    not_openapi = tmp_path / "not-openapi.json"
    not_openapi.write_text(json.dumps({"hello": "world"}), "utf-8")
    result = run_regenerate(checkout, "--upstream", str(not_openapi))
    assert result.returncode == EXIT_FAILED
    assert "not an OpenAPI document" in result.stderr
