"""The benchmark is not a test, but it must keep working: run it once at a tiny size.

No timing thresholds: only that every section is there and its numbers are sane.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "benchmark.py"
SECTIONS = (
    "latency",
    "auth",
    "batch",
    "imports",
    "regeneration",
    "profile",
    "budget",
    "instructions",
    "listing",
)
FLOOR = "raw httpx (floor)"
OURS = ("asc-builds sync", "asc-builds async")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result.stdout, document


def test_the_table_has_every_section(quick_run: tuple[str, dict[str, Any]]) -> None:
    table, document = quick_run
    for number in range(1, 10):
        assert f"### {number}. " in table
    assert set(SECTIONS) <= set(document["sections"])
    assert "Machine: " in table


def test_latency_rows_are_positive_and_ratios_are_to_the_floor(
    quick_run: tuple[str, dict[str, Any]],
) -> None:
    rows = {row["name"]: row for row in quick_run[1]["sections"]["latency"]["rows"]}
    for name in (FLOOR, *OURS):
        assert rows[name]["calls"] == 20
        assert 0 < rows[name]["median_us"] <= rows[name]["p95_us"]
    for name in OURS:
        row = rows[name]
        assert row["median_ratio"] == pytest.approx(row["median_us"] / rows[FLOOR]["median_us"])
        # One round: its ratio is the run's ratio.
        assert row["round_ratio_min"] == pytest.approx(row["median_ratio"])
        assert row["round_ratio_max"] == pytest.approx(row["median_ratio"])
    peer = rows["codemagic-cli-tools"]
    assert peer["note"] == "not installed" or peer["median_us"] > 0


def test_one_signature_per_1000_cached_calls(quick_run: tuple[str, dict[str, Any]]) -> None:
    auth = quick_run[1]["sections"]["auth"]
    counts = {row["name"]: row for row in auth["counts"]}
    for name in OURS:
        assert counts[name]["calls"] == 1000
        assert counts[name]["signatures"] == 1
        assert counts[name]["per_1000_calls"] == 1.0
    assert auth["simulated_hour_signatures"] == auth["simulated_hour_expected"] > 1
    costs = {(row["name"], row["operation"]): row for row in auth["costs"]}
    signature = costs[("asc-builds", "ES256 signature")]
    cached = costs[("asc-builds", "cached token")]
    assert signature["median_us"] > 0 and cached["median_us"] > 0
    assert signature["ratio_to_cached"] == pytest.approx(
        signature["median_us"] / cached["median_us"]
    )


def test_batch_rows_cover_every_concurrency_with_sane_values(
    quick_run: tuple[str, dict[str, Any]],
) -> None:
    batch = quick_run[1]["sections"]["batch"]
    assert batch["builds"] == 50
    rows = batch["rows"]
    seen = {(row["label"].split(",")[0], row["concurrency"]) for row in rows}
    for client in ("asc-builds sync expire_many", "asc-builds async expire_many"):
        assert {(client, c) for c in (1, 8, 32)} <= seen
    for row in rows:
        assert row["builds_per_second"] > 0
        assert row["peak_rss_mib"] > 0
        assert row["rss_growth_mib"] >= 0
        assert row["client_cpu_share"] > 0


def test_imports_and_skipped_regeneration(quick_run: tuple[str, dict[str, Any]]) -> None:
    sections = quick_run[1]["sections"]
    imports = {row["label"]: row for row in sections["imports"]["rows"]}
    for label in ("httpx", "asc_builds"):
        assert imports[label]["median_ms"] > 0
        assert imports[label]["runs"] == 2
    assert imports["asc_builds"]["ratio_to_httpx"] == pytest.approx(
        imports["asc_builds"]["median_ms"] / imports["httpx"]["median_ms"]
    )
    assert "quick" in sections["regeneration"]["skipped"]


def test_profile_attributes_time_to_our_code(quick_run: tuple[str, dict[str, Any]]) -> None:
    profiles = {row["name"]: row for row in quick_run[1]["sections"]["profile"]}
    sync = profiles["asc-builds sync"]["areas"]
    assert sync["asc_builds wrapper"] > 0
    assert sync["generated models"] > 0
    assert "asc_builds wrapper" not in profiles[FLOOR]["areas"]


def test_budget_rows_stay_inside_the_budget(quick_run: tuple[str, dict[str, Any]]) -> None:
    rows = quick_run[1]["sections"]["budget"]["rows"]
    waiting = [row for row in rows if "waits" in row["label"]]
    stopping = [row for row in rows if "stops" in row["label"]]
    assert len(waiting) == 2 and len(stopping) == 1
    for row in rows:
        assert (row["builds"], row["per_hour"]) == (60, 50)
        assert row["rate_limited"] == 0
        # Each batch reads its 60 ids first (one request: up to 100 a read), then PATCHes.
        assert row["requests"] == row["expired"] + 1
        assert row["expired"] + row["not_attempted"] + row["failed"] == row["builds"]
    for row in waiting:
        assert row["expired"] == 60
        assert row["simulated_seconds"] == row["best_seconds"] == 3600
    assert stopping[0]["not_attempted"] > 0
    assert stopping[0]["simulated_seconds"] == 0


def test_instructions_are_counted_when_valgrind_is_there(
    quick_run: tuple[str, dict[str, Any]],
) -> None:
    table, document = quick_run
    section = document["sections"]["instructions"]
    if shutil.which("valgrind") is None:
        assert section["skipped"] == "valgrind is not installed"
        assert "Skipped: valgrind is not installed." in table
        return
    assert section["skipped"] is None
    assert section["calls"] == [2, 6]
    per_call = section["per_call"]
    for kind in ("memory", "loopback"):
        floor = per_call[f"{kind}/floor"]
        assert floor > 10_000  # an HTTP exchange is far more than a few instructions
        # Each client does the floor's work and more: building, parsing, decoding.
        for client in ("httpx by hand", "sync", "async"):
            assert per_call[f"{kind}/{client}"] > floor
    # Sockets cost the client instructions too.
    assert per_call["loopback/floor"] > per_call["memory/floor"]
    # Resolving model imports once is worth something: re-running them costs more.
    parse = per_call["part/typed parse"]
    assert per_call["part/typed parse, model imports run every time"] > parse > 0
    assert "| asc-builds sync |" in table


def test_listing_rows_cover_every_client_with_sane_values(
    quick_run: tuple[str, dict[str, Any]],
) -> None:
    listing = quick_run[1]["sections"]["listing"]
    assert listing["builds"] == 450 and listing["small"] == 400
    rows = {row["label"].split(",")[0]: row for row in listing["rows"]}
    assert set(rows) == {
        "raw httpx",
        "asc-builds sync builds.list()",
        "asc-builds async builds.list()",
    }
    assert rows["raw httpx"]["ratio_to_raw"] == pytest.approx(1.0)
    for row in rows.values():
        assert row["builds"] == 450 and row["rounds"] == 1
        assert row["us_per_build"] > 0
        assert row["rss_growth_full_mib"] >= 0 and row["rss_growth_small_mib"] >= 0
