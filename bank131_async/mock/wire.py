"""Wire helpers shared by the emulator: the error envelope, JSON encoding, timestamps.

HTTP statuses the emulator uses (the bank does not document its own; the PHP SDK treats any
status >= 400 as an error and reads ``error.code`` from the body):

=====  ==========================================================================
 400   ``invalid_request`` (bad or too deeply nested JSON, an unknown key, a bad value),
       ``session_wrong_state``, ``refund_amount_too_large``
 401   ``identification_error`` (unknown/missing project), ``authentication_error``
       (missing or wrong ``X-PARTNER-SIGN``)
 404   unknown route (``invalid_request``), unknown ``session_id`` (``invalid_request``)
 405   wrong HTTP method (``invalid_request``)
 409   ``idempotency_key_already_exists``
 413   ``invalid_request``: the body is larger than ``MockConfig.max_body_size``
=====  ==========================================================================
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["ApiFailure", "dumps", "error_body", "now_iso"]

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the way the bank's responses look on the wire."""
    return _encoder.encode(obj).encode()


def now_iso() -> str:
    """ISO-8601 UTC with microseconds and ``Z``, as in the bank's examples."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_body(code: str, description: str, data: Any = None) -> bytes:
    body: dict[str, Any] = {"status": "error", "error": {"code": code, "description": description}}
    if data is not None:
        body["data"] = data  # KYC answers carry the request id beside the error
    return dumps(body)


class ApiFailure(Exception):
    """An error answer. Raised anywhere below the app; the route turns it into the envelope."""

    def __init__(self, http_status: int, code: str, description: str, data: Any = None) -> None:
        super().__init__(f"{http_status} {code}: {description}")
        self.http_status = http_status
        self.code = code
        self.description = description
        self.data = data

    def body(self) -> bytes:
        return error_body(self.code, self.description, self.data)


def invalid(path: str, problem: str) -> ApiFailure:
    """``invalid_request`` naming the offending field, e.g. ``amount_details.amount: ...``."""
    return ApiFailure(400, "invalid_request", f"{path}: {problem}")


def wrong_state(what: str) -> ApiFailure:
    return ApiFailure(400, "session_wrong_state", what)
