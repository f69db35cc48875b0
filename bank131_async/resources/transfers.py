"""Money transfers abroad (``endpoints.md`` §10): ``calculate``, ``bpa/session/init/payment``,
``cash/payout/session/init`` (API v1). The transfer itself starts with
``bank.sessions.multi_init`` (``session/multi/init``).

::

    quote = await bank.transfers.calculate(
        source=AmountDetails(amount=1_000_000, currency="rub"), destination_currency="try"
    )
    quote.amounts.destination, quote.exchanges.rate.fx_rate

    # payment partner: accept the sender's money
    session = await bank.transfers.bpa_init_payment(
        moneysend={...}, amount_details=AmountDetails(amount=1_000_000, currency="rub"),
        participant_details=ParticipantDetails(sender=Participant(first_name=..., ...)),
    )
    # payout partner: give the transfer out (or refund it) in full
    session = await bank.transfers.cash_payout_init(
        tcn_code="123456789", moneysend={...}, amount_details=...,
    )

Both session calls then stop at ``ready_to_confirm``: ``bank.sessions.confirm`` or ``cancel``.

Choices where the bank's pages are silent or disagree:

* ``moneysend`` contents are not published; pass the object your manager specifies as a
  mapping, sent as given.
* The docs spell the sender's citizenship ``citizenship_country_iso3``, the official PHP SDK
  ``citizenship_country_iso_3``. The PHP SDK has no transfers methods, so these bodies follow
  the transfers docs: ``Participant(citizenship_country_iso_3=...)`` goes on the wire as
  ``citizenship_country_iso3``.
* ``calculate`` omits the unknown amount instead of sending ``null`` (the SDK never sends
  ``null``).

None of these paths is a ``session/*`` call, and idempotency keys are documented for
``session/*`` only: the two session calls send no key and are not repeated after a request
that may have reached the bank (reconcile with webhooks or ``sessions.status``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from .._transport import Endpoint, parse_result
from .._validation import check_amount
from ..errors import RequestValidationError
from ..models.common import AmountDetails, Customer, Json, ParticipantDetails
from ..models.enums import PaymentDetailsType
from ..models.methods import PaymentDetails
from ..models.sessions import Session
from ..models.transfers import TransferCalculation
from ._base import Resource, Timeout

__all__ = ["ENDPOINTS", "TransfersResource"]

CALCULATE = Endpoint("calculate", read_only=True, version="v1")
BPA_INIT_PAYMENT = Endpoint("bpa/session/init/payment", version="v1", spelling="transfers")
CASH_PAYOUT_INIT = Endpoint("cash/payout/session/init", version="v1", spelling="transfers")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (CALCULATE, BPA_INIT_PAYMENT, CASH_PAYOUT_INIT)


class TransfersResource(Resource):
    """``bank.transfers``: FX pre-calculation and the partner sides of a transfer."""

    __slots__ = ()

    async def calculate(
        self,
        *,
        source: AmountDetails | None = None,
        destination: AmountDetails | None = None,
        source_currency: str | None = None,
        destination_currency: str | None = None,
        timeout: Timeout = None,
    ) -> TransferCalculation:
        """``calculate``: fees and the exchange rate for an amount to send or to receive.

        Give exactly one amount and the other side's currency::

            await bank.transfers.calculate(source=AmountDetails(amount=100_000, currency="rub"),
                                           destination_currency="try")
            await bank.transfers.calculate(source_currency="rub",
                                           destination=AmountDetails(amount=5_000, currency="try"))
        """
        if (source is None) == (destination is None):
            raise RequestValidationError(
                "calculate needs exactly one amount: source= (what is sent) or destination= "
                "(what arrives)"
            )
        check_amount(source, "source")
        check_amount(destination, "destination")
        sides: dict[str, Any] = {}
        for name, amount, currency in (
            ("source", source, source_currency),
            ("destination", destination, destination_currency),
        ):
            if amount is not None:
                if currency is not None and currency != amount.currency:
                    raise RequestValidationError(
                        f"{name}_currency={currency!r} contradicts {name}.currency"
                    )
                sides[name] = amount
            elif not isinstance(currency, str) or not currency:
                raise RequestValidationError(f"{name}_currency is required (e.g. 'rub', 'try')")
            else:
                sides[name] = {"currency": currency}
        data = await self._request(CALCULATE, {"amounts": sides}, timeout=timeout)
        payload = {k: v for k, v in data.items() if k != "status"}
        return parse_result(payload, TransferCalculation, "the calculation", raw=data)

    async def bpa_init_payment(
        self,
        *,
        moneysend: Mapping[str, Any],
        amount_details: AmountDetails,
        participant_details: ParticipantDetails,
        customer: Customer | None = None,
        metadata: Json = None,
        timeout: Timeout = None,
    ) -> Session:
        """``bpa/session/init/payment``: the payment partner accepts the sender's money.

        Sends ``payment_details = {"type": "moneysend", "moneysend": moneysend}``; the sender
        (``participant_details.sender``: names, citizenship, country, city, ...) is required.
        """
        check_amount(amount_details)
        _check_moneysend(moneysend)
        if participant_details is None or participant_details.sender is None:
            raise RequestValidationError(
                "bpa_init_payment needs participant_details.sender (who sends the money)"
            )
        body = {
            "payment_details": PaymentDetails(
                type=PaymentDetailsType.MONEYSEND, moneysend=dict(moneysend)
            ),
            "amount_details": amount_details,
            "participant_details": participant_details,
            "customer": customer,
            "metadata": metadata,
        }
        return await self._session(BPA_INIT_PAYMENT, body, timeout=timeout)

    async def cash_payout_init(
        self,
        *,
        moneysend: Mapping[str, Any],
        amount_details: AmountDetails,
        tcn_code: str | None = None,
        tcn_code_encoded: str | None = None,
        participant_details: ParticipantDetails | None = None,
        metadata: Json = None,
        timeout: Timeout = None,
    ) -> Session:
        """``cash/payout/session/init``: the payout partner gives a transfer out to its
        recipient (or refunds it to the sender), always in full.

        Pass the transfer code as ``tcn_code`` (the SDK base64-encodes its UTF-8 bytes into
        ``tcn_code_encoded``) or already encoded as ``tcn_code_encoded``. Sends
        ``payment_method = {"type": "moneysend", "moneysend": moneysend}``.
        """
        check_amount(amount_details)
        _check_moneysend(moneysend)
        if (tcn_code is None) == (tcn_code_encoded is None):
            raise RequestValidationError("pass exactly one of tcn_code= or tcn_code_encoded=")
        if tcn_code is not None:
            if not isinstance(tcn_code, str) or not tcn_code:
                raise RequestValidationError("tcn_code must be a non-empty string")
            tcn_code_encoded = base64.b64encode(tcn_code.encode()).decode("ascii")
        elif not _is_base64(tcn_code_encoded):
            raise RequestValidationError("tcn_code_encoded must be base64 text")
        body = {
            "tcn_code_encoded": tcn_code_encoded,
            "payment_method": {"type": "moneysend", "moneysend": dict(moneysend)},
            "amount_details": amount_details,
            "participant_details": participant_details,
            "metadata": metadata,
        }
        return await self._session(CASH_PAYOUT_INIT, body, timeout=timeout)


def _check_moneysend(moneysend: Mapping[str, Any]) -> None:
    if not isinstance(moneysend, Mapping):
        raise RequestValidationError(
            f"moneysend must be a mapping (the object your manager specifies), got "
            f"{type(moneysend).__name__}"
        )


def _is_base64(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        base64.b64decode(value, validate=True)
    except ValueError:
        return False
    return True
