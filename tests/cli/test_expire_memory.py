"""`asc-builds expire -` keeps only its ids in memory: a million fits in 300 MiB.

Each size runs in a fresh process against a loopback server that answers the batch's reads
(every build already expired, so nothing is sent but the reads); the peak resident size
grows with the ids by what an id costs, not by what an outcome or a build would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

from asc_builds.testing import make_throwaway_key

from ..hostile._server import Context, HostileServer, respond

# The peak of the process, printed by the child once the command is over: VmHWM, which
# starts anew with the program (ru_maxrss would keep the forking parent's size).
_CHILD = """
import sys
from asc_builds.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status", encoding="ascii") as report:
    peak = next(line.split()[1] for line in report if line.startswith("VmHWM:"))
print("PEAK_KIB", peak, file=sys.stderr)
sys.exit(status)
"""
# A million ids within 300 MiB, over a start of about 50 MiB: at most 250 bytes an id.
MAX_BYTES_PER_ID = 250


def _already_expired(context: Context) -> bool:
    query = parse_qs(urlsplit(context.request.path).query)
    ids = [i for i in query.get("filter[id]", [""])[0].split(",") if i]
    data = [{"type": "builds", "id": i, "attributes": {"expired": True}} for i in ids]
    body = {"data": data, "links": {"self": "https://api.appstoreconnect.apple.com/v1/builds"}}
    respond(context.conn, 200, json.dumps(body).encode())
    return True


def _peak_kib(count: int) -> int:
    key = make_throwaway_key()
    environ = {
        **os.environ,
        "ASC_KEY_ID": key.key_id,
        "ASC_ISSUER_ID": key.issuer_id or "",
        "ASC_PRIVATE_KEY": key.private_key_pem,
    }
    ids = "".join(f"{uuid.uuid4()}\n" for _ in range(count)).encode()
    with HostileServer(_already_expired) as server:
        argv = ["--base-url", server.url, "--json", "expire", "-"]
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *argv],
            input=ids,
            capture_output=True,
            env=environ,
            timeout=120,
            check=False,
        )
        reads = server.count()
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count(b"\n") == count + 1, "a line per id, then the summary"
    assert reads == -(-count // 100), "one read per 100 ids, and no PATCH"
    peak = [line for line in done.stderr.decode().splitlines() if line.startswith("PEAK_KIB")]
    return int(peak[-1].split()[1])


def test_the_peak_grows_by_what_an_id_costs_not_an_outcome() -> None:
    small, large = 10_000, 60_000
    growth = (_peak_kib(large) - _peak_kib(small)) * 1024
    assert growth / (large - small) <= MAX_BYTES_PER_ID, f"{growth / (large - small):.0f} B/id"
