"""The ``bank131_async`` logger and the redaction every logged or raised text goes through."""

from __future__ import annotations

import logging
import re

__all__ = ["logger", "redact"]

logger = logging.getLogger("bank131_async")

_PEM = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
)
# Card numbers: 13-19 digits, possibly grouped by spaces or dashes.
_PAN = re.compile(r"(?<!\d)(\d{6})(?:[ -]?\d){3,9}([ -]?\d{4})(?!\d)")
_SECRET_FIELDS = re.compile(
    r'("(?:security_code|cvc|cvv|cvv2|expiration_date_hash|security_code_hash|cardholder_name_hash'
    r'|password|token|private_key)"\s*:\s*)"[^"]*"',
    re.I,
)


def _mask_pan(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 13 <= len(digits) <= 19:
        return match.group(0)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def redact(text: str) -> str:
    """Mask card numbers, CVCs, tokens and private keys in ``text`` (for logs and errors)."""
    text = _PEM.sub("<private key redacted>", text)
    text = _SECRET_FIELDS.sub(r'\1"***"', text)
    return _PAN.sub(_mask_pan, text)
