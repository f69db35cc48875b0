"""Throwaway RSA key pairs and their PEM forms, for the emulator and for tests."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["generate_key", "private_pem", "public_pem"]


def generate_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA key (about 50 ms: generate once per test session)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> bytes:
    """SubjectPublicKeyInfo PEM of a public key (or of a private key's public half)."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
