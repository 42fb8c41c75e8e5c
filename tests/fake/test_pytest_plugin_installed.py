"""Users get the fixtures from installing the package, nothing more, and pay for them only
when a test uses one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Modules the plugin must not load in a session that never uses its fixtures.
HEAVY = ("asc_builds", "jwt", "cryptography", "httpx", "asc_builds_generated")

USER_TESTS = f"""
import sys

HEAVY = {HEAVY!r}


def test_1_pytest_started_without_loading_the_sdk():
    assert [name for name in HEAVY if name in sys.modules] == []


def test_2_the_client_fixture(app_store_connect_client, fake_app_store_connect):
    build = fake_app_store_connect.add_build()
    app_store_connect_client.builds.expire(build.id)
    assert fake_app_store_connect.build(build.id).expired


def test_3_the_fake_over_plain_httpx(fake_app_store_connect):
    import httpx
    from asc_builds.testing import API_BASE_URL

    build = fake_app_store_connect.add_build()
    with httpx.Client(transport=fake_app_store_connect.transport(), base_url=API_BASE_URL) as c:
        response = c.patch(f"/v1/builds/{{build.id}}", json={{}})
    assert response.status_code == 401
    assert fake_app_store_connect.requests[0].path == f"/v1/builds/{{build.id}}"
"""


def test_the_fixtures_reach_a_project_that_never_imports_them(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_importing_the_plugin_module_loads_nothing_of_the_sdk() -> None:
    code = (
        "import sys, _asc_builds_pytest_plugin as plugin; "
        f"print([name for name in {HEAVY!r} if name in sys.modules]); "
        "print(sorted(plugin.__all__))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded, fixtures = result.stdout.splitlines()
    assert loaded == "[]"
    assert fixtures == "['app_store_connect_client', 'fake_app_store_connect']"
