"""The ``bank131_async`` logger, the ``BANK131_LOG`` switch, and the redaction every logged or
raised text goes through.

Anything that may hold bank or request data (an error's description, a body excerpt, a low-level
exception's text) passes :func:`redact` before it reaches a log line, an exception or a
``repr``: card numbers (plain or grouped), CVCs, expiry dates, passport data, signatures and
private keys are masked.
"""

from __future__ import annotations

import logging
import os
import re

__all__ = ["excerpt", "logger", "redact", "setup_from_env", "shape"]

logger = logging.getLogger("bank131_async")

#: ``BANK131_LOG`` values and the level each turns on.
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def setup_from_env(environ: dict[str, str] | None = None) -> bool:
    """``BANK131_LOG=info|debug`` (like ``OPENAI_LOG``): send the SDK's log lines to stderr at
    that level, without configuring logging yourself. A DEBUG line per request shows its
    method, path, status, duration, attempt, idempotency key and session id (never a body, a
    signature or card data). Unset, the SDK leaves logging to the application. Returns whether
    it turned logging on."""
    value = (os.environ if environ is None else environ).get("BANK131_LOG", "").strip().lower()
    level = _LEVELS.get(value)
    if level is None:
        return False
    if not any(getattr(h, "_bank131", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._bank131 = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
    return True


_PEM = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
)
# Card numbers: 13-19 digits, possibly grouped by single spaces or dashes ("4242 4242 ...").
_PAN = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
# JSON (or Python repr) fields whose values are secret whatever they look like.
_HIDDEN_FIELD_NAMES = (
    "security_code|cvc|cvc2|cvv|cvv2|cvp|expiration_date_hash|security_code_hash"
    "|cardholder_name_hash|expiration_month|expiration_year|expiry|exp_month|exp_year"
    "|password|token|private_key|signature|x-partner-sign"
    "|passport|passport_number|passport_series|series|document_number|birthday|birth_date"
    "|birthplace"
)
_SECRET_FIELDS = re.compile(
    rf"""(["'](?:{_HIDDEN_FIELD_NAMES})["']\s*[:=]\s*)("[^"]*"|'[^']*'|-?\d+)""", re.I
)
# The same data in free text: "cvc 123", "CVV: 1234", "passport 4510 123456",
# "X-PARTNER-SIGN: <base64>".
_SECRET_TEXT = re.compile(
    r"\b(cvc2?|cvv2?|cvp|security[ _]code)(\W{1,5})\d{3,4}\b"
    r"|\b(passport(?:[ _]number)?)(\D{1,20}?)\d{2} ?\d{2} ?\d{6}\b"
    r"|\b(x-partner-sign)(\W{1,5})[A-Za-z0-9+/=]+",
    re.I,
)
# A long base64 run is a signature or key material (an RSA-2048 signature is 344 characters).
_BASE64 = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")


def _mask_pan(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 13 <= len(digits) <= 19:
        return match.group(0)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _mask_text(match: re.Match[str]) -> str:
    groups = match.groups()
    for i in range(0, len(groups), 2):
        if groups[i] is not None:
            return f"{groups[i]}{groups[i + 1]}***"
    return "***"  # pragma: no cover - one alternative always matches


def redact(text: str) -> str:
    """Mask card numbers, CVCs, expiry dates, passport data, signatures and private keys."""
    text = _PEM.sub("<private key redacted>", text)
    text = _SECRET_FIELDS.sub(r'\1"***"', text)
    text = _SECRET_TEXT.sub(_mask_text, text)
    text = _BASE64.sub("<redacted>", text)
    return _PAN.sub(_mask_pan, text)


def excerpt(text: str | bytes, limit: int = 500) -> str:
    """The redacted start of ``text``, at most ``limit`` characters.

    Only a bounded prefix is scanned (a body may be megabytes); where that cut falls inside a
    run of digits, the run is dropped, so a card number cut short is not left unmasked.
    """
    if isinstance(text, bytes):
        text = text[: limit * 4].decode("utf-8", "replace")
    if len(text) > limit * 4:
        text = re.sub(r"[\d \-]+$", "", text[: limit * 4]) + "..."
    return redact(text)[:limit]


def shape(value: object) -> str:
    """What a bad value looks like, without the value: ``'NNNN-NN-NN'`` for ``'1984-07-19'``.

    For validation errors about fields that may hold card, passport or personal data: the
    message can say what is wrong with the format without echoing the data.
    """
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    if len(value) > 40:
        return f"a string of {len(value)} characters"
    masked = re.sub(r"\d", "N", re.sub(r"[^\W\d_]", "a", value))
    return f"{masked!r}"
