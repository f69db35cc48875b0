"""Verify a webhook over its raw bytes, then parse it into a typed event.

The signature is checked before anything is parsed; the converter builds the event (a tagged
union on ``type``, :class:`~bank131_async.models.UnknownWebhook` for types this SDK does not
know), and ``digest`` is the SHA-256 of the exact bytes received.
"""

from __future__ import annotations

import hashlib

import attrs

from .._json import JsonDepthError, loads
from .._logging import excerpt
from ..converter import StructureError, structure
from ..errors import InvalidSignatureError, WebhookDecodeError
from ..models.webhooks import WebhookEvent
from ..signing import SignatureVerifier

__all__ = ["SIGNATURE_HEADER", "parse_webhook", "webhook_digest"]

#: The header that carries the bank's signature (look it up case-insensitively).
SIGNATURE_HEADER = "X-PARTNER-SIGN"

_EXCERPT = 500


def parse_webhook(
    body: bytes | str, signature: str | None, verifier: SignatureVerifier
) -> WebhookEvent:
    """Verify ``signature`` over the raw ``body``, then parse it into a typed event.

    ``bank.webhooks.parse(body, signature)`` is this function with the client's
    ``bank_public_key`` (and what most code wants); this one serves receivers that hold only a
    :class:`SignatureVerifier`, without a client.

    Pass the body exactly as received (bytes; a ``str`` is encoded as UTF-8, which is only
    exact if nothing re-encoded it). Raises :class:`InvalidSignatureError` for a missing or
    bad signature, or a body that cannot be verified (nothing is parsed then), and
    :class:`WebhookDecodeError` for a verified body that is not JSON or not the documented
    shape. An unknown ``type`` is not an error: it becomes :class:`UnknownWebhook` with the
    body in ``raw``.

    >>> event = parse_webhook(body, headers.get("X-PARTNER-SIGN"), bank.webhooks.verifier)  # doctest: +SKIP
    """
    raw = _raw_bytes(body)
    verifier.verify(raw, signature)
    return _decode(raw)


def webhook_digest(body: bytes) -> str:
    """SHA-256 (hex) of a webhook's raw bytes: its de-duplication key."""
    return hashlib.sha256(body).hexdigest()


def _raw_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidSignatureError(
                "cannot verify the webhook: its body is a str that is not valid Unicode (a lone "
                "surrogate); pass the raw body bytes exactly as received"
            ) from None
    raise InvalidSignatureError(
        f"cannot verify the webhook: its body is {type(body).__name__}; pass the raw body "
        "bytes exactly as received"
    )


def _decode_error(message: str, raw: bytes) -> WebhookDecodeError:
    return WebhookDecodeError(message, body_excerpt=excerpt(raw, _EXCERPT))


def _decode(raw: bytes) -> WebhookEvent:
    try:
        data = loads(raw)
    except JsonDepthError as exc:
        raise _decode_error(f"webhook body is not usable JSON: {exc}", raw) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise _decode_error("webhook body is not JSON", raw) from None
    if not isinstance(data, dict):
        raise _decode_error("webhook body is not a JSON object", raw)
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise _decode_error("webhook body has no 'type'", raw)
    try:
        event: WebhookEvent = structure(data, WebhookEvent)  # type: ignore[arg-type]
    except StructureError as exc:
        raise _decode_error(f"could not parse the {kind} webhook: {exc}", raw) from None
    return attrs.evolve(event, digest=webhook_digest(raw))
