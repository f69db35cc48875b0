"""The Bank 131 emulator in its own process (``python -m bank131_async.mock``), as the
benchmarks run it: started on a free port with its keys written to a folder, and read back
for where it listens and which project it serves."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

__all__ = ["MockProcess", "start_mock"]


class MockProcess(NamedTuple):
    process: subprocess.Popen[str]
    url: str
    project: str


def start_mock(key_dir: Path, *options: str, wait: float = 15) -> MockProcess:
    """Start the emulator with ``options`` (``--confirm-delay``...) and its keys in ``key_dir``;
    returns once it has printed its URL and project (it is listening by then)."""
    # Our own interpreter running our own module: no untrusted input reaches this argv list.
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "bank131_async.mock",
            "--port",
            "0",
            "--key-dir",
            str(key_dir),
            *options,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = project = ""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not (url and project):
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Bank 131 emulator at "):
            url = line.split(" at ", 1)[1].strip()
        elif line.startswith("project: "):
            project = line.split(": ", 1)[1].strip()
    if not (url and project):
        process.kill()
        process.wait()
        raise RuntimeError("the emulator did not start")
    return MockProcess(process, url, project)
