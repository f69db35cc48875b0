"""Every endpoint the research documents has a method, and every method a documented endpoint.

The documented list is the suite's copy of the research's ``endpoints.md`` (``tests/data/
endpoints.txt``: ``POST /api/v1/...`` lines; ``{v1|v2}`` means both versions); the implemented
list is the union of the
``ENDPOINTS`` tuples that each resource module keeps next to its code.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import bank131_async.resources as resources
from bank131_async._transport import Endpoint
from tests.helpers import TESTVECTORS

ENDPOINTS_MD = TESTVECTORS / "endpoints.txt"
_DOCUMENTED = re.compile(r"\b(POST|GET) /api/(\{v1\|v2\}|v[0-9.]+)/([A-Za-z0-9_/{}]+)")
#: Versions a resource serves when its Endpoint leaves the version to the client's api_version.
_CLIENT_VERSIONS = ("v1", "v2")

Key = tuple[str, str, str]


def documented() -> set[Key]:
    found: set[Key] = set()
    for method, version, path in _DOCUMENTED.findall(ENDPOINTS_MD.read_text("utf-8")):
        versions = _CLIENT_VERSIONS if version == "{v1|v2}" else (version,)
        found.update((method, v, path) for v in versions)
    return found


def implemented() -> set[Key]:
    found: set[Key] = set()
    for info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{info.name}")
        endpoints: tuple[Endpoint, ...] = getattr(module, "ENDPOINTS", ())
        for e in endpoints:
            versions = (e.version,) if e.version else _CLIENT_VERSIONS
            found.update((e.method, v, e.path) for v in versions)
    return found


def test_the_notes_parse_into_about_53_distinct_methods() -> None:
    paths = {(method, path) for method, _, path in documented()}
    assert len(paths) >= 50  # a parse that finds far fewer is a broken regex, not coverage


def test_every_documented_endpoint_has_a_method() -> None:
    missing = sorted(documented() - implemented())
    assert not missing, f"documented but not implemented: {missing}"


def test_every_method_calls_a_documented_endpoint() -> None:
    extra = sorted(implemented() - documented())
    assert not extra, f"implemented but not in endpoints.md: {extra}"


def test_the_mock_bank_answers_every_endpoint() -> None:
    from bank131_async.mock import kyc
    from bank131_async.mock.routes import ROUTES

    unanswered = []
    for method, version, path in sorted(implemented()):
        url = f"/api/{version}/{path.format(id='kyc_1')}"
        if url not in ROUTES and not kyc.handles(url):
            unanswered.append((method, url))
    assert not unanswered, f"the emulator has no route for {unanswered}"
