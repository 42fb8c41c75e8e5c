"""The wheel, installed in a fresh virtual environment outside the checkout, is typed:
`mypy --strict` on a user's script sees the SDK's types, not Any.

The wheel is built with the pinned hatchling already in the development environment
(no build isolation, so nothing is fetched). The fresh environment gets the wheel alone;
its dependencies and mypy come from the development environment through a `.pth` line,
which adds that folder and nothing it would itself add (not the editable checkout).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

USER_SCRIPT = textwrap.dedent(
    """
    from asc_builds import APIKey, AppStoreConnect

    def use(key: APIKey) -> None:
        with AppStoreConnect(key) as asc:
            reveal_type(asc.builds.get("b"))
            reveal_type(asc.builds.apply("b", expired=True))
            reveal_type(asc.builds.expire_many(["b"]))
            reveal_type(asc.builds.expire_many(["b"])[0].status)
    """
)


def _run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_installed_wheel_is_typed_for_mypy_strict(tmp_path: Path) -> None:
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--disable-pip-version-check", "-q", "-w", tmp_path / "dist", ROOT,
        cwd=tmp_path,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("asc_builds-*.whl")

    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path).returncode == 0
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).stdout.strip()
    )
    # Dependencies and mypy from the development environment, the package from the wheel.
    (site / "development-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q",
        "--disable-pip-version-check", wheel,
        cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    where = _run(python, "-c", "import asc_builds; print(asc_builds.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(site), "the wheel, not the checkout"

    script = tmp_path / "release.py"
    script.write_text(USER_SCRIPT)
    checked = _run(python, "-m", "mypy", "--strict", "--no-incremental", script, cwd=tmp_path)
    revealed = [line for line in checked.stdout.splitlines() if "Revealed type" in line]
    assert len(revealed) == 4, checked.stdout
    assert '"asc_builds.builds._info.BuildInfo"' in revealed[0]
    assert "UpdateResult" in revealed[1]
    assert "list[asc_builds.builds._batch.BuildOutcome]" in revealed[2]
    assert "Literal['changed']" in revealed[3] and "Literal['not attempted']" in revealed[3]
    assert "Any" not in "\n".join(revealed)
    # reveal_type makes mypy print notes; anything else would be an error.
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert errors == [], checked.stdout
