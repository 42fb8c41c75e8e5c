"""The report's two sections on crafted spec changes, against the real wrapper and client.

What the SDK uses is computed from `wrapper/asc_builds` and the committed generated
package (pinned to the 4.4.1 fixture slice); each test edits that slice the way Apple might.
"""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import pytest
from regen.diff import diff_slices
from regen.report import Outcome, SpecSide, render_report
from regen.sdk_impact import operation_keys, split_for_sdk
from regen.usage import SdkUsage, read_usage

from ..checkouts import ROOT
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

Json = dict[str, Any]
WRAPPER = ROOT / "wrapper" / "asc_builds"
GENERATED_PACKAGE = ROOT / "generated" / "asc_builds_generated"
_SIDE = SpecSide(version="4.4.1", source=None, content_sha256=None, slice_sha256=None, schemas=0)


@pytest.fixture(scope="module")
def usage() -> SdkUsage:
    found = read_usage(WRAPPER, GENERATED_PACKAGE)
    assert found is not None
    return found


def _report(old: Json, new: Json, usage: SdkUsage) -> str:
    changes = diff_slices(old, new)
    sdk, _ = split_for_sdk(changes, old, new, usage)
    operations = operation_keys(old) | operation_keys(new)
    return render_report(
        outcome=Outcome.CHANGED, old=_SIDE, new=_SIDE, changes=changes, sdk=sdk,
        operations=operations,
    )  # fmt: skip


def _schemas(document: Json) -> Json:
    schemas: Json = document["components"]["schemas"]
    return schemas


def _query_parameter(document: Json, path: str, method: str, name: str) -> Json:
    operation = document["paths"][path][method]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == name]
    return parameter  # type: ignore[no-any-return]


def test_a_property_the_wrapper_reads_lands_first_with_its_effect(
    new_slice: Json, usage: SdkUsage
) -> None:
    edited = copy.deepcopy(new_slice)
    attributes = _schemas(edited)["Build"]["properties"]["attributes"]["properties"]
    attributes["uploadedDate"]["format"] = "date"  # read by BuildInfo.uploaded_date
    attributes["expired"]["nullable"] = True  # read by BuildInfo.expired
    text = _report(new_slice, edited, usage)
    first = section(text, FIRST)
    row = row_with(first, "format changed", "`Build.attributes.uploadedDate`")
    assert "the SDK reads `uploaded_date`" in row and "date-time -> date" in row
    row = row_with(first, "nullable added", "`Build.attributes.expired`")
    assert "the SDK reads `expired`: it can now be None" in row
    assert section(text, GENERATED) == ""


def test_a_property_the_wrapper_writes_lands_first_with_its_effect(
    new_slice: Json, usage: SdkUsage
) -> None:
    edited = copy.deepcopy(new_slice)
    request = _schemas(edited)["BuildUpdateRequest"]["properties"]["data"]["properties"]
    del request["attributes"]["properties"]["usesNonExemptEncryption"]
    text = _report(new_slice, edited, usage)
    row = row_with(section(text, FIRST), "property removed", "`BuildUpdateRequest.data.attributes`")
    assert "`usesNonExemptEncryption`" in row
    assert "the SDK writes `uses_non_exempt_encryption`" in row and "PATCH /v1/builds/{id}" in row


def test_schemas_only_the_generated_models_use_land_second(
    new_slice: Json, usage: SdkUsage
) -> None:
    edited = copy.deepcopy(new_slice)
    schemas = _schemas(edited)
    del schemas["BetaGroup"]["properties"]["attributes"]["properties"]["name"]
    schemas["ExternalBetaState"]["enum"].remove("NOT_APPLICABLE")
    # On a schema the wrapper reads, a property it never names stays second too.
    del schemas["Build"]["properties"]["attributes"]["properties"]["iconAssetToken"]
    text = _report(new_slice, edited, usage)
    assert "Nothing the hand-written SDK uses changes." in section(text, FIRST)
    generated = section(text, GENERATED)
    row_with(generated, "property removed", "`BetaGroup.attributes`", "`name`")
    row_with(generated, "enum value removed", "`ExternalBetaState`", "'NOT_APPLICABLE'")
    row_with(generated, "property removed", "`Build.attributes`", "`iconAssetToken`")


def test_enum_values_the_wrapper_sends_or_offers_land_first_others_second(
    new_slice: Json, usage: SdkUsage
) -> None:
    edited = copy.deepcopy(new_slice)
    fields_apps = _query_parameter(edited, "/v1/apps", "get", "fields[apps]")["schema"]["items"]
    fields_apps["enum"].remove("bundleId")  # sent by apps.find
    fields_apps["enum"].remove("webhooks")  # never sent
    fields_builds = _query_parameter(edited, "/v1/builds/{id}", "get", "fields[builds]")
    # builds.get(fields=) offers every value; this one the SDK never asks for itself.
    fields_builds["schema"]["items"]["enum"].remove("lsMinimumSystemVersion")
    # Spelled in the wrapper ("preReleaseVersion", included by default), sent by value.
    include = _query_parameter(edited, "/v1/builds/{id}", "get", "include")
    include["schema"]["items"]["enum"].remove("preReleaseVersion")
    text = _report(new_slice, edited, usage)
    first = section(text, FIRST)
    assert "the SDK sends this value" in row_with(first, "fields[apps]", "'bundleId'")
    row = row_with(first, "fields[builds]", "'lsMinimumSystemVersion'")
    assert "no longer accepts" in row and "BuildsGetInstanceFieldsbuildsItem" in row
    assert "the SDK sends this value" in row_with(first, "include[]", "'preReleaseVersion'")
    row_with(section(text, GENERATED), "fields[apps]", "'webhooks'")


def test_repeated_changes_share_a_row_and_the_totals_match(
    new_slice: Json, usage: SdkUsage
) -> None:
    edited = copy.deepcopy(new_slice)
    gone = ["appTags", "webhooks", "searchKeywords"]
    places = [
        ("/v1/apps", "get"),
        ("/v1/builds", "get"),
        ("/v1/builds/{id}", "get"),
        ("/v1/appEncryptionDeclarations/{id}", "get"),
    ]
    for path, method in places:
        schema = _query_parameter(edited, path, method, "fields[apps]")["schema"]["items"]
        schema["enum"] = [value for value in schema["enum"] if value not in gone]
    rating = _schemas(edited)["AppStoreAgeRating"]
    removed = rating["enum"][:5]
    rating["enum"] = rating["enum"][5:]
    text = _report(new_slice, edited, usage)

    row = row_with(text, "fields[apps]")
    assert row_count(row) == 12 and all(f"'{v}'" in row for v in gone)
    assert all(f"`{path}`" in row or f"`GET {path}`" in row for path, _ in places)
    row = row_with(text, "AppStoreAgeRating")
    assert row_count(row) == 5 and all(f"'{v}'" in row for v in removed)

    changes = diff_slices(new_slice, edited)
    assert len(changes) == 17
    breaking, additive = summary_total(text)
    assert (breaking, additive) == (17, 0)
    assert sum(map(row_count, rows(section(text, FIRST) + section(text, GENERATED)))) == 17
    operations = operation_keys(new_slice)
    assert all(change_is_named(text, change, operations) for change in changes)


def test_usage_is_read_from_whatever_modules_the_wrapper_has(tmp_path: Path) -> None:
    # A wrapper laid out differently: a nested package, an aliased import inside a function.
    package = tmp_path / "asc_builds" / "deep" / "er"
    package.mkdir(parents=True)
    (package / "reader.py").write_text(
        textwrap.dedent(
            """
            def size(response):
                from asc_builds_generated.models import BuildsResponse as Page
                from asc_builds_generated.api.builds import builds_get_collection

                builds_get_collection._get_kwargs(fieldsbuild_icons=[])
                return getattr(Page.from_dict(response).meta.paging, "next_cursor")
            """
        ),
        "utf-8",
    )
    usage = read_usage(tmp_path / "asc_builds", GENERATED_PACKAGE)
    assert usage is not None
    assert {"BuildsResponse", "builds_get_collection"} <= usage.imported
    assert usage.uses_name("nextCursor") and not usage.uses_name("total")
    assert usage.sends("builds_get_collection", "fieldsbuild_icons")
    assert not usage.sends("builds_get_collection", "limit")
    assert read_usage(tmp_path / "missing", GENERATED_PACKAGE) is None
