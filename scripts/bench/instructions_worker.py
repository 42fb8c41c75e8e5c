"""The program callgrind runs for section 7: each step's calls between two markers.

    python -m bench.instructions_worker --base-url URL --calls N1,N2 [--warmup N]

Everything is set up and warmed first (imports, clients, connections, the token, each
model's imports). Then, for each step and each of the two call counts: `os.getppid()`
(callgrind zeroes its counters on entering libc's getppid), the calls, `os.getpgrp()`
(callgrind dumps the counters on entering getpgrp). The driver takes the difference of
the two dumps of a step over the difference of the call counts: start-up, set-up and the
markers' own cost cancel out. The step names, in dump order, are printed as JSON.

Steps named `memory/...` use an in-memory transport answering the benchmark server's
bytes (no sockets: the client's own work); `loopback/...` use the server on 127.0.0.1;
`part/...` run one piece of a call alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import json
import mmap
import os
import sys
from collections.abc import Callable
from typing import Any

import httpx
from asc_builds import AppStoreConnect, AsyncAppStoreConnect
from asc_builds._auth import TokenSigner
from asc_builds._base_client import ClientCore
from asc_builds._budget import BudgetTicket
from asc_builds._steps import Answer
from asc_builds._version import USER_AGENT
from asc_builds.builds._update import build_update_request, parse_build, update_operation

from .contenders import BUILD_ID, REQUEST_BODY
from .keys import BenchKey, new_key
from .paths import FIXTURE
from .server import response_body_template

__all__ = ["STEPS", "main"]

_HEADERS = [
    ("Content-Type", "application/json"),
    ("X-Rate-Limit", "user-hour-lim:10000000;user-hour-rem:9999999;"),
    ("x-request-id", "BENCH-REQUEST"),
]
# The server puts the requested id where the fixture has FIXTURE_ID: the same one here.
_BODY = response_body_template(FIXTURE)
_MEMORY_BASE = "http://127.0.0.1:9"


class MemoryTransport(httpx.BaseTransport):
    """Answers every request with the benchmark server's response, without a socket."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(200, headers=_HEADERS, content=_BODY)


class AsyncMemoryTransport(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return httpx.Response(200, headers=_HEADERS, content=_BODY)


Step = Callable[[int], None]

# Valgrind's client request on x86-64 (valgrind.h's VALGRIND_DO_CLIENT_REQUEST), as a
# function taking the address of the request's arguments: rax = the arguments, rdx = the
# default result, four rotations of rdi by 128 bits in all (a no-op natively), then the
# marker instruction. Outside valgrind it returns 0 and does nothing.
_CLIENT_REQUEST = bytes.fromhex(
    "4889f8"  # mov rax, rdi
    "31d2"  # xor edx, edx
    "48c1c703"  # rol rdi, 3
    "48c1c70d"  # rol rdi, 13
    "48c1c73d"  # rol rdi, 61
    "48c1c733"  # rol rdi, 51
    "4887db"  # xchg rbx, rbx
    "4889d0"  # mov rax, rdx
    "c3"  # ret
)
# callgrind.h: VG_USERREQ_TOOL_BASE('C', 'T') + 4
_START_INSTRUMENTATION = 0x43540004


def start_instrumentation() -> None:
    """CALLGRIND_START_INSTRUMENTATION: the run so far (start-up, set-up) ran uncounted."""
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(_CLIENT_REQUEST)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    request = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)(address)
    arguments = (ctypes.c_uint64 * 6)(_START_INSTRUMENTATION, 0, 0, 0, 0, 0)
    request(ctypes.addressof(arguments))


def _sync_steps(prefix: str, base_url: str, key: BenchKey, transport: Any) -> dict[str, Step]:
    token = TokenSigner(key.api_key()).token()
    raw = httpx.Client(transport=transport)
    prepared = raw.build_request(
        "PATCH",
        f"{base_url}/v1/builds/{BUILD_ID}",
        content=REQUEST_BODY,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    by_hand = httpx.Client(transport=transport)
    url, headers = f"{base_url}/v1/builds/{BUILD_ID}", {"Authorization": f"Bearer {token}"}
    body = json.loads(REQUEST_BODY)
    sdk = AppStoreConnect(key.api_key(), base_url=base_url, transport=transport)

    def floor(calls: int) -> None:
        send = raw.send
        for _ in range(calls):
            send(prepared)

    def httpx_by_hand(calls: int) -> None:
        patch = by_hand.patch
        for _ in range(calls):
            patch(url, json=body, headers=headers).json()

    def sync(calls: int) -> None:
        expire = sdk.builds.expire
        for _ in range(calls):
            expire(BUILD_ID)

    return {
        f"{prefix}/floor": floor,
        f"{prefix}/httpx by hand": httpx_by_hand,
        f"{prefix}/sync": sync,
    }


def _async_steps(
    prefix: str, base_url: str, key: BenchKey, transport: Any, loop: asyncio.AbstractEventLoop
) -> dict[str, Step]:
    token = TokenSigner(key.api_key()).token()
    raw = httpx.AsyncClient(transport=transport)
    prepared = raw.build_request(
        "PATCH",
        f"{base_url}/v1/builds/{BUILD_ID}",
        content=REQUEST_BODY,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    by_hand = httpx.AsyncClient(transport=transport)
    url, headers = f"{base_url}/v1/builds/{BUILD_ID}", {"Authorization": f"Bearer {token}"}
    body = json.loads(REQUEST_BODY)
    sdk = AsyncAppStoreConnect(key.api_key(), base_url=base_url, transport=transport)

    async def floor_calls(calls: int) -> None:
        for _ in range(calls):
            await raw.send(prepared)

    async def by_hand_calls(calls: int) -> None:
        patch = by_hand.patch
        for _ in range(calls):
            (await patch(url, json=body, headers=headers)).json()

    async def sdk_calls(calls: int) -> None:
        expire = sdk.builds.expire
        for _ in range(calls):
            await expire(BUILD_ID)

    return {
        f"{prefix}/async floor": lambda calls: loop.run_until_complete(floor_calls(calls)),
        f"{prefix}/async httpx by hand": lambda calls: loop.run_until_complete(
            by_hand_calls(calls)
        ),
        f"{prefix}/async": lambda calls: loop.run_until_complete(sdk_calls(calls)),
    }


def _part_steps(key: BenchKey) -> dict[str, Step]:
    import asc_builds_generated.models as models
    from asc_builds_generated.models import BuildResponse

    sdk = AppStoreConnect(key.api_key(), base_url=_MEMORY_BASE, transport=MemoryTransport())
    core: ClientCore = sdk._core
    http: httpx.Client = sdk._http
    document = json.loads(_BODY)
    response = httpx.Response(200, headers=_HEADERS, content=_BODY)
    operation = update_operation(BUILD_ID, build_update_request(BUILD_ID, expired=True))
    request = core.build_request(http, operation)
    response.request = request
    parse_build(response, BUILD_ID)
    # Every model module a parse touched, to undo their one-time imports on each call.
    touched = [
        module
        for name, module in sys.modules.items()
        if name.startswith(models.__name__ + ".") and hasattr(module, "_MODELS_IMPORTED")
    ]

    def typed_parse(calls: int) -> None:
        for _ in range(calls):
            BuildResponse.from_dict(document)

    def typed_parse_importing_each_time(calls: int) -> None:
        for _ in range(calls):
            for module in touched:
                module._MODELS_IMPORTED = False  # type: ignore[attr-defined]
            BuildResponse.from_dict(document)

    def request_building(calls: int) -> None:
        for _ in range(calls):
            core.build_request(http, operation)

    def request_building_httpx_parsing(calls: int) -> None:
        # What the SDK did before: httpx parses the whole URL string and the timeout and
        # merges the headers.
        for _ in range(calls):
            http.build_request(
                method="PATCH",
                url=core.base_url + operation["url"],
                json=operation["json"],
                headers={**operation["headers"], "User-Agent": USER_AGENT},
                timeout=core.timeout,
            )

    def response_json(calls: int) -> None:
        for _ in range(calls):
            response.json()

    def request_body(calls: int) -> None:
        for _ in range(calls):
            update_operation(BUILD_ID, build_update_request(BUILD_ID, expired=True))

    def handling(calls: int) -> None:
        retry, auth = core.retry, core.auth
        for _ in range(calls):
            retry.with_max_retries(None)
            flow = auth.sync_auth_flow(request)
            next(flow)
            with contextlib.suppress(StopIteration):
                flow.send(response)
            ticket = core.budget.try_acquire(core.now())
            assert isinstance(ticket, BudgetTicket)
            core.read_answer(Answer(response, response.content, 0.0), ticket)

    return {
        "part/typed parse": typed_parse,
        "part/typed parse, model imports run every time": typed_parse_importing_each_time,
        "part/request building": request_building,
        "part/request building, httpx parsing the URL": request_building_httpx_parsing,
        "part/response.json()": response_json,
        "part/request body: model, to_dict, validate_id": request_body,
        "part/read_answer, budget settle, retry policy, auth flow": handling,
    }


def _steps(base_url: str, key: BenchKey) -> dict[str, Step]:
    loop = asyncio.new_event_loop()
    steps: dict[str, Step] = {}
    steps.update(_sync_steps("memory", _MEMORY_BASE, key, MemoryTransport()))
    steps.update(_async_steps("memory", _MEMORY_BASE, key, AsyncMemoryTransport(), loop))
    steps.update(_sync_steps("loopback", base_url, key, None))
    steps.update(_async_steps("loopback", base_url, key, None, loop))
    steps.update(_part_steps(key))
    return steps


STEPS: tuple[str, ...] = (
    "memory/floor",
    "memory/httpx by hand",
    "memory/sync",
    "memory/async floor",
    "memory/async httpx by hand",
    "memory/async",
    "loopback/floor",
    "loopback/httpx by hand",
    "loopback/sync",
    "loopback/async floor",
    "loopback/async httpx by hand",
    "loopback/async",
    "part/typed parse",
    "part/typed parse, model imports run every time",
    "part/request building",
    "part/request building, httpx parsing the URL",
    "part/response.json()",
    "part/request body: model, to_dict, validate_id",
    "part/read_answer, budget settle, retry policy, auth flow",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--calls", required=True, help="two call counts, e.g. 20,120")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--start-instrumentation",
        action="store_true",
        help="valgrind runs with --instr-atstart=no (x86-64 only): switch it on after set-up",
    )
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.calls.split(",")]
    steps = _steps(args.base_url, new_key())
    assert set(steps) == set(STEPS), sorted(set(steps) ^ set(STEPS))
    for name in STEPS:
        steps[name](args.warmup)
    if args.start_instrumentation:
        start_instrumentation()
    order = []
    for name in STEPS:
        for count in counts:
            gc.collect()  # every segment starts from the same collector state
            os.getppid()  # callgrind: zero
            steps[name](count)
            os.getpgrp()  # callgrind: dump
            order.append([name, count])
    print(json.dumps(order), flush=True)
    # Nothing after the last dump is counted: skip the interpreter's slow tear-down.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
