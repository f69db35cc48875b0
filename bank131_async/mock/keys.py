"""Throwaway RSA key pairs for the emulator and their PEM forms."""

from __future__ import annotations

from .._keys import generate_key, private_pem, public_pem

__all__ = ["generate_key", "private_pem", "public_pem"]
