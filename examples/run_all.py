"""Run every guide's example against the embedded mock bank, as CI does.

    python examples/run_all.py            # all of them
    python examples/run_all.py errors     # those whose name contains "errors"

Each ``examples/guide_*.py`` script runs in its own interpreter with a time limit, then the
example projects' test suites (``examples/guide_testing``, ``examples/fastapi_service``) run
under pytest. Prints each one's
time; exits 1 if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIMIT = 120.0  # seconds per example; each takes a few


def commands() -> list[tuple[str, list[str]]]:
    runs = [(path.name, [sys.executable, str(path)]) for path in sorted(HERE.glob("guide_*.py"))]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    for project in ("guide_testing", "fastapi_service"):  # example projects with their tests
        runs.append((f"{project}/ (pytest)", [*pytest, str(HERE / project)]))
    return runs


def main(selected: list[str]) -> int:
    failed: list[str] = []
    total = time.monotonic()
    for name, command in commands():
        if selected and not any(word in name for word in selected):
            continue
        print(f"== {name}", flush=True)
        started = time.monotonic()
        try:
            run = subprocess.run(command, cwd=HERE.parent, timeout=LIMIT, check=False)  # noqa: S603
            code = run.returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"   timed out after {LIMIT:.0f} s")
        print(
            f"   {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.monotonic() - started:.1f} s"
        )
        if code != 0:
            failed.append(name)
    print(f"examples: {len(failed)} failed in {time.monotonic() - total:.1f} s", end="")
    print(f": {', '.join(failed)}" if failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
