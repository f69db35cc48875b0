"""Escrow (``/nominal``) and settlement (``/rko``) account payouts: ``bank.nominal`` and
``bank.rko`` (API v1 only; the bodies use the v1 key ``payment_method``).

Payouts to a bank account or FPS::

    session = await bank.nominal.init_payout(
        payout_details=PayoutDetails.from_bank_account_ru(bik=..., account=..., full_name=...,
                                                       description=...),
        amount_details=AmountDetails(amount=10_000, currency="rub"),
        participant_details=ParticipantDetails(
            sender=Participant(account="40702810000000000001"),        # your escrow account
            recipient=Participant(beneficiary_id="500100732259"),      # beneficiary INN
        ),
        idempotency_key=f"payout-{order.id}",
    )

Card payouts go through the ``multi`` variants, which add the internal-transfer leg
(``payment_details.internal_transfer``) built from ``description``::

    session = await bank.rko.multi_init_payment(
        payout_details=PayoutDetails.from_card(BankCard(number="2200...")),
        amount_details=AmountDetails(amount=10_000, currency="rub"),
        participant_details=ParticipantDetails(
            sender=Participant(full_name="OOO Romashka"),
            recipient=Participant(full_name="Ivan Ivanov"),
        ),
        description="Payout under contract 15",
    )

**Confirm needs confirm_information.** These sessions stop at ``ready_to_confirm`` with the
transfer and account details in ``session.confirm_information``; pass it back unchanged::

    session = await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id, confirm_information=session.confirm_information)

Every method is a ``session/*`` call, so each takes ``idempotency_key=`` (generated once per
call when omitted and reused by its retries). Escrow beneficiaries must be KYC-verified first
(``bank.kyc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .._transport import Endpoint
from .._validation import check_amount, check_digits, check_inn, check_payout_recipient
from ..errors import RequestValidationError
from ..models.common import AmountDetails, Customer, Json, ParticipantDetails
from ..models.enums import PaymentDetailsType, PayoutDetailsType
from ..models.methods import (
    InternalTransfer,
    InternalTransferDescription,
    PaymentDetails,
    PayoutDetails,
)
from ..models.sessions import Session
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "NominalSessionsResource", "RkoSessionsResource"]

#: The six variants of one account kind, all v1 session calls (de-duplicated by idempotency key).
_METHODS = (
    "create",
    "init/payout",
    "start/payout",
    "multi/create",
    "multi/init/payment",
    "multi/start/payment",
)


def _endpoints(kind: str) -> dict[str, Endpoint]:
    return {m: Endpoint(f"session/{m}/{kind}", idempotent=True, version="v1") for m in _METHODS}


NOMINAL = _endpoints("nominal")
RKO = _endpoints("rko")

#: Every endpoint these resources call (the coverage test compares it with endpoints.md).
ENDPOINTS = (*NOMINAL.values(), *RKO.values())


class _AccountSessionsResource(Resource):
    """The six ``session/*/<kind>`` methods; subclasses fix the kind."""

    __slots__ = ()

    _kind: ClassVar[str]
    _endpoints: ClassVar[Mapping[str, Endpoint]]
    #: ``payment_details.internal_transfer.type`` of the card-payout (multi) variants.
    _transfer_type: ClassVar[str]
    #: Escrow payouts name the beneficiary (``beneficiary_id``, the beneficiary's INN).
    _needs_beneficiary: ClassVar[bool]

    async def _send(
        self, method: str, body: dict[str, Any], idempotency_key: str | None, timeout: Timeout
    ) -> Session:
        return await self._session(
            self._endpoints[method], body, idempotency_key=idempotency_key, timeout=timeout
        )

    def _body(
        self,
        *,
        session_id: str | None = None,
        description: str | None = None,
        payout_details: PayoutDetails | None,
        amount_details: AmountDetails | None,
        participant_details: ParticipantDetails | None,
        customer: Customer | None,
        metadata: Any,
        account: bool,
        required: bool,
    ) -> dict[str, Any]:
        """The body of every variant (v1 keys), after the documented checks. ``account``: the
        sender pays from ``sender.account`` (account payouts) rather than by card transfer
        (multi); ``required``: the participants must be complete now (init calls)."""
        check_amount(amount_details)
        check_payout_recipient(payout_details, participant_details)
        self._check_participants(participant_details, account=account, required=required)
        # The card (multi) variants move money by an internal transfer that needs a purpose;
        # init must name it now, create/start may leave it for later.
        transfer_now = description is not None or (required and not account)
        return {
            "session_id": session_id,
            "payment_details": self._internal_transfer(description) if transfer_now else None,
            "payout_details": payout_details,
            "amount_details": amount_details,
            "participant_details": participant_details,
            "customer": customer,
            "metadata": metadata,
        }

    def _internal_transfer(self, description: str | None) -> PaymentDetails:
        if not isinstance(description, str) or not description.strip():
            raise RequestValidationError(
                "description (the purpose of the transfer from the account) is required"
            )
        text = InternalTransferDescription(description=description)
        return PaymentDetails(
            type=PaymentDetailsType.INTERNAL_TRANSFER,
            internal_transfer=InternalTransfer(
                type=self._transfer_type, **{self._transfer_type: text}
            ),
        )

    def _check_participants(
        self, participants: ParticipantDetails | None, *, account: bool, required: bool
    ) -> None:
        """``sender.account`` (20 digits) for account payouts and, for escrow, a
        ``beneficiary_id`` (INN) on the sender or the recipient."""
        sender = participants.sender if participants else None
        recipient = participants.recipient if participants else None
        if account:
            number = sender.account if sender else None
            if number is None and required:
                raise RequestValidationError(
                    f"{self._kind} payouts need participant_details.sender.account: the "
                    "20-digit number of the account the money leaves"
                )
            check_digits(number, "participant_details.sender.account", (20,))
        ids = [p.beneficiary_id for p in (sender, recipient) if p and p.beneficiary_id]
        for beneficiary in ids:
            check_inn(beneficiary, "participant_details.*.beneficiary_id")
        if self._needs_beneficiary and required and not ids:
            raise RequestValidationError(
                "escrow payouts need the beneficiary's INN: participant_details.recipient."
                "beneficiary_id (account payouts) or sender.beneficiary_id (card payouts)"
            )

    # ------------------------------------------------------------------ bank account / FPS

    async def create(
        self,
        *,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/create/<kind>``: a session for a payout from the account (then
        :meth:`start_payout`)."""
        body = self._body(
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            metadata=metadata,
            account=True,
            required=False,
        )
        return await self._send("create", body, idempotency_key, timeout)

    async def init_payout(
        self,
        *,
        payout_details: PayoutDetails,
        amount_details: AmountDetails,
        participant_details: ParticipantDetails,
        customer: Customer | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/init/payout/<kind>``: create and start a payout to a bank account or FPS.

        ``participant_details.sender.account`` is the paying account (required); escrow
        payouts also need ``recipient.beneficiary_id``.
        """
        body = self._body(
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            metadata=metadata,
            account=True,
            required=True,
        )
        return await self._send("init/payout", body, idempotency_key, timeout)

    async def start_payout(
        self,
        session_id: str,
        *,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/start/payout/<kind>``: start the payout of a session from :meth:`create`
        (fields given here overwrite those sent at create)."""
        body = self._body(
            session_id=require_id(session_id),
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            metadata=metadata,
            account=True,
            required=False,
        )
        return await self._send("start/payout", body, idempotency_key, timeout)

    # ------------------------------------------------------------------ card payouts (multi)

    async def multi_create(
        self,
        *,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        description: str | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/multi/create/<kind>``: a multi-session for a card payout from the account
        (then :meth:`multi_start_payment`)."""
        body = self._body(
            description=description,
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            metadata=metadata,
            account=False,
            required=False,
        )
        return await self._send("multi/create", body, idempotency_key, timeout)

    async def multi_init_payment(
        self,
        *,
        payout_details: PayoutDetails,
        amount_details: AmountDetails,
        participant_details: ParticipantDetails,
        description: str,
        customer: Customer | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/multi/init/payment/<kind>``: create and start a card payout from the
        account. Sends ``payment_details`` (the internal transfer, with ``description``) and
        ``payment_method`` (the card); card payouts need ``recipient.full_name``, escrow ones
        ``sender.beneficiary_id``."""
        _require_card(payout_details)
        body = self._body(
            description=description,
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            metadata=metadata,
            account=False,
            required=True,
        )
        return await self._send("multi/init/payment", body, idempotency_key, timeout)

    async def multi_start_payment(
        self,
        session_id: str,
        *,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        description: str | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/multi/start/payment/<kind>``: start the card payout of a session from
        :meth:`multi_create` (fields given here overwrite those sent at create)."""
        if payout_details is not None:
            _require_card(payout_details)
        body = self._body(
            session_id=require_id(session_id),
            description=description,
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            metadata=metadata,
            account=False,
            required=False,
        )
        return await self._send("multi/start/payment", body, idempotency_key, timeout)


def _require_card(payout_details: PayoutDetails) -> None:
    if payout_details.type != PayoutDetailsType.CARD:
        raise RequestValidationError(
            "the multi variants pay out to cards (payout_details=PayoutDetails.from_card(...)); "
            "use init_payout for bank accounts and FPS"
        )


class NominalSessionsResource(_AccountSessionsResource):
    """``bank.nominal``: payouts from an escrow (nominal) account, ``session/*/nominal``."""

    __slots__ = ()
    _kind = "escrow"
    _endpoints = NOMINAL
    _transfer_type = "transfer_from_nominal_account"
    _needs_beneficiary = True


class RkoSessionsResource(_AccountSessionsResource):
    """``bank.rko``: payouts from a settlement (RKO) account, ``session/*/rko``."""

    __slots__ = ()
    _kind = "settlement"
    _endpoints = RKO
    _transfer_type = "transfer_from_bank_account"
    _needs_beneficiary = False
