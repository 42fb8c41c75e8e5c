"""`expire_many` in flat memory: an outcome keeps the id, the status, the error and a
compact build, so 5,000 ids grow the peak by at most 2 KiB each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE_RESPONSE = Path(__file__).parents[1] / "fixtures" / "example-response.json"

_CHILD = """
import copy, gc, json, sys, uuid
import httpx
from asc_builds import AppStoreConnect
from asc_builds.testing import make_throwaway_key

LISTING = "https://api.appstoreconnect.apple.com/v1/builds"
# Apple's own example answer to the PATCH: what a full build costs once parsed.
with open(sys.argv[1], encoding="utf-8") as fixture:
    EXAMPLE = json.load(fixture)


def answer(request):
    if request.method == "GET":
        ids = request.url.params["filter[id]"].split(",")
        data = [{"type": "builds", "id": i, "attributes": {"expired": False}} for i in ids]
        return httpx.Response(200, json={"data": data, "links": {"self": LISTING}})
    document = copy.deepcopy(EXAMPLE)
    document["data"]["id"] = request.url.path.rsplit("/", 1)[-1]
    document["data"]["attributes"]["expired"] = True
    return httpx.Response(200, json=document)


def status(name):
    with open("/proc/self/status", encoding="ascii") as report:
        return int(next(line.split()[1] for line in report if line.startswith(name)))


throwaway = make_throwaway_key()
key = throwaway.api_key()
with AppStoreConnect(key, transport=httpx.MockTransport(answer)) as asc:
    asc.builds.expire_many([str(uuid.uuid4()) for _ in range(10)])  # imports, first use
    ids = [str(uuid.uuid4()) for _ in range(5000)]
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")
    before = status("VmRSS:")
    outcomes = asc.builds.expire_many(ids, concurrency=8)
    assert sum(outcome.ok for outcome in outcomes) == 5000
    print((status("VmHWM:") - before) * 1024 / 5000)
"""


def test_5000_ids_grow_the_peak_by_at_most_2_kib_each() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(EXAMPLE_RESPONSE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    per_id = float(done.stdout.split()[-1])
    assert per_id <= 2048, f"{per_id:.0f} bytes per id"
