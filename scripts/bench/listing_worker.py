"""One listing run in a fresh process, so its peak memory is its own.

Run by `bench.listing`; prints one JSON object. Iterates `count` builds of one app
from the fake App Store Connect server and keeps none of them: the peak resident set
(Linux `VmHWM`) is read after a warm-up and after the listing, so the growth is what
iterating cost. The raw mode is httpx by hand: the same first URL, `.json()` on each
page, `links.next` followed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable

import httpx
from asc_builds import MAX_PAGE_SIZE, APIKey, AppStoreConnect, AsyncAppStoreConnect
from asc_builds._auth import TokenSigner

from .batch_worker import _peak_rss_kib

__all__ = ["MODES", "main", "run_listing"]

MODES = ("raw", "sync", "async")


def _timed(listing: Callable[[], int]) -> dict[str, float]:
    rss_before = _peak_rss_kib()
    started = time.perf_counter()
    seen = listing()
    return {
        "seen": seen,
        "seconds": time.perf_counter() - started,
        "rss_before_kib": rss_before,
        "peak_rss_kib": _peak_rss_kib(),
    }


def _raw(base_url: str, key: APIKey, app_id: str, count: int) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {TokenSigner(key).token()}"}
    first = (
        f"{base_url}/v1/builds?filter%5Bapp%5D={app_id}"
        f"&limit={MAX_PAGE_SIZE}&include=preReleaseVersion"
    )
    with httpx.Client(headers=headers, timeout=60) as client:
        client.get(f"{base_url}/v1/builds?filter%5Bapp%5D={app_id}&limit=1").raise_for_status()

        def listing() -> int:
            seen, url = 0, first
            while url and seen < count:
                response = client.get(url)
                response.raise_for_status()
                document = response.json()
                seen += min(len(document["data"]), count - seen)
                url = document["links"].get("next")
            return seen

        return _timed(listing)


def _sync(base_url: str, key: APIKey, app_id: str, count: int) -> dict[str, float]:
    with AppStoreConnect(key, base_url=base_url, max_retries=0) as asc:
        list(asc.builds.list(app_id=app_id, max_items=1))

        def listing() -> int:
            return sum(1 for _ in asc.builds.list(app_id=app_id, max_items=count))

        return _timed(listing)


def _async(base_url: str, key: APIKey, app_id: str, count: int) -> dict[str, float]:
    loop = asyncio.new_event_loop()
    asc = AsyncAppStoreConnect(key, base_url=base_url, max_retries=0)

    async def iterate(limit: int) -> int:
        seen = 0
        async for _ in asc.builds.list(app_id=app_id, max_items=limit):
            seen += 1
        return seen

    try:
        loop.run_until_complete(iterate(1))
        return _timed(lambda: loop.run_until_complete(iterate(count)))
    finally:
        loop.run_until_complete(asc.aclose())
        loop.close()


def run_listing(base_url: str, mode: str, app_id: str, count: int) -> dict[str, float]:
    key = APIKey.from_env()
    runner = {"raw": _raw, "sync": _sync, "async": _async}[mode]
    return runner(base_url, key, app_id, count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args(argv)
    if not args.base_url.startswith("http://127.0.0.1:"):
        parser.error("--base-url must be a loopback server")
    print(json.dumps(run_listing(args.base_url, args.mode, args.app_id, args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
