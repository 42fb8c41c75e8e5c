"""Users get the `fake_app_store_connect` fixture from installing the package, nothing more."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TEST = """
import httpx
from asc_builds.testing import API_BASE_URL


def test_my_release_script(fake_app_store_connect):
    build = fake_app_store_connect.add_build()
    with httpx.Client(transport=fake_app_store_connect.transport(), base_url=API_BASE_URL) as c:
        response = c.patch(f"/v1/builds/{build.id}", json={})
    assert response.status_code == 401
    assert fake_app_store_connect.requests[0].path == f"/v1/builds/{build.id}"
"""


def test_the_fixture_reaches_a_project_that_never_imports_it(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TEST, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
