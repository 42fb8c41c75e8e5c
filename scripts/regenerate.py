#!/usr/bin/env python3
"""Regenerate asc-builds' client from the pinned slice of Apple's spec.

    python scripts/regenerate.py                       # from openapi/slice.json
    python scripts/regenerate.py --upstream PATH_OR_URL [--report FILE]
    python scripts/regenerate.py --check               # exit 1 if openapi/ or generated/ are stale

With --upstream (Apple's zip or its .json, a path or an https URL) the script
re-slices, compares the new slice with the pinned one semantically (blind to
`info.version`), writes a Markdown report of every change classified as
breaking or additive, and, only when the content changed and every overlay
patch still applies, updates openapi/slice.json, regenerates and rewrites
openapi/lock.json. On failure nothing is touched.

Exit codes:
    0  done: no change (--upstream; nothing touched), regenerated, or up to date (--check)
    1  stale (--check only)
    2  failed (download, slicing, a patch that no longer applies, generation)
    3  changed: slice, lock and generated/ were updated (--upstream only)
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regen.diff import Change, comparable_sha256, diff_slices
from regen.fetch import FetchError, fetch_upstream
from regen.generate import GenerationError, generate_package
from regen.layout import Layout
from regen.lock import build_lock, content_sha256, sha256_bytes
from regen.overlay import PatchError, apply_overlay, load_patches
from regen.report import Outcome, SpecSide, render_report
from regen.sdk_impact import SdkChange, operation_keys, split_for_sdk
from regen.slicer import dump_json, load_upstream, read_json, slice_spec
from regen.templates import TemplateDriftError
from regen.usage import read_usage

EXIT_OK, EXIT_STALE, EXIT_FAILED, EXIT_CHANGED = 0, 1, 2, 3
# What can go wrong with a run; each is reported as a message, never a traceback.
_FAILURES = (
    FetchError,
    GenerationError,
    PatchError,
    TemplateDriftError,
    ValueError,
    KeyError,
    OSError,
)
ROOT = Path(__file__).resolve().parent.parent


def _upstream_entry(source: str, data: bytes, spec: dict[str, Any]) -> dict[str, Any]:
    info = spec.get("info")
    return {
        "version": info.get("version") if isinstance(info, dict) else None,
        "source": source,
        "sha256": sha256_bytes(data),
        "content_sha256": content_sha256(spec),
    }


def _compare_trees(expected: Path, actual: Path) -> list[str]:
    """Differences between two folders of text files, as readable lines."""

    def files(folder: Path) -> dict[str, Path]:
        if not folder.exists():
            return {}
        return {
            p.relative_to(folder).as_posix(): p
            for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    want, have = files(expected), files(actual)
    problems = [f"missing: {name}" for name in sorted(want.keys() - have.keys())]
    problems += [f"unexpected: {name}" for name in sorted(have.keys() - want.keys())]
    for name in sorted(want.keys() & have.keys()):
        a, b = want[name].read_text(encoding="utf-8"), have[name].read_text(encoding="utf-8")
        if a != b:
            diff = difflib.unified_diff(
                b.splitlines(),
                a.splitlines(),
                f"committed/{name}",
                f"regenerated/{name}",
                lineterm="",
                n=1,
            )
            problems.append(f"differs: {name}\n" + "\n".join(list(diff)[:20]))
    return problems


def check(layout: Layout) -> int:
    problems: list[str] = []
    if not layout.slice.exists():
        print(f"stale: {layout.slice.relative_to(layout.root)} is missing", file=sys.stderr)
        return EXIT_STALE
    if layout.slice.read_text(encoding="utf-8") != dump_json(read_json(layout.slice)):
        problems.append("differs: openapi/slice.json is not in the project's JSON formatting")
    with tempfile.TemporaryDirectory(prefix="asc-builds-check-") as tmp:
        fresh = Path(tmp) / "asc_builds_generated"
        generate_package(layout, fresh)
        problems += _compare_trees(fresh, layout.package)
        committed_lock = read_json(layout.lock) if layout.lock.exists() else {}
        expected_lock = build_lock(layout, committed_lock.get("upstream", {}), fresh)
    if dump_json(committed_lock) != dump_json(expected_lock):
        for key in sorted(set(expected_lock) | set(committed_lock)):
            if expected_lock.get(key) != committed_lock.get(key):
                problems.append(
                    f"differs: openapi/lock.json [{key}]: "
                    f"committed {committed_lock.get(key)!r}, expected {expected_lock.get(key)!r}"
                )
    if problems:
        print("stale: run `python scripts/regenerate.py` and commit the result", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_STALE
    print("up to date: openapi/ and generated/ match the pinned slice, patches and tools")
    return EXIT_OK


def regenerate(layout: Layout) -> int:
    """Regenerate from the pinned slice; the lock keeps its upstream entry."""
    lock = read_json(layout.lock) if layout.lock.exists() else {}
    generate_package(layout, layout.package)
    lock = build_lock(layout, lock.get("upstream", {}), layout.package)
    layout.lock.write_text(dump_json(lock), "utf-8")
    print(f"regenerated {layout.package.relative_to(layout.root)} from {layout.slice.name}")
    return EXIT_OK


def _side(upstream: dict[str, Any], slice_doc: dict[str, Any] | None) -> SpecSide:
    schemas = slice_doc.get("components", {}).get("schemas", {}) if slice_doc else {}
    # The version shown is the slice's own: it is what the comparison is about.
    info = slice_doc.get("info", {}) if slice_doc else {}
    return SpecSide(
        version=info.get("version", upstream.get("version")),
        source=upstream.get("source"),
        content_sha256=upstream.get("content_sha256"),
        slice_sha256=comparable_sha256(slice_doc) if slice_doc else None,
        schemas=len(schemas),
    )


def _apply_new_slice(layout: Layout, new_slice: dict[str, Any], upstream: dict[str, Any]) -> None:
    # Every patch must still apply before anything is written: a failure leaves
    # the checkout exactly as it was.
    apply_overlay(new_slice, load_patches(layout.overlay))
    previous = layout.slice.read_bytes() if layout.slice.exists() else None
    layout.slice.write_text(dump_json(new_slice), encoding="utf-8")
    try:
        generate_package(layout, layout.package)  # replaces the package only on success
    except BaseException:
        if previous is None:
            layout.slice.unlink()
        else:
            layout.slice.write_bytes(previous)
        raise
    layout.lock.write_text(dump_json(build_lock(layout, upstream, layout.package)), "utf-8")


def update_from_upstream(
    layout: Layout, source: str, report: Path | None, *, allow_loopback_http: bool = False
) -> int:
    """Re-slice `source`, report the semantic changes, and apply them when there are any."""
    lock = read_json(layout.lock) if layout.lock.exists() else {}
    old_slice = read_json(layout.slice) if layout.slice.exists() else None
    old = _side(lock.get("upstream", {}), old_slice)
    new: SpecSide | None = None
    changes: list[Change] = []
    sdk: list[SdkChange] | None = None
    operations: set[str] = set()
    # What the wrapper uses of the client it was written against: read before regenerating.
    usage = read_usage(layout.wrapper, layout.package)

    def finish(outcome: Outcome, code: int, failure: str | None = None) -> int:
        if report is not None:
            text = render_report(
                outcome=outcome,
                old=old,
                new=new,
                changes=changes,
                sdk=sdk,
                operations=operations,
                failure=failure,
            )
            report.write_text(text, encoding="utf-8")
        return code

    try:
        name, data = fetch_upstream(source, allow_loopback_http=allow_loopback_http)
        spec = load_upstream(data)
        new_slice = slice_spec(spec)
        upstream = _upstream_entry(name, data, spec)
        new = _side(upstream, new_slice)
        changes = diff_slices(old_slice or {}, new_slice)
        operations = operation_keys(old_slice or {}) | operation_keys(new_slice)
        if usage is not None:
            sdk, _ = split_for_sdk(changes, old_slice or {}, new_slice, usage)
        if old_slice is not None and old.slice_sha256 == new.slice_sha256:
            print(f"no change: the slice of {name} ({new.version}) equals the pinned one")
            return finish(Outcome.NO_CHANGE, EXIT_OK)
        _apply_new_slice(layout, new_slice, upstream)
    except _FAILURES as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return finish(Outcome.FAILED, EXIT_FAILED, str(exc))
    breaking = sum(1 for change in changes if change.impact == "breaking")
    touching = "?" if sdk is None else len(sdk)
    print(
        f"changed: {old.version} -> {new.version}, {len(changes)} changes ({breaking} breaking, "
        f"{touching} touching asc_builds); slice, lock and generated/ updated"
    )
    return finish(Outcome.CHANGED, EXIT_CHANGED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--upstream", metavar="PATH_OR_URL", help="Apple's spec (.json or zip, path or https URL)"
    )
    parser.add_argument("--report", type=Path, help="write the Markdown change report here")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when stale")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    # Tests serve a spec from 127.0.0.1 over plain http; real runs need https.
    parser.add_argument("--allow-loopback-http", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    layout = Layout(args.root.resolve())
    if args.check and (args.upstream or args.report):
        parser.error("--check takes no --upstream or --report")
    if args.report and not args.upstream:
        parser.error("--report needs --upstream")
    if args.upstream:
        return update_from_upstream(
            layout, args.upstream, args.report, allow_loopback_http=args.allow_loopback_http
        )
    try:
        return check(layout) if args.check else regenerate(layout)
    except _FAILURES as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
