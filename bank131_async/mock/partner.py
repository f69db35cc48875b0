"""The main API's gate: the checks every partner request passes before its method runs.

In order: HTTP method, project (``identification_error``), signature (``authentication_error``),
JSON decoding (a nesting limit keeps a hostile body from exhausting the stack), idempotency
(``idempotency_key_already_exists``, HTTP 409; a key is spent only by a request that succeeded,
and a spent key answers 409 without doing anything), the documented keys (:mod:`.shapes`),
then the method itself, which checks the values.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from .._json import JsonDepthError, loads
from . import shapes
from .context import Context, Request, Route
from .wire import ApiFailure

__all__ = ["admit"]

_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()


def admit(ctx: Context, route: Route, request: Request) -> tuple[dict[str, Any], str | None]:
    """The main API's gate: the decoded body and the idempotency key to spend."""
    if request.method not in route.verbs:
        expected = " or ".join(sorted(route.verbs))
        raise ApiFailure(
            405, "invalid_request", f"{route.name} expects {expected}, got {request.method}"
        )
    project = signature = key = None
    for name, value in request.headers:
        if name == b"x-partner-project":
            project = value
        elif name == b"x-partner-sign":
            signature = value
        elif name == b"x-partner-idempotency-key":
            key = value
    if project is None or project.decode("latin-1") != ctx.config.project:
        raise ApiFailure(401, "identification_error", "Unknown X-PARTNER-PROJECT")
    if signature is None or not _verified(ctx, request.body, signature):
        raise ApiFailure(
            401, "authentication_error", "X-PARTNER-SIGN does not match the request body"
        )
    data = _decode(request.body)
    if data == [] and route.body is shapes.EMPTY:
        data = {}  # the PHP SDK serialises an empty request object as []
    if not isinstance(data, dict):
        raise ApiFailure(400, "invalid_request", "body: expected a JSON object")
    idempotency_key = None
    if route.mutating and key is not None:
        idempotency_key = key.decode("latin-1")
        if idempotency_key in ctx.state.idempotency_keys:
            raise ApiFailure(
                409,
                "idempotency_key_already_exists",
                f"Idempotency key {idempotency_key!r} is already in progress or processed",
            )
    shapes.check(data, route.body)
    return data, idempotency_key


def _decode(body: bytes) -> Any:
    if not body:
        return {}
    try:
        return loads(body)
    except JsonDepthError as exc:
        raise ApiFailure(400, "invalid_request", f"body: {exc}") from None
    except ValueError:
        raise ApiFailure(400, "invalid_request", "body: not valid JSON") from None


def _verified(ctx: Context, body: bytes, signature: bytes) -> bool:
    if ctx.partner_key is None:
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
        ctx.partner_key.verify(raw, body, _PADDING, _HASH)
    except (binascii.Error, InvalidSignature, ValueError):
        return False
    return True
