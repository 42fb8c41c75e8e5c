#!/usr/bin/env python3
"""Regenerate asc-builds' client from the pinned slice of Apple's spec.

    python scripts/regenerate.py                    # from openapi/slice.json
    python scripts/regenerate.py --upstream FILE    # re-slice Apple's .json or zip first
    python scripts/regenerate.py --check            # exit 1 if openapi/ or generated/ are stale

Exit codes: 0 done (or, with --check, up to date); 1 stale; 2 failed.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regen.generate import GenerationError, generate_package  # noqa: E402
from regen.layout import Layout  # noqa: E402
from regen.lock import build_lock, content_sha256, sha256_bytes  # noqa: E402
from regen.overlay import PatchError  # noqa: E402
from regen.slicer import dump_json, load_upstream, read_json, slice_spec  # noqa: E402

EXIT_OK, EXIT_STALE, EXIT_FAILED = 0, 1, 2
ROOT = Path(__file__).resolve().parent.parent


def _upstream_entry(source: Path, data: bytes, spec: dict[str, object]) -> dict[str, object]:
    info = spec.get("info")
    return {
        "version": info.get("version") if isinstance(info, dict) else None,
        "source": source.name,
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
                b.splitlines(), a.splitlines(), f"committed/{name}", f"regenerated/{name}", lineterm="", n=1
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


def regenerate(layout: Layout, upstream: Path | None) -> int:
    lock = read_json(layout.lock) if layout.lock.exists() else {}
    upstream_entry = lock.get("upstream", {})
    if upstream is not None:
        data = upstream.read_bytes()
        spec = load_upstream(data)
        layout.slice.write_text(dump_json(slice_spec(spec)), encoding="utf-8")
        upstream_entry = _upstream_entry(upstream, data, spec)
    generate_package(layout, layout.package)
    layout.lock.write_text(dump_json(build_lock(layout, upstream_entry, layout.package)), "utf-8")
    print(f"regenerated {layout.package.relative_to(layout.root)} from {layout.slice.name}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", type=Path, help="Apple's spec (.json or zip) to re-slice first")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when stale")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    layout = Layout(args.root.resolve())
    try:
        if args.check:
            if args.upstream:
                parser.error("--check takes no --upstream")
            return check(layout)
        return regenerate(layout, args.upstream)
    except (GenerationError, PatchError, ValueError, OSError) as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
