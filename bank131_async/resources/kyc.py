"""Passport / beneficiary verification (KYC) on the KYC host: ``bank.kyc``.

::

    async def sign_with_cryptcp(payload: bytes) -> str:
        # Write payload to a file, run
        #   cryptcp -sign -thumbprint <thumbprint> -detached payload.json payload.sig
        # and return the .sig file's (base64) text.
        ...

    async with AsyncBank131(..., kyc_signer=sign_with_cryptcp) as bank:
        check = await bank.kyc.check(KycCheckV2(type="FL_RESIDENT", ...))
        verification = await bank.kyc.status(check.id)
        if verification.is_pending:
            ...  # poll again later (10 minutes to 2 days)

How KYC differs from the main API (``signing.md`` §3):

* Its own host (``kyc_base_url``, else ``kyc-stage.bank131.ru`` / ``kyc.bank131.ru`` by
  environment) and versions (``v2.0`` recommended, ``v1.1`` frozen, residents only).
* No ``X-PARTNER-SIGN`` header. The request carries a CryptoPro (GOST) detached signature in
  the body field ``signature``, computed over :func:`kyc_payload_bytes` of the payload (the
  body without ``signature``).
* Answers are ``ok``, ``pending`` or ``error``; ``error`` raises (``KycAlreadyExistsError``
  carries the earlier check's id, ``KycVerificationFailedError`` means the data was rejected,
  ``invalid_sign`` is an ``AuthenticationError``).

**The SDK cannot produce GOST signatures** and does not pretend to: the signer is yours. A
:class:`KycSigner` is any callable taking the payload bytes and returning the signature text
(the content of the ``.sig`` file), either directly or as an awaitable -- an ``async def``
that shells out to ``cryptcp`` or calls your signing service. Configure it once
(``AsyncBank131(kyc_signer=...)``) or pass ``signer=`` per call; without one, :meth:`check`
raises ``ConfigurationError`` before anything is sent. What the signer raises propagates
unchanged.

``check`` is not de-duplicated by idempotency key (the bank de-duplicates on ``inn`` +
``agent_contract_number`` instead and answers ``already_exists``), so it is not repeated after
a request that may have reached the bank; ``status`` is read-only and always safe to repeat.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Mapping
from datetime import date, datetime
from typing import Any, Literal, Protocol, TypeAlias

from .._logging import shape
from .._transport import Endpoint, Transport, parse_result
from .._validation import check_digits
from ..converter import converter, dumps_json
from ..errors import ConfigurationError, RequestValidationError
from ..models.kyc import (
    KycCheckResult,
    KycCheckV1,
    KycCheckV2,
    KycPersonType,
    KycVerification,
)
from ._base import Resource, Timeout, require_id

__all__ = [
    "ENDPOINTS",
    "KycResource",
    "KycSigner",
    "KycVersion",
    "kyc_payload",
    "kyc_payload_bytes",
]

KycVersion: TypeAlias = Literal["v2.0", "v1.1"]


class KycSigner(Protocol):
    """Signs the KYC payload bytes (:func:`kyc_payload_bytes`) with your CryptoPro
    certificate; returns the signature text, or an awaitable of it."""

    def __call__(self, payload: bytes, /) -> str | Awaitable[str]: ...


_KYC_STATUSES = frozenset({"ok", "pending"})


def _endpoint(path: str, version: str, **options: Any) -> Endpoint:
    return Endpoint(
        path,
        version=version,
        host="kyc",
        header_signature=False,
        ok_statuses=_KYC_STATUSES,
        **options,
    )


CHECK = {v: _endpoint("check", v) for v in ("v2.0", "v1.1")}
STATUS = {v: _endpoint("check/{id}", v, read_only=True, method="GET") for v in ("v2.0", "v1.1")}

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (CHECK["v2.0"], CHECK["v1.1"], STATUS["v2.0"], STATUS["v1.1"])


def kyc_payload_bytes(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes to sign, as the bank documents them::

        bytes(json.dumps(payload, sort_keys=True) + "\\r\\n", encoding="utf-8")

    i.e. keys sorted at every level, Python's default separators (``", "``, ``": "``),
    ``ensure_ascii`` (non-ASCII as ``\\uXXXX``), then CRLF. ``payload`` is the request body
    without ``signature``.

    >>> kyc_payload_bytes({"b": 1, "a": "Иван"})
    b'{"a": "\\\\u0418\\\\u0432\\\\u0430\\\\u043d", "b": 1}\\r\\n'
    """
    if "signature" in payload:
        raise RequestValidationError(
            "the signed payload excludes 'signature'; pass the body without it"
        )
    return bytes(json.dumps(payload, sort_keys=True) + "\r\n", encoding="utf-8")


def kyc_payload(check: KycCheckV2 | KycCheckV1 | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON payload of a check (``None`` fields omitted, ``extra`` merged in, dates as
    ``DD.MM.YYYY``), i.e. what :func:`kyc_payload_bytes` serialises."""
    if isinstance(check, Mapping):
        return dict(check)
    payload: dict[str, Any] = converter.unstructure(check)
    return payload


class KycResource(Resource):
    """``bank.kyc``: ``check`` and ``check/{id}`` on the KYC host."""

    __slots__ = ("_signer",)

    def __init__(self, transport: Transport, signer: KycSigner | None = None) -> None:
        super().__init__(transport)
        self._signer = signer

    async def check(
        self,
        request: KycCheckV2 | KycCheckV1 | Mapping[str, Any],
        *,
        version: KycVersion | None = None,
        signer: KycSigner | None = None,
        timeout: Timeout = None,
    ) -> KycCheckResult:
        """``POST /api/v2.0/check`` (a :class:`KycCheckV2`) or ``/api/v1.1/check`` (a
        :class:`KycCheckV1`): send a person for verification; poll :meth:`status` with the
        returned ``id``.

        A plain mapping is sent as given (``version`` then picks the path, default
        ``"v2.0"``). The payload is checked where the bank documents constraints, signed by
        ``signer`` (else the client's ``kyc_signer``), and sent with the signature in the
        ``signature`` field.
        """
        if isinstance(request, KycCheckV2):
            _check_v2(request)
            implied: KycVersion | None = "v2.0"
        elif isinstance(request, KycCheckV1):
            _check_v1(request)
            implied = "v1.1"
        elif isinstance(request, Mapping):
            implied = None
        else:
            raise RequestValidationError(
                f"request must be a KycCheckV2, a KycCheckV1 or a mapping, got "
                f"{type(request).__name__}"
            )
        if version is not None and implied is not None and version != implied:
            raise RequestValidationError(
                f"a {type(request).__name__} is sent to /api/{implied}/check, not {version}"
            )
        chosen = version or implied or "v2.0"
        if chosen not in CHECK:
            raise RequestValidationError(f"version must be 'v2.0' or 'v1.1', got {chosen!r}")
        use = signer or self._signer
        if use is None:
            raise ConfigurationError(
                "KYC requests are signed with your CryptoPro (GOST) certificate inside the "
                "body, which this SDK cannot do itself: pass kyc_signer= to AsyncBank131 (or "
                "signer= to kyc.check), a callable that takes the payload bytes "
                "(kyc_payload_bytes) and returns the signature text, e.g. by running "
                "`cryptcp -sign -detached` or calling your signing service"
            )
        payload = kyc_payload(request)
        signature = await _sign(use, kyc_payload_bytes(payload))
        body = dumps_json({**payload, "signature": signature})
        data = await self._transport.request(CHECK[chosen], body, timeout=timeout)
        inner = data.get("data")
        fields = {**inner} if isinstance(inner, Mapping) else {}
        fields["status"] = data.get("status")
        return parse_result(fields, KycCheckResult, "the KYC check answer", raw=data)

    async def status(
        self, check_id: str, *, version: KycVersion = "v2.0", timeout: Timeout = None
    ) -> KycVerification:
        """``GET /api/<version>/check/{id}``: ``ok`` (verified) or ``pending`` (poll later).

        An ``error`` answer raises: ``KycVerificationFailedError`` (passport or INN rejected),
        ``AuthenticationError`` (``invalid_sign``: the signature did not verify), else
        ``ApiError`` with the bank's code.
        """
        if version not in STATUS:
            raise RequestValidationError(f"version must be 'v2.0' or 'v1.1', got {version!r}")
        params = {"id": require_id(check_id, "check_id")}
        data = await self._transport.request(
            STATUS[version], b"", timeout=timeout, path_params=params
        )
        inner = data.get("data")
        fields = {**inner} if isinstance(inner, Mapping) else {}
        fields["status"] = data.get("status")
        fields.setdefault("id", check_id)
        return parse_result(fields, KycVerification, "the KYC status", raw=data)


async def _sign(signer: KycSigner, payload: bytes) -> str:
    result = signer(payload)
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, bytes):
        raise ConfigurationError(
            "the KYC signer returned bytes; return the signature as text (the base64 content "
            "of the .sig file)"
        )
    if not isinstance(result, str) or not result.strip():
        raise ConfigurationError("the KYC signer returned no signature text")
    return result


# --------------------------------------------------------------------------- checks

_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def _kyc_date(value: str, what: str, *, adult: bool = False) -> None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise RequestValidationError(
            f"{what} must be a date or 'DD.MM.YYYY', got {shape(value)} (N: digit)"
        )
    try:
        day = datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        raise RequestValidationError(f"{what} is not a calendar date") from None
    if adult:
        today = date.today()
        age = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
        if age < 18:
            raise RequestValidationError(f"{what}: the person must be at least 18 years old")


def _required(obj: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, str) or not value.strip():
            raise RequestValidationError(f"{name} is required (a non-empty string)")


def _check_v2(check: KycCheckV2) -> None:
    if check.type not in KycPersonType._value2member_map_:
        raise RequestValidationError(
            f"type must be 'FL_RESIDENT' or 'FL_NONRESIDENT', got {check.type!r}"
        )
    _required(
        check,
        ("last_name", "first_name", "birthplace", "citizenship", "phone_number", "email"),
    )
    _kyc_date(check.birthday, "birthday", adult=True)
    if not _COUNTRY.fullmatch(check.citizenship):
        raise RequestValidationError(
            f"citizenship must be an ISO 3166-1 alpha-2 code such as 'RU', got "
            f"{check.citizenship!r}"
        )
    if not isinstance(check.inn, str) or not 6 <= len(check.inn) <= 14:
        raise RequestValidationError("inn must have 6 to 14 characters")
    kinds = [d.type for d in check.documents]
    if not kinds:
        raise RequestValidationError("documents must hold at least one document")
    if check.type == KycPersonType.FL_RESIDENT and "PASSPORT_RF" not in kinds:
        raise RequestValidationError("residents (FL_RESIDENT) need a PASSPORT_RF document")
    if check.type == KycPersonType.FL_NONRESIDENT and (
        "FOREIGN_PASSPORT" not in kinds or len(kinds) < 2
    ):
        raise RequestValidationError(
            "non-residents (FL_NONRESIDENT) need a FOREIGN_PASSPORT and another document"
        )
    for i, document in enumerate(check.documents):
        for name in ("issue_date", "expiration_date"):
            value = getattr(document, name)
            if value is not None:
                _kyc_date(value, f"documents[{i}].{name}")
    if check.extra and "signature" in check.extra:
        raise RequestValidationError("extra must not hold 'signature'; the SDK adds it")


def _check_v1(check: KycCheckV1) -> None:
    _required(
        check,
        (
            "first_name",
            "last_name",
            "birthplace",
            "issuer",
            "issuer_code",
            "postcode",
            "address",
            "phone_number",
            "email",
            "agent_contract_number",
        ),
    )
    _kyc_date(check.birthday, "birthday", adult=True)
    _kyc_date(check.issuer_date, "issuer_date")
    _kyc_date(check.agent_contract_date, "agent_contract_date")
    check_digits(check.inn, "inn", (10, 12))
    if not check.passport_number or not check.passport_number.isalnum():
        raise RequestValidationError(
            "passport_number is the series and number without spaces, e.g. '4510123456'"
        )
    if check.extra and "signature" in check.extra:
        raise RequestValidationError("extra must not hold 'signature'; the SDK adds it")
