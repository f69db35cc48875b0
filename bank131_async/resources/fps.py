"""``fps/banks`` and ``fps/customer_verification``: the Faster Payment System (SBP).

API v2 by default, v1 with ``AsyncBank131(api_version="v1")`` or ``bank.with_options(
api_version="v1")``, like sessions (v1 spells the instrument ``payment_method``)::

    banks = await bank.fps.banks()
    session = await bank.fps.customer_verification(
        phone="79001234567",
        bank_id=banks[0].id,
        participant_details=ParticipantDetails(
            recipient=Participant(first_name="Ivan", last_name="Ivanov")
        ),
    )
    session = await bank.sessions.wait_for_finished(session.id, timeout=60)
    registered = session.status == "accepted"     # cancelled: not registered in FPS

``fps/banks`` is a ``GET`` whose body is the two bytes ``[]``, signed, exactly as the official
SDK sends it. ``customer_verification`` is free and auto-confirmed; it is not de-duplicated by
the bank (idempotency keys are documented for ``session/*`` only), so no key is sent and a
request that may have arrived is not repeated blindly: poll ``sessions.status`` instead.
"""

from __future__ import annotations

from .._transport import Endpoint
from .._validation import check_phone
from ..errors import RequestValidationError
from ..models.common import ParticipantDetails
from ..models.enums import BankAccountType, PayoutDetailsType
from ..models.fps import FpsBank
from ..models.methods import BankAccount, FasterPaymentSystemVerification, PayoutDetails
from ..models.sessions import Session
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "FpsResource"]

BANKS = Endpoint("fps/banks", read_only=True, method="GET")
CUSTOMER_VERIFICATION = Endpoint("fps/customer_verification")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (BANKS, CUSTOMER_VERIFICATION)


class FpsResource(Resource):
    """``bank.fps``: FPS participant banks and recipient verification."""

    __slots__ = ()

    async def banks(self, *, timeout: Timeout = None) -> tuple[FpsBank, ...]:
        """``fps/banks``: the FPS participants; use ``id`` as ``bank_id``."""
        return await self._call(BANKS, [], tuple[FpsBank, ...], key="banks", timeout=timeout)

    async def customer_verification(
        self,
        *,
        phone: str,
        bank_id: str,
        participant_details: ParticipantDetails,
        session_id: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``fps/customer_verification``: is ``phone`` registered in FPS at ``bank_id``?

        The answer is a session with one payout echoing the verification; it finishes
        ``accepted`` (registered) or ``cancelled`` (not registered). ``session_id`` names a
        session made with ``sessions.create()`` (the Smart Glocal docs require it; the official
        SDK leaves it out).
        """
        check_phone(phone)
        require_id(bank_id, "bank_id")
        if participant_details is None or participant_details.recipient is None:
            raise RequestValidationError(
                "customer_verification needs participant_details=ParticipantDetails("
                "recipient=Participant(first_name=..., last_name=...))"
            )
        instrument = PayoutDetails(
            type=PayoutDetailsType.BANK_ACCOUNT,
            bank_account=BankAccount(
                system_type=BankAccountType.FASTER_PAYMENT_SYSTEM_VERIFICATION,
                faster_payment_system_verification=FasterPaymentSystemVerification(
                    phone=phone, bank_id=bank_id
                ),
            ),
        )
        body = {
            "session_id": require_id(session_id) if session_id is not None else None,
            "payout_details": instrument,
            "participant_details": participant_details,
        }
        return await self._session(CUSTOMER_VERIFICATION, body, timeout=timeout)
