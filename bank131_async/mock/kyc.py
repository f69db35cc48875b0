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

from .._json import JsonDepthError, loads
from .context import Context, Request, Route, lookup
from .shapes import FREE
from .state import KycRequest
from .wire import ApiFailure, dumps

__all__ = ["ROUTES", "admit", "check", "handles", "status"]

_INVALID_BODY = "request_body_validation_error"

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


def admit(ctx: Context, route: Route, request: Request) -> tuple[dict[str, Any], str | None]:
    """KYC's gate: project header, no header signature, the HTTP method; ``check`` bodies are
    JSON objects, ``check/{id}`` hands its id over as ``{"id": ...}``. No idempotency key:
    the bank de-duplicates KYC requests by inn and contract instead."""
    sent_project = None
    for name, value in request.headers:
        if name == b"x-partner-project":
            sent_project = value.decode("latin-1")
        elif name == b"x-partner-sign":
            raise ApiFailure(
                422,
                "request_header_validation_error",
                "KYC requests carry the signature in the body field 'signature', not in "
                "X-PARTNER-SIGN",
            )
    if sent_project is None:
        raise ApiFailure(422, "request_header_validation_error", "X-PARTNER-PROJECT is required")
    if sent_project != ctx.config.project:
        raise ApiFailure(422, "partner_project_not_found", "Unknown X-PARTNER-PROJECT")
    if request.method not in route.verbs:
        verb = " or ".join(sorted(route.verbs))
        raise ApiFailure(405, _INVALID_BODY, f"{route.name} expects {verb}")
    if request.param:
        return {"id": request.param}, None
    try:
        data = loads(request.body)
    except JsonDepthError as exc:
        raise ApiFailure(422, _INVALID_BODY, f"body: {exc}") from None
    except ValueError:
        raise ApiFailure(422, _INVALID_BODY, "body: not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiFailure(422, _INVALID_BODY, "body: expected a JSON object")
    return data, None


def check(ctx: Context, data: dict[str, Any], version: int, key: str | None) -> bytes:
    signature = data.get("signature")
    if not isinstance(signature, str) or not signature.strip():
        raise ApiFailure(422, _INVALID_BODY, "signature: required (CryptoPro signature)")
    for name in _REQUIRED[version]:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ApiFailure(422, _INVALID_BODY, f"{name}: required")
    if version == 2:
        documents = data.get("documents")
        if not isinstance(documents, list) or not documents:
            raise ApiFailure(422, _INVALID_BODY, "documents: required")
    state = ctx.state
    inn = data["inn"]
    contract = (inn, str(data.get("agent_contract_number", "")))
    earlier = state.kyc_by_contract.get(contract)
    if earlier is not None:
        raise ApiFailure(
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
    return dumps({"status": "ok", "data": {"id": request.id}})


def status(ctx: Context, data: dict[str, Any], version: int, key: str | None) -> bytes:
    request_id = data["id"]
    request = ctx.state.kyc_requests.get(request_id)
    if request is None:
        raise ApiFailure(404, "request_not_found", f"No request {request_id!r}")
    request.polls += 1
    found: dict[str, Any] = {"id": request.id}
    if not request.signature_ok:
        raise ApiFailure(200, "invalid_sign", "The signature does not verify", found)
    if request.inn.endswith("0000"):
        raise ApiFailure(200, "passport_validation_failure", "Passport invalid or not found", found)
    if request.inn.endswith("1111"):
        raise ApiFailure(200, "inn_validation_failure", "INN does not match the passport", found)
    if request.polls == 1:
        return dumps({"status": "pending", "data": {**found, "description": "in progress"}})
    found.update(description="valid", participant={"reference": f"participant-{request.id}"})
    return dumps({"status": "ok", "data": found})


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for segment, version in (("v2.0", 2), ("v2", 2), ("v1.1", 1)):
        prefix = f"/api/{segment}/check"
        routes[prefix] = Route(check, version, "check", False, FREE, admit)
        routes[prefix + "/{id}"] = Route(
            status, version, "check/{id}", False, FREE, admit, frozenset({"GET"})
        )
    return routes


#: Path -> route; ``{id}`` stands for the request id.
ROUTES = _routes()


def handles(path: str) -> bool:
    """Whether ``path`` is a KYC route."""
    return lookup(ROUTES, path)[0] is not None
