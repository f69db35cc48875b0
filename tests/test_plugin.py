"""The pytest plugin (``bank131_mock``, ``bank131_client``, ``bank131_webhook_signer``) under
every way a user runs async tests: pytest-asyncio in auto and strict mode, with function and
session loop scope, and anyio's plugin.

The user's suite is ``examples/fastapi_service`` (a FastAPI payout service and its tests),
run in a subprocess, as the user runs it: the plugin comes from the installed package's
``pytest11`` entry point, nothing is imported into a conftest.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SERVICE = Path(__file__).parents[1] / "examples" / "fastapi_service"

RUNNERS = {
    # name: (the mark the test module gets, pytest options)
    "asyncio-auto-function": ("", ["-o", "asyncio_mode=auto"]),
    "asyncio-auto-session": (
        "",
        ["-o", "asyncio_mode=auto", "-o", "asyncio_default_test_loop_scope=session"],
    ),
    "asyncio-strict-function": (
        "pytestmark = pytest.mark.asyncio",
        ["-o", "asyncio_mode=strict"],
    ),
    "asyncio-strict-session": (
        'pytestmark = pytest.mark.asyncio(loop_scope="session")',
        ["-o", "asyncio_mode=strict", "-o", "asyncio_default_fixture_loop_scope=session"],
    ),
    "anyio": (
        "pytestmark = pytest.mark.anyio\n\n\n@pytest.fixture\ndef anyio_backend() -> str:\n"
        '    return "asyncio"',
        ["-p", "no:asyncio"],
    ),
}


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_the_plugin_serves_a_users_suite(runner: str, tmp_path: Path) -> None:
    mark, options = RUNNERS[runner]
    for name in ("app.py", "test_app.py", "pytest.ini"):
        shutil.copy(SERVICE / name, tmp_path / name)
    if runner == "anyio":  # a project on anyio's plugin has no pytest-asyncio settings
        (tmp_path / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    if mark:
        test_file = tmp_path / "test_app.py"
        test_file.write_text(test_file.read_text() + "\n\n" + mark + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
