"""`asc-builds demo`: the whole story against a fake App Store Connect on loopback.

It starts the fake server on 127.0.0.1, makes a throwaway key, seeds an app with a
history of builds and a new upload still processing, and runs the real command line:

1. wait for the new build to be processed, then answer export compliance and assign the
   app's encryption declaration, in one command;
2. refuse a rejected declaration before anything is sent;
3. plan the expiry of stale builds (a dry run), then expire them, keeping the latest;
4. expire a batch with one id that does not exist (one result per id, exit 1), and a
   build while App Store Connect answers 429 twice;
5. run the changing commands of 1 to 4 again: each exits 0 and says "already" (or has
   nothing left to expire).

It exits 0 only if every command exited as expected and the fake's final state is what
the commands asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TextIO

from ..testing import FakeAppStoreConnect, RateLimited
from ._throwaway_credentials import throwaway_key_environment

__all__ = ["CommandLine", "run_demo"]

CommandLine = Callable[..., int]
"""`run(argv, *, environ, out, err) -> exit status`, the CLI's own entry point."""

_MISSING_BUILD = "00000000-0000-0000-0000-000000000000"
_APP_ID, _BUNDLE_ID = "6443000001", "com.example.demo"
_DAY = 86_400.0
# The new upload finishes processing this long after the demo starts waiting for it.
_PROCESSING_SECONDS = 2.0


class _Story:
    def __init__(self, fake: FakeAppStoreConnect) -> None:
        self.fake = fake
        fake.add_app(_APP_ID, bundle_id=_BUNDLE_ID)
        now = fake.now()
        # Ten builds of 1.0 and 1.1, one every 20 days: the oldest 200 days ago.
        self.history = [
            fake.add_build(
                app_id=_APP_ID,
                version=str(100 + n),
                marketing_version="1.0" if n < 5 else "1.1",
                uploaded_at=now - (200 - 20 * n) * _DAY,
                uses_non_exempt_encryption=False,
            )
            for n in range(10)
        ]
        self.new = fake.add_build(
            app_id=_APP_ID,
            version="345",
            marketing_version="2.0",
            processing_state="PROCESSING",
            uploaded_at=now - 60,
        )
        self.declaration = fake.add_encryption_declaration(app_id=_APP_ID)
        self.rejected = fake.add_encryption_declaration(app_id=_APP_ID, state="REJECTED")

    @property
    def stale(self) -> list[str]:
        # Uploaded 90 days ago or more (200 .. 100 days), none among the 3 latest.
        return [build.id for build in self.history[:6]]

    @property
    def batch(self) -> list[str]:
        return [self.history[6].id, self.history[7].id]

    def final_state(self) -> list[str]:
        problems: list[str] = []
        new = self.fake.build(self.new.id)
        wanted = {
            "processingState": (new.processing_state, "VALID"),
            "usesNonExemptEncryption": (new.uses_non_exempt_encryption, True),
            "appEncryptionDeclaration": (new.encryption_declaration_id, self.declaration.id),
            "expired": (new.expired, False),
        }
        for name, (actual, value) in wanted.items():
            if actual != value:
                problems.append(f"build 345: {name} is {actual!r}, expected {value!r}")
        expired = {*self.stale, *self.batch, self.history[8].id}
        for build in self.history:
            if self.fake.build(build.id).expired != (build.id in expired):
                problems.append(f"build {build.version}: expired is not {build.id in expired}")
        if not any(request.status == 429 for request in self.fake.requests):
            problems.append("the fake never answered 429, so retries were not shown")
        return problems


def run_demo(*, out: TextIO, command_line: CommandLine) -> int:
    fake = FakeAppStoreConnect()
    key = fake.add_throwaway_key()
    story = _Story(fake)
    failures: list[str] = []

    out.write(
        "asc-builds demo: a fake App Store Connect on 127.0.0.1 and a throwaway key;\n"
        "nothing leaves this machine.\n"
    )
    with throwaway_key_environment(key) as environ, fake.serve() as base_url:
        out.write(f"fake server: {base_url}\n")

        def step(title: str, argv: Sequence[str], expected_exit: int) -> None:
            out.write(f"\n== {title}\n$ asc-builds {' '.join(argv)}\n")
            out.flush()
            status = command_line(
                ["--base-url", base_url, *argv], environ=environ, out=out, err=out
            )
            if status != expected_exit:
                failures.append(f"{title}: exit {status}, expected {expected_exit}")

        wait = [
            "wait",
            "--bundle-id",
            _BUNDLE_ID,
            "--marketing-version",
            "2.0",
            "--build-number",
            "345",
            "--timeout",
            "2m",
            "--uses-non-exempt-encryption",
            "true",
            "--declaration",
            story.declaration.id,
        ]
        expire_stale = [
            "expire",
            "--bundle-id",
            _BUNDLE_ID,
            "--older-than",
            "90d",
            "--keep-latest",
            "3",
            "--yes",
        ]
        batch = ["expire", *story.batch, _MISSING_BUILD]
        retried = ["-v", "expire", story.history[8].id]
        refused = [
            "assign-declaration",
            "--bundle-id",
            _BUNDLE_ID,
            "--build-number",
            "345",
            story.rejected.id,
        ]

        # App Store Connect finishes processing the upload while the demo waits.
        timer = threading.Timer(
            _PROCESSING_SECONDS, fake.set_processing_state, (story.new.id, "VALID")
        )
        timer.start()
        try:
            step(
                "Build 2.0 (345) was just uploaded: wait until it is processed, then answer "
                "export compliance and assign the app's encryption declaration",
                wait,
                0,
            )
        finally:
            timer.cancel()
        step("A REJECTED declaration is refused before anything is sent", refused, 1)
        step(
            "Plan the expiry of builds older than 90 days, keeping the 3 latest (dry run)",
            ["--dry-run", *expire_stale[:-1]],
            0,
        )
        step("Expire them", expire_stale, 0)
        step("Expire two more builds and an id that does not exist (exit 1 expected)", batch, 1)
        fake.inject(RateLimited(retry_after=1), times=2)
        step(
            "Expire one while App Store Connect answers 429 twice (-v shows retries)",
            retried,
            0,
        )
        patches_before = _patches(fake)
        out.write("\n== The same commands again: each exits 0 and changes nothing\n")
        step("Wait and answer again", wait, 0)
        step("Expire the stale builds again", expire_stale, 0)
        step("Expire the two builds again", ["expire", *story.batch], 0)
        step("Expire the third one again", retried[1:], 0)
        sent_again = _patches(fake) - patches_before

    failures += story.final_state()
    out.write("\n")
    if failures:
        for failure in failures:
            out.write(f"demo FAILED: {failure}\n")
        return 1
    rate_limited = sum(1 for request in fake.requests if request.status == 429)
    out.write(
        f"demo passed: {len(fake.requests)} requests, {rate_limited} rate-limited and retried; "
        f"the second run sent {sent_again} PATCH (it read first and found every build already "
        "as asked); "
        "every build is in the state the commands asked for.\n"
    )
    return 0


def _patches(fake: FakeAppStoreConnect) -> int:
    return sum(1 for request in fake.requests if request.method == "PATCH")
