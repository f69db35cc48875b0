"""Card payouts: with the card number (PCI DSS partners), with a card token, and with the
card data the bank's widget encrypted in your customer's browser.

    pip install 'bank131-async[mock]'
    python examples/guide_payout_cards.py
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    EncryptedCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    Session,
    TokenizedCard,
    TokenizeWidget,
)

RECIPIENT = ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))  # required for cards


async def pay(bank: AsyncBank131, details: PayoutDetails, key: str) -> Session:
    """The payout flow every method shares: start, wait for confirm, confirm, wait."""
    session = await bank.sessions.init_payout(
        payout_details=details,
        amount_details=AmountDetails(amount=150_00, currency="rub"),
        participant_details=RECIPIENT,
        idempotency_key=key,
    )
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id)
    return await bank.sessions.wait_for_finished(session.id, timeout=300)


def outcome(session: Session) -> str:
    payout = session.payout_list[0]
    card = payout.payout_details.card if payout.payout_details else None
    shown = f"{card.brand} *{card.last4}" if card and card.last4 else "card"
    error = f" ({payout.error.code})" if payout.error else ""
    return f"{shown}: session {session.status}, payout {payout.status}{error}"


async def main() -> int:
    async with MockBank131() as mock, mock.client() as bank:
        # 1. PCI DSS: you may hold card numbers, so you send the number itself.
        plain = await pay(bank, PayoutDetails.from_card(BankCard(number="4242424242424242")), "c-1")
        print("card number:    ", outcome(plain))

        # 2. PCI DSS, stored as a token: tokenize once, keep the token instead of the number.
        card_token = await bank.tokens.tokenize_elements("5536913700008371")
        assert card_token.token is not None  # Optional: the answer's shape is not documented
        tokenized = PayoutDetails.from_card(TokenizedCard(token=card_token.token))
        print("card token:     ", outcome(await pay(bank, tokenized, "c-2")))

        # 3. Without PCI DSS: the bank's widget collects the card in the browser.
        #    a) your server issues a public token and hands it to the page with the widget;
        public_token = await bank.tokens.issue(tokenize_widget=TokenizeWidget())
        print(f"widget token:    {public_token[:8]}... (one token, one widget operation)")
        #    b) the widget gives your page the encrypted card; your page posts it to you
        #       (here a made-up value: the mock decides outcomes by its last four characters);
        from_widget = EncryptedCard(number_hash="6b1e6c0d8c1f4d3a9e2b0002")
        info = await bank.tokens.info(card=from_widget)
        print(f"token/info:      brand={info.brand} last4={info.last4}")
        #    c) you pay out to it; this one is declined by the (mock) issuer.
        widget = await pay(bank, PayoutDetails.from_card(from_widget), "c-3")
        print("widget card:    ", outcome(widget))

    ok = plain.status == "accepted" and widget.status == "cancelled"
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
