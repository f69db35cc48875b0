"""``fiscalization`` (API v1): register a self-employed person's receipt without a payout.

::

    session = await bank.sessions.create()
    session = await bank.fiscalization.create(
        session.id,
        fiscalization_details=FiscalizationDetails(
            professional_income_taxpayer=ProfessionalIncomeTaxpayer(
                tax_reference="123456789012",
                services=(FiscalizationService(name="Design", amount_details=price),),
            )
        ),
        amount_details=price,
    )
    # later: session.payout_list[0].fiscalization_details.professional_income_taxpayer.receipt

Available on request only. The services (1 to 6) must add up to ``amount_details`` when it is
given. The method is not de-duplicated by the bank (idempotency keys are documented for
``session/*`` only): no key is sent, and a request that may have arrived is not repeated --
check ``sessions.status`` instead. Cancelling a wrongly issued receipt is mentioned by the bank
but its method is not documented, so it is not offered.
"""

from __future__ import annotations

from .._transport import Endpoint
from .._validation import (
    check_amount,
    check_fiscalization,
    check_instrument,
    check_payout_details,
)
from ..errors import RequestValidationError
from ..models.common import AmountDetails, Customer, Json, ParticipantDetails
from ..models.fiscalization import FiscalizationDetails
from ..models.methods import PayoutDetails
from ..models.sessions import Session
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "FiscalizationResource"]

FISCALIZATION = Endpoint("fiscalization", version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (FISCALIZATION,)


class FiscalizationResource(Resource):
    """``bank.fiscalization``: fiscal receipts for the self-employed."""

    __slots__ = ()

    async def create(
        self,
        session_id: str,
        *,
        fiscalization_details: FiscalizationDetails,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        timeout: Timeout = None,
    ) -> Session:
        """``fiscalization``: register the receipt in the session ``session_id`` (made with
        ``sessions.create()``); returns the session, ``in_progress``.

        ``payout_details`` is sent under the method's only documented key, ``payment_method``
        (the method exists in v1 only).
        """
        if fiscalization_details is None:
            raise RequestValidationError("fiscalization_details is required")
        check_amount(amount_details)
        check_instrument(payout_details, "payout_details")
        check_payout_details(payout_details)
        check_fiscalization(fiscalization_details, amount_details)
        body = {
            "session_id": require_id(session_id),
            "fiscalization_details": fiscalization_details,
            "payout_details": payout_details,
            "amount_details": amount_details,
            "participant_details": participant_details,
            "customer": customer,
            "metadata": metadata,
        }
        return await self._session(FISCALIZATION, body, timeout=timeout)
