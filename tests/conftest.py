"""Shared fixtures: throwaway RSA keys (generated once per run) and a
webhook signer."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.testing import WebhookSigner


@pytest.fixture(scope="session")
def partner_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def bank_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def signer(bank_key: rsa.RSAPrivateKey) -> WebhookSigner:
    """Signs webhooks as the bank does (``bank_key``)."""
    return WebhookSigner(bank_key)
