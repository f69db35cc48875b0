"""The exception tree of bank131_async.

Every failure the SDK reports is a :class:`Bank131Error`; no ``httpx`` or ``cattrs`` exception
escapes. The branches answer the questions a payout program asks:

* :class:`ApiError` -- the bank answered and said no. ``code`` is the bank's error code; the
  subclasses name the codes a program branches on (unknown codes stay plain ``ApiError``).
* :class:`TransportError` -- no answer came. ``request_sent`` says whether the bank may have
  received the request, i.e. whether money may have moved.
* :class:`WaitTimeoutError` -- a polling helper ran out of time (also a built-in ``TimeoutError``).
* :class:`InvalidSignatureError`, :class:`ResponseDecodeError`, :class:`ConfigurationError`,
  :class:`RequestValidationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._error_base import Bank131Error, InvalidAmountError, RequestValidationError
from ._logging import excerpt, redact
from ._retry import answer_is_transient, answer_may_follow_processing

if TYPE_CHECKING:
    from .models.sessions import Session

__all__ = [
    "ApiError",
    "AuthenticationError",
    "AuthorizationError",
    "Bank131Error",
    "BankInternalError",
    "ClientClosedError",
    "ConfigurationError",
    "DeclinedError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InsufficientWalletBalanceError",
    "InvalidAmountError",
    "InvalidRequestError",
    "InvalidSignatureError",
    "KycAlreadyExistsError",
    "KycVerificationFailedError",
    "MissingExtraError",
    "RateLimitError",
    "RefundAmountTooLargeError",
    "RequestTimeoutError",
    "RequestValidationError",
    "ResponseDecodeError",
    "SessionCancelledError",
    "SessionWrongStateError",
    "TaxpayerError",
    "TransportConnectionError",
    "TransportError",
    "UnexpectedSessionStateError",
    "WaitTimeoutError",
    "WebhookDecodeError",
    "error_class_for_code",
    "error_from_response",
    "processed_note",
]


class ConfigurationError(Bank131Error, ValueError):
    """The client was configured wrongly (bad key, unknown environment, missing setting)."""


class MissingExtraError(Bank131Error, ModuleNotFoundError):
    """A part of the SDK needs an optional dependency that is not installed; the message names
    the extra to install (``pip install 'bank131-async[mock]'``)."""


class ClientClosedError(Bank131Error, RuntimeError):
    """A request was made on a closed client (after ``async with`` exited or ``aclose()``)."""


class InvalidSignatureError(Bank131Error):
    """A signature (webhook ``X-PARTNER-SIGN``) is missing, malformed or does not verify."""


class ResponseDecodeError(Bank131Error):
    """The bank answered with something that is not the documented JSON.

    ``body_excerpt`` holds at most the first 500 characters of the body, already redacted.
    ``maybe_processed`` is ``True`` unless the answer was a definite refusal (an HTTP 4xx
    other than 408): an unreadable 200 or 5xx may follow a processed request.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        body_excerpt: str = "",
        idempotency_key: str | None = None,
        attempts: int = 1,
        maybe_processed: bool = False,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.body_excerpt = body_excerpt
        self.idempotency_key = idempotency_key
        self.attempts = attempts
        self.maybe_processed = maybe_processed


class WebhookDecodeError(ResponseDecodeError):
    """A webhook whose signature verified is not JSON, or not the documented shape.

    Receivers answer it with 400; the bank re-sends it, so log it loudly (``body_excerpt``).
    """


# --------------------------------------------------------------------------- API errors


class ApiError(Bank131Error):
    """The bank answered with an error envelope or an HTTP status >= 400.

    Attributes:
        code: the bank's ``error.code`` (an open string; see ``errors-and-testing.md``).
        description: the bank's human text, redacted (the bank may echo card numbers, CVCs or
            passport data from the request); the same code may come with different texts.
        http_status: the HTTP status of the answer.
        idempotency_key: the ``X-PARTNER-IDEMPOTENCY-KEY`` the call carried, if any. Keep it:
            it is how the same operation is retried safely.
        attempts: how many times the request was sent before this answer.
        reject_reasons: antifraud details, when the bank gives them (redacted).
        maybe_processed: whether the request may have been processed all the same (see
            :class:`Bank131Error`): a 5xx or 408 answer, an internal-error code, or an earlier
            attempt of the same call that may have reached the bank (``answers_a_repeat``).
        answers_a_repeat: an earlier attempt of this call may have reached the bank, so this
            answer may be the bank's reply to a repeat of a processed request (a
            ``session_wrong_state`` or an idempotency conflict then means "already done").
    """

    def __init__(
        self,
        code: str,
        description: str = "",
        *,
        http_status: int | None = None,
        idempotency_key: str | None = None,
        attempts: int = 1,
        reject_reasons: tuple[Mapping[str, Any], ...] = (),
        maybe_processed: bool | None = None,
        answers_a_repeat: bool = False,
    ) -> None:
        self.code = code
        self.description = excerpt(description, _MAX_DESCRIPTION)
        self.http_status = http_status
        self.idempotency_key = idempotency_key
        self.attempts = attempts
        self.reject_reasons = tuple(_redact_mapping(r) for r in reject_reasons)
        self.answers_a_repeat = answers_a_repeat
        if maybe_processed is None:
            maybe_processed = (
                answers_a_repeat
                or type(self).maybe_processed
                or answer_may_follow_processing(http_status, code)
            )
        self.maybe_processed = maybe_processed
        super().__init__(self._message())

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed if repeated shortly (a 5xx, 429, 408 or an
        internal-error code): the rule the SDK's own retries and polling helpers use."""
        return answer_is_transient(self.http_status, self.code)

    def _headline(self) -> str:
        text = f"{self.code}: {self.description}" if self.description else self.code
        if self.http_status is not None:
            text += f" (HTTP {self.http_status})"
        return text

    def _message(self) -> str:
        text = self._headline()
        if self.maybe_processed:
            text += "; " + processed_note(
                self.idempotency_key, self.attempts, earlier=self.answers_a_repeat
            )
        return text


def processed_note(key: str | None, attempts: int, *, earlier: bool = False) -> str:
    """The sentence every "may have been processed" error ends with."""
    if earlier:
        cause = (
            f"an earlier attempt of this call ({attempts} attempts in all) may have reached "
            "the bank, so the request may have been processed"
        )
    else:
        cause = "the request may have been processed"
    repeat = f"; if you repeat it, reuse idempotency key {key!r}, never a new one" if key else ""
    return f"{cause}: check with sessions.status before doing anything else{repeat}"


def _redact_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return {str(k): _redact_value(v, 8) for k, v in value.items()}


def _redact_value(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return redact(value)
    if depth <= 0:
        return "<nested too deep>"
    if isinstance(value, Mapping):
        return {str(k): _redact_value(v, depth - 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v, depth - 1) for v in value]
    return value


class AuthenticationError(ApiError):
    """``identification_error`` / ``authentication_error``: the project id or signature is wrong.

    Check ``project`` and that the bank registered the public half of ``private_key``.
    """


class AuthorizationError(ApiError):
    """``authorization_error``: the project may not perform this operation."""


class InvalidRequestError(ApiError):
    """``invalid_request``: the bank rejected the parameters."""


class IdempotencyConflictError(ApiError):
    """``idempotency_key_already_exists``: this key was already used.

    The first request with this key may well have been processed: do **not** treat this as a
    failure of the operation. Look the operation up (``sessions.status``) before doing anything.
    """

    maybe_processed = True

    def _message(self) -> str:
        if self.answers_a_repeat:
            cause = (
                f"an earlier attempt of this same call ({self.attempts} attempts in all) "
                "reached the bank and was processed, but its answer was lost"
            )
        else:
            cause = "the operation may have been processed already"
        return (
            self._headline()
            + f"; idempotency key {self.idempotency_key!r} was already used: {cause}. Do not "
            "repeat the operation with a new key; find its session (sessions.status, webhooks "
            "or your metadata) first"
        )


class SessionWrongStateError(ApiError):
    """``session_wrong_state``: the call is not allowed in the session's current state."""


class SessionCancelledError(ApiError):
    """The session was cancelled (by you, by a timeout, or because a QR code expired)."""


class DeclinedError(ApiError):
    """The operation was declined (issuer, antifraud, card or provider limits)."""


class InsufficientFundsError(DeclinedError):
    """``insufficient_funds``: not enough money on the payer's card."""


class InsufficientWalletBalanceError(ApiError):
    """``insufficient_wallet_balance``: top up your collateral balance, then retry."""


class RefundAmountTooLargeError(ApiError):
    """``refund_amount_too_large``: the refund exceeds what can still be refunded."""


class TaxpayerError(ApiError):
    """A self-employed (NPD) check failed: unknown, not bound, already bound, or over limit."""


class BankInternalError(ApiError):
    """The bank or one of its providers failed; the same call may succeed later.

    The failure may have happened after the bank acted on the request, so it is always
    ``maybe_processed``: reconcile before repeating a mutating call.
    """

    maybe_processed = True


class RateLimitError(ApiError):
    """HTTP 429: too many requests. ``retry_after`` is the server's hint in seconds, if any."""

    retry_after: float | None = None


_CODE_TO_CLASS: dict[str, type[ApiError]] = {
    "identification_error": AuthenticationError,
    "authentication_error": AuthenticationError,
    "authorization_error": AuthorizationError,
    "invalid_request": InvalidRequestError,
    "idempotency_key_already_exists": IdempotencyConflictError,
    "session_wrong_state": SessionWrongStateError,
    "session_cancelled": SessionCancelledError,
    "session_cancelled_by_partner": SessionCancelledError,
    "capture_timeout": SessionCancelledError,
    "confirm_timeout": SessionCancelledError,
    "qr_expired": SessionCancelledError,
    "insufficient_funds": InsufficientFundsError,
    "insufficient_wallet_balance": InsufficientWalletBalanceError,
    "refund_amount_too_large": RefundAmountTooLargeError,
    "taxpayer_unknown": TaxpayerError,
    "taxpayer_not_bound": TaxpayerError,
    "taxpayer_already_bound": TaxpayerError,
    "taxpayer_income_exceeds_amount_limit": TaxpayerError,
    "internal_error": BankInternalError,
    "provider_internal_error": BankInternalError,
    "provider_issuer_unavailable": BankInternalError,
    "provider_timeout": BankInternalError,
    "npd_service_internal_error": BankInternalError,
    "wallet_internal_error": BankInternalError,
    "routing_internal_error": BankInternalError,
    "declined_by_issuer_bank": DeclinedError,
    "not_permitted_by_issuer_bank": DeclinedError,
    "bank_card_expired": DeclinedError,
    "card_number_does_not_exist": DeclinedError,
    "invalid_transaction": DeclinedError,
    "suspected_fraud": DeclinedError,
    "activity_count_exceeded": DeclinedError,
    "not_permitted_to_card": DeclinedError,
    "operation_rejected": DeclinedError,
    "provider_foreign_transfer_prohibited": DeclinedError,
    "provider_exceeds_amount_limit": DeclinedError,
    "amount_less_allowed_provider": DeclinedError,
    "binding_is_deactivated": DeclinedError,
    "account_not_found": DeclinedError,
    "3DS_error": DeclinedError,
}


class KycAlreadyExistsError(ApiError):
    """KYC ``already_exists``: a check for this ``inn`` + ``agent_contract_number`` was sent
    before. ``existing_id`` is that check's id (the bank's ``data.id``): poll
    ``bank.kyc.status(existing_id)`` instead of sending the check again."""

    existing_id: str | None = None


class KycVerificationFailedError(ApiError):
    """KYC ``passport_validation_failure`` (passport invalid or not found) or
    ``inn_validation_failure`` (the INN does not match the passport): the person's data was
    checked and rejected. Correct the data; repeating the same check will not help."""


#: KYC host codes (``errors-and-testing.md``), kept apart from the main API's codes;
#: ``request_not_found`` stays a plain ``ApiError``.
_KYC_CODE_TO_CLASS: dict[str, type[ApiError]] = {
    "already_exists": KycAlreadyExistsError,
    "request_body_validation_error": InvalidRequestError,
    "request_header_validation_error": InvalidRequestError,
    "passport_validation_failure": KycVerificationFailedError,
    "inn_validation_failure": KycVerificationFailedError,
    "invalid_sign": AuthenticationError,
    "partner_project_not_found": AuthenticationError,
}

#: Every error code the research found; a test checks each has a mapping.
KNOWN_ERROR_CODES: frozenset[str] = frozenset(_CODE_TO_CLASS)


def error_class_for_code(code: str, http_status: int | None = None) -> type[ApiError]:
    """The exception class for a bank error code (``ApiError`` for codes we do not know)."""
    cls = _CODE_TO_CLASS.get(code) or _KYC_CODE_TO_CLASS.get(code)
    if cls is not None:
        return cls
    if http_status == 429:
        return RateLimitError
    if http_status is not None and http_status >= 500:
        return BankInternalError
    return ApiError


# A hostile or broken answer must not turn an exception into megabytes of text.
_MAX_CODE = 100
_MAX_DESCRIPTION = 1000
_MAX_REASONS = 20


def error_from_response(
    body: Mapping[str, Any] | None,
    *,
    http_status: int,
    idempotency_key: str | None = None,
    attempts: int = 1,
    answers_a_repeat: bool = False,
) -> ApiError:
    """Build the typed error for an error answer.

    ``body`` is the decoded JSON object, or ``None`` when the answer had no usable JSON (then
    the code is synthesised from the HTTP status, e.g. ``http_503``). ``answers_a_repeat``: an
    earlier attempt of the same call may have reached the bank.
    """
    error = body.get("error") if body is not None else None
    if isinstance(error, Mapping) and isinstance(error.get("code"), str):
        code: str = error["code"][:_MAX_CODE]
        description = error.get("description")
        reasons = error.get("reject_reasons")
    else:
        code, description, reasons = f"http_{http_status}", None, None
    cls = error_class_for_code(code, http_status)
    result = cls(
        code,
        description if isinstance(description, str) else "",
        http_status=http_status,
        idempotency_key=idempotency_key,
        attempts=attempts,
        reject_reasons=tuple(r for r in reasons[:_MAX_REASONS] if isinstance(r, Mapping))
        if isinstance(reasons, list)
        else (),
        answers_a_repeat=answers_a_repeat,
    )
    if isinstance(result, KycAlreadyExistsError) and body is not None:
        data = body.get("data")
        existing = data.get("id") if isinstance(data, Mapping) else None
        result.existing_id = str(existing) if isinstance(existing, str | int) else None
    return result


# --------------------------------------------------------------------------- transport errors


class TransportError(Bank131Error):
    """No answer came from the bank.

    ``request_sent`` (the same value as ``maybe_processed``) describes the whole call, every
    attempt, not only the last: ``False`` means no attempt can have reached the bank (connect
    failures, pool timeouts) and it is safe to send the request again; ``True`` means some
    attempt may have been received and processed -- reconcile (with the same idempotency key,
    or ``sessions.status``) before trying anything else. The last attempt's low-level error is
    chained as ``__cause__`` and named in the message.
    """

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool,
        idempotency_key: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.maybe_processed = request_sent
        self.idempotency_key = idempotency_key
        self.attempts = attempts

    @property
    def request_sent(self) -> bool:
        """Whether any attempt of this call may have reached the bank."""
        return self.maybe_processed


class TransportConnectionError(TransportError):
    """The connection failed (refused, reset, DNS, TLS, dropped before the answer)."""


class RequestTimeoutError(TransportError):
    """A connect, write, read or pool timeout expired."""


# --------------------------------------------------------------------------- polling errors


class WaitTimeoutError(Bank131Error, TimeoutError):
    """A polling helper reached its deadline. ``session`` is the last state seen (or ``None``)."""

    def __init__(self, message: str, *, session: Session | None) -> None:
        super().__init__(message)
        self.session = session


class UnexpectedSessionStateError(Bank131Error):
    """A polling helper saw a state from which what it waits for can never come.

    For example the session was cancelled or accepted while ``wait_for_next_action("confirm")``
    was waiting, or it now waits for ``capture`` (so ``confirm`` already happened). ``session``
    is that state; ``session.error`` and the operations' ``error`` say why.
    """

    def __init__(self, message: str, *, session: Session) -> None:
        super().__init__(message)
        self.session = session
