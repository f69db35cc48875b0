"""One route table for every path, KYC included: lookup, path parameters, faults by name."""

from __future__ import annotations

import pytest

from bank131_async.mock import MockBankApp, shapes
from bank131_async.mock.partner import admit
from bank131_async.mock.routes import ROUTES, resolve
from tests.mock.mockbank_helpers import Bank

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize(
    ("path", "name", "param"),
    [
        ("/api/v2/session/status", "session/status", ""),
        ("/api/v1/session/multi/create/rko", "session/multi/create/rko", ""),
        ("/api/v2.0/check", "check", ""),
        ("/api/v1.1/check/kyc_17", "check/{id}", "kyc_17"),
    ],
)
def test_resolve(path: str, name: str, param: str) -> None:
    route, found = resolve(path)
    assert route is not None
    assert (route.name, found) == (name, param)


@pytest.mark.parametrize(
    "path", ["/api/v2/session/teleport", "/api/v2.0/check/", "/api/v2/session/status/ps_1"]
)
def test_unknown_paths(path: str) -> None:
    assert resolve(path) == (None, "")


def test_every_main_api_body_is_a_closed_object() -> None:
    """No main-API method takes a free-form body: its top-level keys are always checked."""
    main = [route for route in ROUTES.values() if route.gate is admit]
    assert len(main) > 50
    assert [r.name for r in main if not isinstance(r.body, shapes.Obj)] == []


async def test_faults_match_kyc_routes_by_name(bank: Bank, mock_app: MockBankApp) -> None:
    mock_app.faults.add("server_error", route="check/{id}", times=1)
    headers = {"X-PARTNER-PROJECT": bank.project}
    response = await bank.client.get("/api/v2.0/check/kyc_1", headers=headers)
    assert response.status_code == 503
    response = await bank.client.get("/api/v2.0/check/kyc_1", headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "request_not_found")


async def test_kyc_keeps_its_own_errors(bank: Bank) -> None:
    response = await bank.client.post(
        "/api/v2.0/check/kyc_1", headers={"X-PARTNER-PROJECT": bank.project}
    )
    assert response.status_code == 405
    assert response.json()["error"] == {
        "code": "request_body_validation_error",
        "description": "check/{id} expects GET",
    }
