"""Passport / beneficiary verification (KYC), served on the emulator's own host.

The real service lives on a separate host (``kyc-stage.bank131.ru``); clients of the emulator
set ``kyc_base_url=mock.url``. Routes: ``POST /api/{v2.0,v2,v1.1}/check`` and
``GET /api/{v2.0,v2,v1.1}/check/{id}``.

Checks, in order: ``X-PARTNER-PROJECT`` present (else HTTP 422
``request_header_validation_error``) and known (422 ``partner_project_not_found``); no
``X-PARTNER-SIGN`` (KYC signs inside the body; a header signature is a client bug, 422
``request_header_validation_error``); for ``check`` a JSON object with the version's required
fields and a non-empty ``signature`` string (422 ``request_body_validation_error``).

**The emulator cannot verify the CryptoPro (GOST) signature.** It only checks that
``signature`` is present and is base64 text; a signature that is not base64 makes the later
``check/{id}`` answer ``error`` / ``invalid_sign``, which is where the bank reports signature
failures.

Outcomes (``check/{id}``): the first status request answers ``pending``, later ones ``ok``
(``description: "valid"``), unless ``inn`` ends ``0000`` (``passport_validation_failure``) or
``1111`` (``inn_validation_failure``). A second ``check`` with the same ``inn`` +
``agent_contract_number`` answers ``error`` / ``already_exists`` with the first id in
``data.id``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .state import MockState
from .wire import dumps

__all__ = ["handles", "process"]

_CHECK = re.compile(r"/api/(v2\.0|v2|v1\.1)/check")
_STATUS = re.compile(r"/api/(v2\.0|v2|v1\.1)/check/([^/]+)")

_REQUIRED = {
    "v2": (
        "type",
        "last_name",
        "first_name",
        "birthday",
        "birthplace",
        "citizenship",
        "inn",
        "phone_number",
        "email",
    ),
    "v1.1": (
        "first_name",
        "last_name",
        "birthday",
        "birthplace",
        "inn",
        "passport_number",
        "issuer",
        "issuer_code",
        "issuer_date",
        "citizenship",
        "address",
        "phone_number",
        "agent_contract_number",
    ),
}


@dataclass(slots=True)
class _Request:
    id: str
    inn: str
    signature_ok: bool
    polls: int = 0


@dataclass(slots=True)
class _Store:
    requests: dict[str, _Request]
    by_contract: dict[tuple[str, str], str]


_STORES: weakref.WeakKeyDictionary[MockState, _Store] = weakref.WeakKeyDictionary()


def handles(path: str) -> bool:
    """Whether ``path`` is a KYC route (the app routes it here instead of its table)."""
    return bool(_CHECK.fullmatch(path) or _STATUS.fullmatch(path))


def _error(status: int, code: str, description: str, data: Any = None) -> tuple[int, bytes]:
    body: dict[str, Any] = {"status": "error", "error": {"code": code, "description": description}}
    if data is not None:
        body["data"] = data
    return status, dumps(body)


def process(
    state: MockState,
    project: str,
    method: str,
    path: str,
    headers: Iterable[tuple[bytes, bytes]],
    body: bytes,
) -> tuple[int, bytes]:
    """Answer one KYC request: ``(http status, body)``."""
    sent_project = None
    for name, value in headers:
        if name == b"x-partner-project":
            sent_project = value.decode("latin-1")
        elif name == b"x-partner-sign":
            return _error(
                422,
                "request_header_validation_error",
                "KYC requests carry the signature in the body field 'signature', not in "
                "X-PARTNER-SIGN",
            )
    if sent_project is None:
        return _error(422, "request_header_validation_error", "X-PARTNER-PROJECT is required")
    if sent_project != project:
        return _error(422, "partner_project_not_found", "Unknown X-PARTNER-PROJECT")
    store = _STORES.setdefault(state, _Store({}, {}))
    if (match := _STATUS.fullmatch(path)) is not None:
        if method != "GET":
            return _error(405, "request_body_validation_error", "check/{id} expects GET")
        return _status(store, match.group(2))
    match = _CHECK.fullmatch(path)
    assert match is not None
    if method != "POST":
        return _error(405, "request_body_validation_error", "check expects POST")
    version = "v1.1" if match.group(1) == "v1.1" else "v2"
    return _check(state, store, version, body)


def _check(state: MockState, store: _Store, version: str, raw: bytes) -> tuple[int, bytes]:
    try:
        data = json.loads(raw)
    except ValueError:
        return _error(422, "request_body_validation_error", "body: not valid JSON")
    if not isinstance(data, dict):
        return _error(422, "request_body_validation_error", "body: expected a JSON object")
    signature = data.get("signature")
    if not isinstance(signature, str) or not signature.strip():
        return _error(
            422, "request_body_validation_error", "signature: required (CryptoPro signature)"
        )
    for name in _REQUIRED[version]:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            return _error(422, "request_body_validation_error", f"{name}: required")
    if version == "v2":
        documents = data.get("documents")
        if not isinstance(documents, list) or not documents:
            return _error(422, "request_body_validation_error", "documents: required")
    inn = data["inn"]
    contract = (inn, str(data.get("agent_contract_number", "")))
    earlier = store.by_contract.get(contract)
    if earlier is not None:
        return _error(
            200, "already_exists", "A request for this inn and contract exists", {"id": earlier}
        )
    try:
        base64.b64decode(signature, validate=True)
        signature_ok = True
    except (binascii.Error, ValueError):
        signature_ok = False
    request = _Request(state.new_id("kyc"), inn, signature_ok)
    store.requests[request.id] = request
    store.by_contract[contract] = request.id
    return 200, dumps({"status": "ok", "data": {"id": request.id}})


def _status(store: _Store, request_id: str) -> tuple[int, bytes]:
    request = store.requests.get(request_id)
    if request is None:
        return _error(404, "request_not_found", f"No request {request_id!r}")
    request.polls += 1
    data: dict[str, Any] = {"id": request.id}
    if not request.signature_ok:
        return _error(200, "invalid_sign", "The signature does not verify", data)
    if request.inn.endswith("0000"):
        return _error(200, "passport_validation_failure", "Passport invalid or not found", data)
    if request.inn.endswith("1111"):
        return _error(200, "inn_validation_failure", "INN does not match the passport", data)
    if request.polls == 1:
        return 200, dumps({"status": "pending", "data": {**data, "description": "in progress"}})
    data.update(description="valid", participant={"reference": f"participant-{request.id}"})
    return 200, dumps({"status": "ok", "data": data})
