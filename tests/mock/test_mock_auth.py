"""Every request is identified by project and authenticated by its body signature."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.mock.mockbank_helpers import Bank, sign

pytestmark = pytest.mark.asyncio

BODY = json.dumps({"session_id": "ps_1"}).encode()


async def test_missing_project_is_identification_error(bank: Bank) -> None:
    response = await bank.client.post(
        "/api/v2/session/status", content=BODY, headers={"X-PARTNER-SIGN": sign(bank.key, BODY)}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "identification_error"


async def test_unknown_project_is_identification_error(bank: Bank) -> None:
    status, code, _ = await bank.error(
        "session/status", BODY, headers={"X-PARTNER-PROJECT": "someone_else"}
    )
    assert (status, code) == (401, "identification_error")


@pytest.mark.parametrize(
    "signature",
    ["", "not base64!", "QUJD", "Q" * 344],
    ids=["empty", "garbage", "short", "wrong-length"],
)
async def test_bad_signature_is_authentication_error(bank: Bank, signature: str) -> None:
    status, code, _ = await bank.error(
        "session/status", BODY, headers={"X-PARTNER-SIGN": signature}
    )
    assert (status, code) == (401, "authentication_error")


async def test_signature_by_another_key_is_rejected(
    bank: Bank, bank_key: rsa.RSAPrivateKey
) -> None:
    status, code, _ = await bank.error(
        "session/status", BODY, headers={"X-PARTNER-SIGN": sign(bank_key, BODY)}
    )
    assert (status, code) == (401, "authentication_error")


async def test_signature_covers_exact_bytes(bank: Bank) -> None:
    """Re-serialising the body after signing (here: adding a space) breaks the signature."""
    response = await bank.client.post(
        "/api/v2/session/create",
        content=b'{"metadata": 1}',
        headers={
            "X-PARTNER-PROJECT": bank.project,
            "X-PARTNER-SIGN": sign(bank.key, b'{"metadata":1}'),
        },
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_error"


async def test_unknown_method_is_404(bank: Bank) -> None:
    status, code, description = await bank.error("session/teleport", {})
    assert (status, code) == (404, "invalid_request")
    assert "session/teleport" in description


async def test_get_on_post_method_is_405(bank: Bank) -> None:
    response = await bank.client.get("/api/v2/session/status")
    assert response.status_code == 405


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"'])
async def test_body_must_be_a_json_object(bank: Bank, raw: bytes) -> None:
    status, code, description = await bank.error("session/create", raw)
    assert (status, code) == (400, "invalid_request")
    assert description.startswith("body:")


async def test_fps_banks_accepts_php_style_empty_array(bank: Bank) -> None:
    response = await bank.call("fps/banks", b"[]")
    assert response.status_code == 200
    assert response.json()["banks"][0]["id"]
