"""Incoming payments: a card payment with a hold and capture, a refund, a recurring charge of
a saved card, and a subscription.

    pip install 'bank131-async[mock]'
    python examples/guide_payments.py

The mock runs with the project setting "delayed capture" (``delayed_capture=True``): an
authorised payment holds the money and waits for ``capture`` (all or part of it) or ``cancel``.
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Customer,
    PaymentDetails,
    PaymentOptions,
    Session,
    Subscription,
)

CARD = BankCard(
    number="4242424242424242",
    expiration_month="12",
    expiration_year="30",
    security_code="123",
    cardholder_name="IVAN IVANOV",
)


async def authorise(
    bank: AsyncBank131,
    details: PaymentDetails,
    amount: int,
    key: str,
    options: PaymentOptions | None = None,
) -> Session:
    """Start a payment and confirm it: the money is then held on the card."""
    session = await bank.sessions.init_payment(
        payment_details=details,
        amount_details=AmountDetails(amount=amount, currency="rub"),
        customer=Customer(reference="user-42"),  # your id of the payer
        payment_options=options,
        idempotency_key=key,
    )
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id)
    return await bank.sessions.wait_for_next_action(session.id, "capture", timeout=60)


async def main() -> int:
    async with MockBank131(delayed_capture=True) as mock, mock.client() as bank:
        # 1. Hold 1,000.00 and capture 800.00 of it (the rest goes back to the card).
        held = await authorise(bank, PaymentDetails.from_card(CARD), 1_000_00, "order-7")
        print(f"held:       session {held.id} waits for {held.next_action}")
        await bank.sessions.capture(
            held.id, amount_details=AmountDetails(amount=800_00, currency="rub")
        )
        paid = await bank.sessions.wait_for_finished(held.id, timeout=60)
        print(f"captured:   session {paid.status}, payment {paid.payment_list[0].status}")

        # 2. Refund 300.00 of it; the refund is an entry of the payment, final when accepted.
        await bank.sessions.refund(
            paid.id, amount_details=AmountDetails(amount=300_00, currency="rub")
        )
        refund = None
        for _ in range(50):
            refunds = (await bank.sessions.status(paid.id)).payment_list[0].refunds
            refund = refunds[0] if refunds else None
            if refund is not None and refund.status != "in_progress":
                break
            await asyncio.sleep(0.1)
        print(f"refund:     {refund and refund.status}")

        # 3. Save the card for later charges (payment_options.recurrent), then charge it
        #    without the customer: the recurrent token stands in for the card.
        first = await authorise(
            bank,
            PaymentDetails.from_card(CARD),
            10_00,
            "card-binding-1",
            options=PaymentOptions(recurrent=True),
        )
        await bank.sessions.capture(first.id)
        first = await bank.sessions.wait_for_finished(first.id, timeout=60)
        recurrent = first.payment_list[0].recurrent
        assert recurrent is not None, "the bank returns the token with the finished payment"
        print(f"saved card: token active={recurrent.is_active}")
        again = await authorise(
            bank, PaymentDetails.from_recurrent(recurrent.token), 499_00, "renewal-2024-07"
        )
        await bank.sessions.capture(again.id)
        again = await bank.sessions.wait_for_finished(again.id, timeout=60)
        print(f"recurring:  session {again.status}")
        info = await bank.recurrent.status(recurrent.token)
        await bank.recurrent.disable(recurrent.token)  # the customer unsubscribed
        print(f"token:      active={info.is_active}, now disabled")

        # 4. A subscription: the bank charges the card every period by itself.
        sub = await authorise(
            bank,
            PaymentDetails.from_card(CARD),
            299_00,
            "subscription-1",
            options=PaymentOptions(subscription=Subscription(period="month")),
        )
        await bank.sessions.capture(sub.id)
        sub = await bank.sessions.wait_for_finished(sub.id, timeout=60)
        payment = sub.payment_list[0]
        print(f"subscribed: session {sub.status}")
        # The bank's id of the subscription is payment.subscription.id (the mock issues none).
        subscription_id = "sub_1"
        if payment.subscription is not None and payment.subscription.id:
            subscription_id = payment.subscription.id
        await bank.subscriptions.cancel(subscription_id)
        await bank.subscriptions.restore(subscription_id)
        print("subscription cancelled and restored")
    return 0 if paid.status == again.status == "accepted" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
