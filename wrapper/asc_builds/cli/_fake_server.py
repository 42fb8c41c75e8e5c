"""`asc-builds fake-server`: a fake App Store Connect on loopback, until interrupted."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import threading
from collections.abc import Iterator

from ..testing import FakeAppStoreConnect, FakeBuild
from ._render import Renderer
from ._support import plural
from ._throwaway_credentials import throwaway_key_environment

__all__ = ["run_fake_server"]

_BUNDLE_ID = "com.example.app"


@contextlib.contextmanager
def _processing_finishes(
    fake: FakeAppStoreConnect, builds: list[FakeBuild], seconds: float
) -> Iterator[None]:
    """App Store Connect processes an upload in minutes: the fake's PROCESSING builds
    become VALID `seconds` after it starts (at once for 0)."""
    processing = [build.id for build in builds if build.processing_state == "PROCESSING"]

    def finish() -> None:
        for build_id in processing:
            fake.set_processing_state(build_id, "VALID")

    timer = threading.Timer(seconds, finish)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def run_fake_server(
    args: argparse.Namespace, render: Renderer, *, stop: threading.Event | None = None
) -> int:
    fake = FakeAppStoreConnect(rate_limit_per_hour=args.hourly_limit)
    key = fake.add_throwaway_key()
    app, builds = fake.add_app_with_builds(_BUNDLE_ID, builds=args.builds)
    (declaration,) = fake.declarations_of(app.id)
    stop = stop or threading.Event()
    with (
        throwaway_key_environment(key) as environment,
        fake.serve(args.port) as base_url,
        _processing_finishes(fake, builds, args.processing_seconds),
    ):
        processing = [build for build in builds if build.processing_state == "PROCESSING"]
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in environment.items())
        if render.as_json:
            render.line(
                "server",
                {
                    "base_url": base_url,
                    "environment": environment,
                    "bundle_id": _BUNDLE_ID,
                    "app_id": app.id,
                    "build_ids": [build.id for build in builds],
                    "encryption_declaration_id": declaration.id,
                },
                ok=True,
            )
        else:
            render.text(f"fake App Store Connect at {base_url}")
            render.text(f"builds: {' '.join(build.id for build in builds)}")
            render.text(f"encryption declaration: {declaration.id}")
            render.text(f"try:\n  export {exports}")
            first = builds[0].id if builds else "BUILD_ID"
            render.text(f"  asc-builds --base-url {base_url} list --bundle-id {_BUNDLE_ID}")
            render.text(f"  asc-builds --base-url {base_url} expire {first}")
            if processing:
                render.text(
                    f"build {processing[-1].id} is PROCESSING; VALID in "
                    f"{plural(args.processing_seconds, 'second')}"
                )
            render.text("stop with Ctrl-C (or SIGTERM): the throwaway key is removed")
        # Wait in slices so Ctrl-C is handled promptly on every platform.
        while not stop.wait(0.5):
            pass
    return 0
