"""Small helpers shared by the unit tests (keys as PEM, the test vectors, a respx-ready client,
the pass-or-refuse check of a validator)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bank131_async import AsyncBank131
from bank131_async.errors import RequestValidationError

__all__ = [
    "BASE_URL",
    "TESTVECTORS",
    "assert_validates",
    "make_client",
    "private_pem",
    "public_pem",
    "require_testvectors",
    "session_envelope",
    "verify_signature",
]

BASE_URL = "https://bank.test"

#: The suite's own copy of the research's test vectors and endpoint list (nothing outside the
#: repository is read).
TESTVECTORS = Path(__file__).resolve().parent / "data"


def require_testvectors() -> Path:
    """The test-data directory; a missing file fails the test (it is part of the repo)."""
    assert (TESTVECTORS / "signature-vectors.json").is_file(), f"missing {TESTVECTORS}"
    return TESTVECTORS


def private_pem(
    key: rsa.RSAPrivateKey | Any,
    *,
    pkcs8: bool = True,
    password: bytes | None = None,
) -> bytes:
    """``key`` as PEM: PKCS#8 (``BEGIN PRIVATE KEY``) or PKCS#1 (``BEGIN RSA PRIVATE KEY``)."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password is not None
        else serialization.NoEncryption()
    )
    fmt = (
        serialization.PrivateFormat.PKCS8
        if pkcs8
        else serialization.PrivateFormat.TraditionalOpenSSL
    )
    data: bytes = key.private_bytes(serialization.Encoding.PEM, fmt, encryption)
    return data


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> bytes:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_signature(public: rsa.RSAPublicKey, body: bytes, signature: str) -> None:
    """Independent check (no SDK code): raises ``InvalidSignature`` unless it verifies."""
    public.verify(
        base64.b64decode(signature, validate=True), body, padding.PKCS1v15(), hashes.SHA256()
    )


def make_client(partner_key: rsa.RSAPrivateKey, **options: Any) -> AsyncBank131:
    """The client every wire test uses; respx intercepts httpx's default transport."""
    settings: dict[str, Any] = {
        "project": "test_project",
        "private_key": partner_key,
        "base_url": BASE_URL,
        "max_retries": 0,
    }
    if "retry_policy" in options:  # the policy carries its own retry budget
        del settings["max_retries"]
    settings.update(options)
    return AsyncBank131(**settings)


def session_envelope(session: dict[str, Any], **extra: Any) -> bytes:
    """A ``{"status": "ok", "session": ...}`` response body."""
    return json.dumps({"status": "ok", "session": session, **extra}).encode()


def assert_validates(check: Callable[[], object], ok: bool, match: str) -> None:
    """``check()`` passes when ``ok``; otherwise it raises ``RequestValidationError`` with a
    message matching ``match``."""
    if ok:
        check()
    else:
        with pytest.raises(RequestValidationError, match=match):
            check()
