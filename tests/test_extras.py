"""A missing optional dependency is named with the extra that installs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bank131_async._extras import require
from bank131_async.errors import Bank131Error, MissingExtraError

# Each case runs in a fresh interpreter in which the dependency cannot be imported.
CASES = [
    ("uvicorn", "import bank131_async.mock", "[mock]"),
    (
        "uvicorn",
        "import runpy; runpy.run_module('bank131_async.mock', run_name='__main__')",
        "[mock]",
    ),
    ("fastapi", "import bank131_async.contrib.fastapi", "[fastapi]"),
    ("aiohttp", "import bank131_async.contrib.aiohttp", "[aiohttp]"),
]


@pytest.mark.parametrize(("missing", "code", "extra"), CASES, ids=lambda v: str(v)[:30])
def test_a_missing_extra_says_what_to_install(missing: str, code: str, extra: str) -> None:
    script = f"import sys; sys.modules[{missing!r}] = None\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "MissingExtraError" in last, result.stderr
    assert f"pip install 'bank131-async{extra}'" in last


def test_require_raises_an_import_error_the_sdk_owns() -> None:
    with pytest.raises(MissingExtraError, match=r"pip install 'bank131-async\[x\]'") as info:
        require("a feature", "x", "no_such_module_131")
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, Bank131Error)
    assert info.value.name == "no_such_module_131"
    require("a feature", "x", "json")  # present: nothing happens
