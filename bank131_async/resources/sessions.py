"""``session/*``: payouts, incoming payments, confirm/capture/cancel, refunds, status, waits.

API v2 by default; ``AsyncBank131(api_version="v1")`` (or ``bank.with_options(api_version=
"v1")``) sends v1 bodies (``payment_method`` instead of ``payout_details``). Responses of both
versions parse into the same :class:`~bank131_async.models.Session`.

Every mutating method takes ``idempotency_key=``. Pass your own, derived from your order id,
and store it before calling: after a timeout, repeating the call with the same key can never
pay twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import polling
from .._transport import Endpoint, Transport
from .._validation import (
    check_amount,
    check_fiscalization,
    check_instrument,
    check_payout_recipient,
)
from ..errors import RequestValidationError
from ..models.common import (
    AmountDetails,
    Customer,
    CustomRouting,
    Json,
    ParticipantDetails,
    RevenueSplitInfoItem,
)
from ..models.enums import NextAction
from ..models.fiscalization import FiscalizationDetails
from ..models.methods import PaymentDetails, PayoutDetails
from ..models.sessions import (
    ConfirmInformation,
    MultiPaymentItem,
    MultiPayoutItem,
    PaymentOptions,
    Session,
)
from ._base import SESSION_STATUS, Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "SessionsResource"]

CREATE = Endpoint("session/create", idempotent=True)
INIT_PAYOUT = Endpoint("session/init/payout", idempotent=True)
INIT_PAYOUT_FISCALIZATION = Endpoint("session/init/payout/fiscalization", idempotent=True)
START_PAYOUT = Endpoint("session/start/payout", idempotent=True)
START_PAYOUT_FISCALIZATION = Endpoint("session/start/payout/fiscalization", idempotent=True)
INIT_PAYMENT = Endpoint("session/init/payment", idempotent=True)
START_PAYMENT = Endpoint("session/start/payment", idempotent=True)
CONFIRM = Endpoint("session/confirm", idempotent=True)
CANCEL = Endpoint("session/cancel", idempotent=True)
CAPTURE = Endpoint("session/capture", idempotent=True)
REFUND = Endpoint("session/refund", idempotent=True)
CHARGEBACK = Endpoint("session/chargeback", idempotent=True)
STATUS = SESSION_STATUS
MULTI_INIT = Endpoint("session/multi/init", idempotent=True, version="v2")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (
    CREATE,
    INIT_PAYOUT,
    INIT_PAYOUT_FISCALIZATION,
    START_PAYOUT,
    START_PAYOUT_FISCALIZATION,
    INIT_PAYMENT,
    START_PAYMENT,
    CONFIRM,
    CANCEL,
    CAPTURE,
    REFUND,
    CHARGEBACK,
    STATUS,
    MULTI_INIT,
)


class SessionsResource(Resource):
    """``bank.sessions``: the payment-session methods and the polling helpers.

    ``events`` is the client's webhook hub: once a router is attached
    (``bank.webhooks.attach(router)``) the ``wait_*`` helpers resolve from webhooks.
    """

    __slots__ = ("_events",)

    def __init__(
        self,
        transport: Transport,
        api_version: str = "v2",
        *,
        events: polling.WakeupSource | None = None,
    ) -> None:
        super().__init__(transport, api_version, sessions_seen=events)
        self._events = events

    # ------------------------------------------------------------------ create / payouts

    async def create(
        self,
        *,
        payout_details: PayoutDetails | None = None,
        payment_details: PaymentDetails | None = None,
        amount_details: AmountDetails | None = None,
        customer: Customer | None = None,
        participant_details: ParticipantDetails | None = None,
        fiscalization_details: FiscalizationDetails | None = None,
        payment_options: PaymentOptions | None = None,
        metadata: Json = None,
        payment_metadata: dict[str, Any] | None = None,
        custom_routing: CustomRouting | None = None,
        revenue_split_info: Sequence[RevenueSplitInfoItem] | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/create``: an empty or pre-filled session in status ``created``.

        The recommended payout flow: create, store ``session.id``, then ``start_payout``. A
        retry of ``start_payout`` can then always be reconciled with ``status``.
        """
        check_amount(amount_details)
        check_instrument(payout_details, "payout_details")
        check_instrument(payment_details, "payment_details")
        body = {
            "payout_details": payout_details,
            "payment_details": payment_details,
            "amount_details": amount_details,
            "customer": customer,
            "participant_details": participant_details,
            "fiscalization_details": fiscalization_details,
            "payment_options": payment_options,
            "metadata": metadata,
            "payment_metadata": payment_metadata,
            "custom_routing": custom_routing,
            "revenue_split_info": _seq(revenue_split_info),
        }
        return await self._session(CREATE, body, idempotency_key=idempotency_key, timeout=timeout)

    async def init_payout(
        self,
        *,
        payout_details: PayoutDetails,
        amount_details: AmountDetails,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        fiscalization_details: FiscalizationDetails | None = None,
        metadata: Json = None,
        custom_routing: CustomRouting | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/init/payout``: create a session and start a payout in one call.

        Card payouts need ``participant_details.recipient.full_name``.
        """
        body = _payout_body(
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            fiscalization_details=fiscalization_details,
            metadata=metadata,
            custom_routing=custom_routing,
        )
        return await self._session(
            INIT_PAYOUT, body, idempotency_key=idempotency_key, timeout=timeout
        )

    async def init_payout_with_fiscalization(
        self,
        *,
        payout_details: PayoutDetails,
        amount_details: AmountDetails,
        fiscalization_details: FiscalizationDetails,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        custom_routing: CustomRouting | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/init/payout/fiscalization``: a payout to a self-employed person that also
        registers the fiscal receipt (services must add up to the amount)."""
        body = _payout_body(
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            fiscalization_details=fiscalization_details,
            metadata=metadata,
            custom_routing=custom_routing,
        )
        return await self._session(
            INIT_PAYOUT_FISCALIZATION, body, idempotency_key=idempotency_key, timeout=timeout
        )

    async def start_payout(
        self,
        session_id: str,
        *,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        fiscalization_details: FiscalizationDetails | None = None,
        metadata: Json = None,
        custom_routing: CustomRouting | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/start/payout``: start the payout of a created session (fields given here
        overwrite those sent at ``create``)."""
        body = _payout_body(
            session_id=require_id(session_id),
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            fiscalization_details=fiscalization_details,
            metadata=metadata,
            custom_routing=custom_routing,
        )
        return await self._session(
            START_PAYOUT, body, idempotency_key=idempotency_key, timeout=timeout
        )

    async def start_payout_with_fiscalization(
        self,
        session_id: str,
        *,
        fiscalization_details: FiscalizationDetails,
        payout_details: PayoutDetails | None = None,
        amount_details: AmountDetails | None = None,
        participant_details: ParticipantDetails | None = None,
        customer: Customer | None = None,
        metadata: Json = None,
        custom_routing: CustomRouting | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/start/payout/fiscalization``."""
        body = _payout_body(
            session_id=require_id(session_id),
            payout_details=payout_details,
            amount_details=amount_details,
            participant_details=participant_details,
            customer=customer,
            fiscalization_details=fiscalization_details,
            metadata=metadata,
            custom_routing=custom_routing,
        )
        return await self._session(
            START_PAYOUT_FISCALIZATION, body, idempotency_key=idempotency_key, timeout=timeout
        )

    # ------------------------------------------------------------------ incoming payments

    async def init_payment(
        self,
        *,
        payment_details: PaymentDetails,
        amount_details: AmountDetails,
        customer: Customer,
        payment_options: PaymentOptions | None = None,
        participant_details: ParticipantDetails | None = None,
        metadata: Json = None,
        payment_metadata: dict[str, Any] | None = None,
        custom_routing: CustomRouting | None = None,
        revenue_split_info: Sequence[RevenueSplitInfoItem] | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/init/payment``: create a session and start an incoming payment."""
        body = _payment_body(
            payment_details=payment_details,
            amount_details=amount_details,
            customer=customer,
            payment_options=payment_options,
            participant_details=participant_details,
            metadata=metadata,
            payment_metadata=payment_metadata,
            custom_routing=custom_routing,
            revenue_split_info=revenue_split_info,
        )
        return await self._session(
            INIT_PAYMENT, body, idempotency_key=idempotency_key, timeout=timeout
        )

    async def start_payment(
        self,
        session_id: str,
        *,
        payment_details: PaymentDetails | None = None,
        amount_details: AmountDetails | None = None,
        customer: Customer | None = None,
        payment_options: PaymentOptions | None = None,
        participant_details: ParticipantDetails | None = None,
        metadata: Json = None,
        payment_metadata: dict[str, Any] | None = None,
        custom_routing: CustomRouting | None = None,
        revenue_split_info: Sequence[RevenueSplitInfoItem] | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/start/payment``: start the incoming payment of a created session."""
        body = _payment_body(
            session_id=require_id(session_id),
            payment_details=payment_details,
            amount_details=amount_details,
            customer=customer,
            payment_options=payment_options,
            participant_details=participant_details,
            metadata=metadata,
            payment_metadata=payment_metadata,
            custom_routing=custom_routing,
            revenue_split_info=revenue_split_info,
        )
        return await self._session(
            START_PAYMENT, body, idempotency_key=idempotency_key, timeout=timeout
        )

    async def multi_init(
        self,
        *,
        payment_list: Sequence[MultiPaymentItem],
        payout_list: Sequence[MultiPayoutItem],
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/multi/init`` (v2 only): debit legs and credit legs in one session, as
        used by transfers. Both lists must be non-empty."""
        if not payment_list or not payout_list:
            raise RequestValidationError(
                "multi_init needs at least one item in payment_list and in payout_list"
            )
        for item in payment_list:
            check_amount(item.amount_details, "payment_list[].amount_details")
            check_instrument(item.payment_details, "payment_list[].payment_details")
        for payout in payout_list:
            check_amount(payout.amount_details, "payout_list[].amount_details")
            check_payout_recipient(payout.payout_details, payout.participant_details)
        body = {"payment_list": list(payment_list), "payout_list": list(payout_list)}
        return await self._session(
            MULTI_INIT, body, idempotency_key=idempotency_key, timeout=timeout
        )

    # ------------------------------------------------------------------ session actions

    async def confirm(
        self,
        session_id: str,
        *,
        confirm_information: ConfirmInformation | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/confirm``: allowed when ``session.next_action == "confirm"``.

        Escrow, settlement and FX payouts pass back the ``confirm_information`` the bank sent
        (``session.confirm_information`` of the ``ready_to_confirm`` state).
        """
        body = {
            "session_id": require_id(session_id),
            "confirm_information": confirm_information,
        }
        return await self._session(CONFIRM, body, idempotency_key=idempotency_key, timeout=timeout)

    async def cancel(
        self,
        session_id: str,
        *,
        confirm_information: ConfirmInformation | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/cancel``: instead of confirm or capture (releases a hold). The reply may
        still show ``in_progress``; ``cancelled`` follows.

        Escrow and settlement payouts: the bank says to keep the ``confirm_information`` of
        ``ready_to_confirm`` for confirm *or* cancel, so it can be passed here too (whether the
        bank requires it on cancel is not documented; the PHP SDK never sends it).
        """
        body = {
            "session_id": require_id(session_id),
            "confirm_information": confirm_information,
        }
        return await self._session(CANCEL, body, idempotency_key=idempotency_key, timeout=timeout)

    async def capture(
        self,
        session_id: str,
        *,
        amount_details: AmountDetails | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/capture``: debit a held payment, fully (no amount) or partly."""
        check_amount(amount_details)
        body = {"session_id": require_id(session_id), "amount_details": amount_details}
        return await self._session(CAPTURE, body, idempotency_key=idempotency_key, timeout=timeout)

    async def refund(
        self,
        session_id: str,
        *,
        amount_details: AmountDetails | None = None,
        metadata: Json = None,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """``session/refund``: refund an accepted incoming payment, fully or partly."""
        check_amount(amount_details)
        body = {
            "session_id": require_id(session_id),
            "amount_details": amount_details,
            "metadata": metadata,
        }
        return await self._session(REFUND, body, idempotency_key=idempotency_key, timeout=timeout)

    async def chargeback(
        self, session_id: str, *, idempotency_key: str | None = None, timeout: Timeout = None
    ) -> Session:
        """``session/chargeback`` (present in the official SDK; its purpose is not documented
        publicly and may be restricted to some partners)."""
        body = {"session_id": require_id(session_id)}
        return await self._session(
            CHARGEBACK, body, idempotency_key=idempotency_key, timeout=timeout
        )

    async def status(self, session_id: str, *, timeout: Timeout = None) -> Session:
        """``session/status``: the current session (read-only, always safe to repeat)."""
        body = {"session_id": require_id(session_id)}
        return await self._session(STATUS, body, timeout=timeout)

    # ------------------------------------------------------------------ waits

    async def wait_for_next_action(
        self,
        session_id: str,
        action: NextAction | str,
        *,
        timeout: float,
        schedule: polling.PollSchedule = polling.DEFAULT_SCHEDULE,
    ) -> Session:
        """Poll until the bank waits for ``action`` (``"confirm"`` or ``"capture"``).

        Raises ``UnexpectedSessionStateError`` at once if the session is accepted, cancelled or
        waits for another action, and ``WaitTimeoutError`` (a ``TimeoutError``) at the deadline.

        With a webhook router attached (``bank.webhooks.attach(router)``) it resolves as soon
        as the webhook arrives and polls only as a slow fallback (``schedule`` is then unused).
        """
        if action not in NextAction._value2member_map_:
            raise RequestValidationError(f"action must be 'confirm' or 'capture', got {action!r}")
        return await polling.wait_for_next_action(
            self.status,
            require_id(session_id),
            action,
            timeout=timeout,
            schedule=schedule,
            source=self._events,
        )

    async def wait_for_finished(
        self,
        session_id: str,
        *,
        timeout: float,
        schedule: polling.PollSchedule = polling.DEFAULT_SCHEDULE,
    ) -> Session:
        """Poll until the session is ``accepted`` or ``cancelled`` with every operation final.

        Webhook-driven like :meth:`wait_for_next_action` when a router is attached.
        """
        return await polling.wait_for_finished(
            self.status,
            require_id(session_id),
            timeout=timeout,
            schedule=schedule,
            source=self._events,
        )


def _payout_body(
    *,
    session_id: str | None = None,
    payout_details: PayoutDetails | None,
    amount_details: AmountDetails | None,
    participant_details: ParticipantDetails | None,
    customer: Customer | None,
    fiscalization_details: FiscalizationDetails | None,
    metadata: Any,
    custom_routing: CustomRouting | None,
) -> dict[str, Any]:
    """The body of init/start payout (with or without fiscalization), checked before sending."""
    check_amount(amount_details)
    check_payout_recipient(payout_details, participant_details)
    check_fiscalization(fiscalization_details, amount_details)
    return {
        "session_id": None if session_id is None else require_id(session_id),
        "payout_details": payout_details,
        "amount_details": amount_details,
        "participant_details": participant_details,
        "customer": customer,
        "fiscalization_details": fiscalization_details,
        "metadata": metadata,
        "custom_routing": custom_routing,
    }


def _payment_body(
    *,
    session_id: str | None = None,
    payment_details: PaymentDetails | None,
    amount_details: AmountDetails | None,
    customer: Customer | None,
    payment_options: PaymentOptions | None,
    participant_details: ParticipantDetails | None,
    metadata: Any,
    payment_metadata: dict[str, Any] | None,
    custom_routing: CustomRouting | None,
    revenue_split_info: Sequence[RevenueSplitInfoItem] | None,
) -> dict[str, Any]:
    """The body of init/start payment, checked before sending."""
    check_amount(amount_details)
    check_instrument(payment_details, "payment_details")
    return {
        "session_id": None if session_id is None else require_id(session_id),
        "payment_details": payment_details,
        "amount_details": amount_details,
        "customer": customer,
        "payment_options": payment_options,
        "participant_details": participant_details,
        "metadata": metadata,
        "payment_metadata": payment_metadata,
        "custom_routing": custom_routing,
        "revenue_split_info": _seq(revenue_split_info),
    }


def _seq(items: Sequence[Any] | None) -> list[Any] | None:
    return list(items) if items is not None else None
