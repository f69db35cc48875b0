"""Migrating from the official PHP SDK (``bank131/php-sdk``): the same integration, in Python.

    pip install 'bank131-async[mock]'
    python examples/guide_migrating_from_php.py

Each step names the PHP SDK's API class it replaces. The main differences: one async client
whose attributes are the bank's method groups; keyword arguments and typed models instead of
request builders; an idempotency key on every ``session/*`` call (yours or generated) that
retries reuse; and webhooks verified and parsed in one call.
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131, IdempotencyConflictError, InvalidSignatureError
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    ReadyToConfirm,
)
from bank131_async.testing import sign_webhook, webhook_payload


async def main() -> int:
    async with MockBank131() as mock:
        # PHP: new Config(uri, project, privateKey, bank131PublicKey) + new Client($config)
        bank = AsyncBank131(
            project=mock.project,
            private_key=mock.partner_private_key_pem,  # PEM bytes or str, a Path, or a key
            bank_public_key=mock.bank_public_key_pem,  # verifies webhooks
            base_url=mock.url,  # or environment="demo" / "production"
        )
        async with bank:
            # PHP: SessionApi (session/init/payout), with withIdempotencyKey()
            session = await bank.sessions.init_payout(
                payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
                amount_details=AmountDetails(amount=100_00, currency="rub"),
                participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan")),
                idempotency_key="order-1",
            )
            print(f"session/init/payout -> bank.sessions.init_payout: {session.id}")

            # PHP: Client::handleWebHook($sign, $body) -> a typed event, signature checked
            body, signature = sign_webhook(
                webhook_payload("ready_to_confirm", session_id=session.id),
                mock.bank_private_key_pem,
            )
            event = bank.webhooks.parse(body, signature)
            assert isinstance(event, ReadyToConfirm)
            print(f"handleWebHook -> bank.webhooks.parse: {type(event).__name__}")
            try:
                bank.webhooks.parse(body.replace(b"ready", b"READY"), signature)
            except InvalidSignatureError:
                print("a tampered webhook -> InvalidSignatureError")

            # PHP: SessionApi (session/confirm, session/status)
            await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
            await bank.sessions.confirm(event.session.id)
            final = await bank.sessions.wait_for_finished(session.id, timeout=60)
            print(f"session/confirm, session/status -> {final.status}")

            # PHP: IdempotencyKeyAlreadyExistsException -> IdempotencyConflictError
            try:
                await bank.sessions.init_payout(
                    payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
                    amount_details=AmountDetails(amount=200_00, currency="rub"),
                    participant_details=ParticipantDetails(recipient=Participant(full_name="I")),
                    idempotency_key="order-1",
                )
            except IdempotencyConflictError as exc:
                print(f"IdempotencyKeyAlreadyExistsException -> {type(exc).__name__} "
                      f"(code {exc.code}, maybe_processed={exc.maybe_processed})")  # fmt: skip

            # PHP: WalletApi, FpsApi
            wallets = await bank.wallet.balance()
            banks = await bank.fps.banks()
            print(f"wallet/balance, fps/banks -> {len(wallets)} wallet(s), {len(banks)} banks")
    return 0 if final.status == "accepted" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
