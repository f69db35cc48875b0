"""Passport / beneficiary verification (KYC), served on the emulator's own host.

The real service lives on a separate host (``kyc-stage.bank131.ru``); clients of the emulator
set ``kyc_base_url=mock.url``. Routes (:data:`ROUTES`, merged into the route table):
``POST /api/{v2.0,v2,v1.1}/check`` and ``GET /api/{v2.0,v2,v1.1}/check/{id}``.

The body of ``check`` is not closed to unknown keys, unlike the main API's: the research lists
only part of its fields (the rest of the bank's table was not retrieved), so refusing others
would refuse documented requests.

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
from typing import Any

import attrs

from .._json import JsonDepthError, loads
from .context import Context, Request, Route, lookup
from .state import KycRequest, MockState
from .wire import dumps

__all__ = ["ROUTES", "KycRoute", "handles"]

_REQUIRED = {
    2: (
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
    1: (
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


def _error(status: int, code: str, description: str, data: Any = None) -> tuple[int, bytes]:
    body: dict[str, Any] = {"status": "error", "error": {"code": code, "description": description}}
    if data is not None:
        body["data"] = data
    return status, dumps(body)


@attrs.frozen
class KycRoute:
    """``check`` (POST) or ``check/{id}`` (GET) of one KYC API version (v2.0 -> 2, v1.1 -> 1)."""

    name: str
    version: int
    verb: str
    mutating: bool = False  # KYC de-duplicates by inn + contract, not by idempotency key

    def serve(self, ctx: Context, request: Request) -> tuple[int, bytes]:
        sent_project = None
        for name, value in request.headers:
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
        if sent_project != ctx.config.project:
            return _error(422, "partner_project_not_found", "Unknown X-PARTNER-PROJECT")
        if request.method != self.verb:
            return _error(405, "request_body_validation_error", f"{self.name} expects {self.verb}")
        if request.param:
            return _status(ctx.state, request.param)
        return _check(ctx.state, self.version, request.body)


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for segment, version in (("v2.0", 2), ("v2", 2), ("v1.1", 1)):
        routes[f"/api/{segment}/check"] = KycRoute("check", version, "POST")
        routes[f"/api/{segment}/check/{{id}}"] = KycRoute("check/{id}", version, "GET")
    return routes


#: Path -> route; ``{id}`` stands for the request id.
ROUTES = _routes()


def handles(path: str) -> bool:
    """Whether ``path`` is a KYC route."""
    return lookup(ROUTES, path)[0] is not None


def _check(state: MockState, version: int, raw: bytes) -> tuple[int, bytes]:
    try:
        data = loads(raw)
    except JsonDepthError as exc:
        return _error(422, "request_body_validation_error", f"body: {exc}")
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
    if version == 2:
        documents = data.get("documents")
        if not isinstance(documents, list) or not documents:
            return _error(422, "request_body_validation_error", "documents: required")
    inn = data["inn"]
    contract = (inn, str(data.get("agent_contract_number", "")))
    earlier = state.kyc_by_contract.get(contract)
    if earlier is not None:
        return _error(
            200, "already_exists", "A request for this inn and contract exists", {"id": earlier}
        )
    try:
        base64.b64decode(signature, validate=True)
        signature_ok = True
    except (binascii.Error, ValueError):
        signature_ok = False
    request = KycRequest(state.new_id("kyc"), inn, signature_ok)
    state.kyc_requests[request.id] = request
    state.kyc_by_contract[contract] = request.id
    return 200, dumps({"status": "ok", "data": {"id": request.id}})


def _status(state: MockState, request_id: str) -> tuple[int, bytes]:
    request = state.kyc_requests.get(request_id)
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
