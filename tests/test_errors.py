"""The exception tree: code -> class mapping, error_from_response, attributes, pickling."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest

from bank131_async.errors import (
    KNOWN_ERROR_CODES,
    ApiError,
    AuthenticationError,
    AuthorizationError,
    Bank131Error,
    BankInternalError,
    ConfigurationError,
    DeclinedError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InsufficientWalletBalanceError,
    InvalidRequestError,
    InvalidSignatureError,
    RateLimitError,
    RefundAmountTooLargeError,
    RequestTimeoutError,
    RequestValidationError,
    ResponseDecodeError,
    SessionCancelledError,
    SessionWrongStateError,
    TaxpayerError,
    TransportConnectionError,
    TransportError,
    UnexpectedSessionStateError,
    WaitTimeoutError,
    error_class_for_code,
    error_from_response,
)
from bank131_async.models import Session

#: errors-and-testing.md §3, row by row, with the class a program branches on.
DOCUMENTED_CODES: dict[str, type[ApiError]] = {
    "identification_error": AuthenticationError,
    "authentication_error": AuthenticationError,
    "authorization_error": AuthorizationError,
    "invalid_request": InvalidRequestError,
    "internal_error": BankInternalError,
    "taxpayer_unknown": TaxpayerError,
    "taxpayer_not_bound": TaxpayerError,
    "taxpayer_already_bound": TaxpayerError,
    "taxpayer_income_exceeds_amount_limit": TaxpayerError,
    "provider_internal_error": BankInternalError,
    "provider_issuer_unavailable": BankInternalError,
    "provider_foreign_transfer_prohibited": DeclinedError,
    "provider_exceeds_amount_limit": DeclinedError,
    "provider_timeout": BankInternalError,
    "session_cancelled": SessionCancelledError,
    "operation_rejected": DeclinedError,
    "npd_service_internal_error": BankInternalError,
    "wallet_internal_error": BankInternalError,
    "routing_internal_error": BankInternalError,
    "bank_card_expired": DeclinedError,
    "declined_by_issuer_bank": DeclinedError,
    "not_permitted_by_issuer_bank": DeclinedError,
    "insufficient_wallet_balance": InsufficientWalletBalanceError,
    "refund_amount_too_large": RefundAmountTooLargeError,
    "insufficient_funds": InsufficientFundsError,
    "session_wrong_state": SessionWrongStateError,
    "capture_timeout": SessionCancelledError,
    "session_cancelled_by_partner": SessionCancelledError,
    "card_number_does_not_exist": DeclinedError,
    "invalid_transaction": DeclinedError,
    "suspected_fraud": DeclinedError,
    "activity_count_exceeded": DeclinedError,
    "not_permitted_to_card": DeclinedError,
    "qr_expired": SessionCancelledError,
    "3DS_error": DeclinedError,
    "account_not_found": DeclinedError,
    "amount_less_allowed_provider": DeclinedError,
    "binding_is_deactivated": DeclinedError,
    "confirm_timeout": SessionCancelledError,
    "idempotency_key_already_exists": IdempotencyConflictError,
    # SDK-side placeholder for a non-JSON body, not a server code: no special class.
    "api_exception": ApiError,
}

#: The KYC codes of §3 are not main-API codes; they must at least stay ApiErrors.
KYC_CODES = [
    "invalid_sign",
    "passport_validation_failure",
    "inn_validation_failure",
    "already_exists",
    "request_not_found",
    "partner_project_not_found",
    "request_body_validation_error",
    "request_header_validation_error",
]


def _envelope(code: str, description: str = "text", **extra: Any) -> dict[str, Any]:
    return {"status": "error", "error": {"code": code, "description": description, **extra}}


@pytest.mark.parametrize(("code", "cls"), sorted(DOCUMENTED_CODES.items()))
def test_documented_code_maps_to_class(code: str, cls: type[ApiError]) -> None:
    assert error_class_for_code(code) is cls
    # The HTTP status never overrides a known code (api_exception is not one: 400 only).
    for status in (200, 400, 429, 500, 503) if code in KNOWN_ERROR_CODES else (400,):
        error = error_from_response(_envelope(code), http_status=status)
        assert type(error) is cls
        assert isinstance(error, ApiError)
        assert isinstance(error, Bank131Error)
        assert error.code == code


@pytest.mark.parametrize("code", sorted(KNOWN_ERROR_CODES))
def test_every_known_code_is_documented_and_mapped(code: str) -> None:
    assert code in DOCUMENTED_CODES
    assert error_class_for_code(code) is DOCUMENTED_CODES[code]


def test_every_documented_server_code_is_known() -> None:
    assert set(DOCUMENTED_CODES) - {"api_exception"} == set(KNOWN_ERROR_CODES)


@pytest.mark.parametrize("code", KYC_CODES)
def test_kyc_codes_are_api_errors(code: str) -> None:
    error = error_from_response(_envelope(code), http_status=422)
    assert isinstance(error, ApiError)
    assert error.code == code


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("brand_new_code", 400, ApiError),
        ("brand_new_code", 200, ApiError),
        ("brand_new_code", 404, ApiError),
        ("brand_new_code", 429, RateLimitError),
        ("brand_new_code", 500, BankInternalError),
        ("brand_new_code", 502, BankInternalError),
        ("brand_new_code", 503, BankInternalError),
        ("INVALID_REQUEST", 400, ApiError),  # codes are case-sensitive
        ("", 400, ApiError),
    ],
)
def test_unknown_code(code: str, status: int, cls: type[ApiError]) -> None:
    assert error_class_for_code(code, status) is cls
    error = error_from_response(_envelope(code), http_status=status)
    assert type(error) is cls
    assert error.code == code


def test_unknown_code_without_status_is_plain_api_error() -> None:
    assert error_class_for_code("whatever") is ApiError


@pytest.mark.parametrize(
    ("body", "status", "cls", "code", "description"),
    [
        pytest.param(None, 429, RateLimitError, "http_429", "", id="429-no-body"),
        pytest.param({}, 429, RateLimitError, "http_429", "", id="429-empty-object"),
        pytest.param(None, 500, BankInternalError, "http_500", "", id="500-no-body"),
        pytest.param(None, 503, BankInternalError, "http_503", "", id="503-no-body"),
        pytest.param(None, 400, ApiError, "http_400", "", id="400-no-body"),
        pytest.param({"status": "error"}, 400, ApiError, "http_400", "", id="no-error-key"),
        pytest.param(
            {"status": "error", "error": "boom"}, 400, ApiError, "http_400", "", id="error-is-str"
        ),
        pytest.param(
            {"status": "error", "error": ["x"]}, 500, BankInternalError, "http_500", "", id="list"
        ),
        pytest.param(
            {"status": "error", "error": {"description": "no code"}},
            400,
            ApiError,
            "http_400",
            "",
            id="no-code",
        ),
        pytest.param(
            {"status": "error", "error": {"code": 42, "description": "d"}},
            400,
            ApiError,
            "http_400",
            "",
            id="numeric-code",
        ),
        pytest.param(
            {"status": "error", "error": {"code": "invalid_request", "description": 5}},
            400,
            InvalidRequestError,
            "invalid_request",
            "",
            id="numeric-description",
        ),
        pytest.param(
            {"status": "error", "error": {"code": "invalid_request"}},
            400,
            InvalidRequestError,
            "invalid_request",
            "",
            id="no-description",
        ),
        pytest.param(
            {"status": "error", "error": {"code": "invalid_request", "description": None}},
            400,
            InvalidRequestError,
            "invalid_request",
            "",
            id="null-description",
        ),
    ],
)
def test_error_from_malformed_body(
    body: dict[str, Any] | None,
    status: int,
    cls: type[ApiError],
    code: str,
    description: str,
) -> None:
    error = error_from_response(body, http_status=status, idempotency_key="k", attempts=2)
    assert type(error) is cls
    assert error.code == code
    assert error.description == description
    assert error.http_status == status
    assert error.idempotency_key == "k"
    assert error.attempts == 2
    assert error.reject_reasons == ()


def test_attributes_and_message() -> None:
    body = _envelope(
        "operation_rejected",
        "Rejected by antifraud",
        reject_reasons=[
            {"rule_alias": "velocity", "list_alias": "grey", "expiration_date": "2030-01-01"},
            {"rule_alias": "geo"},
            "garbage",
        ],
    )
    error = error_from_response(body, http_status=400, idempotency_key="order-1", attempts=3)
    assert isinstance(error, DeclinedError)
    assert error.code == "operation_rejected"
    assert error.description == "Rejected by antifraud"
    assert error.http_status == 400
    assert error.idempotency_key == "order-1"
    assert error.attempts == 3
    assert error.reject_reasons == (
        {"rule_alias": "velocity", "list_alias": "grey", "expiration_date": "2030-01-01"},
        {"rule_alias": "geo"},
    )
    assert str(error) == "operation_rejected: Rejected by antifraud (HTTP 400)"


def test_reject_reasons_not_a_list_are_ignored() -> None:
    error = error_from_response(
        _envelope("operation_rejected", reject_reasons={"rule_alias": "x"}), http_status=400
    )
    assert error.reject_reasons == ()


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({}, "invalid_request"),
        ({"description": "bad amount"}, "invalid_request: bad amount"),
        ({"http_status": 422}, "invalid_request (HTTP 422)"),
        ({"description": "bad", "http_status": 400}, "invalid_request: bad (HTTP 400)"),
    ],
)
def test_message_format(kwargs: dict[str, Any], text: str) -> None:
    assert str(ApiError("invalid_request", **kwargs)) == text


def test_defaults() -> None:
    error = ApiError("x")
    assert (error.description, error.http_status, error.idempotency_key) == ("", None, None)
    assert error.attempts == 1
    assert error.reject_reasons == ()


@pytest.mark.parametrize(
    ("code", "status", "cls", "retryable"),
    [
        ("invalid_request", 400, InvalidRequestError, False),
        ("declined_by_issuer_bank", 200, DeclinedError, False),
        ("idempotency_key_already_exists", 409, IdempotencyConflictError, False),
        ("internal_error", 200, BankInternalError, True),  # the envelope decides, not HTTP 200
        ("provider_timeout", 400, BankInternalError, True),
        ("http_502", 502, BankInternalError, True),
        ("too_many_requests", 429, RateLimitError, True),
        ("insufficient_wallet_balance", 400, InsufficientWalletBalanceError, False),
        ("brand_new", 400, ApiError, False),
    ],
)
def test_retryable_is_the_transport_rule(
    code: str, status: int, cls: type[ApiError], retryable: bool
) -> None:
    error = error_from_response(_envelope(code, ""), http_status=status)
    assert type(error) is cls
    assert error.retryable is retryable


def test_insufficient_funds_is_a_decline() -> None:
    assert issubclass(InsufficientFundsError, DeclinedError)


@pytest.mark.parametrize("cls", sorted({*DOCUMENTED_CODES.values(), RateLimitError}, key=str))
def test_pickle_round_trip(cls: type[ApiError]) -> None:
    error = cls(
        "some_code",
        "описание",
        http_status=409,
        idempotency_key="key-1",
        attempts=4,
        reject_reasons=({"rule_alias": "r"},),
    )
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes
    assert type(copy) is cls
    assert (copy.code, copy.description, copy.http_status) == ("some_code", "описание", 409)
    assert (copy.idempotency_key, copy.attempts) == ("key-1", 4)
    assert copy.reject_reasons == ({"rule_alias": "r"},)
    assert str(copy) == str(error)


def test_pickle_response_decode_error() -> None:
    error = ResponseDecodeError("bad", http_status=502, body_excerpt="<html>", idempotency_key="k")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes
    assert type(copy) is ResponseDecodeError
    assert str(copy) == "bad"
    assert (copy.http_status, copy.body_excerpt, copy.idempotency_key) == (502, "<html>", "k")


@pytest.mark.parametrize("kind", ["transport", "timeout", "connection", "wait", "unexpected"])
def test_pickle_errors_with_keyword_only_arguments(kind: str) -> None:
    session = Session(id="ps_1", status="cancelled")
    makers: dict[str, Callable[[], Bank131Error]] = {
        "transport": lambda: TransportError("x", request_sent=True, idempotency_key="k"),
        "timeout": lambda: RequestTimeoutError("x", request_sent=True, idempotency_key="k"),
        "connection": lambda: TransportConnectionError("x", request_sent=False),
        "wait": lambda: WaitTimeoutError("x", session=session),
        "unexpected": lambda: UnexpectedSessionStateError("x", session=session),
    }
    error = makers[kind]()
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes
    assert type(copy) is type(error)
    assert str(copy) == "x"
    assert copy.__dict__ == error.__dict__


@pytest.mark.parametrize("attempts", [1, 3])
def test_idempotency_conflict_message_says_to_reconcile(attempts: int) -> None:
    error = error_from_response(
        _envelope("idempotency_key_already_exists", "already in progress or processed"),
        http_status=400,
        idempotency_key="order-42",
        attempts=attempts,
        answers_a_repeat=attempts > 1,
    )
    assert isinstance(error, IdempotencyConflictError)
    text = str(error)
    assert text.startswith("idempotency_key_already_exists: already in progress or processed")
    assert "'order-42' was already used" in text
    # It must not read as a failure: the operation may have gone through, look it up first.
    assert "processed" in text
    assert "sessions.status" in text
    assert "new key" in text
    if attempts > 1:
        assert "earlier attempt of this same call" in text


def test_wait_timeout_is_a_timeout_error() -> None:
    session = Session(id="ps_1", status="in_progress")
    error = WaitTimeoutError("gave up", session=session)
    assert isinstance(error, TimeoutError)
    assert isinstance(error, Bank131Error)
    assert error.session is session
    with pytest.raises(TimeoutError):
        raise error
    assert WaitTimeoutError("x", session=None).session is None


def test_unexpected_state_carries_session() -> None:
    session = Session(id="ps_1", status="cancelled")
    error = UnexpectedSessionStateError("cancelled", session=session)
    assert isinstance(error, Bank131Error)
    assert error.session is session


@pytest.mark.parametrize(
    ("cls", "sent"),
    [(TransportConnectionError, False), (RequestTimeoutError, True), (TransportError, True)],
)
def test_transport_errors(cls: type[TransportError], sent: bool) -> None:
    error = cls("msg", request_sent=sent)
    assert isinstance(error, TransportError)
    assert isinstance(error, Bank131Error)
    assert not isinstance(error, ApiError)
    assert error.request_sent is sent
    assert error.idempotency_key is None
    assert error.attempts == 1


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (ConfigurationError, (Bank131Error, ValueError)),
        (RequestValidationError, (Bank131Error, ValueError)),
        (InvalidSignatureError, (Bank131Error,)),
        (ResponseDecodeError, (Bank131Error,)),
        (ApiError, (Bank131Error,)),
    ],
)
def test_hierarchy(cls: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)


def test_response_decode_error_attributes() -> None:
    error = ResponseDecodeError("bad", http_status=502, body_excerpt="<html>", idempotency_key="k")
    assert (error.http_status, error.body_excerpt, error.idempotency_key) == (502, "<html>", "k")


# --------------------------------------------------------------------------- secrets

ECHO = (
    'invalid card {"number": "4242424242424242", "security_code": "123"} of '
    '{"passport_number": "4510 654321"}; also 5555 5555 5555 4444 and cvc 987'
)
SECRETS = ["4242424242424242", "5555 5555 5555 4444", '"123"', "654321", "987"]


def test_an_echoing_description_reaches_no_exception_surface() -> None:
    """Defect: a description that echoes the request put the card number, CVC and passport
    number into str, repr, args, pickles and tracebacks."""
    import pickle
    import traceback

    body = {
        "status": "error",
        "error": {
            "code": "invalid_request",
            "description": ECHO,
            "reject_reasons": [{"field": "card", "value": "4242424242424242"}],
        },
    }
    error = error_from_response(body, http_status=400)
    try:
        raise error
    except ApiError as exc:
        formatted = traceback.format_exc()
        caught = exc
    surfaces = [
        str(caught),
        repr(caught),
        repr(caught.args),
        caught.description,
        repr(caught.reject_reasons),
        formatted,
        pickle.dumps(caught).decode("latin-1"),
        str(pickle.loads(pickle.dumps(caught))),  # noqa: S301 - our own bytes
    ]
    for surface in surfaces:
        for secret in SECRETS:
            assert secret not in surface, (secret, surface)
    assert "424242******4242" in caught.description


def test_a_huge_description_is_capped() -> None:
    error = error_from_response(
        {"status": "error", "error": {"code": "x" * 10_000, "description": "y" * 10**6}},
        http_status=400,
    )
    assert len(str(error)) < 2_000
