"""`asc-builds demo`: every command path against a fake App Store Connect on loopback.

It starts the fake server on 127.0.0.1, makes a throwaway key, seeds builds and
runs the real command line against them: set encryption, assign a declaration,
expire, a batch expire with one bad id, and an expire that two 429s cannot stop.
It exits 0 only if the fake's final state is what those commands should leave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from ..testing import FakeAppStoreConnect, RateLimited
from ._throwaway_credentials import throwaway_key_environment

__all__ = ["CommandLine", "run_demo"]

CommandLine = Callable[..., int]
"""`run(argv, *, environ, out, err) -> exit status`, the CLI's own entry point."""

_MISSING_BUILD = "00000000-0000-0000-0000-000000000000"


def run_demo(*, out: TextIO, command_line: CommandLine) -> int:
    fake = FakeAppStoreConnect()
    key = fake.add_throwaway_key()
    first, second, third, fourth = (fake.add_build(version=str(n)) for n in (101, 102, 103, 104))
    declaration = fake.add_encryption_declaration()
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

        step(
            "Declare that build 101 uses no non-exempt encryption",
            ["set-encryption", first.id, "--uses-non-exempt-encryption", "false"],
            0,
        )
        step(
            "Assign the app's encryption declaration to build 101",
            ["assign-declaration", first.id, declaration.id],
            0,
        )
        step("Expire build 101", ["expire", first.id], 0)
        step(
            "Expire builds 102 and 103 and an id that does not exist (exit 1 expected)",
            ["expire", second.id, third.id, _MISSING_BUILD],
            1,
        )
        fake.inject(RateLimited(retry_after=1), times=2)
        step(
            "Expire build 104 while App Store Connect answers 429 twice (-v shows retries)",
            ["-v", "expire", fourth.id],
            0,
        )

    failures += _check_final_state(fake, first.id, [second.id, third.id, fourth.id], declaration.id)
    out.write("\n")
    if failures:
        for failure in failures:
            out.write(f"demo FAILED: {failure}\n")
        return 1
    rate_limited = sum(1 for request in fake.requests if request.status == 429)
    out.write(
        f"demo passed: {len(fake.requests)} requests, {rate_limited} rate-limited and retried; "
        "every build is in the state the commands asked for.\n"
    )
    return 0


def _check_final_state(
    fake: FakeAppStoreConnect, configured: str, expired: list[str], declaration_id: str
) -> list[str]:
    problems: list[str] = []
    build = fake.build(configured)
    expectations: Mapping[str, tuple[object, object]] = {
        "usesNonExemptEncryption": (build.uses_non_exempt_encryption, False),
        "appEncryptionDeclaration": (build.encryption_declaration_id, declaration_id),
        "expired": (build.expired, True),
    }
    for name, (actual, wanted) in expectations.items():
        if actual != wanted:
            problems.append(f"build {configured}: {name} is {actual!r}, expected {wanted!r}")
    problems += [f"build {b} is not expired" for b in expired if not fake.build(b).expired]
    if not any(request.status == 429 for request in fake.requests):
        problems.append("the fake never answered 429, so retries were not shown")
    return problems
